"""Pages the archive adds to Datasette: a report version in the template layout, and the
archived original document as a download.

Both only read (Datasette's read connections are read-only); both take the database from the
`ogi` plugin configuration that `ogi.datasette.metadata` writes.
"""
from __future__ import annotations

import json
import mimetypes
import posixpath
from urllib.parse import quote, unquote, urlsplit

from datasette.utils.asgi import NotFound, Response

from archive import blobs
from extract.formats import content_type_of
from ogi.datasette import layout

VERSION_PATH = "/-/ogi/versions/"
RAW_PATH = "/-/ogi/raw/"


def database_name(datasette) -> str:
    # Asked for every rendered cell: look the configuration up once per Datasette instance.
    name = getattr(datasette, "_ogi_database", None)
    if name is None:
        config = datasette.plugin_config("ogi") or {}
        names = [n for n in datasette.databases if n != "_internal"]
        name = config.get("database") or (names[0] if names else "")
        datasette._ogi_database = name
    if not name:
        raise NotFound("no database")
    return name


def _safe_href(url: str | None) -> str | None:
    # Only web links become clickable: a stored URL is data from the web, never a script.
    return url if url and urlsplit(url).scheme in ("http", "https") else None


async def _rows(db, sql: str, params) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def version_page(request, datasette) -> Response:
    db_name = database_name(datasette)
    db = datasette.get_database(db_name)
    version_id = int(request.url_vars["version_id"])
    found = await _rows(db, """
        SELECT v.id, v.document_id, v.fetched_at, v.raw_sha256, v.content_type,
               r.id AS reading_id, r.title, r.agency, r.year, r.published, r.template, r.format,
               r.extractor_version, r.read_at, r.origin, r.content_sha256, r.ocr_engine,
               r.evidence, t.text, d.url, d.region, d.division_code, d.removed_at,
               d.removed_reason, d.latest_version_id, d.first_seen, d.last_seen
        FROM versions v JOIN documents d ON d.id = v.document_id
        JOIN readings r ON r.id = (SELECT MAX(x.id) FROM readings x WHERE x.version_id = v.id)
        LEFT JOIN reading_texts t ON t.reading_id = r.id
        WHERE v.id = ?""", [version_id])
    if not found:
        raise NotFound(f"No report version {version_id}")
    version = found[0]
    figures = await _rows(db, "SELECT table_name, row_key, col_key, value FROM figure_values fv "
                              "JOIN cells c ON c.id = fv.cell_id WHERE fv.reading_id = ?",
                          [version["reading_id"]])
    # Changes against the previous version (the agency's), not our re-readings of this one.
    changes = await _rows(db, "SELECT * FROM figure_changes WHERE reading_id = ? "
                              "AND previous_version_id != version_id", [version["reading_id"]])
    checks = await _rows(db, "SELECT rule, ok, detail FROM all_checks WHERE version_id = ? "
                             "ORDER BY ok, rule", [version_id])
    versions = await _rows(db, "SELECT id, fetched_at, raw_sha256 FROM versions "
                               "WHERE document_id = ? ORDER BY fetched_at, id", [version["document_id"]])
    readings = await _rows(db, "SELECT id, read_at, origin, extractor_version, n_figures FROM readings "
                               "WHERE version_id = ? ORDER BY id", [version_id])
    events = await _rows(db, "SELECT at, kind, version_id, detail FROM events "
                             "WHERE document_id = ? ORDER BY at, id", [version["document_id"]])

    values = {(f["table_name"], f["row_key"], f["col_key"]): f["value"] for f in figures}
    changed = {(c["table_name"], c["row_key"], c["col_key"]): c["old_value"] for c in changes}
    context = {
        "db_name": db_name,
        "version": version,
        "source_href": _safe_href(version["url"]),
        "raw_href": datasette.urls.path(RAW_PATH + version["raw_sha256"]),
        "version_path": datasette.urls.path(VERSION_PATH),
        "grids": layout.grids(values, changed, version["template"] or "2021"),
        "extra_cells": layout.extra_cells(values, version["template"] or "2021"),
        "changes": changes,
        "previous_version_id": changes[0]["previous_version_id"] if changes else None,
        "checks": checks,
        "failed_checks": sum(1 for c in checks if not c["ok"]),
        "versions": versions,
        "readings": readings,
        # Where each figure not read from a template table came from (pre-2019 reports).
        "evidence": sorted(json.loads(version["evidence"]).items()) if version["evidence"] else [],
        "events": events,
        "is_latest": version["latest_version_id"] == version_id,
        "format_value": layout.format_value,
    }
    return Response.html(await datasette.render_template("ogi_version.html", context,
                                                         request=request))


def download_name(url: str | None, digest: str, content_type: str | None, fmt: str | None) -> str:
    name = unquote(posixpath.basename(urlsplit(url or "").path)) if url else ""
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\"')
    if not name or name.startswith("."):
        name = digest[:16]
    if not posixpath.splitext(name)[1]:
        ext = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) if content_type else None
        name += ext or (f".{fmt}" if fmt else ".bin")
    return name


def _read_blob(conn, digest: str) -> tuple[bytes, str] | None:
    """(compressed content, codec) of a stored original, read in chunks through SQLite's blob
    I/O, which the read connections' length limit does not apply to (an original may be larger)."""
    row = conn.execute("SELECT rowid, codec FROM raw_blobs WHERE sha256 = ?", [digest]).fetchone()
    if row is None:
        return None
    chunks = []
    with conn.blobopen("raw_blobs", "content", row[0], readonly=True) as blob:
        while chunk := blob.read(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks), row[1]


async def raw_download(request, datasette) -> Response:
    db = datasette.get_database(database_name(datasette))
    digest = request.url_vars["sha256"]
    blob = await db.execute_fn(lambda conn: _read_blob(conn, digest))
    if blob is None:
        raise NotFound("No archived document with this sha256")
    seen = await _rows(db, """
        SELECT d.url, v.content_type, v.format FROM versions v JOIN documents d ON d.id = v.document_id
        WHERE v.raw_sha256 = ? ORDER BY v.fetched_at DESC LIMIT 1""", [digest])
    seen = seen or await _rows(db, "SELECT url, content_type, NULL AS format FROM failures "
                                   "WHERE raw_sha256 = ? ORDER BY last_seen DESC LIMIT 1", [digest])
    seen = seen or await _rows(db, "SELECT url, content_type, NULL AS format FROM capture_resources "
                                   "WHERE blob_sha256 = ? ORDER BY fetched_at DESC LIMIT 1", [digest])
    url, content_type, fmt = (seen[0]["url"], seen[0]["content_type"], seen[0]["format"]) if seen else (None, None, None)
    content_type = content_type or content_type_of(fmt) or "application/octet-stream"
    name = download_name(url, digest, content_type, fmt)
    try:
        body = blobs.verified(*blob, digest)
    except blobs.BlobCorrupt:
        # Served under its address with immutable caching: bytes that no longer match it
        # (damaged or altered in the file) are refused, never passed off as the capture.
        return Response.text("refused: the archived bytes do not match their sha256", status=409)
    return Response(body, content_type=content_type, headers={
        # Always a download, never rendered in our origin: an archived page's scripts must not
        # run next to Datasette (SPEC: nothing a page says is ever executed).
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox; default-src 'none'",
        "cache-control": "public, max-age=31536000, immutable",
    })
