"""Politeness (crawler/politeness.py) and redirect traces (crawler/middlewares.py), on one crawl
of two local portals:

- `open`: robots.txt answers 403 (no rules: everything allowed, RFC 9309); a report answers 503
  with `Retry-After: 1` once (waited for, then fetched); one answers 429 with `Retry-After: 3600`
  (over the cap: not retried); a redirect loop and a chain too long (both recorded in `fetches`);
- `closed`: robots.txt answers 503 every time (complete disallow for the run: no page fetched,
  each refusal in `fetches` with the reason, the source noted and incomplete).
"""
from __future__ import annotations

import pytest

from crawl_support import DEMO, crawl, latest_summary, rows
from crawler.politeness import retry_after
from fixtures.portals.server import Portal

REPORT = (DEMO / "art/2023/2/10/art_1229011_5001.html").read_bytes()


def _column(links: dict[str, str]) -> bytes:
    items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in links.items())
    return f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>{items}</ul></body></html>'.encode()


@pytest.fixture(scope="module")
def polite(tmp_path_factory):
    open_ = Portal("127.0.0.1")
    open_.scripted["/robots.txt"] = [(403, {}, b"Forbidden")]
    open_.sticky.add("/robots.txt")
    for name in ("busy", "later", "good"):
        open_.pages[f"/r/{name}.html"] = REPORT.replace("财政局".encode(), f"{name}局".encode())
    open_.scripted["/r/busy.html"] = [(503, {"Retry-After": "1"}, b"busy")]
    open_.scripted["/r/later.html"] = [(429, {"Retry-After": "3600"}, b"slow down")]
    open_.redirects.update({"/r/loop-a.html": "/r/loop-b.html", "/r/loop-b.html": "/r/loop-a.html"})
    open_.redirects.update({f"/r/chain{i}.html": f"/r/chain{i + 1}.html" for i in range(6)})
    open_.pages["/index.html"] = _column({f"/r/{n}.html": f"{n}局2022年政府信息公开工作年度报告"
                                          for n in ("busy", "later", "good", "loop-a", "chain0")})
    closed = Portal("127.0.0.4")
    closed.scripted["/robots.txt"] = [(503, {}, b"down for maintenance")]
    closed.sticky.add("/robots.txt")
    closed.pages["/index.html"] = _column({"/r/good.html": "某局2022年政府信息公开工作年度报告"})
    closed.pages["/r/good.html"] = REPORT
    open_.start(), closed.start()
    try:
        db = tmp_path_factory.mktemp("polite") / "archive.db"
        result = crawl(db, open_.url + "/", closed.url + "/", check=False,
                       extra=["-s", "OGI_RETRY_AFTER_MAX=30", "-s", "REDIRECT_MAX_TIMES=3"])
        yield {"db": db, "open": open_, "closed": closed, "result": result}
    finally:
        open_.stop(), closed.stop()


def _errors(db, url: str) -> list:
    return [e for (e,) in rows(db, "SELECT error FROM fetches WHERE url = ? ORDER BY id", url)]


def test_robots_4xx_allows_everything(polite):
    docs = {u for (u,) in rows(polite["db"], "SELECT url FROM documents")}
    assert polite["open"].url + "/r/good.html" in docs


def test_robots_5xx_disallows_the_host_for_the_run(polite):
    closed, db = polite["closed"], polite["db"]
    assert {p for p, _ in closed.log} == {"/robots.txt"}  # retried, then nothing else asked
    assert _errors(db, closed.url + "/") == [
        "disallowed by robots.txt: robots.txt answered HTTP 503: complete disallow for this run (RFC 9309)"]
    source = latest_summary(db)["sources"][closed.url + "/"]
    assert source["blocked"] == 1 and source["errors"] == 1 and "HTTP 503" in source["incomplete"]
    assert "failed (no answer): " + closed.url + "/" in polite["result"].stdout  # exit 1: the source failed
    assert polite["result"].returncode == 1


def test_retry_after_is_waited_for(polite):
    times = [t for p, t in polite["open"].times if p == "/r/busy.html"]
    assert len(times) == 2 and times[1] - times[0] >= 0.9
    assert _errors(polite["db"], polite["open"].url + "/r/busy.html") == ["HTTP 503", None]
    docs = {u for (u,) in rows(polite["db"], "SELECT url FROM documents")}
    assert polite["open"].url + "/r/busy.html" in docs


def test_retry_after_over_the_cap_is_not_retried(polite):
    assert [p for p, _ in polite["open"].log].count("/r/later.html") == 1
    messages = latest_summary(polite["db"])["sources"][polite["open"].url + "/"]["messages"]
    assert any("Retry-After 3600 s, over OGI_RETRY_AFTER_MAX=30" in m for m in messages), messages


def test_redirect_loops_and_long_chains_are_recorded(polite):
    url = polite["open"].url
    loop = _errors(polite["db"], url + "/r/loop-b.html")
    assert loop[-1] == f"redirect loop: {url}/r/loop-a.html → {url}/r/loop-b.html → {url}/r/loop-a.html"
    chain = [e for (e,) in rows(polite["db"], "SELECT error FROM fetches WHERE url LIKE ? AND error IS NOT NULL",
                                url + "/r/chain%")]
    assert len(chain) == 1 and chain[0].startswith("too many redirects (4 hops, REDIRECT_MAX_TIMES=3)")
    messages = latest_summary(polite["db"])["sources"][url + "/"]["messages"]
    assert any("RedirectLoop: redirect loop" in m for m in messages)


@pytest.mark.parametrize("value, seconds", [
    (b"120", 120), ("0", 0), (b"Wed, 21 Oct 2015 07:28:00 GMT", 0), (None, None), (b"soon", None)])
def test_retry_after_values(value, seconds):
    assert retry_after(value, now=1_700_000_000) == seconds


def test_retry_after_date_in_the_future():
    assert retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now=1_700_000_000) == 60
