"""Archive storage and versioning rules: chrome noise, real changes, removal/restore, immutability,
failures, raw blobs, fetches and conditional-GET validators, migrations and WAL."""
import copy
import sqlite3

import pytest

import extract

from archive import Archive, blobs, labels, schema
from archive.content import content_sha256
from archive.errors import ArchiveError
from extract import ImageOnly, NotAReport
from report_factory import make_report

URL = "http://www.example.gov.cn/xxgk/2023/t20230131_1.html"


def page(counter: int, body: str = "report") -> bytes:
    """Raw HTML whose chrome (visit counter, date of the day) differs between fetches."""
    return (f"<html><body><div class=nav>今天是2024年3月{counter % 28 + 1}日</div>"
            f"<p>{body}</p><span>浏览次数：{counter}</span></body></html>").encode()


@pytest.fixture
def db(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    yield archive
    archive.close()


def count(db, table, where="1=1", params=()):
    return db.db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", list(params)).fetchone()[0]


# -- versioning ------------------------------------------------------------------------------

def test_first_store_creates_document_version_figures_checks_and_event(db):
    report = make_report(new_received__natural_person=4, new_received__total=4)
    assert db.store(URL, page(1), report=report, fetched_at="2024-03-01T01:00:00Z",
                    content_type="text/html", region="河南省漯河市", source="luohe") == "new"
    doc = next(db.db.query("SELECT * FROM documents"))
    assert (doc["url"], doc["agency"], doc["region"], doc["year"], doc["source"]) == \
        (URL, "漯河市商务局", "河南省漯河市", 2022, "luohe")
    assert doc["first_seen"] == doc["last_seen"] == "2024-03-01T01:00:00Z" and doc["removed_at"] is None
    version = next(db.db.query("SELECT * FROM versions"))
    assert version["content_sha256"] == content_sha256(report.text, report.figures)
    assert version["published"] == "2023-01-31" and version["template"] == "2021"
    reading = next(db.db.query("SELECT * FROM readings"))
    assert reading["version_id"] == version["id"] and reading["origin"] == "fetch"
    assert version["extractor_version"] == reading["extractor_version"] == extract.extractor_version()
    assert next(db.db.query("SELECT * FROM extractors"))["version"] == reading["extractor_version"]
    assert db.raw(version["raw_sha256"]) == page(1)
    assert count(db, "figures", "version_id = ?", [version["id"]]) == len(labels.cells(tmpl="2021"))
    assert db.db.execute("SELECT value FROM figures WHERE row_key='new_received' AND col_key='total'").fetchone()[0] == 4
    assert count(db, "checks") == 1
    assert [e["kind"] for e in db.db.query("SELECT kind FROM events")] == ["new"]


def test_chrome_noise_never_creates_a_version(db):
    report = make_report(new_received__total=4)
    assert db.store(URL, page(1), report=report, fetched_at="2024-03-01T00:00:00Z") == "new"
    for n, when in ((2, "2024-03-02T00:00:00Z"), (3, "2024-03-03T00:00:00Z")):
        noisy = copy.deepcopy(report)
        # The extractor's text may still carry a counter or extra whitespace; integral floats too.
        noisy.text = report.text.replace("一、总体情况", f"一、总体情况  浏览次数：{n * 17}\n\n")
        noisy.figures["applications"]["new_received"]["total"] = 4.0
        assert db.store(URL, page(n), report=noisy, fetched_at=when) == "unchanged"
    assert count(db, "versions") == 1 and count(db, "events") == 1
    assert count(db, "raw_blobs") == 3  # every distinct capture is still kept
    assert next(db.db.query("SELECT last_seen FROM documents"))["last_seen"] == "2024-03-03T00:00:00Z"


def test_a_corrected_figure_always_creates_a_version(db):
    db.store(URL, page(1), report=make_report(new_received__total=4), fetched_at="2024-03-01T00:00:00Z")
    corrected = make_report(new_received__total=5)
    assert db.store(URL, page(2), report=corrected, fetched_at="2024-04-01T00:00:00Z") == "changed"
    v1, v2 = db.db.query("SELECT * FROM versions ORDER BY id")
    # The old reading is untouched; the latest state points at the correction.
    assert db.db.execute("SELECT value FROM figures WHERE version_id=? AND row_key='new_received' AND col_key='total'",
                         [v1["id"]]).fetchone()[0] == 4
    latest = next(db.db.query("SELECT value, fetched_at FROM latest_figures WHERE row_key='new_received' AND col_key='total'"))
    assert latest == {"value": 5, "fetched_at": "2024-04-01T00:00:00Z"}
    change = next(db.db.query("SELECT * FROM figure_changes"))
    assert (change["version_id"], change["previous_version_id"], change["old_value"], change["new_value"]) == \
        (v2["id"], v1["id"], 4, 5)
    event = next(db.db.query("SELECT * FROM events WHERE kind='changed'"))
    assert event["version_id"] == v2["id"] and "applications.new_received.total 4→5" in event["detail"]
    # A correction back to the first figure is a change too (A -> B -> A).
    assert db.store(URL, page(3), report=make_report(new_received__total=4), fetched_at="2024-05-01T00:00:00Z") == "changed"
    assert count(db, "versions") == 3


def test_a_text_correction_is_a_change_but_title_and_date_are_not(db):
    report = make_report()
    db.store(URL, page(1), report=report)
    retitled = copy.deepcopy(report)
    retitled.title, retitled.published = "（更新）" + report.title, "2023-02-01"
    assert db.store(URL, page(2), report=retitled) == "unchanged"
    reworded = copy.deepcopy(report)
    reworded.text = report.text.replace("全面推进", "深入推进")
    assert db.store(URL, page(3), report=reworded) == "changed"
    assert "text changed, figures unchanged" in next(db.db.query("SELECT detail FROM events WHERE kind='changed'"))["detail"]


def test_removal_and_restore_record_events(db):
    db.store(URL, page(1), report=make_report(), fetched_at="2024-03-01T00:00:00Z", source="s1")
    other = URL.replace("_1", "_2")
    db.store(other, page(9), report=make_report(year=2021), source="s1")
    assert db.document_urls() == {URL, other} and db.document_urls(source="s1") == {URL, other}
    assert db.document_urls(source="s2") == set()

    assert db.mark_removed(URL, at="2024-03-05T00:00:00Z", reason="HTTP 404") is True
    assert db.mark_removed(URL, reason="again") is False
    assert db.mark_removed("http://unknown.example/", reason="x") is False
    assert db.document_urls() == {other}
    doc = next(db.db.query("SELECT * FROM documents WHERE url=?", [URL]))
    assert doc["removed_at"] == "2024-03-05T00:00:00Z" and doc["removed_reason"] == "HTTP 404"
    assert count(db, "versions", "document_id=?", [doc["id"]]) == 1  # versions stay

    db.touch(URL, fetched_at="2024-03-06T00:00:00Z")  # e.g. HTTP 304: back again
    doc = next(db.db.query("SELECT * FROM documents WHERE url=?", [URL]))
    assert doc["removed_at"] is None and doc["last_seen"] == "2024-03-06T00:00:00Z"
    kinds = [(e["kind"], e["at"]) for e in db.db.query("SELECT kind, at FROM events WHERE document_id=? ORDER BY id", [doc["id"]])]
    assert kinds == [("new", "2024-03-01T00:00:00Z"), ("removed", "2024-03-05T00:00:00Z"),
                     ("restored", "2024-03-06T00:00:00Z")]

    # Removed again, then fetched again with the same content: restored by store() as well.
    db.mark_removed(URL, reason="vanished from listing")
    assert db.store(URL, page(5), report=make_report(), fetched_at="2024-03-08T00:00:00Z") == "unchanged"
    assert URL in db.document_urls()
    assert count(db, "events", "kind='restored'") == 2


def test_touch_of_unknown_url_is_harmless(db):
    db.touch("http://nowhere.example/a.html")
    assert count(db, "documents") == 0 and count(db, "events") == 0


# -- immutability ----------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "UPDATE versions SET content_sha256 = 'x'",
    "DELETE FROM versions",
    "UPDATE figure_values SET value = 99",
    "UPDATE figures SET value = 99",  # the long-form view
    "DELETE FROM figure_values",
    "DELETE FROM figures",
    "DELETE FROM checks",
    "DELETE FROM raw_blobs",
    "UPDATE events SET kind = 'new'",
])
def test_triggers_reject_rewriting_history(db, sql):
    db.store(URL, page(1), report=make_report(new_received__total=4))
    before = [list(db.db.query(f"SELECT * FROM {t}")) for t in ("versions", "figures", "checks", "events")]
    with pytest.raises(sqlite3.DatabaseError, match="immutable|view"):
        with db.db.atomic():
            db.db.execute(sql)
    after = [list(db.db.query(f"SELECT * FROM {t}")) for t in ("versions", "figures", "checks", "events")]
    assert after == before


