"""CMS listing parsers on saved listing pages (tests/fixtures/portals/cms/, bytes + URL + type in
index.json), modelled on real portals of each family. Expected values are read off the pages."""
from __future__ import annotations

import pytest

from crawl_support import CMS_INDEX as INDEX
from crawl_support import saved_response as saved
from crawler import discovery
from crawler.cms import generic, hanweb, is_article_url, is_attachment_url, parse_listing, trs, ucap, vsb


def texts(listing) -> dict[str, str]:
    return {link.url: link.text for link in listing.links}


# -- TRS ---------------------------------------------------------------------------------------

def test_trs_pager_exists_only_in_javascript():
    response = saved("trs_list.html")
    assert generic.parse(response).pages == []  # nothing an HTML parser could follow
    pages = trs.parse(response).pages
    base = "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/"
    assert base + "index_1.html" in pages and base + "index_2.html" in pages
    assert base + "index_3.html" not in pages  # countPage = 3: index, index_1, index_2


def test_trs_literal_pager_on_a_later_gbk_page():
    response = saved("trs_list_page3_gbk.html")
    listing = parse_listing(response)
    base = "https://czj.km.gov.cn/zfxxgk/zfxxgknb/"
    assert {base + "index.html", base + "index_1.html"} <= set(listing.pages)
    assert response.url not in listing.pages
    assert texts(listing)[base + "201903/t20190329_24387.html"] == "昆明市财政局2018年政府信息公开工作年度报告"


def test_trs_list_titles_come_from_the_title_attribute():
    listing = parse_listing(saved("trs_list.html"))
    url = "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/202201/t20220128_450011.html"
    assert texts(listing)[url] == "退役军人事务部2021年政府信息公开工作年度报告"  # anchor text is cut with "..."
    assert url in {link.url for link in listing.entries}


def test_trs_notice_page_attachments_include_script_written_ones():
    response = saved("trs_notice.html")
    urls = {link.url for link in generic.anchors(response)}
    base = "https://hb.yl.gov.cn/zfxxgk/zfxxgknb/202401/"
    assert base + "P020240126522311902456.pdf" in urls
    assert base + "P020240126522312100789.docx" in urls  # only inside var file_appendix='…'


# -- Hanweb ------------------------------------------------------------------------------------

def test_hanweb_records_hide_in_script_xml():
    response = saved("hanweb_col.html")
    # An HTML parser sees no anchor: the records are text inside a <script type="text/xml">.
    assert not response.xpath("//a[contains(@href, '/art/')]")
    listing = hanweb.parse(response)
    assert texts(listing)["https://www.huaian.gov.cn/art/2024/1/29/art_18073_4208811.html"] == \
        "淮安市人民政府2023年政府信息公开工作年度报告"
    assert all(link.in_list for link in listing.links) and len(listing.links) == 3


def test_hanweb_remaining_records_come_from_dataproxy():
    listing = hanweb.parse(saved("hanweb_col.html"))
    # totalRecord 41 at perPage 15: three pages from the proxy, with the column's parameters.
    assert len(listing.pages) == 3
    assert all("/module/web/jpage/dataproxy.jsp?" in p and "columnid=18073" in p and "unitid=4583711" in p
               for p in listing.pages)
    assert sorted(p.split("page=")[1].split("&")[0] for p in listing.pages) == ["1", "2", "3"]


def test_hanweb_dataproxy_answer():
    response = saved("hanweb_dataproxy.xml")
    listing = parse_listing(response)
    assert "https://www.huaian.gov.cn/art/2021/1/28/art_18073_3650120.html" in texts(listing)
    assert sorted(p.split("page=")[1].split("&")[0] for p in listing.pages) == ["1", "3"]  # totalpage 3, this is 2


# -- VSB ---------------------------------------------------------------------------------------

def test_vsb_pages_are_numbered_downwards():
    listing = vsb.parse(saved("vsb_list.htm"))
    base = "https://www.zjc.gov.cn/zwgk/zfxxgknb/"
    assert listing.pages == [f"{base}{n}.htm" for n in (5, 4, 3, 2, 1)]  # 共6页: page 1 is zfxxgknb.htm


