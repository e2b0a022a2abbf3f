"""Versioning rules: when a fetch becomes a new version, when it only gives a new reading, and a
document's life events.

- A document is identified by its canonical URL. A *version* is the agency's: a new one only
  when the agency's content changed. A *reading* is ours: what one extractor read in a version.
- Identical raw bytes never make a new version, whatever the extractor says. Bytes that differ
  make one only when the content read by the *same* extractor differs: when the document's
  latest version was read by another extractor, its bytes are re-read with the current one
  first (a 'reread' reading), so page chrome or an extractor upgrade is never taken for a
  change by the agency.
- An extractor that reads a version differently from its current reading adds a reading (old
  readings are kept); one that reads it the same way only leaves a row in `reextractions`, so
  readings multiply only where the reading moved.
- Events: 'new' (first version), 'changed' (a later version of different content: the agency
  changed its report), 'reread' (our reading of a version changed its figures), 'removed'
  (vanished from its listing or 404/410), 'restored' (seen again after removal).

Every function here runs inside the caller's write transaction (`schema.write`), so what it
reads to decide is what it writes against.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from archive import labels, schema
from archive.content import canonical_figures, flatten

EVENT_KINDS = ("new", "changed", "reread", "removed", "restored")
_MAX_DETAIL_CELLS = 5

# What an extractor made of stored bytes: (Report or ExtractError, content hash or None).
Outcome = tuple[Any, "str | None"]


def find_document(db, url: str) -> dict | None:
    rows = list(db.query("SELECT * FROM documents WHERE url = ?", [url]))
    return rows[0] if rows else None


def latest_version(db, document_id: int) -> dict | None:
    rows = list(db.query(
        "SELECT * FROM versions WHERE document_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
        [document_id]))
    return rows[0] if rows else None


def current_reading(db, version_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM readings WHERE version_id = ? ORDER BY id DESC LIMIT 1",
                         [version_id]))
    return rows[0] if rows else None


def read_by(db, version_id: int, extractor_version: str) -> bool:
    """Whether this extractor has read the version already (a reading, or a logged attempt)."""
    return bool(db.execute(
        "SELECT 1 FROM readings WHERE version_id = ? AND extractor_version = ?"
        " UNION ALL SELECT 1 FROM reextractions WHERE version_id = ? AND extractor_version = ?"
        " LIMIT 1", [version_id, extractor_version, version_id, extractor_version]).fetchone())


def content_by(db, version_id: int, extractor_version: str) -> str | None:
    """The content hash this extractor reads in the version: its own reading's, or the current
    reading's when it read the same; None when it could not read it (or never did)."""
    own = db.execute("SELECT content_sha256 FROM readings WHERE version_id = ? AND extractor_version = ?",
                     [version_id, extractor_version]).fetchone()
    if own:
        return own[0]
    same = db.execute("SELECT 1 FROM reextractions WHERE version_id = ? AND extractor_version = ?"
                      " AND result = 'same'", [version_id, extractor_version]).fetchone()
    if same:
        return current_reading(db, version_id)["content_sha256"]
    return None


def refresh_latest(db, document_id: int) -> dict | None:
    """Point the document at its latest version and that version's newest reading, and copy the
    reading's metadata onto it."""
    latest = latest_version(db, document_id)
    if latest:
        reading = current_reading(db, latest["id"])
        db.execute(
            "UPDATE documents SET latest_version_id = ?, latest_reading_id = ?,"
            " agency = COALESCE(?, agency), year = COALESCE(?, year), title = COALESCE(?, title)"
            " WHERE id = ?",
            [latest["id"], reading["id"], reading["agency"], reading["year"], reading["title"],
             document_id])
    return latest


