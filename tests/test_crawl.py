"""End-to-end crawls of a local portal (tests/crawl_support.py: the demo site plus a column of
traps) into a fresh archive. A second crawl then sees one report corrected, one added, one taken
off its listing, one page whose only change is its visit counter, and ETags for the rest.

Crawls run in a subprocess (Twisted's reactor cannot restart in one process), politeness delays off.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawl_support import (ADDED, BY_AGENCY, COMMERCE, DEAD, DISTRACTORS, EDUCATION, FAST, FINANCE, FLAKY,
                           MOVED_FROM, MOVED_TO, NOTICE, OFFICE_2021_GBK, OFFICE_2022, PDF, PRIVATE, ROOT, TRAPS,
                           TRS, build_portal, crawl, latest_summary, rows)
from fixtures.portals.server import Portal


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two crawls of one portal; the archive copied after each."""
    tmp = tmp_path_factory.mktemp("crawl")
    portal = build_portal().start()
    try:
        db = tmp / "archive.db"
        first = crawl(db, portal.url + "/")
        shutil.copy(db, tmp / "after_first.db")
        log_first = list(portal.log)

        portal.edit(COMMERCE, ">234</td>", ">243</td>")
        portal.edit("/xxgk/zfxxgknb/index.html", OFFICE_2022.removeprefix(TRS), "202301/t20230131_1001_gone.html")
        body = portal.pages[OFFICE_2021_GBK].decode("gbk")
        visits = body.split('id="visit">', 1)[1].split("<", 1)[0]
        portal.edit(OFFICE_2021_GBK, f'id="visit">{visits}<', f'id="visit">{int(visits) + 17}<', encoding="gbk")
        portal.pages[ADDED] = portal.pages[EDUCATION].replace("教育局".encode(), "卫生健康委员会".encode())
        record = ('<record><![CDATA[\n<li><a href="%s" title="漯河市卫生健康委员会2022年政府信息公开工作年度报告">'
                  '漯河市卫生健康委员会2022年政府信息公开工作年度报告</a><span>2023-03-01</span></li>]]></record>\n' % ADDED)
        portal.edit("/col/col1229011/index.html", "<recordset>\n", "<recordset>\n" + record)
        portal.log.clear()
        second = crawl(db, portal.url + "/")
        yield {"db": db, "first_db": tmp / "after_first.db", "portal": portal, "log_first": log_first,
               "log_second": list(portal.log), "first": first, "second": second}
    finally:
        portal.stop()


def doc(db: Path, portal: Portal, path: str):
    found = rows(db, "SELECT id, removed_at, agency, year, title FROM documents WHERE url = ?", portal.url + path)
    return found[0] if found else None


def versions(db: Path, portal: Portal, path: str) -> int:
    return rows(db, "SELECT count(*) FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.url = ?",
                portal.url + path)[0][0]


def fetch_statuses(db: Path, portal: Portal, path: str, run_id: int | None = None) -> list:
    sql = "SELECT status FROM fetches WHERE url = ?" + (" AND run_id = ?" if run_id else "") + " ORDER BY id"
    return [r[0] for r in rows(db, sql, portal.url + path, *([run_id] if run_id else []))]


# -- first crawl -------------------------------------------------------------------------------

