"""A crawl and `ogi reextract` at the same time over a two-night local portal (issue 18, item 1),
shared by tests/test_crawl_with_reextract.py (3 rounds) and bench/concurrency.py (10 rounds).

Night 1: the crawl_support portal plus a column of EXTRA generated reports, crawled by an older
copy of the extractor (its template misses one row), so `ogi reextract` has every report to
re-read. Night 2: one report corrected, one new, REMOVED reports taken off their listings, the
rest unchanged (304s and a visit counter); `ogi crawl` runs while `ogi reextract` runs again and
again on the same archive until the crawl is over. A round passes when both exit 0, nothing is
dropped, no version is duplicated, every removal is detected and every report ends read by the
current extractor.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from crawl_support import ADDED, COMMERCE, EDUCATION, FAST, OFFICE_2022, ROOT, TRS, build_portal

EXTRA = 20  # generated reports in a column of their own
REMOVED = 4  # of them taken off the listing on night 2
EXTRA_COLUMN = "/xxgk/bmnb/"
MISSED_ROW = '"unable_unclear"'  # the row the older extractor does not know


def older_extractor(tmp: Path) -> Path:
    """A copy of extract/ whose template lacks one row: another release, another fingerprint."""
    target = tmp / "older" / "extract"
    shutil.copytree(ROOT / "extract", target, ignore=shutil.ignore_patterns("__pycache__"))
    template = target / "template.py"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if MISSED_ROW not in line]
    assert len(kept) == len(lines) - 1
    template.write_text("".join(kept), encoding="utf-8")
    return target.parent


def extra_path(n: int) -> str:
    return f"{EXTRA_COLUMN}202303/t20230305_{3000 + n}.html"


def _extra_column(numbers) -> bytes:
    items = "".join(f'<li><a href="{extra_path(n)}">漯河市第{n}部门2022年政府信息公开工作年度报告</a></li>'
                    for n in numbers)
    return (f'<html><head><meta charset="utf-8"><title>部门年报</title></head><body>'
            f'<ul class="list">{items}</ul></body></html>').encode()


@dataclass
class Scenario:
    tmp: Path
    portal: object
    night1: Path
    expected: set[str] = field(default_factory=set)  # every report URL the archive must hold
    removed: set[str] = field(default_factory=set)  # those night 2 must mark removed
    changed: str = ""


def prepare(tmp: Path) -> Scenario:
    """Start the portal, crawl night 1 with the older extractor, then make night 2's changes."""
    portal = build_portal()
    column = '<li><a href="/col/col1229011/index.html">部门年报</a></li>'
    portal.edit("/xxgk/index.html", column, column + f'\n<li><a href="{EXTRA_COLUMN}">部门年报</a></li>')
    body = portal.pages[EDUCATION]
    for n in range(EXTRA):
        portal.pages[extra_path(n)] = body.replace("教育局".encode(), f"第{n}部门".encode())
    portal.pages[EXTRA_COLUMN + "index.html"] = _extra_column(range(EXTRA))
    portal.start()
    night1 = tmp / "night1.db"
    first = run_crawl(night1, portal.url + "/", pythonpath=older_extractor(tmp))
    assert first.returncode == 0, first.stderr[-3000:]
    scenario = Scenario(tmp, portal, night1)
    scenario.expected = {u for (u,) in query(night1, "SELECT url FROM documents")}
    assert {portal.url + extra_path(n) for n in range(EXTRA)} <= scenario.expected, "night 1 missed the extra column"
    # Night 2.
    portal.edit(COMMERCE, ">234</td>", ">243</td>")
    portal.edit("/xxgk/zfxxgknb/index.html", OFFICE_2022.removeprefix(TRS), "202301/t20230131_1001_gone.html")
    portal.pages[ADDED] = portal.pages[EDUCATION].replace("教育局".encode(), "卫生健康委员会".encode())
    record = ('<record><![CDATA[\n<li><a href="%s">漯河市卫生健康委员会2022年政府信息公开工作年度报告</a>'
              '<span>2023-03-01</span></li>]]></record>\n' % ADDED)
    portal.edit("/col/col1229011/index.html", "<recordset>\n", "<recordset>\n" + record)
    portal.pages[EXTRA_COLUMN + "index.html"] = _extra_column(range(REMOVED, EXTRA))
    scenario.removed = {portal.url + OFFICE_2022} | {portal.url + extra_path(n) for n in range(REMOVED)}
    scenario.expected |= {portal.url + ADDED}
    scenario.changed = portal.url + COMMERCE
    return scenario