def add_event(db, kind: str, document: dict, *, at: str, version_id: int | None = None,
              previous_version_id: int | None = None, reading_id: int | None = None,
              detail: str = "", run_id: int | None = None) -> None:
    assert kind in EVENT_KINDS, kind
    db["events"].insert({
        "at": at, "kind": kind, "document_id": document["id"], "url": document["url"],
        "version_id": version_id, "previous_version_id": previous_version_id,
        "reading_id": reading_id, "detail": detail or None, "run_id": run_id,
    })


def figure_diff(db, old_reading_id: int, new_figures: dict) -> list[tuple[str, str, str, Any, Any]]:
    """(table, row, col, old, new) for every cell that differs; None marks a missing cell."""
    old = {(t, r, c): v for t, r, c, v in db.execute(
        "SELECT c.table_name, c.row_key, c.col_key, fv.value FROM figure_values fv"
        " JOIN cells c ON c.id = fv.cell_id WHERE fv.reading_id = ?", [old_reading_id]).fetchall()}
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


def _json(value) -> str | None:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None


def record_extractor(db, extractor_version: str, *, at: str) -> None:
    """Remember an extractor identity the first time it writes (with its parts when it is ours)."""
    if db.execute("SELECT 1 FROM extractors WHERE version = ?", [extractor_version]).fetchone():
        return
    from extract import fingerprint

    parts = fingerprint.components() if extractor_version == fingerprint.extractor_version() else None
    db["extractors"].insert({"version": extractor_version, "first_seen": at, "components": _json(parts)})


def insert_reading(db, version_id: int, report, *, content_sha256: str, extractor_version: str,
                   read_at: str, origin: str, previous: dict | None = None,
                   previous_version_id: int | None = None,
                   run_id: int | None = None) -> tuple[int, list]:
    """Insert a reading with its text, figures, checks and the cells that moved since `previous`
    (a reading); return (reading id, diff)."""
    record_extractor(db, extractor_version, at=read_at)
    figures = canonical_figures(report.figures)
    ocr = getattr(report, "ocr", None)
    reading_id = db["readings"].insert({
        "version_id": version_id, "extractor_version": extractor_version, "read_at": read_at,
        "origin": origin, "content_sha256": content_sha256, "title": report.title,
        "agency": report.agency, "year": report.year, "published": report.published,
        "template": report.template, "format": report.format,
        "n_figures": sum(1 for _ in flatten(figures)),
        "ocr_engine": (ocr or {}).get("engine") if isinstance(ocr, dict) else None,
        "evidence": _json(getattr(report, "evidence", None)),
        "consistency": _json(getattr(report, "consistency", None)), "run_id": run_id,
    }).last_pk
    db["reading_texts"].insert({"reading_id": reading_id, "title": report.title, "text": report.text or ""})
    # Plain executemany on the hot path (~200 figure rows and ~40 checks per reading): sqlite-utils'
    # insert_all spends more time building statements than SQLite spends inserting.
    db.conn.executemany(
        "INSERT INTO figure_values (reading_id, cell_id, value) VALUES (?, ?, ?)",
        [(reading_id, schema.cell_id(db, t, r, c), v) for t, r, c, v in flatten(figures)])
    db.conn.executemany(
        "INSERT INTO reading_checks (reading_id, rule, ok, detail) VALUES (?, ?, ?, ?)",
        [(reading_id, ch.rule, int(bool(ch.ok)), ch.detail) for ch in report.checks or ()])
    _write_wide_rows(db, reading_id, figures)
    diff = figure_diff(db, previous["id"], figures) if previous else []
    if diff:
        db["figure_changes"].insert_all(
            {"reading_id": reading_id, "previous_reading_id": previous["id"],
             "version_id": version_id, "previous_version_id": previous_version_id or version_id,
             "table_name": t, "row_key": r, "col_key": c, "old_value": o, "new_value": n}
            for t, r, c, o, n in diff)
    return reading_id, diff


