"""extract.isolation: extraction in worker processes under a deadline and a memory limit, with
every document answered exactly once, and workers that never outlive or hold up their parent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from extract import MemoryLimit, TimeLimit, Unreadable, extract_report
from extract.isolation import BoundedExtractor

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "demo" / "site" / "art" / "2023" / "2" / "10" / "art_1229011_5001.html"


# Tasks for the workers: top-level functions, pickled by reference.

def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def greedy(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def raising() -> None:
    raise ValueError("broken task")


def span(seconds: float) -> tuple[float, float]:
    started = time.time()
    time.sleep(seconds)
    return started, time.time()


def pid() -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def pool():
    with BoundedExtractor(workers=2, timeout=3, memory_mb=512) as pool:
        yield pool


def test_a_report_reads_the_same_as_in_process(pool):
    body = REPORT.read_bytes()
    outcome = pool.submit(body, "http://127.0.0.1/a.html", "text/html").result(timeout=60)
    direct = extract_report(body, "http://127.0.0.1/a.html", "text/html")
    assert outcome.to_dict(with_text=True) == direct.to_dict(with_text=True)
    assert pool.cpu_seconds > 0  # the workers' CPU time is accounted (benchmarks, summaries)


def test_extract_errors_come_back_as_outcomes(pool):
    outcome = pool.submit(b"<html><body>nothing to see</body></html>", "http://x/a.html", "text/html").result(60)
    assert outcome.status == "not_a_report"
    assert isinstance(pool.submit_call(raising).result(60), Unreadable)


def test_a_document_over_the_deadline_is_a_time_limit_and_the_next_one_runs(pool):
    before = pool.submit_call(pid).result(60)
    started = time.monotonic()
    outcome = pool.submit_call(slow, 60).result(60)
    assert isinstance(outcome, TimeLimit) and outcome.status == "time_limit"
    assert "longer than 3 s" in outcome.reason and "\n" not in outcome.reason
    assert time.monotonic() - started < 30
    assert pool.submit_call(slow, 0).result(60) == "done"
    assert before > 0


def test_a_document_over_the_memory_limit_is_a_memory_limit(pool):
    outcome = pool.submit_call(greedy, 1024).result(60)
    assert isinstance(outcome, MemoryLimit) and outcome.status == "memory_limit"
    assert pool.submit_call(greedy, 16).result(60) == 16 * 1024 * 1024


def test_a_worker_that_dies_is_replaced_and_the_document_recorded(pool):
    outcome = pool.submit_call(crash).result(60)
    assert isinstance(outcome, Unreadable) and "worker died (killed by SIGKILL)" in outcome.reason
    assert pool.submit_call(slow, 0).result(60) == "done"


def test_map_unordered_answers_every_task_once(pool):
    tasks = [(i, f"<html><title>page {i}</title></html>".encode(), f"http://x/{i}.html", "text/html")
             for i in range(9)]
    answers = dict(pool.map_unordered(tasks, window=3))
    assert sorted(answers) == list(range(9))
    assert all(a.status == "not_a_report" for a in answers.values())


def test_workers_run_in_parallel(pool):
    spans = [f.result(60) for f in [pool.submit_call(span, 1.0) for _ in range(2)]]
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a  # the two documents were read at the same time


# A crawl-like parent: takes the crawl lock, starts a pool, has a document running, says so.
PARENT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from crawler.runlock import run_lock
    from extract.isolation import BoundedExtractor
    import test_isolation
    with run_lock(sys.argv[1]):
        pool = BoundedExtractor(workers=2, timeout=600)
        pids = [pool.submit_call(test_isolation.pid).result(60) for _ in range(4)]
        pool.submit_call(test_isolation.slow, 600)
        pool.submit_call(test_isolation.slow, 600)
        time.sleep(0.5)
        print(" ".join(map(str, sorted(set(pids)))), flush=True)
        time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) holds nothing.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_after_a_sigkill_of_the_parent_no_worker_holds_the_lock(tmp_path):
    from crawler.errors import LockHeld
    from crawler.runlock import run_lock

    db = tmp_path / "archive.db"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(db), str(Path(__file__).parent)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert workers and parent.pid not in workers
        with pytest.raises(LockHeld):
            with run_lock(db):
                pass
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        with run_lock(db):  # at once: the workers never had the lock's descriptor
            pass
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in workers):  # and they do not extract on as orphans
            assert time.monotonic() < deadline, "extraction workers outlived their parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
