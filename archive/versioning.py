"""Versioning rules: when a fetch becomes a new version, and a document's life events.

- A document is identified by its canonical URL. Its versions are compared by content hash
  (`archive.content`), never by raw bytes, so page chrome never makes a version and a corrected
  figure always does.
- The version a new fetch is compared with is the document's latest reading: the greatest
  (fetched_at, id), which after `ogi reextract` is the current extractor's reading of the latest
  fetch, so an extractor upgrade is not mistaken for the agency changing its report.
- Versions, their figures and checks are only ever inserted; `documents` holds the latest state.
- Events: 'new' (first version), 'changed' (a later version of different content), 'removed'
  (vanished from its listing or 404/410), 'restored' (seen again after removal).

Every function here runs inside the caller's transaction (one per stored report).
"""
from __future__ import annotations

from typing import Any

from archive import labels, schema
from archive.content import canonical_figures, flatten

EVENT_KINDS = ("new", "changed", "removed", "restored")
_MAX_DETAIL_CELLS = 5


def find_document(db, url: str) -> dict | None:
    rows = list(db.query("SELECT * FROM documents WHERE url = ?", [url]))
    return rows[0] if rows else None


def latest_version(db, document_id: int) -> dict | None:
    rows = list(db.query(
        "SELECT * FROM versions WHERE document_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
        [document_id]))
    return rows[0] if rows else None


def refresh_latest(db, document_id: int) -> dict | None:
    """Point the document at its latest reading and copy that reading's metadata onto it."""
    latest = latest_version(db, document_id)
    if latest:
        db.execute(
            "UPDATE documents SET latest_version_id = ?, agency = COALESCE(?, agency),"
            " year = COALESCE(?, year), title = COALESCE(?, title) WHERE id = ?",
            [latest["id"], latest["agency"], latest["year"], latest["title"], document_id])
    return latest


def add_event(db, kind: str, document: dict, *, at: str, version_id: int | None = None,
              previous_version_id: int | None = None, detail: str = "",
              run_id: int | None = None) -> None:
    assert kind in EVENT_KINDS, kind
    db["events"].insert({
        "at": at, "kind": kind, "document_id": document["id"], "url": document["url"],
        "version_id": version_id, "previous_version_id": previous_version_id,
        "detail": detail or None, "run_id": run_id,
    })


