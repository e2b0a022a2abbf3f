"""Versioned archive of OGI annual reports (SQLite via sqlite-utils).

    from archive import Archive
    db = Archive("archive.db")

Modules: `schema` (tables, triggers, views, FTS, migrations), `content` (the content hash),
`versioning` (new / changed / unchanged, removal, events), `blobs` (raw bytes), `store`
(the `Archive` facade), `reextract`, `export`, `labels` (template cells and Chinese labels),
`clock` (UTC timestamps), `health` (the crawl's per-source health report).
"""
from archive.store import Archive

__all__ = ["Archive"]
