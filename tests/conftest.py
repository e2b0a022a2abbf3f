"""Fixtures several test modules share. Helpers that are not fixtures live in support modules
beside this file (crawl_support.py, attachment_fixtures.py, report_factory.py); test modules
never import each other."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from crawl_support import free_port, stop


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server on loopback for the module's tests (skips without redis-server)."""
    server_bin = shutil.which("redis-server")
    if server_bin is None:
        pytest.skip("redis-server is not installed (scripts/install-system.sh installs it)")
    import redis

    tmp = tmp_path_factory.mktemp("redis")
    port = free_port()
    server = subprocess.Popen([server_bin, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        deadline = time.time() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None and time.time() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)
