"""Each pager shape alone, fast (crawler/paging.py, crawler/cms/jsonlist.py): script calls under
any name and either numbering, declared totals, numbered siblings, page parameters, 下一页 chains,
JSON list endpoints; on small pages shaped like real ones and on a real saved listing
(tests/fixtures/portals/real/, provenance in its README)."""
from __future__ import annotations

import json
import re

import pytest
from scrapy.http import HtmlResponse, TextResponse

from crawl_support import real_response as real
from crawler import paging
from crawler.cms import jsonlist, parse_listing

def html(url: str, body: str = "", script: str = "") -> HtmlResponse:
    text = f"<html><body>{body}" + (f"<script>{script}</script>" if script else "") + "</body></html>"
    return HtmlResponse(url, body=text.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})


BASE = "http://x.gov.cn/col/"


# -- script calls ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,script,pages,probes", [
    # TRS: current page counted from 0 on the first page: index_1 … index_{n-1}.
    (BASE, 'createPageHTML(4, 0, "index", "html");', ["index_1.html", "index_2.html", "index_3.html"], []),
    # UCAP and others: counted from 1: list_2 … list_n, never list_1.
    (BASE + "list.shtml", 'createPage(3, 1, "list", "shtml");', ["list_2.shtml", "list_3.shtml"], []),
    # UCAP's own call: an element id first, a record count last.
    (BASE + "list.shtml", "createPageHTML('page_div', 3, 1, 'list', 'shtml', 57);", ["list_2.shtml", "list_3.shtml"], []),
    # Any name, variables resolved.
    (BASE + "index.htm", "var pc = 3; var cp = 0; showPageNav(pc, cp, 'index', 'htm');", ["index_1.htm", "index_2.htm"], []),
    # On a later page both numberings fit: only what both fetch (the first page settles the rest).
    (BASE + "index_2.html", 'createPageHTML(4, 2, "index", "html");', ["index.html", "index_3.html"], []),
    # index_1 exists only in 0-based numbering.
    (BASE + "index_1.html", 'createPageHTML(3, 1, "index", "html");', ["index.html", "index_2.html"], []),
])
def test_script_pager_calls(url, script, pages, probes):
    found = paging.detect(html(url, script=script))
    first = BASE + ("list.shtml" if "list" in script else "index.htm" if "'htm'" in script else "index.html")
    assert set(found.pages) - {first} == {BASE + p for p in pages} - {first}
    assert url not in found.pages and set(found.probes) == {BASE + p for p in probes}


def test_a_call_that_is_not_a_pager_is_ignored():
    found = paging.detect(html(BASE, script='setTimeout(5, 1, "index", "js"); f(3, 9, "a", "html");'))
    assert found.pages == [] and found.probes == []  # .js is no listing; current page 9 > count 3


def test_declared_page_count_with_document_write_pager():
    script = 'var currentPage = 0;//所在页从0开始\nvar countPage = 3//共多少页\ndocument.write("<a href=\\"index_" + 1 + ".html\\">");'
    found = paging.detect(html(BASE + "index.html", script=script))
    assert set(found.pages) == {BASE + "index_1.html", BASE + "index_2.html"} and found.probes == []


def test_a_record_count_and_page_size_alone_are_probes():
    found = paging.detect(html(BASE + "nlist.htm", script="listModel({pagebar: {prepage: 10, recordCount: '25'}});"))
    assert found.pages == []
    assert set(found.probes) == {BASE + "nlist_1.htm", BASE + "nlist_2.htm", BASE + "nlist_3.htm"}


# -- markup --------------------------------------------------------------------------------------

def test_numbered_siblings_from_a_pager_box_are_filled_in():
    body = ('<div class="page"><a href="index_1.html">2</a><a href="index_2.html">3</a>'
            '<a href="index_1.html">下一页</a><a href="index_6.html">尾页</a></div>')
    found = paging.detect(html(BASE + "index.html", body))
    assert set(found.pages) == {BASE + f"index_{n}.html" for n in range(1, 7)}


def test_downward_numbered_pages_with_only_next_and_last():
    body = '<span class="p_next"><a href="nb/9.htm">下页</a></span><span class="p_last"><a href="nb/1.htm">尾页</a></span>'
    found = paging.detect(html(BASE + "nb.htm", body))
    assert set(found.pages) == {BASE + f"nb/{n}.htm" for n in range(1, 10)}