def test_vsb_dynamic_list_pagenum():
    pages = vsb.parse(saved("vsb_list_dynamic.htm")).pages
    assert {p.split("PAGENUM=")[1].split("&")[0] for p in pages} == {"1", "2", "3", "4"}
    assert all("wbtreeid=1050" in p for p in pages)


def test_vsb_articles_are_entries():
    listing = parse_listing(saved("vsb_list.htm"))
    assert "https://www.zjc.gov.cn/info/12142/1327422.htm" in {link.url for link in listing.entries}


# -- UCAP --------------------------------------------------------------------------------------

def test_ucap_pager_counts_from_one():
    pages = ucap.parse(saved("ucap_list.shtml")).pages
    base = "http://www.shuyang.gov.cn/shuyang/xxgknb/"
    assert pages == [base + "list_2.shtml", base + "list_3.shtml"]


def test_ucap_call_is_not_read_as_trs():
    assert trs.parse(saved("ucap_list.shtml")).pages == []


def test_ucap_hex_articles_are_entries():
    listing = parse_listing(saved("ucap_list.shtml"))
    assert "http://www.shuyang.gov.cn/shuyang/xxgknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml" in \
        {link.url for link in listing.entries}


# -- plain lists and per-year sub-columns ------------------------------------------------------

def test_plain_pager_series_is_filled_in():
    listing = parse_listing(saved("generic_list.html"))
    pages = {p.split("page=")[1].split("&")[0] for p in listing.pages}
    assert {"2", "3", "4", "5"} <= pages <= {"1", "2", "3", "4", "5"}  # from "首页 2 下一页 尾页=5"


def test_year_sub_columns_and_their_agency_only_links():
    columns = parse_listing(saved("year_columns.html"))
    years = sorted(discovery.year_column(link.text) for link in columns.links if discovery.year_column(link.text))
    assert years == [2021, 2022, 2023]
    year = parse_listing(saved("year_column_2022.html"))
    agencies = {link.text for link in year.entries}
    assert agencies == {"水城区教育局", "水城区财政局", "董地街道办事处"}
    assert "http://www.shuicheng.gov.cn/newsite/zwgk/zfxxgk_1/zfxxgknb/nb_2022n/index_1.html" in year.pages


# -- invariants over every saved page ----------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in INDEX])
def test_every_link_is_absolute_and_followable(name):
    listing = parse_listing(saved(name))
    for link in listing.links:
        assert link.url.startswith(("http://", "https://")), link
        assert "javascript" not in link.url.lower()
    for page in listing.pages:
        assert page.startswith(("http://", "https://")) and page != saved(name).url


@pytest.mark.parametrize("url,article", [
    ("https://x.gov.cn/zfxxgk/zfxxgknb/202301/t20230131_123.html", True),
    ("https://x.gov.cn/art/2023/1/20/art_1229_5678.html", True),
    ("https://x.gov.cn/info/1050/64208.htm", True),
    ("http://x.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml", True),
    ("https://x.gov.cn/xxgk/content/post_11956962.html", True),
    ("https://x.gov.cn/zfxxgk/zfxxgknb/index_2.html", False),
    ("http://x.gov.cn/shuyang/xxgknb/list_2.shtml", False),
    ("https://x.gov.cn/col/col18073/index.html", False),
])
def test_article_url_shapes(url, article):
    assert is_article_url(url) is article


@pytest.mark.parametrize("url,attachment", [
    ("https://x.gov.cn/zfxxgknb/202401/P020240126522311902456.pdf", True),
    ("https://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2401261523.docx", True),
    ("https://x.gov.cn/upload/report.WPS", True),
    ("https://x.gov.cn/zfxxgknb/202401/t20240126_1651.html", False),
])
def test_attachment_url_shapes(url, attachment):
    assert is_attachment_url(url) is attachment
