"""The archive's schema, in one place: tables, indexes, triggers, views, full-text search, migrations.

Versions are the agency's, readings are ours: a *version* is one distinct content of a report as
the agency published it; a *reading* is what one extractor read in a version. A new extractor
adds readings to existing versions; it never adds versions. Tables (bookkeeping columns are the
`*_at`, `run_id`, `origin` ones):

- `documents`   one row per report identity (canonical URL after redirects). Latest state, updated
                in place: agency/year/title of the latest reading, `division_code` (GB/T 2260 of
                the agency's region), `first_seen`, `last_seen`, `removed_at` (+ `removed_reason`),
                `latest_version_id` and that version's newest reading `latest_reading_id`.
- `versions`    one row per distinct content of a document (append-only): `fetched_at`,
                `raw_sha256` (the captured bytes), and what its first reading saw (`content_sha256`,
                `extractor_version`, title, year, template...). A row is only added when the
                agency's content changed: identical raw bytes never make one (a trigger refuses a
                version whose bytes equal the document's previous version, or whose content equals
                that version's reading by the same extractor).
- `readings`    one row per (version, extractor) whose reading differs from the version's
                previous one (append-only; unique on version_id + extractor_version). `origin`:
                'fetch' (read when fetched), 'reread' (an older capture re-read by the crawl after
                an extractor change), 'reextract' (`ogi reextract`). A version's *current* reading
                is its newest (greatest id). `evidence`, `consistency`: JSON from the extractor;
                `ocr_engine` when figures were read by OCR; `n_figures` (0 = no table was read).
- `extractors`  every extractor identity seen (`extract.fingerprint`): what went into it.
- `reading_texts` a reading's title and normalised main text (append-only), indexed for
                full-text search; kept apart so scans over readings stay small.
- `figure_values` a reading's figures, compactly: (reading_id, cell_id, value), append-only.
                The long form researchers query is the view `figures` (version_id, reading_id,
                table_name, row_key, col_key, value: each version's current reading); keys live
                once in `cells`. `reading_figures` has every reading's.
- `reading_checks` the extractor's arithmetic and text checks of a reading (append-only); the
                view `checks` shows each version's current reading's. The cross-year check needs
                two reports, so it is the view `cross_year_checks`; `all_checks` unions both.
- `figure_changes` which cells differ from the previous reading (of the previous version for a
                'changed' event, of the same version for a 'reread' one); old_value NULL = cell
                appeared, new_value NULL = cell vanished.
- `events`      new / changed / removed / restored / reread, with time and detail (append-only).
                'changed' is only ever the agency's change; 'reread' is our reading improving.
- `raw_blobs`   raw bytes of every distinct fetched document, keyed by sha256, zstd-compressed.
- `capture_resources` the pictures an HTML page shows, fetched with it (its tables, when they are
                pictures): (page `raw_sha256`, picture `url`) → `blob_sha256` in `raw_blobs`,
                with `content_type` (from the bytes) and `fetched_at` (append-only). Re-reading a
                capture (`ogi reextract`) hands them to OCR again, offline.
- `fetches`     every HTTP exchange, including errors and 304s (append-only).
- `failures`    documents fetched but not archived as reports: status 'unreadable',
                'not_a_report', 'image_only', 'unsupported', 'time_limit', 'memory_limit'... with
                the extractor's one-line reason; one row per (url, raw bytes), updated when seen
                again. Their raw bytes are kept, so `ogi reextract` can recover them.
- `reextractions` every time an extractor read a stored capture (append-only): same / changed /
                failed / recovered, so neither the crawl nor `ogi reextract` reads it twice.
- `crawl_runs`  one row per crawl: sources, start, finish, summary JSON.
- `source_health` the health report of a crawl: one row per (run_id, source) with whether the
                source answered at all (`reachable`: any response below 400), its counts (pages,
                reports, new, changed, unchanged, removed, failed, errors, blocked), its first
                problem (`first_error`), why removal detection was skipped (`incomplete`: a
                failed listing, the page or time budget), `duration_s` (first request to last
                answer) and `flagged` (+ `flag_reason`): no reports, or unreachable, in this run
                and the source's 2 runs before it. Written when a run closes (again, same key,
                when a JOBDIR run is resumed); read by `ogi status`.
- `cells`       every figure key: the template's cells (with wide-column name, Chinese labels,
                position) plus any other key an extractor produced (labels NULL).
- `wide_rows_active`, `wide_rows_applications`, `wide_rows_review_litigation`: a reading's
                figures one row per reading and one column per template cell (`<row>__<col>`),
                written with the reading (append-only). Query them through the `wide_*` views.

History cannot be rewritten: every append-only table has triggers refusing UPDATE, DELETE and
an INSERT that reuses an existing key (so `INSERT OR REPLACE` cannot delete and re-insert).

Views: `figures`, `reading_figures`, `checks`, `latest_versions`, `latest_figures`,
`report_versions`, `wide_active`, `wide_applications`, `wide_review_litigation` (one row per
report version with its current reading's metadata, one column per cell), `cross_year_checks`,
`all_checks`, `coverage` (agency x year) and `coverage_matrix` (one row per agency, one column
per year). Full-text search: `reading_texts_fts` (FTS5, trigram tokenizer, so any Chinese
substring of three or more characters matches) over `reading_texts`.

Times are UTC ISO-8601 strings ending in `Z`; dates are `YYYY-MM-DD`.

Migrations are sqlite-utils `Migrations` (recorded in `_sqlite_migrations`); `PRAGMA user_version`
mirrors the number applied so plain sqlite3 tools can see the schema version too. Views and
the template rows of `cells` follow the current code on every open (only rewritten when they
differ; cell ids never change once given).
"""
from __future__ import annotations

