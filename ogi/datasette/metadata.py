"""Datasette metadata for an archive: titles, licence and source note, every table, view and
column described in English and Chinese, canned queries, dashboards.

Column descriptions are built for the columns the database actually has (Datasette lists every
described column on a table page, present or not), so the builder reads the schema, read-only.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from archive import labels
from ogi.datasette import dashboards, glossary, queries

TITLE = "政府信息公开工作年度报告 · Chinese government OGI annual reports"
LICENSE = "Reports: public government information (《政府信息公开条例》); archive code: MIT"
SOURCE = "Government portals' 政府信息公开工作年度报告 columns, crawled nightly"

_ABOUT = """
<p>Every version of every archived 政府信息公开工作年度报告 with the figures of the 2021 template
(国办公开办函〔2021〕30号), the template's own arithmetic checks, and the original documents.
Figures are machine-extracted: before citing one, open its version page and compare with the
source URL or the archived original.</p>
<p>Start with the <a href="{base}-/dashboards/{slug}">charts</a>, the
<a href="{base}{db}">questions (canned queries)</a>, or the view
<a href="{base}{db}/latest_figures">latest_figures</a> (one row per figure of each report's
latest version, with Chinese labels and source URL).</p>
{start}
"""

# What researchers open first, in this order, on the home and database pages (those the archive
# has). Datasette itself lists tables by foreign-key count, which put the storage tables
# (figure_values, cells, checks) first; those are hidden below instead.
START_HERE = (
    ("documents", "every report, its region and division code, first/last seen, removal"),
    ("latest_figures", "each report's current figures with labels and source — 最新数据"),
    ("wide_applications", "表三 依申请公开: one row per report version, one column per cell"),
    ("wide_active", "表二 主动公开, wide"),
    ("wide_review_litigation", "表四 行政复议、行政诉讼, wide"),
    ("coverage_matrix", "one row per agency, one column per report year: the gaps — 覆盖矩阵"),
    ("coverage", "which agency published a report for which year — 年报覆盖情况"),
    ("latest_versions", "each report's current version"),
    ("checks", "the template's arithmetic per version"),
    ("events", "new / changed / reread / removed reports"),
)

# Storage and bookkeeping behind the views: hidden from the home and database pages (Datasette
# lists them under "hidden tables"; their pages and SQL still work).
INTERNAL_TABLES = ("cells", "figure_values", "raw_blobs", "capture_resources", "fetches", "reading_texts", "reading_checks",
                   "_sqlite_migrations", "wide_rows_active", "wide_rows_applications",
                   "wide_rows_review_litigation")

# Table-specific meanings where a shared column name means something else.
_TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {"agency": "Publishing agency (of the latest version) — 机关名称",
                  "year": "Report year (of the latest version) — 报告年度",
                  "title": "Title (of the latest version) — 报告标题"},
    "versions": {"id": "Version id; links to the report page (figures in the template layout, "
                       "source link, original document) — 版本编号"},
    "events": {"url": "URL of the report — 报告网址",
               "version_id": "Version the event concerns — 版本",
               "detail": "What happened, e.g. which figures changed — 详情"},
    "fetches": {"url": "Requested URL — 请求网址",
                "status": "HTTP status; empty when no response arrived — HTTP状态",
                "sha256": "sha256 of the response body — 响应哈希"},
    "failures": {"status": "unreadable / not_a_report / image_only — 状态",
                 "document_id": "The report this URL belongs to, if it was ever archived as one — 对应报告",
                 "first_seen": "First fetch of these bytes (UTC) — 首次抓取时间",
                 "last_seen": "Last fetch of these bytes (UTC) — 最近抓取时间"},
    "reextractions": {"version_id": "Stored version that was re-read — 被重新读取的版本",
                      "detail": "What differed or why it failed — 说明"},
    "source_health": {"run_id": "Crawl run (crawl_runs.id) — 抓取批次",
                      "source": "Source id (crawler/sources.csv), or the start URL of an ad-hoc "
                                "crawl — 来源编号",
                      "agency": "Agency of the source — 机关名称",
                      "region": "Region of the source — 地区"},
    "crawl_runs": {"id": "Crawl run id — 抓取批次"},
    "capture_resources": {"raw_sha256": "The page capture that shows the picture (raw_blobs.sha256 of the "
                                        "page; versions.raw_sha256 or failures.raw_sha256) — 所属页面",
                          "url": "Absolute URL of the picture as the page names it — 图片网址",
                          "content_type": "Picture format, from its bytes (image/jpeg, image/png…) — 图片格式",
                          "fetched_at": "When the page and its pictures were fetched (UTC) — 抓取时间"},
    "readings": {"id": "Reading id — 读取编号", "version_id": "The version read (versions.id) — 版本"},
    "extractors": {"version": "Extractor identity (readings.extractor_version) — 提取程序版本"},
    "cells": {"id": "Cell id (figure_values.cell_id) — 单元格编号"},
    "figure_values": {"cell_id": "Template cell (cells.id) — 单元格"},
    "cross_year_checks": {"previous_version_id": "Last year's report it is compared with — 上年度报告版本"},
    "_sqlite_migrations": {"id": "Row id — 行编号"},
}

# Facets and sort orders that answer the first question people ask of each table.
_TABLE_OPTIONS: dict[str, dict] = {
    "documents": {"facets": ["region", "year"], "label_column": "title", "sort_desc": "last_seen"},
    "versions": {"label_column": "title", "sort_desc": "fetched_at"},
    "events": {"facets": ["kind"], "sort_desc": "at"},
    "fetches": {"facets": ["status"], "sort_desc": "fetched_at"},
    "failures": {"facets": ["status"], "sort_desc": "last_seen"},
    "checks": {"facets": ["ok"]},
    "readings": {"facets": ["origin", "extractor_version"], "sort_desc": "read_at"},
    "crawl_runs": {"sort_desc": "started_at"},
    "source_health": {"facets": ["flagged", "reachable"], "sort_desc": "run_id"},
    "cells": {"sort": "position"},
}
for _name in INTERNAL_TABLES:
    _TABLE_OPTIONS[_name] = {**_TABLE_OPTIONS.get(_name, {}), "hidden": True}


def cell_description(cell: labels.Cell) -> str:
    en_row = glossary.ROWS_EN_BY_TABLE.get((cell.table, cell.row)) or glossary.ROWS_EN.get(cell.row, cell.row)
    en_col = glossary.COLUMNS_EN.get(cell.table, {}).get(cell.col, cell.col)
    return f"{cell.row_label}｜{cell.col_label} — {en_row}; {en_col}"


def _cell_columns() -> dict[str, str]:
    return {c.column: cell_description(c) for c in labels.CELLS}


# Columns the sources list brings into the archive (crawler/sources.csv), wherever they appear.
_SOURCE_COLUMNS = {
    "division_code": "GB/T 2260 administrative division code of the agency's region (6 digits; "
                     "first two digits + 0000 = its province; empty for central agencies), to "
                     "join with yearbooks and maps — 行政区划代码",
}


def column_description(table: str, column: str, cells: dict[str, str]) -> str | None:
    if table == "coverage_matrix" and column.isdigit():
        return f"Reports archived for report year {column} — {column}年度报告数"
    return (_TABLE_COLUMNS.get(table, {}).get(column) or glossary.COLUMNS.get(column)
            or _SOURCE_COLUMNS.get(column) or cells.get(column))


def schema(path: str | Path) -> dict[str, list[str]]:
    """{table or view: [columns]} of the archive, read-only (never creates or changes it)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: [r[1] for r in conn.execute(f"PRAGMA table_info([{n}])")] for n in names}
    finally:
        conn.close()


