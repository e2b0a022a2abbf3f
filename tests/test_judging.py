"""The spider's decisions on saved pages, without a crawl (crawler/judging.py): which links of a
listing are followed and as what, which files of a notice page are its attachments, what counts
as a notice and what is worth archiving. The end-to-end crawls (test_crawl.py) show the same
decisions on a live local portal; these show each one alone, fast."""
from __future__ import annotations

import pytest

from crawl_support import demo_response, saved_response
from crawler import judging
from crawler.cms import Link, is_attachment_url, parse_listing
from extract import ImageOnly, NotAReport, TimeLimit, Unreadable, Unsupported, extract_report


def decisions(response, *, ctx: bool, hops: int = 0, max_hops: int = 6) -> dict[str, judging.Follow]:
    listing = parse_listing(response)
    entries = {link.url for link in listing.entries}
    out = {}
    for link in listing.links:
        follow = judging.judge(link, is_entry=link.url in entries, ctx=ctx, hops=hops, max_hops=max_hops)
        if follow is not None:
            out[follow.url] = follow
    return out


# -- links of a listing ------------------------------------------------------------------------

def test_report_column_records_are_followed_as_named_documents():
    response = saved_response("trs_list.html")
    assert judging.is_report_column(response)
    followed = decisions(response, ctx=True, hops=2)
    url = "https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/202201/t20220128_450011.html"
    assert followed[url] == judging.Follow(url, "document", 3, text="退役军人事务部2021年政府信息公开工作年度报告",
                                           named=True)
    documents = [f for f in followed.values() if f.kind == "document"]
    assert len(documents) == 3 and all(f.named for f in documents)
    # The column's own link (its breadcrumb) is a listing; the dupefilter drops it.
    assert [f.url for f in followed.values() if f.kind == "listing"] == [response.url]


def test_year_sub_columns_are_listings_and_agency_only_records_are_documents():
    years = decisions(saved_response("year_columns.html"), ctx=True, hops=1)
    assert {f.kind for f in years.values()} == {"listing"} and all(f.ctx and f.hops == 2 for f in years.values())
    records = decisions(saved_response("year_column_2022.html"), ctx=True, hops=2)
    documents = [f for f in records.values() if f.kind == "document"]
    assert documents and all(not f.named for f in documents)
    assert any(f.agency and f.agency == f.text for f in documents)  # the link names only the agency


def test_from_a_portal_home_only_the_way_to_the_reports_is_followed():
    followed = decisions(demo_response("/index.html"), ctx=False)
    assert {f.url.removeprefix("http://127.0.0.1:8000") for f in followed.values()} == {"/xxgk/"}
    assert followed["http://127.0.0.1:8000/xxgk/"] == judging.Follow("http://127.0.0.1:8000/xxgk/", "listing", 1)


def test_navigation_stops_at_the_hop_limit():
    column = Link("http://x.gov.cn/xxgk/zfxxgknb/", "政府信息公开年报", in_list=True)
    assert judging.judge(column, is_entry=False, ctx=False, hops=5, max_hops=6).kind == "listing"
    assert judging.judge(column, is_entry=False, ctx=False, hops=6, max_hops=6) is None


@pytest.mark.parametrize("text", ["漯河市2023年部门预算公开", "图解：漯河市民政局2022年政府信息公开工作年度报告",
                                  "政府信息公开指南", "企业年报公示"])
def test_distractors_are_never_followed(text):
    link = Link("http://x.gov.cn/a/t20230101_1.html", text, in_list=True)
    assert judging.judge(link, is_entry=True, ctx=True, hops=1, max_hops=6) is None


def test_a_script_only_redirect_is_read():
    from scrapy.http import HtmlResponse

    shell = HtmlResponse("http://x.gov.cn/old/", body=b'<html><script>window.location.href="/new/index.html";'
                         b"</script></html>", headers={"Content-Type": "text/html"})
    assert judging.js_redirect(shell) == "http://x.gov.cn/new/index.html"
    assert judging.js_redirect(demo_response("/index.html")) is None  # a page with links is read


@pytest.mark.parametrize("a, b, same", [
    ("http://xx.huaian.gov.cn/a", "https://www.huaian.gov.cn/b", True),
    ("http://www.huaian.gov.cn/a", "http://www.yangzhou.gov.cn/b", False),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b", True),
    ("http://127.0.0.1/a", "http://127.0.0.2/b", False),
])
def test_same_site(a, b, same):
    assert judging.same_site(a, b) is same


# -- attachments of a notice page --------------------------------------------------------------

def test_attachments_of_a_saved_notice_page():
    found = dict(judging.attachments(saved_response("trs_notice.html")))
    base = "https://hb.yl.gov.cn/zfxxgk/zfxxgknb/202401/"
    assert set(found) == {base + "P020240126522311902456.pdf", base + "P020240126522312100789.docx"}
    # Not the application form in the header, the 图解 companion, or the next report's page.
    assert found[base + "P020240126522311902456.pdf"] == "榆林市生态环境局2023年政府信息公开工作年度报告.pdf"


def test_attachment_of_the_demo_notice_and_the_notice_itself():
    page = demo_response("/xxgk/zfxxgknb/202302/t20230215_1040.html")
    assert [url for url, _ in judging.attachments(page)] == [
        "http://127.0.0.1:8000/xxgk/zfxxgknb/202302/P020230215390412788203.pdf"]
    outcome = _outcome(page.body, page.url)
    assert judging.is_notice(outcome)


def test_files_of_every_format_we_know_are_attachments_even_unreadable_ones():
    for url in ("http://x.gov.cn/a/report.ofd", "http://x.gov.cn/a/table.et", "http://x.gov.cn/a/r.wps",
                "http://x.gov.cn/download.jsp?file=r.pdf"):
        assert is_attachment_url(url), url
    assert not is_attachment_url("http://x.gov.cn/a/t20230101_1.html")


# -- outcomes ----------------------------------------------------------------------------------

def _outcome(body: bytes, url: str):
    try:
        return extract_report(body, url, "text/html")
    except NotAReport as exc:
        return exc


def test_a_report_is_not_a_notice():
    page = demo_response("/art/2023/2/10/art_1229011_5001.html")
    assert not judging.is_notice(_outcome(page.body, page.url))


@pytest.mark.parametrize("outcome, named, kept", [
    (NotAReport("a news page"), False, False),  # simply not a report
    (NotAReport("a news page"), True, True),  # its link named a report: keep what we failed to read
    (ImageOnly("scanned"), False, True),
    (Unreadable("truncated"), False, True),
    (Unsupported("OFD documents are not supported yet"), False, True),
    (TimeLimit("took longer than 120 s"), False, True),
])
def test_what_is_worth_archiving(outcome, named, kept):
    assert judging.worth_keeping(outcome, named=named) is kept
    assert judging.is_notice(outcome) is (type(outcome) is NotAReport)
