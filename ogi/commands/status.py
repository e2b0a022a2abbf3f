"""`ogi status`: the latest crawl run and its per-source health report; exit 1 if it needs a look."""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from ogi.errors import OgiError

DESCRIPTION = """\
Show the latest crawl run of the archive (start, end, duration, totals), its health report per
source (reachable, pages, reports found, new / changed / unchanged / removed, failed, errors,
duration, why it was incomplete, its first error) with flagged sources first, and the latest
runs. A source is flagged when it found no report, or could not be reached, in 3 runs in a row.
Also says how many reports' latest versions were read by an older extractor (the nightly crawl
re-reads them within OGI_REREAD_TIME_BUDGET seconds, oldest first; `ogi reextract` does all).
Reads the archive without changing it; while a crawl is running, reports on the last finished
run. A table on a terminal, plain text otherwise (cron mail, log files)."""

EPILOG = """\
exit status (for a scheduler or a monitoring check):
  0  the latest run finished and no source is flagged
  1  sources are flagged, the latest run failed (killed, stopped early, lost something: a
     document not stored, a dead extraction worker…; no health report; no source answered),
     or there is no run or no archive"""


def register(subparsers) -> None:
    p = subparsers.add_parser("status", help="health of the latest crawl run (exit 1 if it needs a look)",
                              description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="archive.db", help="archive database (default: archive.db)")
    p.add_argument("--runs", type=_positive, default=5, metavar="N",
                   help="how many of the latest runs to list (default: 5)")
    p.set_defaults(func=run)


def run(args) -> int:
    from archive import health as stored
    from crawler import health
    from crawler.runlock import is_held

    db = _open(args.db)
    try:
        runs = stored.runs(db, args.runs)
        if not runs:
            raise OgiError(f"no crawl run in {args.db} yet")
        latest = runs[0]
        running = latest["finished_at"] is None and is_held(args.db)
        shown = stored.latest_finished(db) if running else latest
        rows = stored.run_health(db, shown["id"]) if shown else []
        stale = _stale(db)
    finally:
        db.conn.close()
    problems = health.problems(shown, rows)
    _print(latest if running else None, shown, rows, runs, problems, stale)
    return 1 if problems else 0


def _stale(db) -> int | None:
    """Latest versions the current extractor has not read (None for an archive too old to say)."""
    import extract
    from archive.reextract import stale_latest

    try:
        return stale_latest(db, extract.extractor_version())
    except sqlite3.OperationalError:
        return None


def _open(path: str):
    """The archive, read-only: a status check never creates, migrates or locks anything."""
    import sqlite_utils

    if not Path(path).is_file():
        raise OgiError(f"no archive at {path} (run `ogi crawl` first, or pass --db)")
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        db = sqlite_utils.Database(conn)
        if not db["crawl_runs"].exists():
            raise OgiError(f"{path} is not an ogi archive (no crawl_runs table)")
    except sqlite3.DatabaseError as exc:
        raise OgiError(f"cannot read archive {path}: {exc}") from exc
    return db


# -- printing ----------------------------------------------------------------------------------

HEALTH_COLUMNS = (("pages", "pages"), ("reports", "reports"), ("new", "new"), ("changed", "chg"),
                  ("unchanged", "same"), ("removed", "gone"), ("failed", "failed"), ("errors", "err"))


