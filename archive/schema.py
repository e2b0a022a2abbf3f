"""The archive's schema, in one place: tables, indexes, triggers, views, full-text search, migrations.

Tables (bookkeeping columns are the `*_at`, `run_id`, `origin` ones):

- `documents`   one row per report identity (canonical URL after redirects). Latest state, updated
                in place: agency/year/title of the latest version, `first_seen`, `last_seen`,
                `removed_at` (+ `removed_reason`), `latest_version_id`.
- `versions`    one row per distinct reading of a document. Append-only (triggers reject UPDATE and
                DELETE). `origin` is 'crawl' for a fetch whose content hash differed from the
                previous version, 'reextract' for a newer extractor's reading of the same stored
                bytes (then `reextract_of` points at the crawl version, `fetched_at` and
                `raw_sha256` are that version's). "Latest" means the greatest (fetched_at, id).
- `figures`     long form of a version's figures (append-only).
- `checks`      the extractor's arithmetic checks of a version (append-only). The cross-year check
                needs two reports, so it is the view `cross_year_checks`; `all_checks` unions both.
- `figure_changes` which cells differ from the previous reading (git-history's "what changed?"
                in one query); old_value NULL = cell appeared, new_value NULL = cell vanished.
- `events`      new / changed / removed / restored, with time and detail (append-only).
- `raw_blobs`   raw bytes of every distinct fetched document, keyed by sha256, zstd-compressed.
- `fetches`     every HTTP exchange, including errors and 304s.
- `failures`    documents fetched but not archived as reports: status 'unreadable', 'not_a_report'
                or 'image_only' with the extractor's one-line reason; one row per (url, raw bytes),
                updated when seen again. Their raw bytes are kept, so `ogi reextract` can recover
                them when the extractor learns to read them.
- `reextractions` what `ogi reextract` did to each stored reading (same / changed / failed /
                recovered), so re-runs only process what the current extractor has not seen.
- `crawl_runs`  one row per crawl: sources, start, finish, summary JSON.
- `template_cells` every cell of the 2021 template with its wide-column name and Chinese labels.

Views: `latest_versions`, `latest_figures`, `report_versions`, `wide_active`, `wide_applications`,
`wide_review_litigation` (one row per report version, one column per cell named `<row>__<col>`),
`cross_year_checks`, `all_checks`. Full-text search: `versions_fts` (FTS5, trigram tokenizer, so
any Chinese substring of three or more characters matches) over versions' title and text.

Times are UTC ISO-8601 strings ending in `Z`; dates are `YYYY-MM-DD`.

Migrations are sqlite-utils `Migrations` (recorded in `_sqlite_migrations`); `PRAGMA user_version`
mirrors the number applied so plain sqlite3 tools can see the schema version too. Views and
`template_cells` follow the current code on every open (only rewritten when they differ).
"""
from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from archive import labels

migrations = Migrations("ogi_archive")
# Number of migrations below; mirrored into PRAGMA user_version. Bump when adding one.
SCHEMA_VERSION = 1

IMMUTABLE_TABLES = ("versions", "figures", "checks", "events", "raw_blobs")