def insert_version(db, document_id: int, report, *, content_sha256: str, raw_sha256: str,
                   fetched_at: str, recorded_at: str, extractor_version: str,
                   content_type: str | None, agency: str | None, previous: dict | None,
                   previous_reading: dict | None, run_id: int | None = None) -> tuple[int, int, list]:
    """Insert a version and its first reading; return (version id, reading id, diff against
    `previous_reading`, the previous version's reading)."""
    version_id = db["versions"].insert({
        "document_id": document_id, "fetched_at": fetched_at, "published": report.published,
        "title": report.title, "agency": report.agency or agency, "year": report.year,
        "template": report.template, "format": report.format, "content_type": content_type,
        "extractor_version": extractor_version, "content_sha256": content_sha256,
        "raw_sha256": raw_sha256, "run_id": run_id, "recorded_at": recorded_at,
    }).last_pk
    reading_id, diff = insert_reading(
        db, version_id, report, content_sha256=content_sha256, extractor_version=extractor_version,
        read_at=recorded_at, origin="fetch", previous=previous_reading,
        previous_version_id=previous["id"] if previous else None, run_id=run_id)
    return version_id, reading_id, diff


def _write_wide_rows(db, reading_id: int, figures: dict) -> None:
    for table in labels.TABLES:
        rows = figures.get(table)
        if not rows:
            continue
        columns = schema.wide_columns(db, table)
        values = [rows.get(row, {}).get(col) for row, col in (c.split("__", 1) for c in columns)]
        db.conn.execute(
            f"INSERT INTO {schema.wide_table(table)} (reading_id, {', '.join(columns)})"
            f" VALUES (?{', ?' * len(columns)})", [reading_id, *values])


def log_reading(db, *, extractor_version: str, at: str, result: str, version_id=None,
                failure_id=None, new_reading_id=None, figures_changed=None, detail=None) -> None:
    """One row of `reextractions`: an extractor read a stored capture (same / changed / failed /
    recovered); this is how neither the crawl nor `ogi reextract` reads it twice."""
    db["reextractions"].insert({
        "at": at, "extractor_version": extractor_version, "version_id": version_id,
        "failure_id": failure_id, "result": result, "new_reading_id": new_reading_id,
        "figures_changed": None if figures_changed is None else int(figures_changed),
        "detail": detail,
    })


def apply_reading(db, version: dict, outcome, content_sha256: str | None, *, extractor_version: str,
                  at: str, origin: str, run_id: int | None = None) -> tuple[str, list]:
    """Record what `extractor_version` read in a stored version: 'same' (as its current reading),
    'changed' (a new reading; a 'reread' event when figures moved) or 'failed'. Returns the
    result and the cells that moved."""
    from extract import ExtractError

    if isinstance(outcome, ExtractError):
        log_reading(db, extractor_version=extractor_version, at=at, result="failed",
                    version_id=version["id"], detail=f"{outcome.status}: {outcome.reason}")
        return "failed", []
    current = current_reading(db, version["id"])
    if current is not None and content_sha256 == current["content_sha256"]:
        log_reading(db, extractor_version=extractor_version, at=at, result="same", version_id=version["id"])
        return "same", []
    reading_id, diff = insert_reading(
        db, version["id"], outcome, content_sha256=content_sha256,
        extractor_version=extractor_version, read_at=at, origin=origin, previous=current,
        run_id=run_id)
    document = next(db.query("SELECT * FROM documents WHERE id = ?", [version["document_id"]]))
    if document["latest_version_id"] == version["id"]:
        refresh_latest(db, document["id"])
    log_reading(db, extractor_version=extractor_version, at=at, result="changed",
                version_id=version["id"], new_reading_id=reading_id, figures_changed=bool(diff),
                detail=describe_diff(diff))
    if diff:
        add_event(db, "reread", document, at=at, version_id=version["id"], reading_id=reading_id,
                  detail=f"read by extractor {extractor_version}: {describe_diff(diff)}", run_id=run_id)
    return "changed", diff


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
        " region = COALESCE(region, ?), division_code = COALESCE(division_code, ?),"
        " parent_url = COALESCE(parent_url, ?) WHERE id = ?",
        [at, context.get("source"), context.get("region"), context.get("division_code"),
         context.get("parent_url"), document["id"]])


