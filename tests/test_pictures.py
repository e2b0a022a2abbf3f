"""Report pages whose tables are pictures (图片版), end to end (issue 14): which pictures of a page
are candidates (extract.scan.html_picture_urls), the crawl fetching them with the page within its
scope, robots.txt and budgets (crawler/spiders/reports.py), the records carrying them
(crawler.records), the archive keeping them with the capture (`capture_resources`), and
re-reading that capture by OCR offline (archive.reextract).

The picture tables are pages of a generated report rendered and scanned here (bench/scans.py, as
tests/test_ocr.py makes them): two pages, since OCR costs seconds per page.
"""
from __future__ import annotations

import sqlite3

import pytest
from attachment_fixtures import data, expected

from archive import Archive, reextract
from bench.scans import jpeg_bytes, png_bytes, scanned
from crawl_support import FAST, crawl, latest_summary, rows
from crawler import judging, records
from crawler.errors import BadRecord
from extract import ImageOnly, NotAReport, TimeLimit, Unreadable, ocr
from extract.scan import MAX_HTML_PICTURES, html_picture_urls, html_pictures, picture_type
from fixtures.portals.server import Portal
from report_factory import make_report

needs_engine = pytest.mark.skipif(not ocr.available(),
                                  reason="OCR engine rapidocr-onnxruntime not installed (pip install -c constraints.txt -e .)")

PAGE = "http://www.jinshui.gov.cn/xxgk/ndbg/202301/t20230118_202.html"

# A saved-like article page of a TRS portal: the report's two table pictures sit among the site's
# chrome (a banner in the header, a logo in the nav, badges in the footer), a lazy-loaded picture,
# an inline icon, an emoji data: URI and a picture the page repeats.
SAVED_LIKE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>2022年政府信息公开工作年度报告</title>
<base href="http://www.jinshui.gov.cn/xxgk/ndbg/202301/"></head><body>
<div class="header"><img src="/images/top_bg.jpg" width="1200" height="160"></div>
<nav><a href="/"><img src="/images/W020200101.png"></a></nav>
<div id="top2"><img src="/res/ztbanner.jpg"></div>
<div class="article-head"><h1>郑州市金水区市场监督管理局2022年政府信息公开工作年度报告</h1>
  <img src="/images/fx.gif" width="16" height="16"><img src="/images/share/weixin.png"></div>
<div class="TRS_Editor">
  <p>发布日期：2023-01-18</p>
  <p><img src="./W020230118390412788203.jpg" alt="" width="600"></p>
  <p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></p>
  <p><img src="/images/loading.gif" data-src="W020230118390412788204.png" style="width: 600px"></p>
  <p><img src="./W020230118390412788203.jpg"></p>
  <p><img src="/images/icon_print.png"> 打印</p>
  <p><img src="http://cdn.example.com/pic/W020230118390412788205.jpg"></p>
