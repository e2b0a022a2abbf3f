"""Nightly operation end to end: a sources list of local portals, one of them down; three runs in a
row; the health report (`source_health`), `ogi status`, `--only`, the per-source time budget.

Portals listen on different loopback addresses (127.0.0.1, .2, .3), so Scrapy sees different
hosts, as it would for real portals. Crawls run in a subprocess, politeness delays off.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import health
from crawler.summary import SourceTally
from fixtures.portals.server import Portal

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "site"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
        "-s", "DOWNLOAD_TIMEOUT=10", "-s", "OGI_ALLOW_PRIVATE_HOSTS=True"]  # the portals are on loopback
COLUMN = "/col/col1229011/index.html"  # the demo's Hanweb column: two reports
FINANCE = "/art/2023/2/10/art_1229011_5001.html"
EMPTY = "/xxgk/ndbg/"
HEADER = "id,agency,region,level,start_url,cms,found_at,notes\n"


def ogi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def crawl(db: Path, *args: str) -> subprocess.CompletedProcess:
    return ogi("crawl", "--db", str(db), *FAST, *args, cwd=db.parent)


def rows(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def health_of(db: Path, run_id: int) -> dict[str, dict]:
    return {r["source"]: r for r in rows(db, "SELECT * FROM source_health WHERE run_id = ?", run_id)}


def summary_of(db: Path, run_id: int) -> dict:
    return json.loads(rows(db, "SELECT summary FROM crawl_runs WHERE id = ?", run_id)[0]["summary"])


def empty_column() -> bytes:
    return ('<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            '<ul class="list"></ul></body></html>').encode()


@pytest.fixture(scope="module")
def portals():
    """good: the demo's report column; empty: a report column listing nothing; dead: refuses."""
    good = Portal("127.0.0.1")
    good.load_tree(DEMO)
    empty = Portal("127.0.0.2")
    empty.pages[EMPTY + "index.html"] = empty_column()
    dead = Portal("127.0.0.3").start()
    dead_url = dead.url
    dead.stop()  # nothing listens there any more: connection refused
    good.start(), empty.start()
    try:
        yield {"good": good, "empty": empty, "dead_url": dead_url}
    finally:
        good.stop(), empty.stop()