import contextlib
import weakref

import sqlite_utils
from sqlite_utils.migrations import Migrations

from archive import labels
from archive.errors import SchemaError

migrations = Migrations("ogi_archive")
# Number of migrations below; mirrored into PRAGMA user_version. Bump when adding one.
SCHEMA_VERSION = 5

# Append-only tables and the key an INSERT must not reuse (rowid for tables without one).
PROTECTED_TABLES: dict[str, tuple[str, ...]] = {
    "versions": ("id",), "readings": ("id",), "reading_texts": ("reading_id",),
    "figure_values": ("reading_id", "cell_id"), "reading_checks": ("rowid",),
    "figure_changes": ("rowid",), "events": ("id",), "raw_blobs": ("sha256",),
    "fetches": ("id",), "reextractions": ("id",), "extractors": ("version",),
    "capture_resources": ("raw_sha256", "url"),
}


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

    for table in ("versions", "version_texts", "figure_values", "checks", "events", "raw_blobs"):
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


def _cell_value_sql(table_alias: str, cell_id: int | None, key: str = "reading_id") -> str:
    if cell_id is None:
        return "NULL"
    return f"(SELECT value FROM figure_values WHERE {key} = {table_alias}.{key} AND cell_id = {cell_id})"


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
        values = ", ".join(_cell_value_sql("v", ids.get((c.table, c.row, c.col)), "version_id") for c in cells)
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


def _drop_triggers(db: sqlite_utils.Database, table: str, *, guards_only: bool = False) -> None:
    """Drop a table's triggers, or only the history guards `protect` makes (`<table>_no_*`),
    leaving others such as the full-text index's own."""
    prefix = f"{table}_no_" if guards_only else ""
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
                              " AND substr(name, 1, ?) = ?", [table, len(prefix), prefix]).fetchall():
        db.execute(f"DROP TRIGGER {name}")