def figure_diff(db, old_version_id: int, new_figures: dict) -> list[tuple[str, str, str, Any, Any]]:
    """(table, row, col, old, new) for every cell that differs; None marks a missing cell."""
    old = {(t, r, c): v for t, r, c, v in db.execute(
        "SELECT c.table_name, c.row_key, c.col_key, fv.value FROM figure_values fv"
        " JOIN cells c ON c.id = fv.cell_id WHERE fv.version_id = ?", [old_version_id]).fetchall()}
    new = {(t, r, c): v for t, r, c, v in flatten(new_figures)}
    return [(*key, old.get(key), new.get(key))
            for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


def describe_diff(diff: list) -> str:
    if not diff:
        return "text changed, figures unchanged"
    shown = "; ".join(f"{t}.{r}.{c} {_fmt(o)}→{_fmt(n)}" for t, r, c, o, n in diff[:_MAX_DETAIL_CELLS])
    more = f"; and {len(diff) - _MAX_DETAIL_CELLS} more" if len(diff) > _MAX_DETAIL_CELLS else ""
    return f"{len(diff)} figure(s) changed: {shown}{more}"


def _fmt(value: Any) -> str:
    return "∅" if value is None else str(value)


def insert_version(db, document_id: int, report, *, content_sha256: str, raw_sha256: str,
                   fetched_at: str, recorded_at: str, extractor_version: str,
                   content_type: str | None, agency: str | None, origin: str,
                   previous: dict | None, reextract_of: int | None = None,
                   run_id: int | None = None) -> tuple[int, list]:
    """Insert a version with its figures, checks and figure changes; return (id, diff)."""
    figures = canonical_figures(report.figures)
    version_id = db["versions"].insert({
        "document_id": document_id, "fetched_at": fetched_at, "published": report.published,
        "title": report.title, "agency": report.agency or agency, "year": report.year,
        "template": report.template, "format": report.format, "content_type": content_type,
        "extractor_version": extractor_version, "content_sha256": content_sha256,
        "raw_sha256": raw_sha256, "origin": origin, "reextract_of": reextract_of,
        "run_id": run_id, "recorded_at": recorded_at,
    }).last_pk
    db["version_texts"].insert({"version_id": version_id, "title": report.title,
                                "text": report.text or ""})
    # Plain executemany on the hot path (~200 figure rows and ~40 checks per version): sqlite-utils'
    # insert_all spends more time building statements than SQLite spends inserting.
    db.conn.executemany(
        "INSERT INTO figure_values (version_id, cell_id, value) VALUES (?, ?, ?)",
        [(version_id, schema.cell_id(db, t, r, c), v) for t, r, c, v in flatten(figures)])
    db.conn.executemany(
        "INSERT INTO checks (version_id, rule, ok, detail) VALUES (?, ?, ?, ?)",
        [(version_id, ch.rule, int(bool(ch.ok)), ch.detail) for ch in report.checks or ()])
    _write_wide_rows(db, version_id, figures)
    diff = figure_diff(db, previous["id"], figures) if previous else []
    if diff:
        db["figure_changes"].insert_all(
            {"version_id": version_id, "previous_version_id": previous["id"], "table_name": t,
             "row_key": r, "col_key": c, "old_value": o, "new_value": n}
            for t, r, c, o, n in diff)
    return version_id, diff


def _write_wide_rows(db, version_id: int, figures: dict) -> None:
    for table in labels.TABLES:
        rows = figures.get(table)
        if not rows:
            continue
        columns = schema.wide_columns(db, table)
        values = [rows.get(row, {}).get(col) for row, col in (c.split("__", 1) for c in columns)]
        db.conn.execute(
            f"INSERT INTO {schema.wide_table(table)} (version_id, {', '.join(columns)})"
            f" VALUES (?{', ?' * len(columns)})", [version_id, *values])


def restore(db, document: dict, *, at: str, run_id: int | None, how: str) -> bool:
    if not document.get("removed_at"):
        return False
    db.execute("UPDATE documents SET removed_at = NULL, removed_reason = NULL WHERE id = ?",
               [document["id"]])
    add_event(db, "restored", document, at=at, run_id=run_id,
              detail=f"{how}; had been removed at {document['removed_at']}"
                     + (f" ({document['removed_reason']})" if document.get("removed_reason") else ""))
    return True


def _seen(db, document: dict, at: str, context: dict) -> None:
    """Move last_seen forward and fill crawl context the document did not have yet."""
    db.execute(
        "UPDATE documents SET last_seen = MAX(last_seen, ?), source = COALESCE(source, ?),"
        " region = COALESCE(region, ?), parent_url = COALESCE(parent_url, ?) WHERE id = ?",
        [at, context.get("source"), context.get("region"), context.get("parent_url"),
         document["id"]])


def record_report(db, url: str, report, *, content_sha256: str, raw_sha256: str,
                  fetched_at: str, recorded_at: str, extractor_version: str,
                  content_type: str | None, agency: str | None, region: str | None,
                  source: str | None, parent_url: str | None, run_id: int | None) -> str:
    """Apply the versioning rules to one fetched report; returns new / changed / unchanged."""
    context = {"source": source, "region": region, "parent_url": parent_url}
    document = find_document(db, url)
    if document is None:
        document_id = db["documents"].insert({
            "url": url, "source": source, "agency": report.agency or agency, "region": region,
            "year": report.year, "title": report.title, "first_seen": fetched_at,
            "last_seen": fetched_at, "parent_url": parent_url,
        }).last_pk
        document = find_document(db, url)
        version_id, _ = insert_version(
            db, document_id, report, content_sha256=content_sha256, raw_sha256=raw_sha256,
            fetched_at=fetched_at, recorded_at=recorded_at, extractor_version=extractor_version,
            content_type=content_type, agency=agency, origin="fetch", previous=None,
            run_id=run_id)
        refresh_latest(db, document_id)
        add_event(db, "new", document, at=fetched_at, version_id=version_id, run_id=run_id,
                  detail=report.title or "")
        return "new"

    latest = latest_version(db, document["id"])
    _seen(db, document, fetched_at, context)
    restore(db, document, at=fetched_at, run_id=run_id, how="fetched again")
    if latest is not None and latest["content_sha256"] == content_sha256:
        return "unchanged"
    version_id, diff = insert_version(
        db, document["id"], report, content_sha256=content_sha256, raw_sha256=raw_sha256,
        fetched_at=fetched_at, recorded_at=recorded_at, extractor_version=extractor_version,
        content_type=content_type, agency=agency, origin="fetch", previous=latest,
        run_id=run_id)
    refresh_latest(db, document["id"])
    add_event(db, "changed", document, at=fetched_at, version_id=version_id,
              previous_version_id=latest["id"] if latest else None, detail=describe_diff(diff),
              run_id=run_id)
    return "changed"


def record_failure(db, url: str, failure, *, raw_sha256: str, fetched_at: str,
                   extractor_version: str, content_type: str | None, agency: str | None,
                   region: str | None, source: str | None, parent_url: str | None,
                   run_id: int | None) -> str:
    """Keep a document we could not archive as a report (its bytes are already stored)."""
    document = find_document(db, url)
    existing = list(db.query("SELECT id FROM failures WHERE url = ? AND raw_sha256 = ?",
                             [url, raw_sha256]))
    row = {
        "status": getattr(failure, "status", "unreadable"),
        "reason": _one_line(getattr(failure, "reason", None) or str(failure)),
        "extractor_version": extractor_version, "content_type": content_type,
        "last_seen": fetched_at, "run_id": run_id,
        "document_id": document["id"] if document else None,
    }
    if existing:
        db.execute("UPDATE failures SET times_seen = times_seen + 1 WHERE id = ?",
                   [existing[0]["id"]])
        db["failures"].update(existing[0]["id"], row)
    else:
        db["failures"].insert({
            "url": url, "raw_sha256": raw_sha256, "first_seen": fetched_at, "times_seen": 1,
            "agency": agency, "region": region, "source": source, "parent_url": parent_url,
            **row,
        })
    return "failed"


def touch(db, url: str, *, at: str, run_id: int | None) -> None:
    document = find_document(db, url)
    if document is None:
        db.execute("UPDATE failures SET last_seen = MAX(last_seen, ?) WHERE url = ?", [at, url])
        return
    _seen(db, document, at, {})
    restore(db, document, at=at, run_id=run_id, how="not modified since last fetch")


def mark_removed(db, url: str, *, at: str, reason: str, run_id: int | None) -> bool:
    document = find_document(db, url)
    if document is None or document["removed_at"]:
        return False
    db.execute("UPDATE documents SET removed_at = ?, removed_reason = ? WHERE id = ?",
               [at, reason or None, document["id"]])
    add_event(db, "removed", document, at=at, version_id=document["latest_version_id"],
              detail=reason, run_id=run_id)
    return True


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]
