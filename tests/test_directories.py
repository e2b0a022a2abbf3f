"""Directory walking alone, fast: which links of a home, platform or directory page lead to other
agencies (crawler/judging.py with the words of crawler/discovery.py), which kind of source walks
them, which hosts are one site (crawler/sites.py), which region an agency's name gives
(crawler/places.py), and start URLs kept whole. On a real saved page (tests/fixtures/portals/real/)
and on pages of the local cluster portals (tests/cluster_support.py)."""
from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from cluster_support import build_subdomain_cluster
from crawl_support import real_response as real
from crawler import discovery, judging, sites
from crawler.cms import parse_listing
from crawler.places import Place, learn
from crawler.spiders.reports import load_sources, split_urls


def decisions(response, *, ctx=False, hops=1, depth=0, max_depth=2) -> dict[str, judging.Follow]:
    listing = parse_listing(response)
    entries = {link.url for link in listing.entries}
    out = {}
    for link in listing.links:
        follow = judging.judge(link, is_entry=link.url in entries, ctx=ctx, hops=hops, max_hops=6,
                               depth=depth, max_depth=max_depth)
        if follow is not None:
            out.setdefault(follow.url, follow)
    return out


# -- words ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["部门信息公开", "市直部门信息公开", "区县（市）政府信息公开", "县（市、区）政府信息公开",
                                  "乡镇街道", "乡镇（街道）信息公开", "政府信息公开目录", "机构列表", "地方部门平台链接",
                                  "网站群导航", "政府机构"])
def test_directory_names(text):
    assert discovery.is_directory(text) and not discovery.is_agency(text)


@pytest.mark.parametrize("text", ["漯河市财政局", "源汇区人民政府", "顺河街道办事处", "漯河经济技术开发区管理委员会",
                                  "城关镇", "漯河市人民政府办公室", "漯河市卫生健康委员会", "政务服务中心", "顺河街道"])
def test_agency_names(text):
    assert discovery.is_agency(text) and not discovery.is_directory(text)


@pytest.mark.parametrize("text", ["新闻中心", "下载中心", "首页", "网站地图", "政府信息公开", "政府信息公开年报",
                                  "漯河市2023年部门预算公开", "2022年度", "关于进一步加强管理的通知", "企业年报公示",
                                  "漯河市财政局2022年政府信息公开工作年度报告"])
def test_not_agencies(text):
    assert not discovery.is_agency(text)


# -- a real platform page ----------------------------------------------------------------------------

def test_real_platform_page_leads_to_its_directories_and_column_not_to_its_guide():
    followed = decisions(real("pingtan_zfxxgknb_list.html"))
    base = "https://www.pingtan.gov.cn/zwgk/"
    directories = {u for u, f in followed.items() if f.kind == "listing" and not f.ctx and f.agency is None}
    assert {base + "zfxxgk/dfbmptlj/", base + "zzjg/"} <= directories  # 地方部门平台链接, 政府机构
    assert followed[base + "zfxxgk/zfxxgknb/nlist.htm"].ctx  # the column itself (政府信息<br>公开年报)
    assert base + "zfxxgk/zfxxgkzn/" not in followed  # 政府信息公开指南
    agencies = {f.agency for f in followed.values() if f.agency}
    assert "福建省人民政府" in agencies  # an agency by name; the spider drops it: another registered domain
    assert not judging.same_site("http://www.fj.gov.cn/", "https://www.pingtan.gov.cn/")


def test_a_home_or_column_source_walks_no_directory():
    page = real("pingtan_zfxxgknb_list.html")
    assert judging.directory_depth("home", 2) == judging.directory_depth("column", 2) == 0
    assert judging.directory_depth("cluster", 2) == judging.directory_depth(None, 2) == 2
    followed = decisions(page, max_depth=judging.directory_depth("home", 2))
    assert not any(f.agency for f in followed.values())
    assert "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/" not in followed


# -- pages of the local cluster ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def luohe():
    site = build_subdomain_cluster()

    def response(path: str) -> HtmlResponse:
        body = site.portal.pages[path if path.endswith(".html") else path + "index.html"].replace(b"{port}", b"80")
        return HtmlResponse("http://www.luohe.gov.cn" + path, body=body, headers={"Content-Type": "text/html"})
    return response


def test_directory_of_departments(luohe):
    followed = decisions(luohe("/xxgk/bmxxgk/"), hops=2, depth=0)
    agencies = {f.agency: f for f in followed.values() if f.agency}
    assert set(agencies) == {"漯河市财政局", "漯河市教育局", "漯河市卫生健康委员会"}
    assert all(f.kind == "listing" and f.depth == 1 and f.hops == 0 for f in agencies.values())
    assert agencies["漯河市教育局"].url == "http://jyj.luohe.gov.cn:80/"


def test_the_depth_bound_stops_the_walk(luohe):
    assert not any(f.agency for f in decisions(luohe("/xxgk/bmxxgk/"), depth=2, max_depth=2).values())


def test_platform_page_sections(luohe):
    followed = decisions(luohe("/xxgk/"), hops=1)
    base = "http://www.luohe.gov.cn/xxgk/"
    assert followed[base + "nb/"].ctx
    assert not followed[base + "bmxxgk/"].ctx and not followed[base + "xzjd/"].ctx  # directories
    assert base + "gkzn/" not in followed and base + "bmys/" not in followed


# -- one site ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,same", [
    ("http://www.luohe.gov.cn/", "http://yhq.luohe.gov.cn:8080/x", True),
    ("http://www.luohe.gov.cn/", "http://www.xuchang.gov.cn/", False),  # gov.cn is a public suffix
    ("https://hrss.yn.gov.cn/", "https://www.yn.gov.cn/", True),
    ("http://a.b.example.com.cn/", "http://example.com.cn/", True),
    ("http://127.0.0.1:8000/", "http://127.0.0.2:8000/", False),
])
def test_registered_domain(a, b, same):
    assert sites.same_site(a, b) is same


# -- regions learnt from names -------------------------------------------------------------------------

@pytest.mark.parametrize("name,code", [
    ("源汇区人民政府", "411102"), ("漯河市源汇区人民政府", "411102"), ("舞阳县", "411121"),
    ("漯河市财政局", "411100"), ("顺河街道办事处", "411100")])
def test_region_from_the_agency_name(name, code):
    assert learn(Place("河南省/漯河市", "411100"), name).code == code


def test_region_from_a_province_down():
    assert learn(Place("河南省", "410000"), "郑州市金水区人民政府") == Place("河南省/郑州市/金水区", "410105")
    assert learn(Place(None, None), "源汇区人民政府") == Place(None, None)  # no region known: no guess


# -- start URLs ------------------------------------------------------------------------------------------

def test_start_urls_with_commas_stay_whole():
    url = "http://x.gov.cn/list.jsp?ids=1,2,3&page=1"
    assert split_urls([url, "http://y.gov.cn/"]) == [url, "http://y.gov.cn/"]
    assert split_urls(f"{url},http://y.gov.cn/") == [url, "http://y.gov.cn/"]
    assert [s.id for s in load_sources([url])] == [url]
