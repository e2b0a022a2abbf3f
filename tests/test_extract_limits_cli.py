"""`ogi extract` under limits (issue 18): a URL's download has an overall deadline (a slow drip
cannot hang it), and URLs and folders are read in worker processes under a per-document memory
limit and deadline (extract.isolation); a single local file is read in-process."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SEED = Path(__file__).parent / "fixtures" / "seed" / "luohe_swj_2022.txt"


@pytest.fixture
def drip():
    """A server that answers 200 and then one byte every 0.2 s, for a minute."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(300):
                if stop.is_set():
                    return
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.2)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report.html"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def ogi_extract(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi", "extract", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_a_slow_drip_meets_the_overall_deadline(drip):
    started = time.monotonic()
    result = ogi_extract(drip, "--fetch-timeout", "2")
    assert result.returncode == 2
    assert result.stderr.strip() == f"ogi extract: {drip}: cannot fetch: no complete answer within 2 s (--fetch-timeout)"
    assert time.monotonic() - started < 50  # far less than the drip's minute: the deadline held


@pytest.fixture(scope="module")
def big_table() -> bytes:
    """A 1.5 MB report page (one long table): fine by default, over a 100 MB address space."""
    from hostile_docs import table_page

    return table_page(1_500_000)


def test_a_url_is_read_under_the_memory_limit(httpserver, big_table):
    httpserver.expect_request("/r.html").respond_with_data(big_table, content_type="text/html")
    url = httpserver.url_for("/r.html")
    assert ogi_extract(url).returncode == 0
    limited = ogi_extract(url, "--memory-mb", "100")
    assert limited.returncode == 2 and limited.stderr.count("\n") == 1, limited.stderr


def test_a_folder_is_read_in_workers_in_order_under_the_limits(tmp_path, big_table):
    for name in ("b.html", "a.html"):
        (tmp_path / name).write_bytes(big_table)
    (tmp_path / "c.txt").write_text("not a report at all", encoding="utf-8")
    result = ogi_extract(str(tmp_path))
    names = [line.split('"path": "', 1)[1].split('"', 1)[0].rsplit("/", 1)[1] for line in result.stdout.splitlines()]
    assert names == ["a.html", "b.html", "c.txt"] and result.returncode == 3
    limited = ogi_extract(str(tmp_path), "--memory-mb", "100")
    assert limited.returncode == 3 and len(limited.stdout.splitlines()) == 3  # the worst code: c.txt
    assert limited.stdout.count('"status": "unreadable"') + limited.stdout.count('"status": "memory_limit"') == 2


def test_bad_limits_are_usage_errors():
    result = ogi_extract(str(SEED), "--fetch-timeout", "0")
    assert result.returncode == 2 and "must be more than 0" in result.stderr