@pytest.mark.parametrize("param", ["page", "pageIndex", "pageNo", "PAGENUM", "curpage"])
def test_page_query_parameters(param):
    body = (f'<a href="list.jsp?cid=7&{param}=2">2</a><a href="list.jsp?cid=7&{param}=3">3</a>'
            f'<a href="list.jsp?cid=7&{param}=5">尾页</a><a href="list.jsp?cid=8&{param}=2">其他栏目</a>')
    found = paging.detect(html(BASE + f"list.jsp?cid=7&{param}=1", body))
    assert set(found.pages) == {BASE + f"list.jsp?cid=7&{param}={n}" for n in (2, 3, 4, 5)}


def test_a_next_link_alone_is_followed():
    found = paging.detect(html(BASE + "p1.html", '<a href="p2.html">下一页</a><a href="about.html">关于我们</a>'))
    assert found.pages == [BASE + "p2.html"]


def test_the_current_page_and_its_folder_are_one_page():
    found = paging.detect(html(BASE, script='createPageHTML(2, 0, "index", "html");'))
    assert found.pages == [BASE + "index_1.html"]


# -- JSON list endpoints -----------------------------------------------------------------------------

SHELL = ('var listUrl = "/EWB-FRONT/rest/getInfoList.json?categoryNum=003&pageIndex=1";'
         'var detail = "/xxgk/showinfo.html?infoGuid=";')


def test_an_spa_shell_names_its_json_endpoint_and_detail_page():
    shell = html("http://x.gov.cn/xxgk/nb.html", '<div id="list"></div>', SHELL + 'load("/js/app.js");')
    found = paging.detect(shell)
    assert found.endpoints == ["http://x.gov.cn/EWB-FRONT/rest/getInfoList.json?categoryNum=003&pageIndex=1"]
    assert paging.detail_prefix(shell) == "http://x.gov.cn/xxgk/showinfo.html?infoGuid="


def test_json_records_by_shape_and_their_other_pages():
    url = "http://x.gov.cn/EWB-FRONT/rest/getInfoList.json?categoryNum=003&pageIndex=1"
    data = {"custom": {"infodata": [
        {"infoguid": "ab12", "title": "某某局2022年政府信息公开工作年度报告", "infodate": "2023-01-31"},
        {"infourl": "/xxgk/003/20230130/cd34.html", "title": "某某局2021年政府信息公开工作年度报告"}],
        "count": 7}, "pageSize": 2}
    response = TextResponse(url, body=json.dumps(data, ensure_ascii=False).encode(),
                            headers={"Content-Type": "application/json"})
    assert jsonlist.is_json(response)
    listing = parse_listing(response, detail="http://x.gov.cn/xxgk/showinfo.html?infoGuid=")
    assert {link.url for link in listing.links} == {"http://x.gov.cn/xxgk/showinfo.html?infoGuid=ab12",
                                                   "http://x.gov.cn/xxgk/003/20230130/cd34.html"}
    assert all(link.in_list for link in listing.links)
    assert [p.rsplit("=", 1)[1] for p in listing.pages] == ["2", "3", "4"]


def test_a_json_answer_that_is_not_a_list_yields_nothing():
    response = TextResponse("http://x.gov.cn/api/x.json", body=b'{"ok": true, "msg": "\\u6210\\u529f"}',
                            headers={"Content-Type": "application/json"})
    listing = parse_listing(response)
    assert listing.links == [] and listing.pages == []


# -- a real listing page -------------------------------------------------------------------------------

def test_real_trs_list_with_a_record_count_config():
    """平潭综合实验区's column: ten static records in <dl><dd>, then "动静结合" paging that states only
    `prepage: 10, recordCount: '20'`: the next static page is probed in the site's own extension."""
    response = real("pingtan_zfxxgknb_list.html")
    listing = parse_listing(response)
    years = sorted(int(re.search(r"20\d\d", link.text).group()) for link in listing.entries)
    assert years == list(range(2016, 2026)) and len(listing.entries) == 10
    assert all(link.url.startswith("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/20") for link in listing.entries)
    assert listing.pages == []
    assert "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/index_1.htm" in listing.probes
    assert listing.endpoints == []  # the list endpoint is inside a required module, not named here