# -- failures, blobs, fetches ----------------------------------------------------------------

def test_failures_are_recorded_with_their_bytes_and_never_raise(db):
    scanned = b"%PDF-1.4 scanned pages only"
    assert db.store("http://x.gov.cn/a.pdf", scanned, failure=ImageOnly("scanned report: no text layer"),
                    content_type="application/pdf", agency="某局") == "failed"
    assert db.store("http://x.gov.cn/a.pdf", scanned, failure=ImageOnly("scanned report: no text layer")) == "failed"
    assert db.store("http://x.gov.cn/b.html", b"<html>budget</html>", failure=NotAReport("部门预算, not an OGI report")) == "failed"
    rows = list(db.db.query("SELECT * FROM failures ORDER BY id"))
    assert [(r["status"], r["times_seen"]) for r in rows] == [("image_only", 2), ("not_a_report", 1)]
    assert rows[0]["reason"] == "scanned report: no text layer" and rows[0]["agency"] == "某局"
    assert db.raw(rows[0]["raw_sha256"]) == scanned
    assert count(db, "documents") == 0 and db.document_urls() == set()


def test_a_malformed_report_is_kept_as_a_failure_not_an_exception(db):
    broken = make_report()
    broken.figures = {"applications": {"new_received": ["not", "a", "dict"]}}
    assert db.store(URL, page(1), report=broken) == "failed"
    assert count(db, "versions") == 0 and count(db, "failures", "status='unreadable'") == 1
    with pytest.raises(ValueError):
        db.store(URL, page(1))  # neither report nor failure: a programming error


