"""The `source_health` table: write a run's health report, read it back (flag rule, `ogi status`).

What goes into a row, and when a source is flagged, is decided by `crawler.health`; this module
only stores and queries. Every function takes a `sqlite_utils.Database`, so `ogi status` can
read through a read-only connection.
"""
from __future__ import annotations

import json

import sqlite_utils

TABLE = "source_health"


def has_table(db: sqlite_utils.Database) -> bool:
    return db[TABLE].exists()


def record(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Upsert on (run_id, source): a JOBDIR run resumed after an interruption closes again under
    the same run id and replaces its rows."""
    if rows:
        with db.atomic():
            db[TABLE].upsert_all(rows, pk=("run_id", "source"))


def history(db: sqlite_utils.Database, source: str, *, before_run: int, limit: int) -> list[dict]:
    """The source's rows of earlier runs, newest first (runs that did not include it are not
    rows: a `--only` run of other sources never breaks or extends a streak)."""
    return list(db.query(
        f"SELECT * FROM {TABLE} WHERE source = ? AND run_id < ? ORDER BY run_id DESC LIMIT ?",
        [source, before_run, limit]))


def runs(db: sqlite_utils.Database, limit: int) -> list[dict]:
    """The latest crawl runs, newest first: crawl_runs columns, the summary parsed (`summary`,
    None while running or after a crash), and per-run health counts (None without a report)."""
    return _runs(db, "", [], limit)


def _runs(db: sqlite_utils.Database, where: str, params: list, limit: int) -> list[dict]:
    per_run = (f"(SELECT count(*) FROM {TABLE} h WHERE h.run_id = r.id) AS health_sources, "
               f"(SELECT sum(1 - h.reachable) FROM {TABLE} h WHERE h.run_id = r.id) AS unreachable, "
               f"(SELECT sum(h.flagged) FROM {TABLE} h WHERE h.run_id = r.id) AS flagged"
               if has_table(db) else "NULL AS health_sources, NULL AS unreachable, NULL AS flagged")
    out = []
    for row in db.query(f"SELECT r.*, {per_run} FROM crawl_runs r {where} ORDER BY r.id DESC LIMIT ?",
                        [*params, limit]):
        row["summary"] = _json(row.get("summary"))
        row["sources"] = _json(row.get("sources")) or []
        out.append(row)
    return out


def latest_finished(db: sqlite_utils.Database) -> dict | None:
    """The newest run that has finished (for `ogi status` while a crawl is running)."""
    found = _runs(db, "WHERE r.finished_at IS NOT NULL", [], 1)
    return found[0] if found else None


def run_health(db: sqlite_utils.Database, run_id: int) -> list[dict]:
    """One run's rows: flagged first, then unreachable, then by source id."""
    if not has_table(db):
        return []
    return list(db.query(
        f"SELECT * FROM {TABLE} WHERE run_id = ? ORDER BY flagged DESC, reachable ASC, source",
        [run_id]))


def _json(text: str | None):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