def protect(db: sqlite_utils.Database, table: str, key: tuple[str, ...]) -> None:
    """Append-only: UPDATE and DELETE refused, and so is an INSERT reusing an existing key, which
    `INSERT OR REPLACE` would otherwise turn into a delete that fires no trigger."""
    for op in ("UPDATE", "DELETE"):
        db.execute(f"""
            CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: {op} rejected'); END
        """)
    same_key = " AND ".join(f"{k} = NEW.{k}" for k in key)
    db.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_key})
        BEGIN SELECT RAISE(ABORT, '{table} rows are immutable: an existing row cannot be replaced'); END
    """)


def _rebuild(db: sqlite_utils.Database, table: str, create: str, select: str) -> None:
    """Replace `table` by the one `create` makes (named `table`), filled by `select` from the old."""
    _drop_triggers(db, table)
    db.execute(f"ALTER TABLE {table} RENAME TO {table}__old")
    db.execute(create)
    db.execute(f"INSERT INTO {table} {select.format(old=f'{table}__old')}")
    db.execute(f"DROP TABLE {table}__old")


@migrations()
def m004_readings(db: sqlite_utils.Database) -> None:
    """Versions are the agency's, readings are ours (see the module docstring).

    Before: every extractor's reading of a capture was a `versions` row (origin 'reextract'
    rows pointed at their capture through `reextract_of`). After: each old row becomes a
    reading with the same id (so figure, check and text rows keep their keys); only captures
    stay versions. Runs with foreign keys off (see `migrate`), as SQLite's table rebuild needs,
    and with legacy renames, so that renaming a table aside never rewrites other tables'
    references to it; views are dropped first and made again by `_sync_views`.
    """
    for view in db.view_names():
        db.execute(f"DROP VIEW [{view}]")
    db.execute("PRAGMA legacy_alter_table = ON")
    # Readings, ids kept: figure_values, checks and texts were keyed by these ids already.
    db.execute("""
        CREATE TABLE readings (
            id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL REFERENCES versions(id),
            extractor_version TEXT NOT NULL, read_at TEXT NOT NULL, origin TEXT NOT NULL,
            content_sha256 TEXT NOT NULL, title TEXT, agency TEXT, year INTEGER, published TEXT,
            template TEXT, format TEXT, n_figures INTEGER, ocr_engine TEXT, evidence TEXT,
            consistency TEXT, run_id INTEGER)
    """)
    db.execute("""
        INSERT INTO readings (id, version_id, extractor_version, read_at, origin, content_sha256,
                              title, agency, year, published, template, format, n_figures, run_id)
        SELECT v.id, COALESCE(v.reextract_of, v.id), v.extractor_version,
               COALESCE(v.recorded_at, v.fetched_at), v.origin, v.content_sha256, v.title,
               v.agency, v.year, v.published, v.template, v.format,
               (SELECT COUNT(*) FROM figure_values fv WHERE fv.version_id = v.id), v.run_id
        FROM versions v
    """)
    db.execute("CREATE UNIQUE INDEX idx_readings_version_extractor ON readings (version_id, extractor_version)")
    db.execute("CREATE INDEX idx_readings_version_id ON readings (version_id, id)")
    db.execute("CREATE INDEX idx_readings_extractor ON readings (extractor_version)")

    db["extractors"].create({"version": str, "first_seen": str, "components": str}, pk="version")
    db.execute("""
        INSERT INTO extractors (version, first_seen)
        SELECT extractor_version, MIN(read_at) FROM readings GROUP BY extractor_version
    """)

    # Documents point at their latest version and its newest reading; the old pointer was the
    # newest reading of the latest capture.
    db["documents"].add_column("latest_reading_id", int)
    db["documents"].add_column("division_code", str)
    db.execute("""
        UPDATE documents SET latest_reading_id = latest_version_id,
               latest_version_id = (SELECT version_id FROM readings WHERE id = documents.latest_version_id)
        WHERE latest_version_id IS NOT NULL
    """)
    db["documents"].create_index(["division_code", "year"])

    _rebuild(db, "figure_values", """
        CREATE TABLE figure_values (
            reading_id INTEGER NOT NULL REFERENCES readings(id),
            cell_id INTEGER NOT NULL REFERENCES cells(id),
            value ANY,
            PRIMARY KEY (reading_id, cell_id)
        ) WITHOUT ROWID""", "SELECT version_id, cell_id, value FROM {old}")
    _drop_triggers(db, "checks")
    db.execute("""CREATE TABLE reading_checks (reading_id INTEGER NOT NULL REFERENCES readings(id),
                                              rule TEXT NOT NULL, ok INTEGER, detail TEXT)""")
    db.execute("INSERT INTO reading_checks SELECT version_id, rule, ok, detail FROM checks")
    db.execute("DROP TABLE checks")
    db.execute("CREATE INDEX idx_reading_checks_reading_id ON reading_checks (reading_id)")
    db.execute("CREATE INDEX idx_reading_checks_rule_ok ON reading_checks (rule, ok)")

    # Texts: the full-text index is rebuilt over the renamed table.
    for name in [t for t in db.table_names() if t.startswith("version_texts_fts")]:
        db.execute(f"DROP TABLE IF EXISTS [{name}]")
    _drop_triggers(db, "version_texts")
    db.execute("""CREATE TABLE reading_texts (reading_id INTEGER PRIMARY KEY REFERENCES readings(id),
                                             title TEXT, text TEXT)""")
    db.execute("INSERT INTO reading_texts SELECT version_id, title, text FROM version_texts")
    db.execute("DROP TABLE version_texts")
    db["reading_texts"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)

    for table in labels.TABLES:
        name = wide_table(table)
        columns = [c for c in db[name].columns_dict if c != "version_id"]
        _rebuild(db, name, f"CREATE TABLE {name} (reading_id INTEGER PRIMARY KEY REFERENCES readings(id), "
                           + ", ".join(f"[{c}] ANY" for c in columns) + ")",
                 f"SELECT version_id, {', '.join(columns)} FROM {{old}}")

    _rebuild(db, "figure_changes", """
        CREATE TABLE figure_changes (
            reading_id INTEGER NOT NULL REFERENCES readings(id),
            previous_reading_id INTEGER NOT NULL REFERENCES readings(id),
            version_id INTEGER NOT NULL REFERENCES versions(id),
            previous_version_id INTEGER NOT NULL REFERENCES versions(id),
            table_name TEXT, row_key TEXT, col_key TEXT, old_value ANY, new_value ANY)""", """
        SELECT o.version_id, o.previous_version_id,
               (SELECT version_id FROM readings WHERE id = o.version_id),
               (SELECT version_id FROM readings WHERE id = o.previous_version_id),
               o.table_name, o.row_key, o.col_key, o.old_value, o.new_value FROM {old} o""")
    db.execute("CREATE INDEX idx_figure_changes_reading_id ON figure_changes (reading_id)")
    db.execute("CREATE INDEX idx_figure_changes_version_id ON figure_changes (version_id)")

    _drop_triggers(db, "events")
    db["events"].add_column("reading_id", int)

    _drop_triggers(db, "reextractions")
    db.execute("ALTER TABLE reextractions RENAME COLUMN new_version_id TO new_reading_id")

    # Versions: the captures only, without the reading bookkeeping.
    _rebuild(db, "versions", """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id),
            fetched_at TEXT NOT NULL, published TEXT, title TEXT, agency TEXT, year INTEGER,
            template TEXT, format TEXT, content_type TEXT, extractor_version TEXT NOT NULL,
            content_sha256 TEXT NOT NULL, raw_sha256 TEXT NOT NULL REFERENCES raw_blobs(sha256),
            run_id INTEGER, recorded_at TEXT)""", """
        SELECT id, document_id, fetched_at, published, title, agency, year, template, format,
               content_type, extractor_version, content_sha256, raw_sha256, run_id, recorded_at
        FROM {old} WHERE origin = 'fetch'""")
    db.execute("PRAGMA legacy_alter_table = OFF")
    for cols in (["document_id", "fetched_at"], ["raw_sha256"], ["year", "agency"], ["agency", "year"]):
        db["versions"].create_index(cols)

    _protect_all(db)


def _protect_all(db: sqlite_utils.Database) -> None:
    for table, key in PROTECTED_TABLES.items():
        if not db[table].exists():
            continue  # made by a later migration, which protects it itself
        _drop_triggers(db, table, guards_only=True)
        protect(db, table, key)
    for table in labels.TABLES:
        _drop_triggers(db, wide_table(table), guards_only=True)
        protect(db, wide_table(table), ("reading_id",))
    # The agency's versions: identical content can never become two consecutive versions,
    # whatever path (or race) tries to insert one.
    db.execute("""
        CREATE TRIGGER versions_no_duplicate BEFORE INSERT ON versions
        WHEN EXISTS (
            SELECT 1 FROM versions p
            WHERE p.id = (SELECT MAX(id) FROM versions WHERE document_id = NEW.document_id)
              AND (p.raw_sha256 = NEW.raw_sha256
                   OR EXISTS (SELECT 1 FROM readings r WHERE r.version_id = p.id
                              AND r.extractor_version = NEW.extractor_version
                              AND r.content_sha256 = NEW.content_sha256)))
        BEGIN SELECT RAISE(ABORT, 'versions: same content as the previous version of this document'); END
    """)


@migrations()
def m005_capture_resources(db: sqlite_utils.Database) -> None:
    """The pictures a captured HTML page shows (its tables, when they are pictures), fetched with
    the page and kept with it so a re-reading by OCR needs no network (`archive.resources`)."""
    db["capture_resources"].create({
        "raw_sha256": str, "url": str, "blob_sha256": str, "content_type": str, "fetched_at": str,
    }, pk=("raw_sha256", "url"), not_null=["raw_sha256", "url", "blob_sha256", "fetched_at"],
        foreign_keys=[("raw_sha256", "raw_blobs", "sha256"), ("blob_sha256", "raw_blobs", "sha256")])
    db["capture_resources"].create_index(["blob_sha256"])
    protect(db, "capture_resources", ("raw_sha256", "url"))


# ---------------------------------------------------------------------------------------------
# Views: regenerated from code on open, so they follow the template vocabulary.

# A version's current reading: its newest. Correlated, so a query for a few versions reads a few
# index entries (idx_readings_version_id) instead of grouping every reading.
_CURRENT = "(SELECT MAX(r2.id) FROM readings r2 WHERE r2.version_id = {v}.id)"

_LATEST_VERSIONS = """
SELECT d.id AS document_id, v.id AS version_id, r.id AS reading_id, d.url AS source_url, d.source,
       d.agency, d.region, d.division_code, d.year, r.title, r.published, r.template, r.format,
       v.fetched_at, d.first_seen, d.last_seen, d.removed_at, r.extractor_version, r.read_at,
       r.content_sha256, v.raw_sha256, r.n_figures, (r.n_figures = 0) AS no_figures, r.ocr_engine