def record_report(db, url: str, report, *, content_sha256: str, raw_sha256: str,
                  fetched_at: str, recorded_at: str, extractor_version: str,
                  content_type: str | None, agency: str | None, region: str | None,
                  source: str | None, parent_url: str | None, run_id: int | None,
                  division_code: str | None = None,
                  reread: Callable[[dict], Outcome] | None = None) -> str:
    """Apply the versioning rules to one fetched report; returns new / changed / unchanged.

    `reread(version)` reads a stored version's bytes with the current extractor; it is called
    when the document's latest version has not been read by `extractor_version` yet.
    """
    context = {"source": source, "region": region, "parent_url": parent_url,
               "division_code": division_code}
    document = find_document(db, url)
    if document is None:
        document_id = db["documents"].insert({
            "url": url, "source": source, "agency": report.agency or agency, "region": region,
            "division_code": division_code, "year": report.year, "title": report.title,
            "first_seen": fetched_at, "last_seen": fetched_at, "parent_url": parent_url,
        }).last_pk
        document = find_document(db, url)
        version_id, reading_id, _ = insert_version(
            db, document_id, report, content_sha256=content_sha256, raw_sha256=raw_sha256,
            fetched_at=fetched_at, recorded_at=recorded_at, extractor_version=extractor_version,
            content_type=content_type, agency=agency, previous=None, previous_reading=None,
            run_id=run_id)
        refresh_latest(db, document_id)
        add_event(db, "new", document, at=fetched_at, version_id=version_id,
                  reading_id=reading_id, run_id=run_id, detail=report.title or "")
        return "new"

    latest = latest_version(db, document["id"])
    _seen(db, document, fetched_at, context)
    restore(db, document, at=fetched_at, run_id=run_id, how="fetched again")
    if latest is not None and latest["raw_sha256"] == raw_sha256:
        # The same bytes: never a new version. A new extractor's reading of them is a reading.
        if not read_by(db, latest["id"], extractor_version):
            apply_reading(db, latest, report, content_sha256, extractor_version=extractor_version,
                          at=recorded_at, origin="reread", run_id=run_id)
        return "unchanged"
    previous_content = None
    if latest is not None:
        if not read_by(db, latest["id"], extractor_version) and reread is not None:
            outcome, content = reread(latest)
            apply_reading(db, latest, outcome, content, extractor_version=extractor_version,
                          at=recorded_at, origin="reread", run_id=run_id)
        if read_by(db, latest["id"], extractor_version):
            previous_content = content_by(db, latest["id"], extractor_version)
        else:  # no way to re-read it here: the best comparison left is its current reading
            previous_content = current_reading(db, latest["id"])["content_sha256"]
    if previous_content == content_sha256:
        return "unchanged"  # page chrome, or bytes that read the same
    previous_reading = current_reading(db, latest["id"]) if latest else None
    version_id, reading_id, diff = insert_version(
        db, document["id"], report, content_sha256=content_sha256, raw_sha256=raw_sha256,
        fetched_at=fetched_at, recorded_at=recorded_at, extractor_version=extractor_version,
        content_type=content_type, agency=agency, previous=latest,
        previous_reading=previous_reading, run_id=run_id)
    refresh_latest(db, document["id"])
    add_event(db, "changed", document, at=fetched_at, version_id=version_id,
              previous_version_id=latest["id"] if latest else None, reading_id=reading_id,
              detail=describe_diff(diff), run_id=run_id)
    return "changed"


def record_failure(db, url: str, failure, *, raw_sha256: str, fetched_at: str,
                   extractor_version: str, content_type: str | None, agency: str | None,
                   region: str | None, source: str | None, parent_url: str | None,
                   run_id: int | None, division_code: str | None = None) -> str:
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