class SchemaError(Exception):
    pass


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["raw_blobs"].create({
        "sha256": str, "size": int, "compressed_size": int, "codec": str, "content": bytes,
        "stored_at": str,
    }, pk="sha256", not_null=["size", "codec", "content"])

    db["crawl_runs"].create({
        "id": int, "started_at": str, "finished_at": str, "sources": str, "summary": str,
    }, pk="id")

    db["documents"].create({
        "id": int, "url": str, "source": str, "agency": str, "region": str, "year": int,
        "title": str, "first_seen": str, "last_seen": str, "removed_at": str,
        "removed_reason": str, "parent_url": str, "latest_version_id": int,
    }, pk="id", not_null=["url", "first_seen", "last_seen"])
    db["documents"].create_index(["url"], unique=True)
    db["documents"].create_index(["year", "agency"])
    db["documents"].create_index(["agency", "region", "year"])
    db["documents"].create_index(["source"])
    db["documents"].create_index(["latest_version_id"])

    db["versions"].create({
        "id": int, "document_id": int, "fetched_at": str, "published": str, "title": str,
        "agency": str, "year": int, "template": str, "format": str, "content_type": str,
        "extractor_version": str, "content_sha256": str, "raw_sha256": str, "origin": str,
        "reextract_of": int, "run_id": int, "recorded_at": str, "text": str,
    }, pk="id", not_null=["document_id", "fetched_at", "extractor_version", "content_sha256",
                          "raw_sha256", "origin"],
        foreign_keys=[("document_id", "documents", "id"), ("raw_sha256", "raw_blobs", "sha256"),
                      ("reextract_of", "versions", "id")])
    db["versions"].create_index(["document_id", "fetched_at"])
    db["versions"].create_index(["reextract_of"])
    db["versions"].create_index(["raw_sha256"])

    # Hand-written DDL because sqlite-utils cannot create WITHOUT ROWID tables: figures is by far
    # the largest table (~200 rows per version) and clustering it on its key halves its size and
    # makes "all cells of a version" one contiguous range. `value` has NUMERIC affinity (declared
    # ANY) so counts stay integers and fees stay decimals.
    db.execute("""
        CREATE TABLE figures (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            col_key TEXT NOT NULL,
            value ANY,
            PRIMARY KEY (version_id, table_name, row_key, col_key)
        ) WITHOUT ROWID
    """)
    db["figures"].create_index(["table_name", "row_key", "col_key", "version_id"])

    db["checks"].create({"version_id": int, "rule": str, "ok": int, "detail": str},
                        not_null=["version_id", "rule"],
                        foreign_keys=[("version_id", "versions", "id")])
    db["checks"].create_index(["version_id"])
    db["checks"].create_index(["rule", "ok"])

    db["figure_changes"].create({
        "version_id": int, "previous_version_id": int, "table_name": str, "row_key": str,
        "col_key": str, "old_value": "ANY", "new_value": "ANY",
    }, not_null=["version_id", "previous_version_id"],
        foreign_keys=[("version_id", "versions", "id"), ("previous_version_id", "versions", "id")])
    db["figure_changes"].create_index(["version_id"])

    db["events"].create({
        "id": int, "at": str, "kind": str, "document_id": int, "url": str, "version_id": int,
        "previous_version_id": int, "detail": str, "run_id": int,
    }, pk="id", not_null=["at", "kind", "document_id"],
        foreign_keys=[("document_id", "documents", "id")])
    db["events"].create_index(["document_id", "at"])
    db["events"].create_index(["kind", "at"])

    db["fetches"].create({
        "id": int, "url": str, "fetched_at": str, "status": int, "etag": str,
        "last_modified": str, "sha256": str, "bytes": int, "elapsed_ms": int, "error": str,
        "run_id": int,
    }, pk="id", not_null=["url", "fetched_at"])
    db["fetches"].create_index(["url", "fetched_at"])
    db["fetches"].create_index(["run_id"])

    db["failures"].create({
        "id": int, "url": str, "raw_sha256": str, "status": str, "reason": str,
        "extractor_version": str, "content_type": str, "first_seen": str, "last_seen": str,
        "times_seen": int, "agency": str, "region": str, "source": str, "parent_url": str,
        "document_id": int, "run_id": int,
    }, pk="id", not_null=["url", "raw_sha256", "status", "first_seen", "last_seen"],
        foreign_keys=[("raw_sha256", "raw_blobs", "sha256")])
    db["failures"].create_index(["url", "raw_sha256"], unique=True)
    db["failures"].create_index(["status"])

    db["reextractions"].create({
        "id": int, "at": str, "extractor_version": str, "version_id": int, "failure_id": int,
        "result": str, "new_version_id": int, "figures_changed": int, "detail": str,
    }, pk="id", not_null=["at", "extractor_version", "result"])
    db["reextractions"].create_index(["version_id", "extractor_version"])
    db["reextractions"].create_index(["failure_id", "extractor_version"])

    db["template_cells"].create({
        "table_name": str, "row_key": str, "col_key": str, "column_name": str,
        "table_label": str, "row_label": str, "col_label": str, "position": int,
    }, pk=("table_name", "row_key", "col_key"))

    for table in IMMUTABLE_TABLES:
        for op in ("UPDATE", "DELETE"):
            db.execute(f"""
                CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: {op} rejected'); END
            """)

    db["versions"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)


# ---------------------------------------------------------------------------------------------
# Views: regenerated from code on open, so they follow the template vocabulary.

_LATEST_VERSIONS = """
SELECT d.id AS document_id, v.id AS version_id, d.url AS source_url, d.source, d.agency,
       d.region, d.year, v.title, v.published, v.template, v.format, v.fetched_at,
       d.first_seen, d.last_seen, d.removed_at, v.extractor_version, v.content_sha256,
       v.raw_sha256
FROM documents d JOIN versions v ON v.id = d.latest_version_id
"""

_LATEST_FIGURES = """
SELECT d.agency, d.region, d.year, f.table_name, f.row_key, f.col_key, f.value,
       d.url AS source_url, v.fetched_at, d.last_seen, d.removed_at,
       c.table_label, c.row_label, c.col_label,
       d.id AS document_id, v.id AS version_id, v.extractor_version
FROM documents d
JOIN versions v ON v.id = d.latest_version_id
JOIN figures f ON f.version_id = v.id
LEFT JOIN template_cells c
  ON c.table_name = f.table_name AND c.row_key = f.row_key AND c.col_key = f.col_key
"""