def test_raw_blobs_are_deduplicated_and_compressed(db):
    big = ("<html><body>" + "<tr><td>行政许可</td><td>0</td></tr>" * 500 + "</body></html>").encode()
    db.store(URL, big, report=make_report())
    db.store(URL.replace("_1", "_2"), big, report=make_report(year=2021))
    assert count(db, "raw_blobs") == 1
    blob = next(db.db.query("SELECT size, compressed_size, codec FROM raw_blobs"))
    assert blob["size"] == len(big) and blob["compressed_size"] < len(big) / 5 and blob["codec"] == "zstd"


def test_fetches_and_conditional_get_validators(db):
    raw = page(1)
    from archive.blobs import sha256
    db.record_fetch(URL, status=200, fetched_at="2024-03-01T00:00:00Z", etag='"abc"',
                    last_modified="Wed, 31 Jan 2024 00:00:00 GMT", sha256=sha256(raw),
                    nbytes=len(raw), elapsed_ms=12.6)
    # No body stored yet (e.g. the crawl died before store): no validators, or a 304 would
    # leave us without the report.
    assert db.validators(URL) == {}
    db.store(URL, raw, report=make_report())
    assert db.validators(URL) == {"If-None-Match": '"abc"', "If-Modified-Since": "Wed, 31 Jan 2024 00:00:00 GMT"}
    db.record_fetch(URL, status=None, error="timeout\nafter 30 s", fetched_at="2024-03-02T00:00:00Z")
    db.record_fetch(URL, status=500, etag='"zzz"', fetched_at="2024-03-03T00:00:00Z")
    assert db.validators(URL)["If-None-Match"] == '"abc"'  # failures never provide validators
    assert db.validators("http://other.example/") == {}
    rows = list(db.db.query("SELECT status, error, elapsed_ms, bytes FROM fetches ORDER BY id"))
    assert rows[0]["elapsed_ms"] == 13 and rows[0]["bytes"] == len(raw)
    assert rows[1] == {"status": None, "error": "timeout after 30 s", "elapsed_ms": None, "bytes": None}


