"""Lost data is never reported as success (issue 18): a killed extraction worker, a full disk, a
lost archive writer and a JOBDIR left by a killed crawl each make `ogi crawl` exit 1 (2 for the
JOBDIR: a usage error) and `ogi status` exit 1.

Faults are injected into the crawl's own processes by tests/fault_injection/sitecustomize.py
(on PYTHONPATH): an extraction that hangs until the test kills its worker, an archive limited by
`PRAGMA max_page_count` (SQLite's "database or disk is full").
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive
from crawl_support import (ADDED, COMMERCE, EDUCATION, FAST, FINANCE, build_portal, crawl, latest_summary, rows,
                           stop)
from crawler import health, jobdir
from crawler.ledger import Ledger
from crawler.local import LocalArchive
from crawler.records import SourceInfo

INJECT = Path(__file__).parent / "fault_injection"
MARK = "OGI-TEST-SLOW-DOCUMENT"


def injected(**variables: str) -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(INJECT), os.environ.get("PYTHONPATH", "")]),
            **variables}


def status(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi", "status", "--db", str(db)], capture_output=True,
                          text=True, timeout=60, cwd=db.parent)


def wait_for(predicate, what: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        assert proc is None or proc.poll() is None, f"the process ended before {what}: {proc.communicate()}"
        time.sleep(0.05)


# -- a killed extraction worker ---------------------------------------------------------------------

def test_a_killed_extraction_worker_is_counted_and_the_run_exits_1(tmp_path):
    portal = build_portal()
    portal.pages[FINANCE] = portal.pages[FINANCE].replace(b"</body>", f"<!-- {MARK} --></body>".encode())
    portal.start()
    busy = tmp_path / "busy"
    db = tmp_path / "archive.db"
    proc = subprocess.Popen([sys.executable, "-m", "ogi", "crawl", portal.url + "/", "--db", str(db), *FAST,
                             "-s", "OGI_EXTRACT_WORKERS=2"], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=injected(OGI_TEST_SLOW_MARKER=MARK, OGI_TEST_BUSY_FILE=str(busy)))
    try:
        wait_for(lambda: busy.is_file() and busy.read_text().strip(), "the slow document", proc)
        os.kill(int(busy.read_text()), signal.SIGKILL)  # the extraction worker our crawl started
        out, err = proc.communicate(timeout=120)
    finally:
        stop(proc)
        portal.stop()
    assert proc.returncode == 1, err[-3000:]
    assert "LOST: 1 extraction worker(s) died" in out
    assert rows(db, "SELECT url, status FROM failures WHERE status = 'worker_died'") == [(portal.url + FINANCE, "worker_died")]
    assert len(rows(db, "SELECT url FROM documents")) == 8  # the other reports are archived
    assert latest_summary(db)["faults"] == {"worker_died": 1}
    checked = status(db)
    assert checked.returncode == 1 and "lost data: 1 extraction worker(s) died" in checked.stdout


# -- a full disk ------------------------------------------------------------------------------------

def test_a_full_disk_loses_nothing_archived_and_the_run_exits_1(tmp_path):
    portal = build_portal().start()
    try:
        db = tmp_path / "archive.db"
        crawl(db, portal.url + "/")
        before = rows(db, "SELECT url, content_sha256 FROM documents d JOIN versions v ON v.document_id = d.id")
        portal.edit(COMMERCE, ">234</td>", ">243</td>")
        for n in range(5):  # new reports: new raw blobs, versions, figures to write
            portal.pages[ADDED.replace("5090", f"509{n}")] = portal.pages[EDUCATION].replace(
                "教育局".encode(), f"第{n}局".encode())
        portal.edit("/col/col1229011/index.html", "<recordset>\n", "<recordset>\n" + "".join(
            f'<record><![CDATA[<li><a href="{ADDED.replace("5090", f"509{n}")}">漯河市第{n}局2022年政府信息公开工作年度报告'
            f'</a></li>]]></record>\n' for n in range(5)))
        result = crawl(db, portal.url + "/", check=False, env=injected(OGI_TEST_MAX_PAGES="2"))
    finally:
        portal.stop()
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "LOST: " in result.stdout and "database or disk is full" in result.stdout
    checked = status(db)
    assert checked.returncode == 1, checked.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = rows(db, "SELECT url, content_sha256 FROM documents d JOIN versions v ON v.document_id = d.id")
    assert set(before) <= set(after)  # nothing archived before is lost


# -- a lost archive writer --------------------------------------------------------------------------

def test_a_worker_whose_writer_dies_exits_1(redis_url, tmp_path):
    portal = build_portal()
    portal.delay = {"/xxgk/zfxxgknb/2": 0.5, "/art/": 0.5}  # still crawling when the writer dies
    portal.start()
    db = tmp_path / "archive.db"
    timeout = ["-s", "OGI_WORKER_TIMEOUT=2", "-s", f"REDIS_URL={redis_url}"]
    writer = subprocess.Popen([sys.executable, "-m", "ogi", "crawl", "--writer", "--db", str(db), *timeout],
                              cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    worker = subprocess.Popen([sys.executable, "-m", "ogi", "crawl", portal.url + "/", *FAST, *timeout],
                              cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: any(p.startswith("/art/") for p, _ in portal.log), "the worker's first reports", worker)
        writer.kill()  # the writer we started, without a chance to close the run
        writer.wait(30)
        out, err = worker.communicate(timeout=90)
    finally:
        stop(worker), stop(writer)
        portal.stop()
    assert worker.returncode == 1, (out, err[-3000:])
    assert "the archive writer of run" in err and "Traceback" not in err
    checked = status(db)
    assert checked.returncode == 1 and "did not finish" in checked.stdout


# -- a JOBDIR left by a killed crawl ----------------------------------------------------------------

def test_a_jobdir_left_by_a_killed_crawl_is_refused_with_exit_2(tmp_path):
    portal = build_portal()
    portal.delay = {"/xxgk/zfxxgknb/2": 0.4, "/art/": 0.4}
    portal.start()
    db, job = tmp_path / "archive.db", tmp_path / "job"
    proc = subprocess.Popen([sys.executable, "-m", "ogi", "crawl", portal.url + "/", "--db", str(db), *FAST,
                             "-s", f"JOBDIR={job}"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(p.startswith("/art/") for p, _ in portal.log), "the crawl's first reports", proc)
        proc.kill()  # SIGKILL: Scrapy saves no state
        proc.wait(30)
        resumed = crawl(db, portal.url + "/", check=False, extra=["-s", f"JOBDIR={job}"])
    finally:
        stop(proc)
        portal.stop()
    assert resumed.returncode == 2
    assert resumed.stderr.strip().count("\n") == 0 and "did not stop cleanly" in resumed.stderr, resumed.stderr
    assert status(db).returncode == 1  # the killed run is on record as unfinished


def test_jobdir_states(tmp_path):
    jobdir.check(None)
    jobdir.check(tmp_path / "new")  # does not exist yet: a fresh crawl
    job = tmp_path / "job"
    job.mkdir()
    jobdir.check(job)  # empty
    (job / "requests.seen").write_text("ab12\n")
    with pytest.raises(jobdir.JobdirUnusable, match="no usable state"):
        jobdir.check(job)
    jobdir.mark(job, "stopped", "shutdown")
    with pytest.raises(jobdir.JobdirUnusable, match="lost its spider.state"):
        jobdir.check(job)
    (job / "spider.state").write_bytes(b"")
    jobdir.check(job)  # a clean stop: resumable
    jobdir.mark(job, "finished", "finished")
    with pytest.raises(jobdir.JobdirUnusable, match="finished"):
        jobdir.check(job)


# -- the run's close: a health report or summary the archive refuses ---------------------------------

class RefusingArchive(Archive):
    def record_health(self, rows):
        from archive.errors import ArchiveError

        raise ArchiveError("archive write failed: database or disk is full")


def test_a_health_report_not_stored_is_a_fault(tmp_path):
    local = LocalArchive(RefusingArchive(tmp_path / "a.db"), Ledger())
    local.open_run([SourceInfo("s1")])
    local.ledger.count("s1", "pages")
    result = local.close_run("finished")
    assert result.summary["faults"] == {"health_not_stored": 1}
    run = {"id": local.run_id, "finished_at": "2024-01-01T00:00:00Z", "summary": result.summary}
    problems = health.problems(run, [])
    assert any("lost data: 1 health report not stored" in p for p in problems)
    assert any("has no health report" in p for p in problems)


def test_exit_status_counts_faults():
    from ogi.commands.crawl import exit_status

    summary = {"finish_reason": "finished", "sources": {"s": {"ok": 3}}, "faults": {}}
    assert exit_status(summary) == 0
    assert exit_status({**summary, "faults": {"not_stored": 2}}) == 1


# -- a distributed worker's archive seam: Redis or the writer lost -----------------------------------

class _Run:
    name = "r1"

    def __init__(self, *, redis_up: bool = True, writer_up: bool = True):
        self.redis_up, self.writer_up, self.pushed = redis_up, writer_up, []

    def push_record(self, payload: bytes) -> bool:
        if not self.redis_up:
            import redis

            raise redis.ConnectionError("Connection refused")
        self.pushed.append(payload)
        return True

    def acked(self, worker: str) -> bool:
        return False  # no writer ever read the goodbye

    def writer_alive(self) -> bool:
        return self.writer_up


def test_a_worker_that_loses_redis_or_its_writer_counts_it():
    from crawler.sender import RedisSender
    from ogi.commands.crawl import exit_status

    lost_redis = RedisSender(_Run(redis_up=False), "w1", Ledger())
    lost_redis.open_run([SourceInfo("s1")])
    summary = lost_redis.close_run("finished").summary
    assert summary["faults"] == {"redis_lost": 1} and exit_status(summary) == 1
    lost_writer = RedisSender(_Run(writer_up=False), "w1", Ledger())
    lost_writer.open_run([SourceInfo("s1")])
    assert lost_writer.close_run("finished").summary["faults"] == {"writer_lost": 1}
