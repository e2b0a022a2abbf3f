"""`Archive`: the one entry point the crawler, the CLI and researchers' scripts use to write the archive.

    from archive import Archive
    db = Archive("archive.db")            # open or create, migrate, WAL
    db.record_fetch(url, status=200, etag=..., sha256=..., nbytes=...)
    db.store(url, raw, report=report)     # -> "new" | "changed" | "unchanged" | "failed"
    db.store(url, html, report=report, resources={picture_url: picture_bytes})  # a 图片版 page

One write transaction per stored report, started with `BEGIN IMMEDIATE` (`schema.write`): a
second writer (`ogi reextract` during a crawl) waits for it instead of failing, and every
decision is read inside the transaction that acts on it. The database is in WAL mode so
Datasette and other readers are never blocked by the nightly writer. A write that still fails
(busy past the timeout, disk full) raises `ArchiveError`: the caller counts it, nothing is
dropped silently. The rules themselves live in `archive.versioning`, the schema in
`archive.schema`.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import sqlite_utils

import extract
from archive import blobs, health, schema, versioning
from archive import resources as capture_resources
from archive.clock import utc_iso
from archive.content import report_sha256
from archive.errors import ArchiveError
from archive.reextract import extract_stored, read_stored, stale_latest

# A writer waits this long for another writer (e.g. `ogi reextract` during a crawl) instead of
# failing at once; readers are never blocked in WAL mode.
BUSY_TIMEOUT_MS = 60_000
_OK_STATUSES = "(status BETWEEN 200 AND 299 OR status = 304)"


class Archive:
    def __init__(self, path: str | Path = "archive.db", *, reader=None):
        """`reader(raw, url, content_type, resources)` re-reads a stored capture when the crawl meets a report
        the current extractor has not read (default: one bounded worker process, started on the
        first need, so an old capture that now stalls the extractor costs a `time_limit`, not the
        night)."""
        self.path = str(path)
        self._reader = reader
        self._pool = None
        self.memory = self.path == ":memory:"
        self.db = sqlite_utils.Database(memory=True) if self.memory else sqlite_utils.Database(self.path)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if not self.memory:
            self.db.enable_wal()
            # In WAL mode NORMAL never corrupts the database; a power cut can only lose the last
            # commits, which the next nightly crawl fetches again.
            self.db.execute("PRAGMA synchronous = NORMAL")
        try:
            schema.migrate(self.db)
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"cannot open the archive {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def write(self):
        """A write transaction holding the write lock from its start (see `schema.write`)."""
        try:
            with schema.write(self.db):
                yield self.db
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            # Busy past the timeout, disk full, a history trigger: the caller must count it.
            raise ArchiveError(f"archive write failed: {exc}") from exc

    # -- crawl bookkeeping -------------------------------------------------------------------

    def record_fetch(self, url: str, *, status: int | None, fetched_at=None, etag: str | None = None,
                     last_modified: str | None = None, sha256: str | None = None,
                     nbytes: int | None = None, elapsed_ms: int | float | None = None,
                     error: str | None = None, run_id: int | None = None) -> None:
        with self.write():
            self.db["fetches"].insert({
                "url": url, "fetched_at": utc_iso(fetched_at), "status": status, "etag": etag,
                "last_modified": last_modified, "sha256": sha256, "bytes": nbytes,
                "elapsed_ms": None if elapsed_ms is None else int(round(elapsed_ms)),
                "error": " ".join(str(error).split())[:1000] if error else None, "run_id": run_id,
            })

    def validators(self, url: str) -> dict:
        """Conditional-GET headers from the latest successful fetch of `url` that had them.

        Only when we hold the body those validators describe (its sha256 is in `raw_blobs`, or the
        fetch recorded no sha256): a 304 for a page whose body we never stored (a listing page, or
        a report whose store was interrupted) would leave us with nothing.
        """
        rows = self.db.execute(
            f"SELECT etag, last_modified, sha256 FROM fetches WHERE url = ? AND {_OK_STATUSES}"
            " AND (etag IS NOT NULL OR last_modified IS NOT NULL)"
            " ORDER BY fetched_at DESC, id DESC LIMIT 1", [url]).fetchall()
        if not rows:
            return {}
        etag, last_modified, digest = rows[0]
        if digest and not self.db.execute("SELECT 1 FROM raw_blobs WHERE sha256 = ?", [digest]).fetchone():
            return {}
        out = {}
        if etag:
            out["If-None-Match"] = etag
        if last_modified:
            out["If-Modified-Since"] = last_modified
        return out

    def start_run(self, sources: list[str]) -> int:
        with self.write():
            return self.db["crawl_runs"].insert({
                "started_at": utc_iso(), "sources": json.dumps(list(sources), ensure_ascii=False),
            }).last_pk

    def finish_run(self, run_id: int, summary: dict) -> None:
        with self.write():
            self.db["crawl_runs"].update(run_id, {
                "finished_at": utc_iso(),
                "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str),
            })

    def record_health(self, rows: list[dict]) -> None:
        """A run's health report (`source_health`; rows from `crawler.health`)."""
        with self.write():
            health.record(self.db, rows)

    def health_history(self, source: str, *, before_run: int, limit: int) -> list[dict]:
        return health.history(self.db, source, before_run=before_run, limit=limit)

    # -- documents -----------------------------------------------------------------------------

    def store(self, url: str, raw: bytes, *, fetched_at=None, content_type: str | None = None,
              report=None, failure=None, agency: str | None = None, region: str | None = None,
              source: str | None = None, parent_url: str | None = None,
              run_id: int | None = None, extractor_version: str | None = None,
              division_code: str | None = None, resources: Mapping[str, bytes] | None = None) -> str:
        """Archive one fetched document; returns "new" | "changed" | "unchanged" | "failed".

        `resources`: the pictures an HTML page shows (absolute URL → bytes), fetched with it and
        read with it; stored with the capture in the same transaction (`archive.resources`).
        Raises `ArchiveError` when the write fails (the document is then not stored)."""
        if (report is None) == (failure is None):
            raise ValueError("store() needs exactly one of report= or failure=")
        at = utc_iso(fetched_at)
        ev = extractor_version or extract.extractor_version()
        raw = bytes(raw or b"")
        digest = blobs.sha256(raw)
        context = dict(content_type=content_type, agency=agency, region=region, source=source,
                       parent_url=parent_url, run_id=run_id, division_code=division_code)
        if failure is None:
            try:
                content = report_sha256(report)
                reread = self._reread(url, digest, ev)
                with self.write():
                    blobs.put(self.db, raw, at=at, digest=digest)
                    capture_resources.put(self.db, digest, resources, at=at)
                    return versioning.record_report(
                        self.db, url, report, content_sha256=content, raw_sha256=digest,
                        fetched_at=at, recorded_at=utc_iso(), extractor_version=ev,
                        reread=reread, **context)
            except (TypeError, ValueError, AttributeError, sqlite3.InterfaceError,
                    sqlite3.ProgrammingError) as exc:
                # A malformed Report (extractor bug) must not stop a crawl: keep the bytes and
                # say why, as for any document we could not read.
                failure = extract.Unreadable(f"archive rejected the extracted report: {type(exc).__name__}: {exc}")
        with self.write():
            blobs.put(self.db, raw, at=at, digest=digest)
            capture_resources.put(self.db, digest, resources, at=at)
            return versioning.record_failure(self.db, url, failure, raw_sha256=digest,
                                             fetched_at=at, extractor_version=ev, **context)

    def _reread(self, url: str, digest: str, ev: str):
        """The reader `versioning.record_report` calls for a latest version the current extractor
        has not read. When that is already known to be needed, the re-reading is done here,
        before the write lock is taken: extraction takes up to seconds, during which other
        writers would wait."""
        done: dict[int, tuple] = {}
        document = versioning.find_document(self.db, url)
        latest = versioning.latest_version(self.db, document["id"]) if document else None
        if latest and latest["raw_sha256"] != digest and not versioning.read_by(self.db, latest["id"], ev):
            done[latest["id"]] = read_stored(self.db, latest, url, self._read)

        def reread(version: dict):
            return done.get(version["id"]) or read_stored(self.db, version, url, self._read)
        return reread

    def _read(self, raw: bytes, url: str, content_type: str | None, resources: Mapping[str, bytes] | None = None):
        if self._reader is not None:
            return self._reader(raw, url, content_type, resources)
        if self.memory:
            return extract_stored(raw, url, content_type, resources)
        if self._pool is None:
            from extract.isolation import BoundedExtractor

            self._pool = BoundedExtractor(workers=1)
        return self._pool.submit(raw, url, content_type, resources).result()

    def touch(self, url: str, *, fetched_at=None, run_id: int | None = None) -> None:
        with self.write():
            versioning.touch(self.db, url, at=utc_iso(fetched_at), run_id=run_id)

    def mark_removed(self, url: str, *, at=None, reason: str = "", run_id: int | None = None) -> bool:
        with self.write():
            return versioning.mark_removed(self.db, url, at=utc_iso(at), reason=reason, run_id=run_id)

    def document_urls(self, source: str | None = None) -> set[str]:
        sql = "SELECT url FROM documents WHERE removed_at IS NULL"
        params: list = []
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        return {row[0] for row in self.db.execute(sql, params)}

    # -- reading -------------------------------------------------------------------------------

    def raw(self, sha256: str) -> bytes | None:
        return blobs.get(self.db.conn, sha256)

    def resources(self, raw_sha256: str) -> dict[str, bytes]:
        """The pictures stored with the page capture `raw_sha256`, by URL."""
        return capture_resources.get(self.db, raw_sha256)

    def search(self, query: str, *, limit: int = 20, latest_only: bool = True) -> list[dict]:
        """Full-text search over report titles and text (any language, substring match).

        The trigram index answers queries of three or more characters; shorter ones (many Chinese
        words have two) fall back to a LIKE scan.
        """
        query = query.strip()
        if not query:
            return []
        where = "AND r.id = d.latest_reading_id" if latest_only else ""
        if len(query) >= 3:
            phrase = '"' + query.replace('"', '""') + '"'
            sql = f"""
                SELECT r.version_id, r.id AS reading_id, v.document_id, d.url, r.agency, r.year,
                       r.title, snippet(reading_texts_fts, 1, '【', '】', '…', 16) AS snippet
                FROM reading_texts_fts JOIN readings r ON r.id = reading_texts_fts.rowid
                JOIN versions v ON v.id = r.version_id JOIN documents d ON d.id = v.document_id
                WHERE reading_texts_fts MATCH ? {where} ORDER BY rank LIMIT ?"""
            return list(self.db.query(sql, [phrase, limit]))
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = f"""
            SELECT r.version_id, r.id AS reading_id, v.document_id, d.url, r.agency, r.year,
                   r.title, NULL AS snippet
            FROM reading_texts t JOIN readings r ON r.id = t.reading_id
            JOIN versions v ON v.id = r.version_id JOIN documents d ON d.id = v.document_id
            WHERE (t.text LIKE ? ESCAPE '\\' OR t.title LIKE ? ESCAPE '\\') {where}
            ORDER BY r.id LIMIT ?"""
        return list(self.db.query(sql, [like, like, limit]))

    def stale_latest(self, extractor_version: str | None = None) -> int:
        """How many documents' latest versions the extractor has not read yet."""
        return stale_latest(self.db, extractor_version or extract.extractor_version())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close(cancel_pending=True)
            self._pool = None
        try:
            self.db.close()
        except sqlite3.ProgrammingError:
            pass

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
