"""Distributed crawl (crawler.distributed, crawler.worker, crawler.sender, crawler.writer) with a real local
redis-server: two workers and one archive writer crawl the local portal of test_crawl (demo site
plus traps: robots.txt, a 500 before 200, a dead link, a redirect), two nights in a row, next to a
single-machine crawl of the same portal; the archives must come out the same.

The portal holds every request until both workers have joined the run (one holds the start page,
the other polls the queue), so neither can finish the crawl alone, and answers slowly enough
that the shared queue is really shared. Every process and
the redis-server are stopped at the end, whatever happens.
"""
from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawl_support import ADDED, COMMERCE, EDUCATION, FAST, FLAKY, OFFICE_2022, ROOT, TRS, build_portal, stop

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (scripts/install-system.sh installs it)")

# `scrapy crawl` run outside the repository (no scrapy.cfg there), so that nothing it might write
# would go unnoticed among the repository's files.
SCRAPY = (str(Path(sys.executable).with_name("scrapy")),)
SCRAPY_ENV = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
              "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
WORKER = [*FAST, "-s", "CONCURRENT_REQUESTS=2", "-s", "OGI_WORKER_POLL=0.1"]
ROBOTS = "/robots.txt"  # each worker reads it once: the only request a single crawl makes fewer times


# -- processes (redis-server: the `redis_url` fixture of conftest.py) ----------------------------