def test_crawl_runs(db):
    run_id = db.start_run(["luohe", "beijing"])
    db.record_fetch(URL, status=200, run_id=run_id)
    db.store(URL, page(1), report=make_report(), run_id=run_id)
    db.finish_run(run_id, {"new": 1, "errors": 0})
    run = next(db.db.query("SELECT * FROM crawl_runs"))
    assert run["finished_at"] >= run["started_at"] and '"new": 1' in run["summary"]
    assert count(db, "events", "run_id=?", [run_id]) == 1 and count(db, "versions", "run_id=?", [run_id]) == 1


# -- queries: FTS, views, cross-year ---------------------------------------------------------

def test_full_text_search_finds_chinese_substrings(db):
    db.store(URL, page(1), report=make_report(text="本机关全面推进行政许可信息公开，受理申请4件。"))
    db.store(URL.replace("_1", "_2"), page(2), report=make_report(agency="某市财政局", text="财政预算执行情况良好。"))
    hits = db.search("行政许可")
    assert [h["url"] for h in hits] == [URL] and "【行政许可】" in hits[0]["snippet"]
    assert [h["url"] for h in db.search("许可")] == [URL]  # two characters: below trigram size
    assert [h["agency"] for h in db.search("财政预算执行")] == ["某市财政局"]
    assert db.search("不存在的内容") == [] and db.search("  ") == []
    # The index itself is queryable with plain SQL (Datasette's search box uses it).
    assert db.db.execute("SELECT COUNT(*) FROM reading_texts_fts WHERE reading_texts_fts MATCH '\"推进行政\"'").fetchone()[0] == 1


def test_wide_views_have_one_readable_column_per_cell(db):
    db.store(URL, page(1), report=make_report(new_received__natural_person=3, new_received__total=4, fees__amount=0.0125))
    for table in labels.TABLES:
        columns = db.db[f"wide_{table}"].columns_dict
        for cell in labels.cells(table):
            assert cell.column in columns
        assert {"agency", "region", "year", "source_url", "fetched_at", "is_latest"} <= set(columns)
    row = next(db.db.query("SELECT * FROM wide_applications"))
    assert (row["new_received__natural_person"], row["new_received__total"], row["is_latest"]) == (3, 4, 1)
    assert next(db.db.query("SELECT fees__amount FROM wide_active"))["fees__amount"] == 0.0125
    labels_row = next(db.db.query("SELECT * FROM cells WHERE column_name='denied_state_secret__total'"))
    assert "不予公开" in labels_row["row_label"] and labels_row["col_label"] == "总计"