def table_description(name: str) -> str | None:
    if name in glossary.TABLE_DESCRIPTIONS:
        return glossary.TABLE_DESCRIPTIONS[name]
    if name.startswith("wide_") and name[5:] in labels.TABLES:
        table = name[5:]
        return (f"{labels.TABLE_LABELS[table]} — {glossary.TABLES_EN[table]}. One row per report "
                f"version, one column per template cell (<row>__<col>); is_latest = 1 for each "
                f"report's current version. 宽表：每个版本一行，每个单元格一列。")
    return None


def start_here(names, base: str, db: str) -> str:
    """The START_HERE entries the archive has, as an ordered HTML list (empty if none)."""
    items = [f'<li><a href="{base}{db}/{name}">{name}</a> — {text}</li>'
             for name, text in START_HERE if name in names]
    return f"<p>Tables and views researchers use:</p>\n<ol>{''.join(items)}</ol>" if items else ""


def build(db_path: str | Path, *, name: str | None = None, base: str = "/") -> dict:
    """Metadata for serving the archive at `db_path` as database `name` (default: file stem)."""
    db = name or Path(db_path).stem
    cells = _cell_columns()
    tables = {}
    columns_of = schema(db_path)
    start = start_here(columns_of, base, db)
    for table, columns in columns_of.items():
        meta: dict = dict(_TABLE_OPTIONS.get(table, {}))
        description = table_description(table)
        if description:
            meta["description"] = description
        described = {c: column_description(table, c, cells) for c in columns}
        meta["columns"] = {c: d for c, d in described.items() if d}
        tables[table] = meta
    return {
        "title": TITLE,
        "description_html": _ABOUT.format(base=base, db=db, slug=dashboards.SLUG,
                                          start=start).strip(),
        "license": LICENSE,
        "source": SOURCE,
        "databases": {
            db: {
                "description_html": "<p>The archive: documents → versions → figures, checks, "
                                    "changes. 报告归档数据库。</p>\n" + start,
                "tables": tables,
                "queries": {q.name: q.metadata() for q in queries.load().values()},
            }
        },
        "plugins": {
            "ogi": {"database": db},
            "datasette-dashboards": dashboards.config(db, base),
        },
    }