def test_every_report_is_found_in_both_cms_families(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    for path in (COMMERCE, OFFICE_2022, OFFICE_2021_GBK, FINANCE, EDUCATION, FLAKY, MOVED_TO, PDF, BY_AGENCY):
        assert doc(db, portal, path), f"{path} not archived"
    urls = {r[0] for r in rows(db, "SELECT url FROM documents")}
    assert len(urls) == 9, urls


def test_notice_page_report_is_its_attachment(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    assert doc(db, portal, NOTICE) is None  # the notice itself is not a report
    parent, fmt = rows(db, "SELECT d.parent_url, v.format FROM documents d JOIN versions v ON v.document_id = d.id"
                           " WHERE d.url = ?", portal.url + PDF)[0]
    assert (parent, fmt) == (portal.url + NOTICE, "pdf")
    assert doc(db, portal, PDF)[2:4] == ("漯河市民政局", 2022)


def test_js_only_pager_and_gbk_pages(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    # Page 2 of the TRS column exists only in createPageHTML(…); it and the report it lists are GBK.
    assert any(p == TRS + "index_1.html" for p, _ in crawled["log_first"])
    _, _, agency, year, title = doc(db, portal, OFFICE_2021_GBK)
    assert (agency, year) == ("漯河市人民政府办公室", 2021)
    assert title == "漯河市人民政府办公室2021年政府信息公开工作年度报告"


def test_distractors_are_never_fetched(crawled):
    fetched = {p for p, _ in crawled["log_first"]}
    for path in DISTRACTORS:
        assert path not in fetched
    assert not rows(crawled["first_db"], "SELECT 1 FROM documents WHERE url LIKE '%gzyd%'")


def test_robots_disallowed_report_is_never_fetched_but_recorded(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    assert not portal.requested(PRIVATE) and not any(p == PRIVATE for p, _ in crawled["log_first"])
    assert rows(db, "SELECT error FROM fetches WHERE url = ?", portal.url + PRIVATE) == [("disallowed by robots.txt",)]
    assert latest_summary(crawled["first_db"])["totals"]["blocked"] == 1


def test_server_error_is_retried(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    assert fetch_statuses(db, portal, FLAKY) == [500, 200]
    assert versions(db, portal, FLAKY) == 1


def test_dead_link_is_recorded_not_archived(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    assert fetch_statuses(db, portal, DEAD) == [404]
    assert doc(db, portal, DEAD) is None
    summary = latest_summary(db)
    source = summary["sources"][portal.url + "/"]
    assert source["errors"] == 1 and any(DEAD in m for m in source["messages"])
    assert source["incomplete"] is None  # a dead report link does not hide other reports


def test_redirect_canonical_url_is_the_final_one(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    assert doc(db, portal, MOVED_TO) and doc(db, portal, MOVED_FROM) is None
    assert fetch_statuses(db, portal, MOVED_FROM) == [301]


def test_every_exchange_is_in_fetches(crawled):
    db, portal = crawled["first_db"], crawled["portal"]
    logged = {r[0] for r in rows(db, "SELECT url FROM fetches WHERE status IS NOT NULL")}
    served = {portal.url + p for p, _ in crawled["log_first"]}
    assert served <= logged
    sha, size, elapsed = rows(db, "SELECT sha256, bytes, elapsed_ms FROM fetches WHERE url = ?", portal.url + FINANCE)[0]
    assert len(sha) == 64 and size == len(portal.pages[FINANCE]) and elapsed is not None


def test_run_summary_is_printed_and_stored(crawled):
    summary = latest_summary(crawled["first_db"])
    assert summary["finish_reason"] == "finished"
    assert summary["totals"]["new"] == 9 and summary["totals"]["reports"] == 9
    assert summary["totals"]["pages"] >= 15
    out = crawled["first"].stdout
    assert "pages" in out and "new" in out and crawled["portal"].url in out


def test_user_agent_and_politeness_headers(crawled):
    headers = crawled["portal"].requested(FINANCE) or [h for _, h in crawled["log_first"]]
    assert headers[0]["User-Agent"].startswith("ogi-archive/0.1 (+https://github.com/ogi-archive/ogi-archive")


# -- second crawl ------------------------------------------------------------------------------

def test_corrected_report_gets_one_new_version(crawled):
    db, portal = crawled["db"], crawled["portal"]
    assert versions(db, portal, COMMERCE) == 2
    values = rows(db, "SELECT f.value FROM figures f JOIN versions v ON v.id = f.version_id JOIN documents d"
                      " ON d.id = v.document_id WHERE d.url = ? AND f.table_name = 'active' AND f.row_key = 'licensing'"
                      " ORDER BY v.id", portal.url + COMMERCE)
    assert [v[0] for v in values] == [234, 243]


def test_added_report_is_new(crawled):
    db, portal = crawled["db"], crawled["portal"]
    assert doc(db, portal, ADDED) and doc(crawled["first_db"], portal, ADDED) is None


def test_report_gone_from_its_listing_is_marked_removed(crawled):
    db, portal = crawled["db"], crawled["portal"]
    assert doc(db, portal, OFFICE_2022)[1] is not None
    assert versions(db, portal, OFFICE_2022) == 1  # its versions stay
    assert all(doc(db, portal, p)[1] is None for p in (COMMERCE, FINANCE, EDUCATION, OFFICE_2021_GBK))


def test_visit_counter_change_is_not_a_new_version(crawled):
    db, portal = crawled["db"], crawled["portal"]
    run2 = rows(db, "SELECT max(id) FROM crawl_runs")[0][0]
    assert fetch_statuses(db, portal, OFFICE_2021_GBK, run2) == [200]  # the bytes did change
    assert versions(db, portal, OFFICE_2021_GBK) == 1


def test_unchanged_reports_are_asked_conditionally_and_answer_304(crawled):
    db, portal = crawled["db"], crawled["portal"]
    run2 = rows(db, "SELECT max(id) FROM crawl_runs")[0][0]
    second = {p: h for p, h in crawled["log_second"]}
    for path in (FINANCE, EDUCATION, FLAKY, PDF):
        assert "If-None-Match" in second[path]
        assert fetch_statuses(db, portal, path, run2) == [304]
        assert versions(db, portal, path) == 1
    totals = latest_summary(db)["totals"]
    assert (totals["new"], totals["changed"], totals["removed"]) == (1, 1, 1)
    assert totals["unchanged"] >= 5


# -- robustness --------------------------------------------------------------------------------

def test_a_failing_source_does_not_stop_the_others(tmp_path):
    portal = build_portal().start()
    closed = Portal().start()
    dead_url = closed.url + "/"
    closed.stop()  # nothing listens there any more: connection refused
    try:
        db = tmp_path / "a.db"
        result = crawl(db, dead_url, portal.url + "/", extra=["-s", "RETRY_TIMES=1"], check=False)
        assert result.returncode == 1, result.stderr[-3000:]  # the run completed; a source failed
        summary = latest_summary(db)
        assert summary["sources"][dead_url]["errors"] >= 1
        assert summary["sources"][dead_url]["incomplete"]
        assert summary["sources"][portal.url + "/"]["new"] == 9
        assert dead_url in result.stdout
    finally:
        portal.stop()


def test_scrapy_crawl_from_the_repository_root(tmp_path):
    portal = build_portal().start()
    try:
        db = tmp_path / "s.db"
        result = subprocess.run(
            [str(Path(sys.executable).with_name("scrapy")), "crawl", "reports",
             "-a", f"start_urls={portal.url}/col/col1229011/index.html", "-s", f"ARCHIVE_DB={db}", *FAST,
             "-s", "LOG_LEVEL=WARNING", "-s", "OGI_EXTRACT_WORKERS=2"],  # extraction in a process pool
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        assert {r[0] for r in rows(db, "SELECT url FROM documents")} == {portal.url + FINANCE, portal.url + EDUCATION}
        assert "crawl run 1 (finished)" in result.stdout
    finally:
        portal.stop()


def test_interrupted_crawl_resumes_from_jobdir_without_false_removals(tmp_path):
    portal = build_portal().start()
    try:
        db, jobdir = tmp_path / "r.db", tmp_path / "job"
        crawl(db, portal.url + "/")
        complete = {r[0] for r in rows(db, "SELECT url FROM documents")}
        # Slow report pages so the crawl is still running when it is interrupted.
        portal.delay = {"/xxgk/zfxxgknb/2": 0.4, "/art/": 0.4, TRAPS: 0.4}
        portal.log.clear()
        cmd = [sys.executable, "-m", "ogi", "crawl", portal.url + "/", "--db", str(db), *FAST,
               "-s", f"JOBDIR={jobdir}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while sum(1 for p, _ in portal.log if p.startswith(("/art/", "/xxgk/zfxxgknb/2"))) < 2:
            assert time.time() < deadline and proc.poll() is None, "crawl ended before it could be interrupted"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
        interrupted = latest_summary(db)
        assert interrupted["finish_reason"] == "shutdown"
        runs_before = rows(db, "SELECT count(*) FROM crawl_runs")[0][0]

        portal.delay = {}
        result = crawl(db, portal.url + "/", extra=["-s", f"JOBDIR={jobdir}"])
        assert rows(db, "SELECT count(*) FROM crawl_runs")[0][0] == runs_before  # the same run, resumed
        # Its health report, written at the interruption, is replaced by the finished run's.
        assert rows(db, "SELECT source, reachable, flagged FROM source_health WHERE run_id = ?",
                    runs_before) == [(portal.url + "/", 1, 0)]
        assert latest_summary(db)["finish_reason"] == "finished"
        assert not rows(db, "SELECT url FROM documents WHERE removed_at IS NOT NULL"), result.stdout
        assert {r[0] for r in rows(db, "SELECT url FROM documents")} == complete
    finally:
        portal.stop()


# -- the command line --------------------------------------------------------------------------

def test_command_line_errors_are_one_line(tmp_path):
    db = tmp_path / "e.db"
    bad = crawl(db, "ftp://example.org/", check=False)
    assert bad.returncode == 2 and bad.stderr.strip() == "ogi crawl: not an http(s) URL: ftp://example.org/"
    none = crawl(db, extra=["--only", "no-such-source-anywhere"], check=False)
    assert none.returncode == 2 and "no source matches" in none.stderr and "Traceback" not in none.stderr


def test_a_second_crawl_of_the_same_archive_is_refused(tmp_path):
    from crawler.runlock import run_lock

    db = tmp_path / "l.db"
    with run_lock(db):
        result = crawl(db, "http://127.0.0.1:9/", check=False)
    assert result.returncode == 1 and "another crawl is running" in result.stderr
