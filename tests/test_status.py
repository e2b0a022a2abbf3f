"""`ogi status`: the latest run and its health report, and an exit status a monitoring check can use.

Archives are written through the archive's own API (runs, summaries, health rows), no crawl.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import Archive
from crawler.runlock import lock_path, run_lock
from ogi.cli import main


def health_row(run_id: int, source: str, *, reachable=1, reports=2, flagged=0, reason=None,
               incomplete=None, error=None) -> dict:
    return {"run_id": run_id, "source": source, "agency": None, "region": None,
            "reachable": reachable, "pages": 3 if reachable else 0, "reports": reports, "new": 0,
            "changed": 0, "unchanged": reports, "removed": 0, "failed": 0,
            "errors": 0 if error is None else 1, "blocked": 0, "first_error": error,
            "incomplete": incomplete, "duration_s": 1.5, "flagged": flagged, "flag_reason": reason}


def add_run(db: Path, rows: list[dict] | None, *, reason: str | None = "finished") -> int:
    """A run of `rows`' sources; reason None: it never finished (killed, or still running)."""
    with Archive(db) as archive:
        sources = [r["source"] for r in rows or []]
        run_id = archive.start_run(sources)
        rows = [{**r, "run_id": run_id} for r in rows or []]
        if reason is not None:
            totals = {k: sum(r[k] for r in rows) for k in ("pages", "reports", "errors")}
            archive.finish_run(run_id, {"run_id": run_id, "finish_reason": reason, "totals": totals,
                                        "sources": {s: {} for s in sources}})
            archive.record_health(rows)
        return run_id


def status(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["status", "--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def source_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("src-")]


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "archive.db"


def test_a_healthy_run_exits_0_and_shows_every_source(db, capsys):
    add_run(db, [health_row(0, "src-b"), health_row(0, "src-a", error="dead link http://x/1 (HTTP 404)")])
    code, out, _ = status(db, capsys)
    assert code == 0
    assert "run 1 finished" in out and "status: ok" in out
    assert "sources 2: 2 answered, 0 failed, 0 flagged" in out
    lines = source_lines(out)
    assert [line.split()[0] for line in lines] == ["src-a", "src-b"]
    assert "error: dead link http://x/1 (HTTP 404)" in lines[0]
    assert all(line == line.rstrip() for line in out.splitlines())  # plain text, no padding


def test_flagged_sources_come_first_and_exit_1(db, capsys):
    add_run(db, [health_row(0, "src-a"),
                 health_row(0, "src-z", reports=0, flagged=1, reason="no reports found in the last 3 runs"),
                 health_row(0, "src-m", reachable=0, reports=0, error="listing: refused",
                            incomplete="listing failed")])
    code, out, _ = status(db, capsys)
    assert code == 1
    assert [line.split()[0] for line in source_lines(out)] == ["src-z", "src-m", "src-a"]
    assert "FLAGGED: no reports found in the last 3 runs" in source_lines(out)[0]
    assert "incomplete: listing failed" in source_lines(out)[1] and " NO " in source_lines(out)[1]
    assert "needs a look: 1 source(s) flagged: src-z" in out


def test_an_unreachable_source_alone_is_not_a_failed_run(db, capsys):
    add_run(db, [health_row(0, "src-a"), health_row(0, "src-b", reachable=0, reports=0)])
    assert status(db, capsys)[0] == 0


def test_a_run_where_no_source_answered_failed(db, capsys):
    add_run(db, [health_row(0, "src-a", reachable=0, reports=0), health_row(0, "src-b", reachable=0, reports=0)])
    code, out, _ = status(db, capsys)
    assert code == 1 and "no source answered in run 1" in out


def test_a_run_stopped_early_failed(db, capsys):
    add_run(db, [health_row(0, "src-a")], reason="shutdown")
    code, out, _ = status(db, capsys)
    assert code == 1 and "run 1 stopped early (shutdown)" in out


def test_a_killed_run_failed(db, capsys):
    add_run(db, [health_row(0, "src-a")])
    add_run(db, [health_row(0, "src-a")], reason=None)  # no finish, and nobody holds the lock
    code, out, _ = status(db, capsys)
    assert code == 1 and "run 2 did not finish (killed or crashed)" in out


def test_while_a_crawl_runs_the_last_finished_run_is_reported(db, capsys):
    add_run(db, [health_row(0, "src-a")])
    add_run(db, None, reason=None)
    with run_lock(db):
        code, out, _ = status(db, capsys)
    assert code == 0
    assert "run 2 is running" in out and "run 1 finished" in out and "src-a" in out
    # After the crawl is gone (killed: it never finished), the same archive is a failure.
    assert status(db, capsys)[0] == 1


def test_runs_lists_the_latest_runs(db, capsys):
    for _ in range(4):
        add_run(db, [health_row(0, "src-a")])
    _, out, _ = status(db, capsys, "--runs", "2")
    listed = [line.split()[0] for line in out.split("latest runs", 1)[1].splitlines()[2:] if line[:1] == " "]
    assert listed == ["4", "3"]
    _, out, _ = status(db, capsys, "--runs", "1")
    assert "latest runs" not in out


def test_status_changes_nothing(db, capsys):
    add_run(db, [health_row(0, "src-a")])
    before = dump(db)
    status(db, capsys)
    assert dump(db) == before
    assert not lock_path(db).exists()


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump()) + [str(conn.execute("PRAGMA user_version").fetchone()[0])]
    finally:
        conn.close()


def test_errors_are_one_line(tmp_path, db, capsys):
    code, _, err = status(tmp_path / "missing.db", capsys)
    assert code == 1 and err.strip().startswith("ogi status: no archive at")
    Archive(db).close()
    code, _, err = status(db, capsys)
    assert code == 1 and err.strip() == f"ogi status: no crawl run in {db} yet"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, err = status(junk, capsys)
    assert code == 1 and err.startswith("ogi status: ") and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["status", "--db", str(db), "--runs", "0"])
    assert exc.value.code == 2


def test_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["status", "--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "flagged" in out and "--runs" in out


def test_a_failed_listing_is_said_once(db, capsys):
    url = "http://portal.example/col/"
    add_run(db, [health_row(0, "src-a", reachable=0, reports=0, error=f"listing {url}: TimeoutError: took too long",
                            incomplete=f"listing {url} failed (TimeoutError: took too long)"),
                 health_row(0, "src-b", incomplete="time budget of 1800s reached",
                            error="dead link http://portal.example/x.html (HTTP 404) from ?")])
    lines = source_lines(status(db, capsys)[1])
    assert lines[0].count("took too long") == 1 and "incomplete: listing" in lines[0]
    assert "incomplete: time budget of 1800s reached; error: dead link" in lines[1]


def test_reports_read_by_an_older_extractor_are_counted(db, capsys):
    from report_factory import make_report

    add_run(db, [health_row(0, "src-a")])
    with Archive(db) as archive:
        for n in range(3):
            archive.store(f"http://a.gov.cn/{n}.html", f"<p>{n}</p>".encode(), report=make_report(year=2020 + n),
                          extractor_version="0.0.0-old" if n else None)
    code, out, _ = status(db, capsys)
    assert code == 0  # not a problem of the crawl: the nightly re-reading catches up
    assert "readings: 2 report(s) latest version read by an older extractor" in out