FROM documents d
JOIN versions v ON v.id = d.latest_version_id
JOIN readings r ON r.id = d.latest_reading_id
"""

_FIGURES = f"""
SELECT r.version_id, r.id AS reading_id, c.table_name, c.row_key, c.col_key, fv.value
FROM versions v
JOIN readings r ON r.id = {_CURRENT.format(v="v")}
JOIN figure_values fv ON fv.reading_id = r.id
JOIN cells c ON c.id = fv.cell_id
"""

_READING_FIGURES = """
SELECT r.version_id, fv.reading_id, r.extractor_version, c.table_name, c.row_key, c.col_key, fv.value
FROM figure_values fv JOIN readings r ON r.id = fv.reading_id JOIN cells c ON c.id = fv.cell_id
"""

_CHECKS = f"""
SELECT r.version_id, k.reading_id, k.rule, k.ok, k.detail
FROM versions v
JOIN readings r ON r.id = {_CURRENT.format(v="v")}
JOIN reading_checks k ON k.reading_id = r.id
"""

_LATEST_FIGURES = """
SELECT d.agency, d.region, d.division_code, d.year, c.table_name, c.row_key, c.col_key, fv.value,
       d.url AS source_url, v.fetched_at, d.last_seen, d.removed_at,
       c.table_label, c.row_label, c.col_label,
       d.id AS document_id, v.id AS version_id, r.id AS reading_id, r.template, r.extractor_version
