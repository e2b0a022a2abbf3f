"""The archive's schema, in one place: tables, indexes, triggers, views, full-text search, migrations.

Tables (bookkeeping columns are the `*_at`, `run_id`, `origin` ones):

- `documents`   one row per report identity (canonical URL after redirects). Latest state, updated
                in place: agency/year/title of the latest version, `first_seen`, `last_seen`,
                `removed_at` (+ `removed_reason`), `latest_version_id`.
- `versions`    one row per distinct reading of a document. Append-only (triggers reject UPDATE and
                DELETE). `origin` is 'fetch' for the first reading of fetched bytes (a fetch whose
                content hash differed from the previous version), 'reextract' for a newer extractor's reading of the same stored
                bytes (then `reextract_of` points at the 'fetch' row, `fetched_at` and
                `raw_sha256` are that version's). "Latest" means the greatest (fetched_at, id).
- `version_texts` a version's title and normalised main text (append-only), indexed for
                full-text search; kept apart so scans over `versions` stay small.
- `figure_values` a version's figures, compactly: (version_id, cell_id, value), append-only.
                The long form researchers query is the view `figures` (version_id, table_name,
                row_key, col_key, value); keys live once in `cells`. At ~200 cells per report this
                keeps a version's figures near 2 KB instead of ~25 KB of repeated key text.
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
- `source_health` the health report of a crawl: one row per (run_id, source) with whether the
                source answered at all (`reachable`: any response below 400), its counts (pages,
                reports, new, changed, unchanged, removed, failed, errors, blocked), its first
                problem (`first_error`), why removal detection was skipped (`incomplete`: a
                failed listing, the page or time budget), `duration_s` (first request to last
                answer) and `flagged` (+ `flag_reason`): no reports, or unreachable, in this run
                and the source's 2 runs before it. Written when a run closes (again, same key,
                when a JOBDIR run is resumed); read by `ogi status`.
- `cells`       every figure key: the 2021 template's cells (with wide-column name, Chinese
                labels, position) plus any other key an extractor produced (labels NULL).

- `wide_rows_active`, `wide_rows_applications`, `wide_rows_review_litigation`: the same figures
                one row per version and one column per template cell (`<row>__<col>`), written
                with the version (append-only), so "table 3 of every agency in 2022" reads rows
                instead of pivoting 200 cells each. Query them through the `wide_*` views.

Views: `figures`, `latest_versions`, `latest_figures`, `report_versions`, `wide_active`,
`wide_applications`, `wide_review_litigation` (one row per report version with its metadata,
one column per cell), `cross_year_checks`, `all_checks`. Full-text search: `version_texts_fts` (FTS5, trigram
tokenizer, so any Chinese substring of three or more characters matches) over `version_texts`
(version_id, title, text: the extractor's normalised main text of each version).

Times are UTC ISO-8601 strings ending in `Z`; dates are `YYYY-MM-DD`.

Migrations are sqlite-utils `Migrations` (recorded in `_sqlite_migrations`); `PRAGMA user_version`
mirrors the number applied so plain sqlite3 tools can see the schema version too. Views and
the template rows of `cells` follow the current code on every open (only rewritten when they
differ; cell ids never change once given).
"""
from __future__ import annotations

import weakref

import sqlite_utils
from sqlite_utils.migrations import Migrations

from archive import labels

migrations = Migrations("ogi_archive")
# Number of migrations below; mirrored into PRAGMA user_version. Bump when adding one.
SCHEMA_VERSION = 3

IMMUTABLE_TABLES = ("versions", "version_texts", "figure_values", "checks", "events", "raw_blobs")


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
        "reextract_of": int, "run_id": int, "recorded_at": str,
    }, pk="id", not_null=["document_id", "fetched_at", "extractor_version", "content_sha256",
                          "raw_sha256", "origin"],
        foreign_keys=[("document_id", "documents", "id"), ("raw_sha256", "raw_blobs", "sha256"),
                      ("reextract_of", "versions", "id")])
    db["versions"].create_index(["document_id", "fetched_at"])
    db["versions"].create_index(["reextract_of"])
    db["versions"].create_index(["raw_sha256"])
    db["versions"].create_index(["year", "agency"])
    db["versions"].create_index(["agency", "year"])

    # Report text apart from `versions`, so scans and joins over versions stay small.
    db["version_texts"].create({"version_id": int, "title": str, "text": str}, pk="version_id",
                               foreign_keys=[("version_id", "versions", "id")])

    db["cells"].create({
        "id": int, "table_name": str, "row_key": str, "col_key": str, "column_name": str,
        "table_label": str, "row_label": str, "col_label": str, "position": int,
    }, pk="id", not_null=["table_name", "row_key", "col_key"])
    db["cells"].create_index(["table_name", "row_key", "col_key"], unique=True)

    # Hand-written DDL because sqlite-utils cannot create WITHOUT ROWID tables: figure_values is
    # by far the largest table (~200 rows per version); clustered on its key it needs no rowid
    # and no second index, and "all cells of a version" is one contiguous range. `value` is
    # declared ANY (NUMERIC affinity) so counts stay integers and fees stay decimals.
    db.execute("""
        CREATE TABLE figure_values (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            cell_id INTEGER NOT NULL REFERENCES cells(id),
            value ANY,
            PRIMARY KEY (version_id, cell_id)
        ) WITHOUT ROWID
    """)

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

    for table in IMMUTABLE_TABLES:
        _make_immutable(db, table)

    db["version_texts"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)