def test_cross_year_check_compares_carried_over_with_last_years_carried_forward(db):
    db.store("http://a.gov.cn/2021.html", page(1), report=make_report(year=2021, carried_forward__total=3), region="漯河")
    db.store("http://a.gov.cn/2022.html", page(2), report=make_report(year=2022, carried_over__total=3), region="漯河")
    db.store("http://b.gov.cn/2021.html", page(3), report=make_report("某区司法局", 2021, carried_forward__total=2))
    db.store("http://b.gov.cn/2022.html", page(4), report=make_report("某区司法局", 2022, carried_over__total=5))
    # Same agency name in another region is another agency.
    db.store("http://c.gov.cn/2021.html", page(5), report=make_report(year=2021, carried_forward__total=9), region="别处")
    rows = {r["agency"]: r for r in db.db.query("SELECT * FROM cross_year_checks")}
    assert set(rows) == {"漯河市商务局", "某区司法局"}
    assert rows["漯河市商务局"]["ok"] == 1 and rows["某区司法局"]["ok"] == 0
    assert "5" in rows["某区司法局"]["detail"] and "2" in rows["某区司法局"]["detail"]
    bad = rows["某区司法局"]["version_id"]
    rules = {r["rule"]: r["ok"] for r in db.db.query("SELECT rule, ok FROM all_checks WHERE version_id=?", [bad])}
    assert rules == {"applications.balance.total": 1, "cross_year.carried_over": 0}
    # The agency corrects last year's report: the check follows the latest versions.
    db.store("http://b.gov.cn/2021.html", page(6), report=make_report("某区司法局", 2021, carried_forward__total=5))
    assert next(db.db.query("SELECT ok FROM cross_year_checks WHERE agency='某区司法局'"))["ok"] == 1


# -- schema, migrations, concurrency ---------------------------------------------------------

def test_schema_is_versioned_and_reopening_is_idempotent(tmp_path):
    path = tmp_path / "a.db"
    Archive(path).close()
    first = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    archive = Archive(path)
    assert archive.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert archive.db.journal_mode == "wal"
    assert [m.name for m in schema.migrations.applied(archive.db)] == ["m001_initial", "m002_wide_rows",
                                                                      "m003_source_health", "m004_readings",
                                                                      "m005_capture_resources"]
    archive.close()
    assert sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == first
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(schema.SchemaError, match="newer"):
        Archive(path)


def test_readers_are_not_blocked_by_an_open_write_transaction(tmp_path):
    path = tmp_path / "a.db"
    archive = Archive(path)
    archive.store(URL, page(1), report=make_report(new_received__total=4))
    archive.close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the nightly writer, mid-transaction
    writer.execute("UPDATE documents SET title = 'x'")
    reader = sqlite3.connect(path, timeout=0.1)  # fails fast if blocked
    assert reader.execute("SELECT value FROM latest_figures WHERE row_key='new_received' AND col_key='total'").fetchone()[0] == 4
    assert reader.execute("SELECT title FROM documents").fetchone()[0] != "x"  # the committed state
    writer.execute("ROLLBACK")


def test_keys_outside_the_template_are_kept_not_dropped(db):
    report = make_report(new_received__total=4)
    report.figures["active"]["local_rules"] = {"made": 2}  # e.g. 地方性法规 in some reports
    db.store(URL, page(1), report=report)
    assert next(db.db.query("SELECT value FROM figures WHERE row_key='local_rules' AND col_key='made'"))["value"] == 2
    cell = next(db.db.query("SELECT * FROM cells WHERE row_key='local_rules'"))
    assert cell["row_label"] is None and cell["table_name"] == "active"
    # Same content again: still unchanged (the extra key is part of the hash, stably).
    assert db.store(URL, page(2), report=copy.deepcopy(report)) == "unchanged"


def test_a_store_interrupted_midway_leaves_nothing_half_written(db, monkeypatch):
    from archive import versioning

    db.store(URL, page(1), report=make_report(new_received__total=4))
    before = {t: count(db, t) for t in ("versions", "figure_values", "checks", "events", "raw_blobs")}

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the crawl is killed between two writes of one version

    monkeypatch.setattr(versioning, "add_event", crash)
    with pytest.raises(KeyboardInterrupt):
        db.store(URL, page(2), report=make_report(new_received__total=5))
    assert {t: count(db, t) for t in before} == before
    assert next(db.db.query("SELECT latest_version_id FROM documents"))["latest_version_id"] == 1