FROM documents d
JOIN versions v ON v.id = d.latest_version_id
JOIN readings r ON r.id = d.latest_reading_id
JOIN figure_values fv ON fv.reading_id = r.id
JOIN cells c ON c.id = fv.cell_id
"""

_REPORT_VERSIONS = f"""
SELECT v.id AS version_id, r.id AS reading_id, v.document_id, d.url AS source_url, r.agency,
       d.region, d.division_code, r.year, r.title, r.published, r.template, r.format,
       v.fetched_at, r.extractor_version, r.read_at,
       (SELECT COUNT(*) FROM readings n WHERE n.version_id = v.id) AS readings,
       r.content_sha256, v.raw_sha256, (v.id = d.latest_version_id) AS is_latest, d.removed_at
FROM versions v
JOIN documents d ON d.id = v.document_id
JOIN readings r ON r.id = {_CURRENT.format(v="v")}
"""

_CROSS_YEAR = """
SELECT cur.version_id, 'cross_year.carried_over' AS rule,
       (cw.carried_over__total = pw.carried_forward__total) AS ok,
       cur.year || ' carried_over.total ' || cw.carried_over__total || ' vs ' || prev.year
         || ' carried_forward.total ' || pw.carried_forward__total AS detail,
       cur.agency, cur.region, cur.year, prev.version_id AS previous_version_id