def run_crawl(db: Path, url: str, pythonpath: Path | None = None, wait: bool = True):
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "ogi", "crawl", url, "--db", str(db), *FAST]
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=db.parent, env=env)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=db.parent, env=env)


def query(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def one_round(scenario: Scenario, name: str) -> dict:
    """Night 2 on a copy of night 1: `ogi crawl` with `ogi reextract` looping beside it."""
    db = scenario.tmp / f"{name}.db"
    shutil.copy(scenario.night1, db)
    started = time.monotonic()
    crawl = run_crawl(db, scenario.portal.url + "/", wait=False)
    reextracts = []
    while True:
        crawling = crawl.poll() is None
        done = subprocess.run([sys.executable, "-m", "ogi", "reextract", "--db", str(db), "--workers", "1"],
                              capture_output=True, text=True, timeout=300, cwd=db.parent)
        reextracts.append((done.returncode, done.stdout.strip().splitlines()[:1], done.stderr[-500:]))
        if not crawling:
            break
    out, err = crawl.communicate(timeout=300)
    return {"db": db, "crawl": (crawl.returncode, out, err), "reextracts": reextracts,
            "seconds": time.monotonic() - started}


def problems(scenario: Scenario, result: dict) -> list[str]:
    """What went wrong in a round (empty: it passed)."""
    import extract

    db, out = result["db"], []
    code, stdout, stderr = result["crawl"]
    if code != 0:
        out.append(f"crawl exited {code}: {stderr[-500:]}")
    out += [f"reextract exited {c}: {e}" for c, _, e in result["reextracts"] if c != 0]
    held = {u for (u,) in query(db, "SELECT url FROM documents")}
    if missing := scenario.expected - held:
        out.append(f"dropped: {sorted(missing)}")
    if no_version := query(db, "SELECT url FROM documents d WHERE NOT EXISTS "
                               "(SELECT 1 FROM versions v WHERE v.document_id = d.id)"):
        out.append(f"documents without a version: {no_version}")
    duplicates = query(db, "SELECT document_id FROM (SELECT document_id, content_sha256, LAG(content_sha256) "
                           "OVER (PARTITION BY document_id ORDER BY id) AS previous FROM versions) "
                           "WHERE content_sha256 = previous")
    if duplicates:
        out.append(f"duplicate consecutive versions: {duplicates}")
    several = {u: n for u, n in query(db, "SELECT d.url, COUNT(*) FROM versions v JOIN documents d "
                                          "ON d.id = v.document_id GROUP BY d.url HAVING COUNT(*) > 1")}
    if several != {scenario.changed: 2}:
        out.append(f"versions: {several}, expected only {scenario.changed} twice")
    removed = {u for (u,) in query(db, "SELECT url FROM documents WHERE removed_at IS NOT NULL")}
    if removed != scenario.removed:
        out.append(f"removals: missed {sorted(scenario.removed - removed)}, wrong {sorted(removed - scenario.removed)}")
    stale = query(db, "SELECT source_url FROM latest_versions WHERE extractor_version != ?", extract.EXTRACTOR_VERSION)
    if stale:
        out.append(f"{len(stale)} latest version(s) not read by the current extractor")
    summary = query(db, "SELECT summary FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0] or ""
    if '"faults": {}' not in summary:
        out.append(f"faults in the summary: {summary[:300]}")
    if query(db, "PRAGMA integrity_check") != [("ok",)]:
        out.append("integrity_check failed")
    return out