def test_disk_full_raises_and_keeps_the_archive_intact(tmp_path):
    path = tmp_path / "full.db"
    archive = Archive(path)
    archive.store(URL, page(1), report=make_report(new_received__total=4))
    pages = archive.db.execute("PRAGMA page_count").fetchone()[0]
    archive.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up
    import os
    huge = os.urandom(2_000_000)  # incompressible: needs far more than two pages
    with pytest.raises(ArchiveError, match="full"):
        archive.store(URL, huge, report=make_report(new_received__total=5))
    archive.close()
    reopened = Archive(path)
    assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert count(reopened, "versions") == 1 and count(reopened, "raw_blobs") == 1
    assert next(reopened.db.query("SELECT value FROM latest_figures WHERE row_key='new_received' AND col_key='total'"))["value"] == 4
    reopened.close()


def _old_archive(path, *, stop_before: str):
    """An archive as an older ogi wrote it: schema up to `stop_before`, where every extractor's
    reading of a capture was a `versions` row (origin 'reextract' rows point at their capture)."""
    import sqlite_utils
    import zstandard

    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before=stop_before)
    db.execute(f"PRAGMA user_version = {int(stop_before[1:4]) - 1}")
    cells = {key: db["cells"].insert({"table_name": "applications", "row_key": key, "col_key": "total"}).last_pk
             for key in ("new_received", "total_processed")}
    for n in (1, 2):
        raw = page(n)
        db["raw_blobs"].insert({"sha256": blobs.sha256(raw), "size": len(raw), "compressed_size": 0,
                                "codec": "zstd", "content": zstandard.compress(raw), "stored_at": "2024-03-01T00:00:00Z"})
    db["documents"].insert({"id": 1, "url": URL, "agency": "漯河市商务局", "year": 2022, "first_seen": "2024-03-01T00:00:00Z",
                            "last_seen": "2024-04-01T00:00:00Z", "latest_version_id": 3})
    rows = [  # id, origin, reextract_of, raw page, fetched_at, extractor, new_received.total
        (1, "fetch", None, 1, "2024-03-01T00:00:00Z", "0.1.0", 4),
        (2, "fetch", None, 2, "2024-04-01T00:00:00Z", "0.1.0", 6),
        (3, "reextract", 2, 2, "2024-04-01T00:00:00Z", "0.1.1", 7),
    ]
    for vid, origin, of, n, at, ev, value in rows:
        db["versions"].insert({"id": vid, "document_id": 1, "fetched_at": at, "title": "t", "agency": "漯河市商务局",
                               "year": 2022, "template": "2021", "format": "html", "extractor_version": ev,
                               "content_sha256": f"c{vid}", "raw_sha256": blobs.sha256(page(n)), "origin": origin,
                               "reextract_of": of, "recorded_at": at})
        db["version_texts"].insert({"version_id": vid, "title": "t", "text": f"受理申请{value}件，全面推进公开"})
        db["figure_values"].insert_all([{"version_id": vid, "cell_id": cells["new_received"], "value": value},
                                        {"version_id": vid, "cell_id": cells["total_processed"], "value": 1}])
        db["checks"].insert({"version_id": vid, "rule": "applications.balance.total", "ok": 1, "detail": "x"})
        if stop_before != "m002_wide_rows":  # written with each version since m002
            db["wide_rows_applications"].insert({"version_id": vid, "new_received__total": value,
                                                 "total_processed__total": 1})
    db["figure_changes"].insert({"version_id": 2, "previous_version_id": 1, "table_name": "applications",
                                 "row_key": "new_received", "col_key": "total", "old_value": 4, "new_value": 6})
    db["events"].insert_all([{"at": "2024-03-01T00:00:00Z", "kind": "new", "document_id": 1, "url": URL, "version_id": 1},
                             {"at": "2024-04-01T00:00:00Z", "kind": "changed", "document_id": 1, "url": URL,
                              "version_id": 2, "previous_version_id": 1}])
    db["reextractions"].insert({"at": "2024-04-02T00:00:00Z", "extractor_version": "0.1.1", "version_id": 2,
                                "result": "changed", "new_version_id": 3})
    db.close()