</div>
<div id="footer"><img src="/images/dzjg.png"><img src="/images/jiucuo.png" width="110" height="55"></div>
<div class="foot_box"><img src="/images/W020200102.png"></div>
</body></html>"""


def test_the_candidates_are_the_reports_pictures_in_document_order_without_the_sites_chrome():
    assert html_picture_urls(SAVED_LIKE.encode(), PAGE) == [
        "http://www.jinshui.gov.cn/xxgk/ndbg/202301/W020230118390412788203.jpg",
        "http://www.jinshui.gov.cn/xxgk/ndbg/202301/W020230118390412788204.png",  # data-src, not the placeholder
        # Another site's picture is a candidate here; whether it may be fetched is the crawl's
        # scope rule (tested below with a crawl).
        "http://cdn.example.com/pic/W020230118390412788205.jpg",
    ]


def test_at_most_a_dozen_pictures_of_a_page_are_candidates():
    body = "".join(f'<p><img src="/up/{i:03d}.jpg"></p>' for i in range(40))
    urls = html_picture_urls(f"<html><body><h1>年报</h1>{body}</body></html>".encode(), PAGE)
    assert len(urls) == MAX_HTML_PICTURES == 12 and urls[0].endswith("/up/000.jpg") and urls[-1].endswith("/up/011.jpg")


def test_the_extractor_reads_only_the_candidates_the_caller_supplied():
    supplied = {"http://www.jinshui.gov.cn/xxgk/ndbg/202301/W020230118390412788204.png": b"second",
                "http://www.jinshui.gov.cn/images/dzjg.png": b"badge",  # chrome: never read
                "http://www.jinshui.gov.cn/xxgk/ndbg/202301/W020230118390412788203.jpg": b"first"}
    assert html_pictures(SAVED_LIKE.encode(), PAGE, supplied) == [b"first", b"second"]


def test_a_picture_is_known_by_its_bytes_not_its_label():
    from PIL import Image

    image = Image.new("L", (300, 300), 200)
    assert picture_type(jpeg_bytes(image)) == "image/jpeg"
    assert picture_type(png_bytes(image)) == "image/png"
    assert picture_type(b"GIF89a\x01\x00") == "image/gif"
    assert picture_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert picture_type("<html><body>404 图片不存在</body></html>".encode()) is None
    assert picture_type(b"%!PS-Adobe-3.0 EPSF-3.0") is None  # never handed to Ghostscript
    assert picture_type(b"") is None


# -- when the crawl fetches pictures ------------------------------------------------------------------

def test_pictures_are_wanted_where_table_3_is_missing():
    without = make_report()
    without.figures.pop("applications", None)
    assert judging.wants_pictures(without, named=False)
    assert not judging.wants_pictures(make_report(new_received__total=4), named=True)
    assert judging.wants_pictures(ImageOnly("scan"), named=False)
    assert judging.wants_pictures(NotAReport("too little text"), named=True)
    assert not judging.wants_pictures(NotAReport("a news item"), named=False)
    assert not judging.wants_pictures(Unreadable("broken"), named=True)


def test_a_reading_with_pictures_that_ran_over_a_limit_keeps_the_pages_own_reading():
    alone, scan = make_report(), make_report(new_received__total=4)
    assert judging.with_pictures(alone, scan) is scan
    assert judging.with_pictures(alone, TimeLimit("slow")) is alone
    assert isinstance(judging.with_pictures(NotAReport("x"), TimeLimit("slow")), TimeLimit)
    assert isinstance(judging.with_pictures(alone, ImageOnly("no figure read")), ImageOnly)


# -- the records: the distributed path carries the pictures too -------------------------------------

def test_a_documents_pictures_cross_the_wire_as_tagged_bytes():
    pictures = {"http://x.gov.cn/a/W01.jpg": b"\xff\xd8\xff\xe0 jpeg", "http://x.gov.cn/a/W02.png": b"\x89PNG\r\n\x1a\n"}
    record = records.Document("s", "http://x.gov.cn/a/t1.html", b"<html/>", "text/html", "2024-01-01T00:00:00Z",
                              make_report(new_received__total=4), resources=pictures)
    payload = records.encode("w", record)
    assert b'"$bytes"' in payload
    _, back = records.decode(payload)
    assert back.resources == pictures
    assert records.decode(records.encode("w", records.Document(
        "s", "http://x/b", b"", None, "2024-01-01T00:00:00Z", Unreadable("x"))))[1].resources == {}


@pytest.mark.parametrize("resources, why", [
    ({"http://x/a.jpg": "not bytes"}, "resources"),
    ({"file:///etc/passwd": b"\xff\xd8\xff"}, "not an http"),
    ({f"http://x/{i}.jpg": b"\xff\xd8\xff" for i in range(MAX_HTML_PICTURES + 1)}, "over"),
    (["http://x/a.jpg"], "resources"),
])
def test_the_writer_refuses_pictures_that_are_not_url_to_bytes(resources, why):
    from crawler import wire

    record = records.Document("s", "http://x/a.html", b"<html/>", None, "2024-01-01T00:00:00Z", Unreadable("x"))
    message = wire.loads(records.encode("w", record))
    message["data"]["resources"] = resources
    with pytest.raises(BadRecord, match=why):
        records.decode(wire.dumps(message))


# -- the archive: pictures stored with the capture, given back when it is re-read ---------------------

def test_pictures_are_stored_with_the_capture_and_given_to_the_reader_again(tmp_path):
    pictures = {"http://x.gov.cn/a/W01.jpg": b"\xff\xd8\xff\xe0 one", "http://x.gov.cn/a/W02.png": b"\x89PNG\r\n\x1a\n two"}
    seen = []

    def reader(raw, url, content_type, resources):
        seen.append((raw, url, resources))
        return make_report(new_received__total=4)

    with Archive(tmp_path / "a.db", reader=reader) as archive:
        url = "http://x.gov.cn/a/t1.html"
        archive.store(url, b"<p>page 1</p>", report=make_report(new_received__total=4), resources=pictures,
                      extractor_version="old")
        # The same capture stored again (the next night) adds no row; the first bytes stay.
        archive.store(url, b"<p>page 1</p>", report=make_report(new_received__total=4),
                      resources={"http://x.gov.cn/a/W01.jpg": b"\xff\xd8\xff other"}, extractor_version="old")
        raw = archive.db.execute("SELECT raw_sha256 FROM versions").fetchone()[0]
        assert archive.resources(raw) == pictures
        assert {(u, t) for u, t in archive.db.execute("SELECT url, content_type FROM capture_resources")} == {
            ("http://x.gov.cn/a/W01.jpg", "image/jpeg"), ("http://x.gov.cn/a/W02.png", "image/png")}
        # New bytes of the page under a newer extractor: the crawl re-reads the stored capture
        # first, with its pictures, before deciding whether the agency changed anything.
        archive.store(url, b"<p>page 1, visit counter 2</p>", report=make_report(new_received__total=4))
        assert seen == [(b"<p>page 1</p>", url, pictures)]
        # A failure keeps its pictures too, for a better extractor to recover it.
        archive.store("http://x.gov.cn/a/t2.html", b"<p>scan</p>", failure=ImageOnly("no figure read"),
                      resources={"http://x.gov.cn/a/W03.jpg": b"\xff\xd8\xff three"})
        failed = archive.db.execute("SELECT raw_sha256 FROM failures").fetchone()[0]
        assert archive.resources(failed) == {"http://x.gov.cn/a/W03.jpg": b"\xff\xd8\xff three"}


def test_ogi_reextract_hands_the_stored_pictures_to_the_extractor(monkeypatch):
    given = {}

    def extract_stored(raw, url, content_type, resources=None):
        given[url] = resources
        return make_report(new_received__total=4)

    monkeypatch.setattr(reextract, "extract_stored", extract_stored)
    with Archive(":memory:") as archive:
        archive.store("http://x/v.html", b"<p>v</p>", report=make_report(new_received__total=4),
                      resources={"http://x/v.jpg": b"\xff\xd8\xff v"}, extractor_version="old")
        archive.store("http://x/f.html", b"<p>f</p>", failure=ImageOnly("no figure read"),
                      resources={"http://x/f.png": b"\x89PNG\r\n\x1a\n f"}, extractor_version="old")
        archive.store("http://x/plain.html", b"<p>p</p>", report=make_report(new_received__total=4),
                      extractor_version="old")
        summary = reextract.run(archive)
    assert given == {"http://x/v.html": {"http://x/v.jpg": b"\xff\xd8\xff v"},
                     "http://x/f.html": {"http://x/f.png": b"\x89PNG\r\n\x1a\n f"},
                     "http://x/plain.html": None}
    assert summary.recovered == 1


def test_a_damaged_stored_picture_is_a_failed_reading_not_a_reading_without_it(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.store("http://x/v.html", b"<p>v</p>", report=make_report(new_received__total=4),
                      resources={"http://x/v.jpg": b"\xff\xd8\xff v"}, extractor_version="old")
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER raw_blobs_no_update")  # as someone editing the file by hand would
    conn.execute("UPDATE raw_blobs SET content = x'00' WHERE sha256 = (SELECT blob_sha256 FROM capture_resources)")
    conn.commit()
    conn.close()
    with Archive(path) as archive:
        version = next(archive.db.query("SELECT raw_sha256, content_type FROM versions"))
        outcome, content = reextract.read_stored(archive.db, version, "http://x/v.html",
                                                 lambda *a: pytest.fail("read without its picture"))
    assert isinstance(outcome, Unreadable) and "picture" in outcome.reason and content is None


# -- a crawl of a portal whose report tables are pictures ----------------------------------------------

COLUMN = "/xxgk/ndbg/"
REPORT = COLUMN + "202301/t20230118_202.html"
TABLES = [COLUMN + "202301/W020230118390412788203.jpg", COLUMN + "202301/W020230118390412788204.png"]
NOT_A_PICTURE = COLUMN + "202301/W020230118390412788206.jpg"  # answers 200 with an HTML error page
BLOCKED = "/pics/private/W020230118390412788207.jpg"  # robots.txt disallows /pics/private/
CHROME = ["/images/banner_2023.jpg", "/images/W020200101.png", "/images/logo.png", "/images/dzjg.png"]
FOREIGN = "/pic/W020230118390412788205.jpg"


@pytest.fixture(scope="module")
def table_pictures():
    """Pages 2 and 3 of a ruled report (tables 3 and 4), scanned at 200 dpi, turned and noisy."""
    return scanned(data("pdf_ruled_continued.pdf"), dpi=200, seed=7, pages=[1, 2])


def picture_portal(table_pictures) -> tuple[Portal, Portal]:
    want = expected("pdf_ruled_continued")
    foreign = Portal("127.0.0.3")  # another site: the crawl must not take pictures from it
    portal = Portal("127.0.0.1")
    foreign.start(), portal.start()
    foreign.pages[FOREIGN] = jpeg_bytes(table_pictures[0])
    portal.pages["/robots.txt"] = b"User-agent: *\nDisallow: /pics/private/\n"
    portal.pages[COLUMN + "index.html"] = (
        f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>'
        f'<li><a href="{REPORT}">{want["title"]}</a><span>2023-01-18</span></li></ul></body></html>').encode()
    portal.pages[TABLES[0]] = jpeg_bytes(table_pictures[0])
    portal.types[TABLES[0]] = "image/jpeg"
    portal.pages[TABLES[1]] = png_bytes(table_pictures[1].convert("L"))  # served as text/html: the bytes decide
    portal.pages[NOT_A_PICTURE] = "<html><body>404 图片不存在</body></html>".encode()
    portal.pages[BLOCKED] = jpeg_bytes(table_pictures[0])
    for path in CHROME:
        portal.pages[path] = png_bytes(table_pictures[0].resize((400, 400)))
    portal.pages[REPORT] = (
        f'<html><head><meta charset="utf-8"><title>{want["title"]}</title></head><body>'
        f'<div class="header"><img src="{CHROME[0]}" width="1000" height="120"></div>'
        f'<nav><a href="/"><img src="{CHROME[1]}"></a></nav>'
        f'<div class="content"><h1>{want["title"]}</h1><p>发布日期：2023-01-18</p>'
        f'<p><img src="{TABLES[0].rsplit("/", 1)[1]}"></p><p><img src="{TABLES[1]}"></p>'
        f'<p><img src="{NOT_A_PICTURE.rsplit("/", 1)[1]}"></p><p><img src="{BLOCKED}"></p>'
        f'<p><img src="{foreign.url}{FOREIGN}"></p><p><img src="{CHROME[2]}"></p></div>'
        f'<div id="footer"><img src="{CHROME[3]}"></div></body></html>').encode()
    return portal, foreign


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, table_pictures):
    portal, foreign = picture_portal(table_pictures)
    db = tmp_path_factory.mktemp("pictures") / "archive.db"
    try:
        result = crawl(db, portal.url + COLUMN, check=False, timeout=600)
    finally:
        portal.stop(), foreign.stop()  # everything after this is offline
    return {"db": db, "portal": portal, "foreign": foreign, "result": result}


def _cells(figures: dict) -> dict:
    return {(t, r, c): v for t, rs in figures.items() for r, cs in rs.items() for c, v in cs.items()}


@needs_engine
def test_the_report_is_read_from_its_pictures_fetched_with_the_page(crawled):
    assert crawled["result"].returncode in (0, 1), crawled["result"].stderr[-3000:]
    want = expected("pdf_ruled_continued")
    db = crawled["db"]
    (title, agency, year, n_figures, engine), = rows(db, """
        SELECT r.title, r.agency, r.year, r.n_figures, r.ocr_engine FROM documents d
        JOIN readings r ON r.id = d.latest_reading_id""")
    assert (title, agency, year) == (want["title"], want["agency"], want["year"])
    assert n_figures > 0 and engine.startswith("rapidocr-onnxruntime ")
    got = {(t, r, c): v for t, r, c, v in rows(db, "SELECT table_name, row_key, col_key, value FROM latest_figures")}
    truth = _cells(want["figures"])
    assert not {k: (v, truth.get(k)) for k, v in got.items() if truth.get(k) != v}  # never a wrong figure
    table3 = [k for k in truth if k[0] == "applications"]
    assert sum(k in got for k in table3) >= 0.75 * len(table3)  # the floor of tests/test_ocr.py


@needs_engine
def test_each_table_picture_is_fetched_once_and_stored_next_to_the_page(crawled):
    portal, db = crawled["portal"], crawled["db"]
    for path in TABLES:
        assert len(portal.requested(path)) == 1, path
        assert portal.requested(path)[0].get("Referer") == portal.url + REPORT  # hotlink guards look at it
    (raw,), = rows(db, "SELECT v.raw_sha256 FROM versions v")
    with Archive(db) as archive:
        stored = archive.resources(raw)
        assert stored == {portal.url + p: portal.pages[p] for p in TABLES}
        assert archive.raw(raw) == portal.pages[REPORT]


@needs_engine
def test_chrome_other_sites_and_robots_txt_keep_their_pictures(crawled):
    portal, foreign, db = crawled["portal"], crawled["foreign"], crawled["db"]
    assert not any(portal.requested(p) for p in CHROME)
    assert foreign.log == []  # another site's picture is never fetched
    assert not portal.requested(BLOCKED)
    errors = dict(rows(db, "SELECT url, error FROM fetches WHERE error IS NOT NULL"))
    assert errors[foreign.url + FOREIGN].startswith("refused: picture host 127.0.0.3")
    assert errors[portal.url + BLOCKED].startswith("disallowed by robots.txt")
    # A 200 answer that is no picture is fetched, and left out.
    assert len(portal.requested(NOT_A_PICTURE)) == 1
    assert portal.url + NOT_A_PICTURE not in {u for (u,) in rows(db, "SELECT url FROM capture_resources")}
    source = latest_summary(db)["sources"][portal.url + COLUMN]
    assert source["blocked"] == 1 and source["errors"] == 1  # the other site's picture
    assert any("picture " + foreign.url + FOREIGN in m for m in source["messages"])


@needs_engine
def test_the_capture_is_read_again_by_ocr_offline_from_the_stored_pictures(crawled, monkeypatch):
    import extract

    # A newer extractor (by its identity) reads every stored capture again; the portal is down.
    monkeypatch.setattr(extract, "extractor_version", lambda: "0.0.0+newer")
    with Archive(crawled["db"]) as archive:
        summary = reextract.run(archive, workers=1)
        assert (summary.reextracted, summary.same, summary.changed, summary.failed) == (1, 1, 0, 0)
        (result,), = archive.db.execute("SELECT result FROM reextractions WHERE extractor_version = '0.0.0+newer'")
    assert result == "same"  # the same figures, read by OCR from the stored bytes alone


def test_pictures_count_against_the_sources_page_budget(tmp_path):
    from PIL import Image

    page = Image.new("L", (1240, 1754), 255)
    portal, foreign = picture_portal([page, page])
    try:
        db = tmp_path / "budget.db"
        crawl(db, portal.url + COLUMN, check=False, extra=["-s", "OGI_PAGE_BUDGET=2"])
    finally:
        portal.stop(), foreign.stop()
    assert portal.requested(REPORT)  # the column and the report are the budget's two pages
    assert not any(portal.requested(p) for p in [*TABLES, NOT_A_PICTURE, BLOCKED])
    source = latest_summary(db)["sources"][portal.url + COLUMN]
    assert source["incomplete"] == "page budget of 2 reached"
    assert rows(db, "SELECT COUNT(*) FROM capture_resources") == [(0,)]


def test_a_report_with_its_tables_as_text_fetches_no_picture(tmp_path):
    from crawl_support import DEMO

    portal = Portal("127.0.0.1").start()
    try:
        report = (DEMO / "art/2023/2/10/art_1229011_5001.html").read_text(encoding="utf-8")
        portal.pages[REPORT] = report.replace("</body>", '<p><img src="W01.jpg"></p></body>').encode()
        portal.pages[COLUMN + "202301/W01.jpg"] = b"\xff\xd8\xff never asked for"
        portal.pages[COLUMN + "index.html"] = (
            f'<html><head><meta charset="utf-8"><title>年报</title></head><body><ul><li><a href="{REPORT}">'
            f'漯河市财政局2022年政府信息公开工作年度报告</a></li></ul></body></html>').encode()
        db = tmp_path / "text.db"
        crawl(db, portal.url + COLUMN, fast=FAST)
    finally:
        portal.stop()
    assert portal.requested(REPORT) and not portal.requested(COLUMN + "202301/W01.jpg")
    assert rows(db, "SELECT COUNT(*) FROM capture_resources") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM versions") == [(1,)]