def write_sources(path: Path, portals: dict) -> Path:
    path.write_text(HEADER + "\n".join([
        f"henan-luohe-gov,漯河市人民政府,河南省/漯河市,prefecture,{portals['good'].url}{COLUMN},hanweb,test fixture,",
        f"henan-luohe-swj,漯河市商务局,河南/漯河,department,{portals['empty'].url}{EMPTY},plain,test fixture,",
        f"beijing-daxing-gov,北京市大兴区人民政府,北京市/大兴区,county,{portals['dead_url']}/,trs,test fixture,",
    ]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def nights(portals, tmp_path_factory):
    """Three nightly runs over the sources list, `ogi status` after the first and the third."""
    tmp = tmp_path_factory.mktemp("nights")
    sources = write_sources(tmp / "sources.csv", portals)
    db = tmp / "archive.db"
    out = {"db": db, "runs": [], "logs": []}
    for night in range(3):
        portals["good"].log.clear()
        out["runs"].append(crawl(db, "--sources", str(sources)))
        out["logs"].append([path for path, _ in portals["good"].log])
        if night == 0:
            shutil.copy(db, tmp / "first.db")
            out["status_first"] = ogi("status", "--db", str(db), cwd=tmp)
    out["first"] = tmp / "first.db"
    out["status"] = ogi("status", "--db", str(db), cwd=tmp)
    return out


# -- one source down ---------------------------------------------------------------------------

def test_a_source_that_is_down_fails_alone_and_the_run_exits_1(nights, portals):
    first = nights["runs"][0]
    assert first.returncode == 1, first.stderr[-2000:]
    assert "failed (no answer): beijing-daxing-gov" in first.stdout
    assert "Traceback" not in first.stderr  # one line per failure in the log, not forty
    summary = summary_of(nights["first"], 1)
    assert summary["finish_reason"] == "finished"
    assert summary["sources"]["henan-luohe-gov"]["new"] == 2  # the others completed
    dead = summary["sources"]["beijing-daxing-gov"]
    assert dead["errors"] >= 1 and dead["ok"] == 0 and "refused" in dead["incomplete"]


def test_fetches_say_what_failed(nights, portals):
    db = nights["first"]
    dead = rows(db, "SELECT status, error FROM fetches WHERE url = ?", portals["dead_url"] + "/")
    assert dead and all(r["status"] is None and "refused" in r["error"] for r in dead)
    good = rows(db, "SELECT status FROM fetches WHERE url = ?", portals["good"].url + FINANCE)
    assert [r["status"] for r in good] == [200]


def test_health_report_of_the_first_run(nights):
    report = health_of(nights["first"], 1)
    assert set(report) == {"henan-luohe-gov", "henan-luohe-swj", "beijing-daxing-gov"}
    good, empty, dead = report["henan-luohe-gov"], report["henan-luohe-swj"], report["beijing-daxing-gov"]
    assert (good["reachable"], good["pages"], good["reports"], good["new"], good["errors"]) == (1, 3, 2, 2, 0)
    assert good["agency"] == "漯河市人民政府" and good["region"] == "河南省/漯河市"
    assert good["incomplete"] is None and good["first_error"] is None and good["duration_s"] >= 0
    assert (empty["reachable"], empty["reports"]) == (1, 0)
    assert (dead["reachable"], dead["reports"], dead["pages"]) == (0, 0, 0)
    assert dead["errors"] >= 1 and "refused" in dead["first_error"] and dead["incomplete"]
    assert not any(r["flagged"] for r in report.values())  # one bad night is not a flag


def test_status_after_one_bad_night_is_ok(nights):
    status = nights["status_first"]
    assert status.returncode == 0, status.stdout + status.stderr
    assert "status: ok" in status.stdout and "beijing-daxing-gov" in status.stdout


# -- three runs in a row -----------------------------------------------------------------------

def test_sources_are_flagged_after_three_runs_with_nothing(nights):
    assert [r.returncode for r in nights["runs"]] == [1, 1, 1]
    # The good source is fetched again each night (conditionally) and stays unflagged.
    assert all(FINANCE in log for log in nights["logs"])
    for run_id in (1, 2):
        assert not any(r["flagged"] for r in health_of(nights["db"], run_id).values())
    third = health_of(nights["db"], 3)
    assert third["henan-luohe-swj"]["flagged"] == 1
    assert "no reports" in third["henan-luohe-swj"]["flag_reason"]
    assert third["beijing-daxing-gov"]["flagged"] == 1
    assert "unreachable" in third["beijing-daxing-gov"]["flag_reason"]
    assert third["henan-luohe-gov"]["flagged"] == 0 and third["henan-luohe-gov"]["unchanged"] == 2
    assert "flagged: henan-luohe-swj" in nights["runs"][2].stdout


def test_status_shows_flagged_sources_first_and_exits_1(nights):
    status = nights["status"]
    assert status.returncode == 1, status.stdout + status.stderr
    out = status.stdout
    assert "run 3 finished" in out
    lines = [line for line in out.splitlines() if line.startswith(("henan-", "beijing-"))]
    assert [line.split()[0] for line in lines] == ["beijing-daxing-gov", "henan-luohe-swj", "henan-luohe-gov"]
    assert "FLAGGED: unreachable" in lines[0] and "FLAGGED: no reports" in lines[1]
    assert "FLAGGED" not in lines[2]
    assert "needs a look" in out and "2 source(s) flagged" in out
    assert "\x1b[" not in out  # plain text off a terminal


# -- --only ------------------------------------------------------------------------------------

@pytest.mark.parametrize("only, picked", [
    ("河南/漯河", {"henan-luohe-gov", "henan-luohe-swj"}),  # a region prefix, short names
    ("商务局,beijing-daxing-gov", {"henan-luohe-swj", "beijing-daxing-gov"}),  # agency part + id
])
def test_only_crawls_the_sources_it_picks(portals, tmp_path, only, picked):
    sources = write_sources(tmp_path / "sources.csv", portals)
    db = tmp_path / "only.db"
    for portal in (portals["good"], portals["empty"]):
        portal.log.clear()
    result = crawl(db, "--sources", str(sources), "--only", only)
    assert result.returncode == (1 if "beijing-daxing-gov" in picked else 0), result.stderr[-2000:]
    assert set(health_of(db, 1)) == picked
    assert set(summary_of(db, 1)["sources"]) == picked
    assert bool(portals["good"].log) == ("henan-luohe-gov" in picked)
    assert bool(portals["empty"].log) == ("henan-luohe-swj" in picked)
    dead_fetched = rows(db, "SELECT 1 FROM fetches WHERE url LIKE ?", portals["dead_url"] + "%")
    assert bool(dead_fetched) == ("beijing-daxing-gov" in picked)


def test_only_with_start_urls_is_a_usage_error(tmp_path):
    result = crawl(tmp_path / "u.db", "http://127.0.0.1:9/", "--only", "河南")
    assert result.returncode == 2 and "--only" in result.stderr and "Traceback" not in result.stderr


def test_spider_takes_only_as_an_argument(portals, tmp_path):
    sources = write_sources(tmp_path / "sources.csv", portals)
    db = tmp_path / "s.db"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("scrapy")), "crawl", "reports", "-a", f"sources={sources}",
         "-a", "only=漯河市人民政府", "-s", f"ARCHIVE_DB={db}", *FAST, "-s", "LOG_LEVEL=INFO"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(health_of(db, 1)) == {"henan-luohe-gov"}
    # The per-source counts are in Scrapy's stats too (its dump at the end of the log).
    assert "'ogi/source/henan-luohe-gov/reports': 2" in result.stderr
    assert "'ogi/sources/unreachable': 0" in result.stderr


# -- the time budget ---------------------------------------------------------------------------

SLOW_COLUMN = "/xxgk/zfxxgknb/"
SLOW_REPORTS = 12


def slow_portal() -> Portal:
    """A report column of 12 reports; the test slows the reports down on the second night."""
    portal = Portal("127.0.0.1")
    portal.load_tree(DEMO)
    links = "".join(f'<li><a href="{SLOW_COLUMN}2023/t{i}.html">漯河市第{i}局2022年政府信息公开工作年度报告</a></li>'
                    for i in range(SLOW_REPORTS))
    portal.pages[SLOW_COLUMN + "index.html"] = (
        '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
        f'<ul class="list">{links}</ul></body></html>').encode()
    for i in range(SLOW_REPORTS):
        portal.pages[f"{SLOW_COLUMN}2023/t{i}.html"] = portal.pages[FINANCE]
    return portal


def test_time_budget_cuts_a_slow_source_without_removing_its_reports(tmp_path):
    slow, fast = slow_portal().start(), Portal("127.0.0.2")
    fast.load_tree(DEMO)
    fast.start()
    try:
        db = tmp_path / "budget.db"
        urls = [slow.url + SLOW_COLUMN, fast.url + COLUMN]
        first = crawl(db, *urls)
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(rows(db, "SELECT 1 FROM documents WHERE url LIKE ?", slow.url + "%")) == SLOW_REPORTS

        delay = 0.5
        slow.delay = {SLOW_COLUMN + "2023/": delay}
        slow.log.clear()
        # Two requests in flight in all: requests waiting inside a host's download slot have
        # passed the budget check and still complete, and with DOWNLOAD_DELAY=0 Scrapy moves a
        # host's whole queue into its slot at once (see crawler/settings.py).
        second = crawl(db, *urls, "-s", "OGI_SOURCE_TIME_BUDGET=1", "-s", "CONCURRENT_REQUESTS=2",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        assert second.returncode == 0, second.stderr[-2000:]  # a budget is not a failure
        # Far fewer than every report one by one (counted, not timed: the machine may be busy).
        fetched = [p for p, _ in slow.log if p.startswith(SLOW_COLUMN + "2023/")]
        assert 0 < len(fetched) < SLOW_REPORTS / 2

        report = health_of(db, 2)
        cut, whole = report[slow.url + SLOW_COLUMN], report[fast.url + COLUMN]
        assert cut["incomplete"] == "time budget of 1s reached" and cut["reachable"] == 1
        # The source's own time (first request to last answer; process start-up excluded, it
        # varies with the machine's load): far less than fetching every report one by one.
        assert cut["duration_s"] < SLOW_REPORTS * delay
        assert cut["removed"] == 0 and cut["errors"] == 0 and cut["flagged"] == 0
        assert whole["incomplete"] is None and whole["unchanged"] == 2
        assert not rows(db, "SELECT url FROM documents WHERE removed_at IS NOT NULL")
        assert "time budget" in second.stdout
    finally:
        slow.stop(), fast.stop()


# -- storage -----------------------------------------------------------------------------------

def test_an_archive_of_schema_2_gains_source_health(tmp_path):
    from archive import Archive, schema

    path = tmp_path / "old.db"
    with Archive(path) as archive:
        run_id = archive.start_run(["a"])
        archive.db.execute("DROP TABLE source_health")
        archive.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_source_health'")
        archive.db.execute("PRAGMA user_version = 2")
    with Archive(path) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        row = health.assess(run_id, "a", SourceTally(ok=1, reports=2), [])
        archive.record_health([row])
        archive.record_health([{**row, "reports": 3}])  # a resumed run closes again: replaced
        assert archive.health_history("a", before_run=run_id + 1, limit=2) == [{**row, "reports": 3}]
        assert archive.health_history("a", before_run=run_id, limit=2) == []


# -- the flag rule -----------------------------------------------------------------------------

def _row(reachable: int, reports: int) -> dict:
    return {"reachable": reachable, "reports": reports}


@pytest.mark.parametrize("current, previous, flagged, reason", [
    (_row(1, 0), [_row(1, 0), _row(1, 0)], 1, "no reports found in the last 3 runs"),
    (_row(0, 0), [_row(0, 0), _row(0, 0)], 1, "unreachable in the last 3 runs"),
    (_row(0, 0), [_row(1, 0), _row(0, 0)], 1, "no reports found in the last 3 runs"),
    (_row(1, 0), [_row(1, 0)], 0, None),  # only two runs so far
    (_row(1, 0), [_row(1, 0), _row(1, 3)], 0, None),  # found reports two runs ago
    (_row(1, 2), [_row(0, 0), _row(0, 0)], 0, None),
    (_row(1, 0), [_row(1, 0), _row(1, 0), _row(1, 5)], 1, "no reports found in the last 3 runs"),
])
def test_flag_rule(current, previous, flagged, reason):
    assert health.flag(current, previous) == (flagged, reason)


def test_interrupted_run_reports_only_the_sources_it_reached():
    reached, untouched = SourceTally(ok=1, started=100.0, ended=103.5), SourceTally()
    tallies = {"a": reached, "b": untouched}
    rows_ = health.report(7, tallies, {}, lambda sid: [], finished=False)
    assert [r["source"] for r in rows_] == ["a"] and rows_[0]["duration_s"] == 3.5
    assert [r["source"] for r in health.report(7, tallies, {}, lambda sid: [], finished=True)] == ["a", "b"]