def _print(running: dict | None, shown: dict | None, rows: list[dict], runs: list[dict],
           problems: list[str], stale: int | None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from crawler.summary import fault_lines

    tty = sys.stdout.isatty()
    # Off a terminal: no colours, no box lines, nothing folded (a row stays one line of the log),
    # and no padding after the last column (see the end).
    console = Console() if tty else Console(width=1000, no_color=True, highlight=False)
    frame = box.SIMPLE_HEAD if tty else None
    if not tty:
        console.begin_capture()
    if running:
        console.print(Text(f"run {running['id']} is running (started {running['started_at']})", style="bold"))
    if shown is None:
        console.print("no finished run yet")
    else:
        console.print(Text(_headline(shown), style="bold"))
        console.print(_totals(shown, rows), highlight=False)
        for line in fault_lines(shown["summary"] or {}):
            console.print(Text(line, style="red"))
        table = Table(box=frame, padding=(0, 1), pad_edge=False)
        table.add_column("source", overflow="fold")
        table.add_column("reachable")
        for _, label in HEALTH_COLUMNS:
            table.add_column(label, justify="right")
        table.add_column("time", justify="right")
        table.add_column("note", overflow="fold")
        for row in rows:
            style = "red" if row["flagged"] else "yellow" if not row["reachable"] else None
            table.add_row(row["source"], "yes" if row["reachable"] else "NO",
                          *(_num(row[key]) for key, _ in HEALTH_COLUMNS),
                          _duration(row["duration_s"]), _note(row), style=style)
        if rows:
            console.print(table)
        else:
            console.print("no health report for this run")
    if len(runs) > 1:
        console.print(_runs_table(runs, frame))
    if stale:
        console.print(f"readings: {stale} report(s) latest version read by an older extractor "
                      f"(re-read by the next nightly crawl, or now by `ogi reextract`)")
    verdict = "needs a look: " + "; ".join(problems) if problems else "ok"
    console.print(Text(f"status: {verdict}", style="bold red" if problems else "bold green"))
    if not tty:
        print("\n".join(line.rstrip() for line in console.end_capture().splitlines()))


def _headline(run: dict) -> str:
    summary = run["summary"] or {}
    result = summary.get("finish_reason") or "did not finish"
    span = f"{run['started_at']} → {run['finished_at'] or '?'}"
    took = _duration(_seconds(run["started_at"], run["finished_at"]))
    return f"run {run['id']} {result}: {span} ({took})"


def _totals(run: dict, rows: list[dict]) -> str:
    totals = (run["summary"] or {}).get("totals", {})
    answered = sum(1 for r in rows if r["reachable"])
    flagged = sum(1 for r in rows if r["flagged"])
    parts = [f"sources {len(rows)}: {answered} answered, {len(rows) - answered} failed, {flagged} flagged"]
    if totals:
        parts.append(", ".join(f"{key} {totals.get(key, 0)}" for key in (
            "pages", "reports", "new", "changed", "unchanged", "removed", "failed", "errors", "blocked")))
    return "\n".join(parts)


def _runs_table(runs: list[dict], frame):
    from rich.table import Table

    table = Table(title="latest runs", title_justify="left", box=frame, padding=(0, 1), pad_edge=False)
    for name in ("run", "started", "time", "result", "sources", "failed", "flagged", "pages", "reports",
                 "new", "chg", "gone", "err"):
        table.add_column(name, justify="left" if name in ("started", "result") else "right")
    for r in runs:
        summary = r["summary"] or {}
        totals = summary.get("totals", {})
        result = summary.get("finish_reason") or ("running" if r["finished_at"] is None else "?")
        table.add_row(str(r["id"]), r["started_at"], _duration(_seconds(r["started_at"], r["finished_at"])),
                      result, str(len(r["sources"])), _num(r["unreachable"]), _num(r["flagged"]),
                      *(_num(totals.get(k)) for k in ("pages", "reports", "new", "changed", "removed", "errors")))
    return table


def _note(row: dict) -> str:
    parts = []
    if row["flagged"]:
        parts.append(f"FLAGGED: {row['flag_reason']}")
    if row["incomplete"]:
        parts.append(f"incomplete: {row['incomplete']}")
    error = row["first_error"]
    # A failed listing is both the reason for `incomplete` and the first error: say it once.
    url = _URL.search(error or "")
    if error and not (url and row["incomplete"] and url.group() in row["incomplete"]):
        parts.append(f"error: {error}")
    return "; ".join(parts)


_URL = re.compile(r"https?://[^\s:]+(?::\d+)?[^\s:]*")


def _num(value) -> str:
    return "-" if value is None else str(value)


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value