def _make_immutable(db: sqlite_utils.Database, table: str) -> None:
    for op in ("UPDATE", "DELETE"):
        db.execute(f"""
            CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: {op} rejected'); END
        """)


def wide_table(table: str) -> str:
    return f"wide_rows_{table}"


def _cell_value_sql(table_alias: str, cell_id: int | None) -> str:
    if cell_id is None:
        return "NULL"
    return f"(SELECT value FROM figure_values WHERE version_id = {table_alias}.version_id AND cell_id = {cell_id})"


@migrations()
def m002_wide_rows(db: sqlite_utils.Database) -> None:
    ids = cell_ids(db)
    for table in labels.TABLES:
        name = wide_table(table)
        cells = labels.cells(table)
        db[name].create({"version_id": int, **{c.column: "ANY" for c in cells}}, pk="version_id",
                        foreign_keys=[("version_id", "versions", "id")])
        # Archives written before this migration: pivot their figures once.
        cols = ", ".join(c.column for c in cells)
        values = ", ".join(_cell_value_sql("v", ids.get((c.table, c.row, c.col))) for c in cells)
        db.execute(f"""
            INSERT INTO {name} (version_id, {cols})
            SELECT v.version_id, {values}
            FROM (SELECT DISTINCT fv.version_id FROM figure_values fv JOIN cells c ON c.id = fv.cell_id
                  WHERE c.table_name = '{table}') v
        """)
        _make_immutable(db, name)


@migrations()
def m003_source_health(db: sqlite_utils.Database) -> None:
    counts = ("pages", "reports", "new", "changed", "unchanged", "removed", "failed", "errors", "blocked")
    db["source_health"].create({
        "run_id": int, "source": str, "agency": str, "region": str, "reachable": int,
        **{name: int for name in counts},
        "first_error": str, "incomplete": str, "duration_s": float, "flagged": int, "flag_reason": str,
    }, pk=("run_id", "source"), not_null=["run_id", "source", "reachable", "flagged"],
        foreign_keys=[("run_id", "crawl_runs", "id")])
    # The flag rule reads a source's latest runs; `ogi status` lists one run's sources.
    db["source_health"].create_index(["source", "run_id"])
    db["source_health"].create_index(["flagged", "run_id"])


# ---------------------------------------------------------------------------------------------
# Views: regenerated from code on open, so they follow the template vocabulary.

_LATEST_VERSIONS = """
SELECT d.id AS document_id, v.id AS version_id, d.url AS source_url, d.source, d.agency,
       d.region, d.year, v.title, v.published, v.template, v.format, v.fetched_at,
       d.first_seen, d.last_seen, d.removed_at, v.extractor_version, v.content_sha256,
       v.raw_sha256
FROM documents d JOIN versions v ON v.id = d.latest_version_id
"""

_FIGURES = """
SELECT fv.version_id, c.table_name, c.row_key, c.col_key, fv.value
FROM figure_values fv JOIN cells c ON c.id = fv.cell_id
"""

_LATEST_FIGURES = """
SELECT d.agency, d.region, d.year, c.table_name, c.row_key, c.col_key, fv.value,
       d.url AS source_url, v.fetched_at, d.last_seen, d.removed_at,
       c.table_label, c.row_label, c.col_label,
       d.id AS document_id, v.id AS version_id, v.extractor_version
FROM documents d
JOIN versions v ON v.id = d.latest_version_id
JOIN figure_values fv ON fv.version_id = v.id
JOIN cells c ON c.id = fv.cell_id
"""

_REPORT_VERSIONS = """
SELECT v.id AS version_id, v.document_id, d.url AS source_url, v.agency, d.region, v.year,
       v.title, v.published, v.template, v.format, v.fetched_at, v.origin, v.reextract_of,
       v.extractor_version, v.content_sha256, v.raw_sha256, (v.id = d.latest_version_id) AS is_latest,
       d.removed_at
FROM versions v JOIN documents d ON d.id = v.document_id
"""

