"""The dashboard in a real headless browser: `ogi serve` on a small archive, Chromium loads the
charts page, runs Vega and its fetches, and the dumped DOM must hold the chart's SVG marks."""
from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from ogi.datasette import dashboards

FIXTURES = Path(__file__).parent / "fixtures" / "datasette"
_spec = importlib.util.spec_from_file_location("fixture_archive", FIXTURES / "fixture_archive.py")
fixture_archive = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_archive)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or \
    ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="chromium not found (scripts/install-system.sh installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = fixture_archive.build(tmp_path_factory.mktemp("browser") / "archive.db")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ogi", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("ogi serve did not start: " + proc.stdout.read().decode(errors="replace"))
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def dump_dom(url: str, tmp_path: Path) -> str:
    # Virtual time lets the page's fetches and Vega's rendering finish before the DOM is dumped,
    # without a fixed sleep.
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1280,2000",
         "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode("utf-8")


def test_dashboard_charts_render_as_svg_marks(server, tmp_path):
    dom = lxml.html.fromstring(dump_dom(f"{server}/-/dashboards/{dashboards.SLUG}", tmp_path))
    years = {r["year"] for r in fixture_archive.SPEC["reports"]}
    # one bar per report year in "applications received per year"
    bars = dom.xpath("//*[@id='chart-applications']//*[local-name()='svg']"
                     "//*[local-name()='g'][contains(@class, 'mark-rect')]/*[local-name()='path']")
    assert len(bars) == len(years)
    assert all(b.get("d") for b in bars)
    # the outcome breakdown and the refusal ranking render too
    for chart in ("outcomes", "denials"):
        marks = dom.xpath(f"//*[@id='chart-{chart}']//*[local-name()='svg']"
                          "//*[local-name()='g'][contains(@class, 'mark-rect')]/*[local-name()='path']")
        assert marks, chart
    metric = dom.xpath("//*[@id='chart-reports']//p/text()")
    assert metric == [str(len(fixture_archive.SPEC["reports"]))]