@pytest.mark.parametrize("stop_before", ["m002_wide_rows", "m004_readings"])
def test_migration_turns_old_rereadings_into_readings_of_one_version(tmp_path, stop_before):
    path = tmp_path / "old.db"
    _old_archive(path, stop_before=stop_before)
    upgraded = Archive(path)
    db = upgraded.db
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Versions are the agency's two captures; the newer extractor's reading is a reading of the second.
    assert [r["id"] for r in db.query("SELECT id FROM versions ORDER BY id")] == [1, 2]
    assert [(r["id"], r["version_id"], r["origin"], r["extractor_version"]) for r in
            db.query("SELECT * FROM readings ORDER BY id")] == [
        (1, 1, "fetch", "0.1.0"), (2, 2, "fetch", "0.1.0"), (3, 2, "reextract", "0.1.1")]
    doc = next(db.query("SELECT * FROM documents"))
    assert (doc["latest_version_id"], doc["latest_reading_id"]) == (2, 3)
    # Researchers' views show the newest reading of each version.
    value = "SELECT value FROM {} WHERE row_key = 'new_received'"
    assert db.execute(value.format("latest_figures")).fetchone()[0] == 7
    assert [r[0] for r in db.execute(value.format("figures") + " ORDER BY version_id")] == [4, 7]
    assert [(r["version_id"], r["new_received__total"]) for r in
            db.query("SELECT * FROM wide_applications ORDER BY version_id")] == [(1, 4), (2, 7)]
    assert count(upgraded, "checks") == 2 and count(upgraded, "reading_checks") == 3
    change = next(db.query("SELECT * FROM figure_changes"))
    assert (change["reading_id"], change["previous_reading_id"], change["version_id"],
            change["previous_version_id"]) == (2, 1, 2, 1)
    assert next(db.query("SELECT new_reading_id FROM reextractions"))["new_reading_id"] == 3
    assert [h["reading_id"] for h in upgraded.search("受理申请7件")] == [3]
    for sql in ("UPDATE readings SET title = 'x'", "DELETE FROM versions",
                "INSERT OR REPLACE INTO readings (id, version_id, extractor_version, read_at, origin, content_sha256)"
                " VALUES (3, 2, 'forged', 'x', 'x', 'x')"):
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            db.execute(sql)
    upgraded.close()


def test_a_cell_added_to_the_template_becomes_a_wide_column_with_stored_values(tmp_path, monkeypatch):
    path = tmp_path / "grow.db"
    archive = Archive(path)
    report = make_report()
    report.figures["active"]["local_rules"] = {"made": 2}  # stored before the template knew it
    archive.store(URL, page(1), report=report)
    assert "local_rules__made" not in archive.db["wide_active"].columns_dict
    archive.close()

    grown = (*labels.CELLS, labels.Cell("active", "local_rules", "made", "地方性法规", "本年制发件数"))
    monkeypatch.setattr(labels, "CELLS", grown)
    reopened = Archive(path)
    assert next(reopened.db.query("SELECT local_rules__made FROM wide_active"))["local_rules__made"] == 2
    cell = next(reopened.db.query("SELECT * FROM cells WHERE row_key = 'local_rules'"))
    assert cell["row_label"] == "地方性法规" and cell["column_name"] == "local_rules__made"
    # New versions write the new column directly.
    report.figures["active"]["local_rules"]["made"] = 3
    assert reopened.store(URL, page(2), report=report) == "changed"
    assert [r["local_rules__made"] for r in reopened.db.query("SELECT local_rules__made FROM wide_active ORDER BY version_id")] == [2, 3]
    reopened.close()