FROM latest_versions cur
JOIN wide_rows_applications cw ON cw.reading_id = cur.reading_id
JOIN latest_versions prev
  ON prev.agency = cur.agency AND prev.region IS cur.region AND prev.year = cur.year - 1
JOIN wide_rows_applications pw ON pw.reading_id = prev.reading_id
WHERE cw.carried_over__total IS NOT NULL AND pw.carried_forward__total IS NOT NULL
"""

_ALL_CHECKS = """
SELECT version_id, rule, ok, detail FROM checks
UNION ALL
SELECT version_id, rule, ok, detail FROM cross_year_checks
"""

_COVERAGE = """
SELECT division_code, region, agency, year, COUNT(*) AS reports,
       GROUP_CONCAT(DISTINCT template) AS templates, SUM(no_figures) AS without_figures,
       MAX(removed_at IS NOT NULL) AS any_removed
FROM latest_versions
WHERE year IS NOT NULL
GROUP BY division_code, region, agency, year
"""

# Years the coverage matrix shows: from the Regulations' first year to the current one.
FIRST_REPORT_YEAR = 2008


def coverage_matrix_sql(last_year: int) -> str:
    years = ",\n       ".join(f'SUM(year = {y}) AS "{y}"' for y in range(FIRST_REPORT_YEAR, last_year + 1))
    return f"""
SELECT division_code, region, agency, COUNT(DISTINCT year) AS years, MIN(year) AS first_year,
       MAX(year) AS last_year,
       {years}
FROM coverage
GROUP BY division_code, region, agency
"""


def wide_view_sql(table: str) -> str:
    cols = ",\n       ".join(f"w.{c.column}" for c in labels.cells(table))
    return f"""
SELECT v.id AS version_id, r.id AS reading_id, v.document_id,
       (v.id = d.latest_version_id) AS is_latest, r.agency, d.region, d.division_code, r.year,
       r.title, r.published, r.template, r.format, d.url AS source_url, v.fetched_at,
       r.extractor_version, d.removed_at,
       {cols}
