"""Researcher access to the archive through Datasette 0.65.

- `metadata`  titles, licence/source note, every table, view and column described (EN + 中文),
              canned queries (`queries/*.sql`), dashboards (`dashboards`).
- `pages`     the report version page (template layout, source link, original download) and the
              raw document route.
- `layout`    the three template tables as grids (pure).
- `app`       a configured `Datasette` for an archive file (used by `ogi serve` and tests).

This package is itself the Datasette plugin (its hooks are below), so its `templates/` folder is
found by Datasette's plugin template loader.
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl
from markupsafe import Markup

from ogi.datasette import pages

_VERSION_COLUMNS: tuple[str, ...] = ()


def _is_version_column(column: str, table: str | None) -> bool:
    return (column.endswith("version_id") or column in _VERSION_COLUMNS
            or (table == "versions" and column == "id"))


def _is_query_link(value, datasette, database: str) -> bool:
    # Aggregate queries carry a relative link to the canned query listing the rows behind each
    # aggregate ("figure_by_agency?cell=…"), so the value works from any base URL.
    if not isinstance(value, str) or "?" not in value:
        return False
    queries = (datasette.metadata("queries", database=database) or {})
    return value.split("?", 1)[0] in queries


# The largest string or blob a query on a read connection may build or read (SQLite's
# SQLITE_LIMIT_LENGTH): any report's text fits; a query building a huge value gets "string or
# blob too big" instead of the server's memory. Archived originals are read in chunks, which
# this limit does not apply to (pages.raw_download).
MAX_VALUE_BYTES = 2 * 1024 * 1024


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


@hookimpl
def register_routes():
    return [
        (r"^/-/ogi/versions/(?P<version_id>[0-9]+)$", pages.version_page),
        (r"^/-/ogi/raw/(?P<sha256>[0-9a-f]{64})$", pages.raw_download),
    ]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """On the row page of a version or a document, a link to its report page (templates/row.html)."""
    if view_name != "row" or table not in ("versions", "documents") or request is None \
            or database != pages.database_name(datasette):
        return {}

    async def report_page():
        try:
            pk = int(request.url_vars.get("pks", ""))
        except ValueError:
            return {}
        if table == "documents":
            rows = (await datasette.get_database(database).execute(
                "SELECT latest_version_id FROM documents WHERE id = ?", [pk])).rows
            pk = rows[0][0] if rows and rows[0][0] is not None else None
        return {"ogi_report_page": datasette.urls.path(f"{pages.VERSION_PATH}{pk}")} if pk else {}

    return report_page


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Version ids open the report page; raw hashes download the archived original; `details`
    of aggregate queries open the rows behind the aggregate."""
    if isinstance(value, dict):  # a foreign key Datasette expanded to {"value", "label"}
        value = value.get("value")
    if value is None or database != pages.database_name(datasette):
        return None
    if _is_version_column(column, table) and isinstance(value, int):
        return Markup('<a href="{}" title="report page: figures, source, original">{}</a>').format(
            datasette.urls.path(f"{pages.VERSION_PATH}{value}"), value)
    if (column in ("raw_sha256", "blob_sha256") or (table == "raw_blobs" and column == "sha256")) \
            and isinstance(value, str) and len(value) == 64:
        return Markup('<a href="{}" title="download the archived original">{}…</a>').format(
            datasette.urls.path(f"{pages.RAW_PATH}{value}"), value[:12])
    if column == "details" and _is_query_link(value, datasette, database):
        return Markup('<a href="{}">agencies →</a>').format(
            datasette.urls.database(database) + "/" + value)
    return None


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path(f"/{pages.database_name(datasette)}"),
             "label": "Questions (canned queries)"}]