@contextmanager
def processes():
    """Popen()s started inside the block are killed when it ends, however it ends."""
    started: list[subprocess.Popen] = []

    def start(*args: str, cwd: Path, command=(sys.executable, "-m", "ogi"), env=None) -> subprocess.Popen:
        proc = subprocess.Popen([*command, *args], cwd=cwd, text=True, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            stop(proc)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# -- the portal --------------------------------------------------------------------------------

def gated_portal():
    """test_crawl's portal, whose requests wait at `portal.gate` (those under `portal.hold`, or
    all while it is None); `portal.arrived` lists the paths that reached it."""
    portal = build_portal()
    portal.gate = threading.Event()
    portal.gate.set()
    portal.hold = None
    portal.arrived = []
    answer = portal._answer

    def gated(handler):
        if portal.hold is None or handler.path.startswith(portal.hold):
            portal.arrived.append(handler.path)
            portal.gate.wait(30)
        answer(handler)

    portal._answer = gated
    return portal


def second_night(portal) -> None:
    """What test_crawl's second crawl sees: a correction, a report off its listing, a new one."""
    portal.edit(COMMERCE, ">234</td>", ">243</td>")
    portal.edit(TRS + "index.html", OFFICE_2022.removeprefix(TRS), "202301/t20230131_1001_gone.html")
    portal.pages[ADDED] = portal.pages[EDUCATION].replace("教育局".encode(), "卫生健康委员会".encode())
    record = ('<record><![CDATA[\n<li><a href="%s" title="漯河市卫生健康委员会2022年政府信息公开工作年度报告">'
              '漯河市卫生健康委员会2022年政府信息公开工作年度报告</a><span>2023-03-01</span></li>]]></record>\n' % ADDED)
    portal.edit("/col/col1229011/index.html", "<recordset>\n", "<recordset>\n" + record)


def requests_by_path(portal) -> collections.Counter:
    return collections.Counter(path for path, _ in portal.log)


# -- crawls ------------------------------------------------------------------------------------

def single_crawl(db: Path, portal) -> None:
    result = subprocess.run([sys.executable, "-m", "ogi", "crawl", portal.url + "/", "--db", str(db), *FAST],
                            capture_output=True, text=True, timeout=120, cwd=db.parent)
    assert result.returncode == 0, result.stderr[-3000:]


def distributed_crawl(db: Path, portal, redis_url: str, workdir: Path, *, workers: int = 2) -> dict:
    """A writer and `workers` workers; the portal holds requests until every worker joined."""
    client = redis_client(redis_url)
    portal.gate.clear()
    with processes() as start:
        writer = start("crawl", "--writer", "--db", str(db), "-s", f"REDIS_URL={redis_url}", cwd=db.parent)
        # `ogi crawl` and plain `scrapy crawl` (the spider without the CLI) both make workers.
        crew = [start("crawl", portal.url + "/", *WORKER, "-s", f"REDIS_URL={redis_url}", cwd=workdir)]
        crew += [start("crawl", "reports", "-a", f"start_urls={portal.url}/", *WORKER, "-s", f"REDIS_URL={redis_url}",
                       "-s", "LOG_LEVEL=WARNING", cwd=workdir, command=SCRAPY, env=SCRAPY_ENV)
                 for _ in range(workers - 1)]

        def joined() -> bool:
            for proc in (writer, *crew):
                assert proc.poll() is None, proc.communicate()[1][-3000:]
            name = client.get("ogi:current")
            states = client.hvals(f"ogi:run:{name.decode()}:workers") if name else []
            # One holds the start page (busy), the others found it taken and poll (idle).
            return len(states) == workers and states.count(b"idle") == workers - 1

        wait_for(joined, "the workers to join")
        run = client.get("ogi:current").decode()
        portal.gate.set()
        outcomes = [finish(proc) for proc in crew]
        written = finish(writer)
    for code, _out, err in outcomes:
        assert code == 0, err[-3000:]
    assert written[0] == 0, written[2][-3000:]
    return {"run": run, "workers": [out for _, out, _ in outcomes], "writer": written[1]}


@pytest.fixture(scope="module")
def nights(redis_url, tmp_path_factory):
    """Two nights, each crawled by one machine and by two workers + a writer, into two archives."""
    tmp = tmp_path_factory.mktemp("distributed")
    workdir = tmp / "worker"
    workdir.mkdir()
    single, dist = tmp / "single.db", tmp / "dist.db"
    portal = gated_portal().start()
    portal.delay = {"/": 0.1}  # every page: the two workers' requests overlap
    out = {"single": single, "dist": dist, "portal": portal, "workdir": workdir, "redis": redis_url}
    try:
        for night in (1, 2):
            if night == 2:
                second_night(portal)
            portal.log.clear()
            portal.failures[FLAKY] = 1  # both crawls meet the page that fails once
            single_crawl(single, portal)
            out[f"single_log{night}"] = requests_by_path(portal)
            portal.log.clear()
            portal.failures[FLAKY] = 1
            started = time.monotonic()
            out[f"dist{night}"] = distributed_crawl(dist, portal, redis_url, workdir)
            out[f"dist_seconds{night}"] = time.monotonic() - started
            out[f"dist_log{night}"] = requests_by_path(portal)
            shutil.copy(single, tmp / f"single{night}.db")
            shutil.copy(dist, tmp / f"dist{night}.db")
            out[f"single{night}"], out[f"dist{night}_db"] = tmp / f"single{night}.db", tmp / f"dist{night}.db"
        yield out
    finally:
        portal.stop()


# -- what an archive holds, independent of the portal's port and of row ids ----------------------

def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def contents(db: Path, base: str) -> dict:
    def norm(value):
        return value.replace(base, "") if isinstance(value, str) else value

    def table(sql: str) -> collections.Counter:
        return collections.Counter(tuple(norm(v) for v in row) for row in rows(db, sql))

    return {
        "documents": table("SELECT url, agency, region, year, title, source, parent_url,"
                           " removed_at IS NOT NULL, removed_reason FROM documents"),
        "versions": table("SELECT d.url, v.content_sha256, v.raw_sha256, v.format, v.published,"
                          " v.extractor_version FROM versions v JOIN documents d ON d.id = v.document_id"),
        "figures": table("SELECT d.url, v.content_sha256, f.table_name, f.row_key, f.col_key, f.value"
                         " FROM figures f JOIN versions v ON v.id = f.version_id"
                         " JOIN documents d ON d.id = v.document_id"),
        "checks": table("SELECT d.url, v.content_sha256, c.rule, c.ok, c.detail FROM checks c"
                        " JOIN versions v ON v.id = c.version_id JOIN documents d ON d.id = v.document_id"),
        "events": table("SELECT d.url, e.kind FROM events e JOIN documents d ON d.id = e.document_id"),
        "failures": table("SELECT url, status FROM failures"),
        "fetches": table(f"SELECT url, status, etag, sha256, bytes, error FROM fetches WHERE url NOT LIKE '%{ROBOTS}'"),
        "raw_blobs": table("SELECT sha256 FROM raw_blobs"),
    }


def latest_totals(db: Path) -> dict:
    import json

    return json.loads(rows(db, "SELECT summary FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0])["totals"]


def same_archive(nights, night: int) -> None:
    base = nights["portal"].url
    single, dist = contents(nights[f"single{night}"], base), contents(nights[f"dist{night}_db"], base)
    assert single["documents"], "the single-machine crawl archived nothing"
    for name in single:
        assert dist[name] == single[name], f"{name} differ after night {night}"
    assert latest_totals(nights[f"dist{night}_db"]) == latest_totals(nights[f"single{night}"])


# -- tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("night", [1, 2])
def test_the_archive_is_the_one_a_single_machine_crawl_makes(nights, night):
    same_archive(nights, night)


def test_second_night_changes_reach_the_archive_through_the_writer(nights):
    totals = latest_totals(nights["dist2_db"])
    assert (totals["new"], totals["changed"], totals["removed"]) == (1, 1, 1)
    base = nights["portal"].url
    assert rows(nights["dist2_db"], "SELECT removed_reason FROM documents WHERE url = ?",
                base + OFFICE_2022) == [("no longer listed",)]


def test_every_page_is_fetched_once_across_the_workers(nights):
    for night in (1, 2):
        single, dist = nights[f"single_log{night}"], nights[f"dist_log{night}"]
        assert dist[ROBOTS] == 2  # one per worker: robots.txt does not go through the queue
        del single[ROBOTS], dist[ROBOTS]
        assert dist == single, f"night {night}: the workers' requests differ from one machine's"
        assert max(single.values()) <= 2  # only the page that answers 500 first is asked twice


def test_both_workers_took_from_the_shared_queue(nights):
    for night in (1, 2):
        pages = [int(re.search(r"; (\d+) pages", out).group(1)) for out in nights[f"dist{night}"]["workers"]]
        assert all(n > 0 for n in pages), pages
        assert sum(pages) == latest_totals(nights[f"dist{night}_db"])["pages"]


def test_unchanged_reports_are_asked_conditionally_by_workers(nights):
    base = nights["portal"].url
    statuses = rows(nights["dist2_db"], "SELECT f.status FROM fetches f WHERE f.url = ? AND f.run_id ="
                    " (SELECT max(id) FROM crawl_runs)", base + EDUCATION)
    assert statuses == [(304,)]


def test_workers_write_no_archive_and_the_run_leaves_no_keys(nights):
    assert not list(nights["workdir"].iterdir())  # no archive.db, no lock file where workers ran
    client = redis_client(nights["redis"])
    assert client.get("ogi:current") is None
    assert not list(client.scan_iter(match="ogi:run:*"))


def test_writer_prints_the_run_summary(nights):
    out = nights["dist1"]["writer"]
    assert "crawl run" in out and "finished" in out and nights["portal"].url in out


def test_a_worker_without_a_writer_is_one_line(redis_url, tmp_path):
    result = subprocess.run([sys.executable, "-m", "ogi", "crawl", "http://127.0.0.1:9/", "-s", f"REDIS_URL={redis_url}",
                             "-s", "OGI_WRITER_WAIT=0"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("ogi crawl: no archive writer") and len(result.stderr.splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_a_dead_worker_loses_its_requests_but_never_causes_removals(nights, tmp_path):
    """A worker killed while it holds the report column's page: the run still ends (the other
    worker stops waiting for it once its heartbeat expired), as not finished, and the reports of
    that column, not seen this time, are not marked removed."""
    import json

    portal, redis_url = nights["portal"], nights["redis"]
    db = tmp_path / "a.db"
    shutil.copy(nights["single2"], db)
    removed = "SELECT url FROM documents WHERE removed_at IS NOT NULL ORDER BY url"
    before = rows(db, removed)
    client = redis_client(redis_url)
    timeout = ["-s", "OGI_WORKER_TIMEOUT=2"]
    portal.gate.clear()
    portal.hold, portal.arrived = TRS, []
    try:
        with processes() as start:
            writer = start("crawl", "--writer", "--db", str(db), "-s", f"REDIS_URL={redis_url}", *timeout,
                           cwd=tmp_path)
            doomed = start("crawl", portal.url + "/", *WORKER, "-s", f"REDIS_URL={redis_url}", *timeout,
                           cwd=tmp_path)
            wait_for(lambda: client.get("ogi:current") is not None, "the writer")
            keys = f"ogi:run:{client.get('ogi:current').decode()}"
            # It has fetched pages (and said so at a heartbeat) and waits for the report column.
            wait_for(lambda: portal.arrived and any(
                sum(t["pages"] for t in json.loads(raw)["tallies"].values()) for raw in client.hvals(f"{keys}:ledgers")),
                "the worker to reach the report column")
            # The other worker joins first (its requests for the column wait at the gate too),
            # so the writer knows it is still expected when the doomed one's heartbeat expires.
            survivor = start("crawl", portal.url + "/", *WORKER, "-s", f"REDIS_URL={redis_url}", *timeout,
                             cwd=tmp_path)
            wait_for(lambda: len(client.hkeys(f"{keys}:workers")) == 2, "the second worker to join")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)
            portal.gate.set()
            code, out, err = finish(survivor)
            assert code == 0, err[-3000:]
            code, out, err = finish(writer)
    finally:
        portal.hold = None
        portal.gate.set()
    assert code == 1, err[-3000:]  # the run did not finish
    run = rows(db, "SELECT id, summary FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert '"finish_reason": "worker lost"' in run[1] and "was lost" in run[1]
    fetched = {url for url, in rows(db, "SELECT url FROM fetches WHERE run_id = ?", run[0])}
    unseen = {url for url, in rows(db, "SELECT url FROM documents WHERE removed_at IS NULL")} - fetched
    assert any(portal.url + TRS in url for url in unseen)  # the column's reports were never reached
    assert rows(db, removed) == before  # ... and not taken for removed
    assert not list(client.scan_iter(match=f"{keys}:*"))