FROM versions v
JOIN documents d ON d.id = v.document_id
JOIN readings r ON r.id = {_CURRENT.format(v="v")}
LEFT JOIN {wide_table(table)} w ON w.reading_id = r.id
"""


def views() -> dict[str, str]:
    """Every view, in dependency order."""
    import datetime as dt

    out = {
        "figures": _FIGURES,
        "reading_figures": _READING_FIGURES,
        "checks": _CHECKS,
        "latest_versions": _LATEST_VERSIONS,
        "latest_figures": _LATEST_FIGURES,
        "report_versions": _REPORT_VERSIONS,
        "cross_year_checks": _CROSS_YEAR,
        "all_checks": _ALL_CHECKS,
        "coverage": _COVERAGE,
        "coverage_matrix": coverage_matrix_sql(dt.date.today().year),
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
    # Views depend on one another (all_checks -> cross_year_checks -> latest_versions): drop all
    # stale ones first, then create in dependency order.
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
    for key, meta in wanted.items():
        if key not in current:
            db["cells"].insert({"table_name": key[0], "row_key": key[1], "col_key": key[2], **meta})
        elif any(current[key][f] != v for f, v in meta.items()):
            db["cells"].update(current[key]["id"], meta)


def _sync_wide_columns(db: sqlite_utils.Database) -> None:
    """A cell added to the template becomes a column, filled from the figures already stored."""
    ids = cell_ids(db)
    for table in labels.TABLES:
        name = wide_table(table)
        have = set(db[name].columns_dict)
        missing = [c for c in labels.cells(table) if c.column not in have]
        if not missing:
            continue
        # The one sanctioned rewrite of immutable rows: adding a derived column.
        _drop_triggers(db, name, guards_only=True)
        for c in missing:
            db[name].add_column(c.column, "ANY")
        db.execute(f"UPDATE {name} SET " + ", ".join(
            f"{c.column} = {_cell_value_sql(name, ids.get((c.table, c.row, c.col)))}" for c in missing))
        protect(db, name, ("reading_id",))
        _wide_columns.pop(db, None)


_wide_columns: "weakref.WeakKeyDictionary[sqlite_utils.Database, dict]" = weakref.WeakKeyDictionary()


def wide_columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """Cell columns of a wide_rows table as they exist in this database (read once)."""
    cache = _wide_columns.setdefault(db, {})
    if table not in cache:
        cache[table] = [c for c in db[wide_table(table)].columns_dict if c != "reading_id"]
    return cache[table]


@contextlib.contextmanager
def write(db: sqlite_utils.Database):
    """A write transaction that takes the write lock at its start (`BEGIN IMMEDIATE`).

    A deferred transaction reads first and upgrades to a write lock later; in WAL mode, when
    another process committed in between, that upgrade fails at once with "database is locked"
    (the busy timeout cannot help a stale snapshot). Taking the lock first makes a second
    writer wait (busy timeout) and every decision read inside the transaction is current.
    Nested use becomes a savepoint of the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the database to the current schema (idempotent; one process migrates, others wait)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"archive schema version {version} is newer than this program's "
                          f"({SCHEMA_VERSION}); upgrade ogi")
    if migrations.pending(db):
        # Table rebuilds need foreign keys off, which can only change outside a transaction.
        fks = db.execute("PRAGMA foreign_keys").fetchone()[0]
        db.execute("PRAGMA foreign_keys = OFF")
        try:
            with write(db):
                if migrations.pending(db):
                    migrations.apply(db)
                    broken = db.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaError(f"migration left {len(broken)} broken references, e.g. {broken[0]}")
        finally:
            db.execute(f"PRAGMA foreign_keys = {'ON' if fks else 'OFF'}")
    if version != SCHEMA_VERSION:
        with db.ensure_autocommit_on():
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if _schema_stale(db):
        with write(db):
            _sync_cells(db)
            _sync_wide_columns(db)
            _sync_views(db)


def _schema_stale(db: sqlite_utils.Database) -> bool:
    """Whether cells, wide columns or views differ from the code (read-only check, so opening an
    up-to-date archive never takes the write lock)."""
    existing = {v.name: v.schema for v in db.views}
    if any(existing.get(n) != f"CREATE VIEW {n} AS {sql.strip()}" for n, sql in views().items()):
        return True
    have = {(r[0], r[1], r[2]): r[3:] for r in db.execute(
        "SELECT table_name, row_key, col_key, column_name, table_label, row_label, col_label, position FROM cells")}
    for i, c in enumerate(labels.CELLS):
        if have.get((c.table, c.row, c.col)) != (c.column, labels.TABLE_LABELS.get(c.table, c.table),
                                                  c.row_label, c.col_label, i):
            return True
    return any(c.column not in db[wide_table(t)].columns_dict for t in labels.TABLES for c in labels.cells(t))