_CROSS_YEAR = """
SELECT cur.version_id, 'cross_year.carried_over' AS rule,
       (cw.carried_over__total = pw.carried_forward__total) AS ok,
       cur.year || ' carried_over.total ' || cw.carried_over__total || ' vs ' || prev.year
         || ' carried_forward.total ' || pw.carried_forward__total AS detail,
       cur.agency, cur.region, cur.year, prev.version_id AS previous_version_id
FROM latest_versions cur
JOIN wide_rows_applications cw ON cw.version_id = cur.version_id
JOIN latest_versions prev
  ON prev.agency = cur.agency AND prev.region IS cur.region AND prev.year = cur.year - 1
JOIN wide_rows_applications pw ON pw.version_id = prev.version_id
WHERE cw.carried_over__total IS NOT NULL AND pw.carried_forward__total IS NOT NULL
"""

_ALL_CHECKS = """
SELECT version_id, rule, ok, detail FROM checks
UNION ALL
SELECT version_id, rule, ok, detail FROM cross_year_checks
"""


def wide_view_sql(table: str) -> str:
    cols = ",\n       ".join(f"w.{c.column}" for c in labels.cells(table))
    return f"""
SELECT v.id AS version_id, v.document_id, (v.id = d.latest_version_id) AS is_latest,
       v.agency, d.region, v.year, v.title, v.published, v.template, v.format,
       d.url AS source_url, v.fetched_at, v.extractor_version, d.removed_at,
       {cols}
FROM versions v JOIN documents d ON d.id = v.document_id
LEFT JOIN {wide_table(table)} w ON w.version_id = v.id
"""


def views() -> dict[str, str]:
    out = {
        "figures": _FIGURES,
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


def cell_ids(db: sqlite_utils.Database) -> dict[tuple[str, str, str], int]:
    return {(t, r, c): i for i, t, r, c in db.execute(
        "SELECT id, table_name, row_key, col_key FROM cells").fetchall()}


_committed_cells: "weakref.WeakKeyDictionary[sqlite_utils.Database, dict]" = weakref.WeakKeyDictionary()


def cell_id(db: sqlite_utils.Database, table: str, row: str, col: str) -> int:
    """Id of a figure key, adding keys outside the template on first sight."""
    known = _committed_cells.get(db)
    if known is None:
        # Read once per connection, after migrate() committed the template cells; a key added
        # later is looked up each time rather than cached, so a rolled-back insert never leaves
        # a dangling id in the cache.
        known = _committed_cells[db] = cell_ids(db)
    key = (table, row, col)
    if key in known:
        return known[key]
    return db["cells"].lookup({"table_name": table, "row_key": row, "col_key": col})


def _sync_cells(db: sqlite_utils.Database) -> None:
    """Template cells with current labels and order; ids of existing cells are kept."""
    wanted = {
        (c.table, c.row, c.col): {
            "column_name": c.column, "table_label": labels.TABLE_LABELS.get(c.table, c.table),
            "row_label": c.row_label, "col_label": c.col_label, "position": i,
        }
        for i, c in enumerate(labels.CELLS)
    }
    current = {(r["table_name"], r["row_key"], r["col_key"]): r for r in db.query("SELECT * FROM cells")}
    stale = [k for k, meta in wanted.items()
             if k not in current or any(current[k][f] != v for f, v in meta.items())]
    if not stale:
        return
    with db.atomic():
        for key in stale:
            row = {"table_name": key[0], "row_key": key[1], "col_key": key[2], **wanted[key]}
            if key in current:
                db["cells"].update(current[key]["id"], wanted[key])
            else:
                db["cells"].insert(row)


def _sync_wide_columns(db: sqlite_utils.Database) -> None:
    """A cell added to the template becomes a column, filled from the figures already stored."""
    ids = cell_ids(db)
    for table in labels.TABLES:
        name = wide_table(table)
        have = set(db[name].columns_dict)
        missing = [c for c in labels.cells(table) if c.column not in have]
        if not missing:
            continue
        with db.atomic():
            # The one sanctioned rewrite of immutable rows: adding a derived column.
            db.execute(f"DROP TRIGGER {name}_no_update")
            db.execute(f"DROP TRIGGER {name}_no_delete")
            for c in missing:
                db[name].add_column(c.column, "ANY")
            db.execute(f"UPDATE {name} SET " + ", ".join(
                f"{c.column} = {_cell_value_sql(name, ids.get((c.table, c.row, c.col)))}" for c in missing))
            _make_immutable(db, name)


_wide_columns: "weakref.WeakKeyDictionary[sqlite_utils.Database, dict]" = weakref.WeakKeyDictionary()


def wide_columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """Cell columns of a wide_rows table as they exist in this database (read once)."""
    cache = _wide_columns.setdefault(db, {})
    if table not in cache:
        cache[table] = [c for c in db[wide_table(table)].columns_dict if c != "version_id"]
    return cache[table]


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
    _sync_cells(db)
    _sync_wide_columns(db)
    _sync_views(db)