_REPORT_VERSIONS = """
SELECT v.id AS version_id, v.document_id, d.url AS source_url, v.agency, d.region, v.year,
       v.title, v.published, v.template, v.format, v.fetched_at, v.origin, v.reextract_of,
       v.extractor_version, v.content_sha256, v.raw_sha256, (v.id = d.latest_version_id) AS is_latest,
       d.removed_at
FROM versions v JOIN documents d ON d.id = v.document_id
"""

_CROSS_YEAR = """
WITH cell AS (
  SELECT lv.version_id, lv.agency, lv.region, lv.year, f.row_key, f.value
  FROM latest_versions lv JOIN figures f ON f.version_id = lv.version_id
  WHERE f.table_name = 'applications' AND f.col_key = 'total'
    AND f.row_key IN ('carried_over', 'carried_forward') AND lv.agency IS NOT NULL
    AND lv.year IS NOT NULL
)
SELECT cur.version_id, 'cross_year.carried_over' AS rule,
       (cur.value = prev.value) AS ok,
       cur.year || ' carried_over.total ' || cur.value || ' vs ' || prev.year
         || ' carried_forward.total ' || prev.value AS detail,
       cur.agency, cur.region, cur.year, prev.version_id AS previous_version_id
FROM cell cur JOIN cell prev
  ON prev.agency = cur.agency AND prev.region IS cur.region AND prev.year = cur.year - 1
 AND cur.row_key = 'carried_over' AND prev.row_key = 'carried_forward'
"""

_ALL_CHECKS = """
SELECT version_id, rule, ok, detail FROM checks
UNION ALL
SELECT version_id, rule, ok, detail FROM cross_year_checks
"""


def wide_view_sql(table: str) -> str:
    # One correlated lookup per cell rather than a GROUP BY pivot: each is a primary-key probe,
    # and filters on agency/year/document push down to `versions`, so a filtered query or a
    # Datasette page touches only the rows it shows.
    cols = ",\n       ".join(
        f"(SELECT value FROM figures f WHERE f.version_id = v.id AND f.table_name = '{c.table}'"
        f" AND f.row_key = '{c.row}' AND f.col_key = '{c.col}') AS {c.column}"
        for c in labels.cells(table)
    )
    return f"""
SELECT v.id AS version_id, v.document_id, (v.id = d.latest_version_id) AS is_latest,
       v.agency, d.region, v.year, v.title, v.published, v.template, v.format,
       d.url AS source_url, v.fetched_at, v.extractor_version, d.removed_at,
       {cols}
FROM versions v JOIN documents d ON d.id = v.document_id
WHERE EXISTS (SELECT 1 FROM figures f WHERE f.version_id = v.id AND f.table_name = '{table}')
"""


def views() -> dict[str, str]:
    out = {
        "latest_versions": _LATEST_VERSIONS,
        "latest_figures": _LATEST_FIGURES,
        "report_versions": _REPORT_VERSIONS,
        "cross_year_checks": _CROSS_YEAR,
        "all_checks": _ALL_CHECKS,
    }
    for table in labels.TABLES:
        out[f"wide_{table}"] = wide_view_sql(table)
    return out


def _sync_views(db: sqlite_utils.Database) -> None:
    wanted = {name: sql.strip() for name, sql in views().items()}
    existing = {v.name: v.schema for v in db.views}
    stale = [n for n, sql in wanted.items() if existing.get(n) != f"CREATE VIEW {n} AS {sql}"]
    if not stale:
        return
    with db.atomic():
        # Views depend on one another (all_checks -> cross_year_checks -> latest_versions):
        # drop all stale ones first, then create in dependency order.
        for name in reversed(list(wanted)):
            if name in stale and name in existing:
                db.execute(f"DROP VIEW {name}")
        for name, sql in wanted.items():
            if name in stale:
                db.execute(f"CREATE VIEW {name} AS {sql}")


def _sync_template_cells(db: sqlite_utils.Database) -> None:
    rows = [
        {"table_name": c.table, "row_key": c.row, "col_key": c.col, "column_name": c.column,
         "table_label": labels.TABLE_LABELS.get(c.table, c.table), "row_label": c.row_label,
         "col_label": c.col_label, "position": i}
        for i, c in enumerate(labels.CELLS)
    ]
    current = list(db.query("SELECT * FROM template_cells ORDER BY position"))
    if current != rows:
        with db.atomic():
            db.execute("DELETE FROM template_cells")
            db["template_cells"].insert_all(rows)


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the database to the current schema (idempotent)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"archive schema version {version} is newer than this program's "
                          f"({SCHEMA_VERSION}); upgrade ogi")
    if migrations.pending(db):
        migrations.apply(db)
    if version != SCHEMA_VERSION:
        with db.ensure_autocommit_on():
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    _sync_template_cells(db)
    _sync_views(db)
