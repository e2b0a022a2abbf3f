"""What the crawl tests share (tests/test_crawl.py, tests/test_distributed.py): the local portal
of traps built on the demo site, the fast settings, and running `ogi crawl` in a subprocess.

The portal is the bundled demo (a TRS column whose page 2 is reachable only through a JavaScript
pager and is GBK, a GBK report with no charset anywhere, a Hanweb column with datastore records)
plus a column of traps: a robots.txt-disallowed report, a report answering 500 before 200, a dead
link, a moved report (301), a per-year sub-column whose links name only the agency.
"""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from fixtures.portals.server import Portal

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "site"
# The local portals live on loopback, which a crawl refuses unless told (crawler/scope.py).
LOOPBACK = ["-s", "OGI_ALLOW_PRIVATE_HOSTS=True"]
QUICK = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=2",
         "-s", "DOWNLOAD_TIMEOUT=10"]
FAST = [*QUICK, *LOOPBACK]

TRS = "/xxgk/zfxxgknb/"
COMMERCE = TRS + "202301/t20230130_998.html"  # corrected in crawl 2 (行政许可 234 → 243)
OFFICE_2022 = TRS + "202301/t20230131_1001.html"  # taken off the listing in crawl 2
OFFICE_2021_GBK = TRS + "202202/t20220128_873.html"  # only on GBK page 2; visit counter moves
FINANCE = "/art/2023/2/10/art_1229011_5001.html"
EDUCATION = "/art/2023/2/14/art_1229011_5003.html"
ADDED = "/art/2023/3/1/art_1229011_5090.html"
NOTICE = TRS + "202302/t20230215_1040.html"  # "详见附件": the report is its PDF
PDF = TRS + "202302/P020230215390412788203.pdf"

TRAPS = "/xxgk/xzjdnb/"
PRIVATE = "/private/202302/t20230201_2001.html"
FLAKY = TRAPS + "202302/t20230202_2002.html"
DEAD = TRAPS + "202302/t20230203_2003.html"
MOVED_FROM, MOVED_TO = TRAPS + "old/t20230204_2004.html", TRAPS + "202302/t20230204_2004.html"
YEAR_COLUMN = TRAPS + "2022nd/"  # a "2022年度" sub-column whose links name only the agency
BY_AGENCY = YEAR_COLUMN + "202302/t20230206_2006.html"
DISTRACTORS = ["/xxgk/gzyd/202303/t20230310_1101.html", "/xxgk/bmys/", "/qynb/", "/xxgk/gkzn/", "/admin/"]


def traps_column() -> bytes:
    items = [(PRIVATE, "漯河市源汇区2022年政府信息公开工作年度报告"),
             (FLAKY, "漯河市郾城区2022年政府信息公开工作年度报告"),
             (DEAD, "漯河市召陵区2022年政府信息公开工作年度报告"),
             (MOVED_FROM, "舞阳县2022年政府信息公开工作年度报告")]
    lis = "\n".join(f'<li><a href="{u}" title="{t}">{t}</a><span>2023-02-0{i}</span></li>'
                    for i, (u, t) in enumerate(items, 1))
    lis += f'\n<li><a href="{YEAR_COLUMN}">2022年度</a></li>'
    return (f'<html><head><meta charset="utf-8"><title>乡镇街道年报</title></head><body>'
            f'<div class="position"><a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a></div>'
            f'<ul class="list">{lis}</ul></body></html>').encode()


def build_portal() -> Portal:
    portal = Portal()
    portal.load_tree(DEMO)
    portal.pages["/robots.txt"] = b"User-agent: *\nDisallow: /admin/\nDisallow: /private/\n"
    column = '<li><a href="/col/col1229011/index.html">部门年报</a></li>'
    portal.edit("/xxgk/index.html", column, column + f'\n<li><a href="{TRAPS}">乡镇街道年报</a></li>')
    portal.pages[TRAPS + "index.html"] = traps_column()
    portal.pages[YEAR_COLUMN + "index.html"] = (
        '<html><head><meta charset="utf-8"><title>2022年度</title></head><body><ul>'
        f'<li><a href="./{BY_AGENCY.removeprefix(YEAR_COLUMN)}">顺河街道办事处</a><span>2023-02-06</span></li>'
        '<li><a href="/xxgk/">政府信息公开</a></li></ul></body></html>').encode()
    report = portal.pages[FINANCE]
    for path in (PRIVATE, FLAKY, MOVED_TO, BY_AGENCY):
        portal.pages[path] = report
    portal.failures[FLAKY] = 1
    portal.redirects[MOVED_FROM] = MOVED_TO
    return portal


def crawl(db: Path, *urls: str, extra=(), check=True, fast=FAST, timeout: float = 120,
          **popen) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ogi", "crawl", *urls, "--db", str(db), *fast, *extra]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=db.parent, **popen)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(db: Path, sql: str, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def latest_summary(db: Path) -> dict:
    return json.loads(rows(db, "SELECT summary FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process we started, then kill it if it does not go."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- saved pages (city-scrapers style: bytes + URL + content type, tests/fixtures/portals/cms/) ---

CMS = Path(__file__).parent / "fixtures" / "portals" / "cms"
CMS_INDEX = json.loads((CMS / "index.json").read_text(encoding="utf-8"))


def saved_response(name: str):
    """A saved listing or report page as the Scrapy response it was (bytes, URL, content type)."""
    from scrapy.http import HtmlResponse, XmlResponse

    meta = CMS_INDEX[name]
    cls = XmlResponse if "xml" in meta["content_type"] else HtmlResponse
    return cls(url=meta["url"], body=(CMS / name).read_bytes(), headers={"Content-Type": meta["content_type"]})


def demo_response(path: str, url: str | None = None):
    """A page of the bundled demo portal (demo/site) as a response from http://127.0.0.1:8000."""
    from scrapy.http import HtmlResponse

    return HtmlResponse(url=url or f"http://127.0.0.1:8000{path}", body=(DEMO / path.lstrip("/")).read_bytes(),
                        headers={"Content-Type": "text/html"})


# -- real listing pages saved from real portals (tests/fixtures/portals/real/, provenance in its README)

REAL = Path(__file__).parent / "fixtures" / "portals" / "real"
REAL_INDEX = json.loads((REAL / "index.json").read_text(encoding="utf-8"))


def real_response(name: str):
    """A real saved page as the Scrapy response it was."""
    from scrapy.http import HtmlResponse

    meta = REAL_INDEX[name]
    return HtmlResponse(meta["url"], body=(REAL / name).read_bytes(), headers={"Content-Type": meta["content_type"]})
