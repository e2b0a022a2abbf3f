"""Analysis-ready exports of the archive: CSV, XLSX, Parquet (tables) and WARC (raw captures).

Tables (every row carries `source_url` and `fetched_at`, so each figure keeps its provenance):

- `wide_active`, `wide_applications`, `wide_review_litigation`: one row per report version (its
  newest reading, `reading_id` and `extractor_version` say which), one column per template cell
  (`<row>__<col>`), `is_latest` = 1 for the document's latest version.
- `figures`: long form, one row per cell, with the Chinese table/row/column labels beside the keys.
- `checks`: the extractor's checks and the cross-year check, per version.

Column headers are the keys; the Chinese label of every column is given alongside: CSV in
`<table>.labels.csv` (column, label), XLSX in a `labels` sheet, Parquet in each field's
metadata (`label_zh`) and in `labels.parquet`. CSV is UTF-8 with a BOM so Excel shows Chinese.
WARC: one `response` record per distinct captured document (URL + raw bytes), and per picture
fetched with a page (`capture_resources`), dated with the fetch time, replayable by pywb /
ReplayWeb.page.

Everything streams from SQLite in batches: exports of 10,000s of versions never sit in memory.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from archive import blobs, labels

FORMATS = ("csv", "xlsx", "parquet", "warc")
_BATCH = 5000
_XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header row

_META_LABELS = {
    "version_id": "版本编号", "reading_id": "读取编号", "document_id": "文档编号",
    "division_code": "行政区划代码", "is_latest": "是否最新版本",
    "agency": "机关名称", "region": "地区", "year": "报告年度", "title": "报告标题",
    "published": "发布日期", "template": "模板", "format": "文件格式",
    "source_url": "来源网址", "fetched_at": "抓取时间（UTC）", "extractor_version": "提取程序版本",
    "removed_at": "下架时间（UTC）", "table_name": "表", "row_key": "行", "col_key": "列",
    "table_label": "表名称", "row_label": "行名称", "col_label": "列名称", "value": "数值",
    "rule": "校验规则", "ok": "是否通过", "detail": "说明",
}


def _wide_sql(table: str, latest_only: bool) -> str:
    where = "WHERE is_latest = 1" if latest_only else ""
    return f"SELECT * FROM wide_{table} {where} ORDER BY agency, region, year, version_id"


_CURRENT_READING = "JOIN readings r ON r.id = (SELECT MAX(x.id) FROM readings x WHERE x.version_id = v.id)"


def _figures_sql(latest_only: bool) -> str:
    where = "WHERE v.id = d.latest_version_id" if latest_only else ""
    return f"""
SELECT v.id AS version_id, r.id AS reading_id, v.document_id, (v.id = d.latest_version_id) AS is_latest,
       r.agency, d.region, d.division_code, r.year, r.template, c.table_name, c.row_key, c.col_key,
       c.table_label, c.row_label, c.col_label, fv.value, d.url AS source_url, v.fetched_at,
       r.extractor_version
FROM versions v JOIN documents d ON d.id = v.document_id
{_CURRENT_READING}
JOIN figure_values fv ON fv.reading_id = r.id JOIN cells c ON c.id = fv.cell_id
{where}
ORDER BY v.id, c.position IS NULL, c.position, c.table_name, c.row_key, c.col_key"""


def _checks_sql(latest_only: bool) -> str:
    where = "WHERE v.id = d.latest_version_id" if latest_only else ""
    return f"""
SELECT v.id AS version_id, r.id AS reading_id, v.document_id, (v.id = d.latest_version_id) AS is_latest,
       r.agency, d.region, d.division_code, r.year, r.template, k.rule, k.ok, k.detail,
       d.url AS source_url, v.fetched_at, r.extractor_version
FROM all_checks k JOIN versions v ON v.id = k.version_id JOIN documents d ON d.id = v.document_id
{_CURRENT_READING}
{where}
ORDER BY v.id, k.rule"""


def tables(latest_only: bool = False) -> dict[str, str]:
    out = {f"wide_{t}": _wide_sql(t, latest_only) for t in labels.TABLES}
    out["figures"] = _figures_sql(latest_only)
    out["checks"] = _checks_sql(latest_only)
    return out


def column_label(column: str, table: str) -> str:
    if column in _META_LABELS:
        return _META_LABELS[column]
    if table.startswith("wide_"):
        for cell in labels.cells(table[len("wide_"):]):
            if cell.column == column:
                return cell.label
    return column


def _rows(conn, sql: str) -> tuple[list[str], Iterator[tuple]]:
    cursor = conn.execute(sql)
    columns = [d[0] for d in cursor.description]

    def gen():
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    return columns, gen()


# -- formats -----------------------------------------------------------------------------------

def _write_csv(conn, out: Path, latest_only: bool) -> list[Path]:
    written = []
    for name, sql in tables(latest_only).items():
        columns, rows = _rows(conn, sql)
        path = out / f"{name}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows(rows)
        label_path = out / f"{name}.labels.csv"
        with open(label_path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["column", "label"])
            writer.writerows((c, column_label(c, name)) for c in columns)
        written += [path, label_path]
    return written


def _write_xlsx(conn, out: Path, latest_only: bool) -> list[Path]:
    from openpyxl import Workbook

    # write_only streams rows to disk; a normal workbook would hold every cell in memory.
    wb = Workbook(write_only=True)
    label_rows = []
    for name, sql in tables(latest_only).items():
        columns, rows = _rows(conn, sql)
        part, sheet, count = 1, None, 0
        for row in rows:
            if sheet is None or count >= _XLSX_MAX_ROWS:
                # Over Excel's row limit the table continues on "<name> (2)", "<name> (3)", ...
                sheet = wb.create_sheet(name if part == 1 else f"{name} ({part})")
                sheet.append(columns)
                part, count = part + 1, 0
            sheet.append(list(row))
            count += 1
        if sheet is None:
            wb.create_sheet(name).append(columns)
        label_rows += [(name, c, column_label(c, name)) for c in columns]
    sheet = wb.create_sheet("labels")
    sheet.append(["sheet", "column", "label"])
    for row in label_rows:
        sheet.append(list(row))
    path = out / "ogi_archive.xlsx"
    wb.save(path)
    return [path]


_RANK = {"integer": 0, "real": 1, "text": 2, "blob": 2}


def _value_types(conn) -> dict[str, str]:
    """Per wide column, the widest SQLite type any stored value has (integer < real < text):
    counts stay int64, fees become float64, and a stray text value cannot break the export."""
    out: dict[str, str] = {}
    for row, col, kind in conn.execute(
            "SELECT c.row_key, c.col_key, typeof(fv.value) FROM figure_values fv"
            " JOIN cells c ON c.id = fv.cell_id WHERE typeof(fv.value) != 'null'"
            " GROUP BY fv.cell_id, typeof(fv.value)"):
        key = f"{row}__{col}"
        if _RANK[kind] >= _RANK.get(out.get(key, "integer"), 0):
            out[key] = kind
    return out


def _arrow_type(column: str, types: dict[str, str]):
    import pyarrow as pa

    arrow = {"integer": pa.int64(), "real": pa.float64(), "text": pa.string(), "blob": pa.string()}
    if column in ("version_id", "reading_id", "document_id", "year", "is_latest", "ok"):
        return pa.int64()
    if column == "value":
        widest = max((_RANK[k] for k in types.values()), default=0)
        return [pa.int64(), pa.float64(), pa.string()][widest]
    if "__" in column:
        return arrow[types.get(column, "integer")]
    return pa.string()


def _write_parquet(conn, out: Path, latest_only: bool) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = _value_types(conn)
    written, label_rows = [], []
    for name, sql in tables(latest_only).items():
        columns, rows = _rows(conn, sql)
        fields = [pa.field(c, _arrow_type(c, types), metadata={"label_zh": column_label(c, name)})
                  for c in columns]
        schema = pa.schema(fields)
        path = out / f"{name}.parquet"
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH:
                    writer.write_table(_arrow_table(batch, columns, schema))
                    batch = []
            if batch:
                writer.write_table(_arrow_table(batch, columns, schema))
        label_rows += [(name, c, column_label(c, name)) for c in columns]
        written.append(path)
    path = out / "labels.parquet"
    pq.write_table(pa.table({"table": [r[0] for r in label_rows], "column": [r[1] for r in label_rows],
                             "label": [r[2] for r in label_rows]}), path)
    return written + [path]


def _arrow_table(batch: list[tuple], columns: list[str], schema):
    import pyarrow as pa

    def column(i: int, kind):
        values = [row[i] for row in batch]
        if kind == pa.string():
            values = [None if v is None else str(v) for v in values]
        return pa.array(values, type=kind)

    return pa.table({c: column(i, schema.field(c).type) for i, c in enumerate(columns)}, schema=schema)


_CAPTURES = """
SELECT d.url, v.raw_sha256, MIN(v.fetched_at) AS fetched_at, MAX(v.content_type) AS content_type
FROM versions v JOIN documents d ON d.id = v.document_id
GROUP BY d.url, v.raw_sha256
UNION
SELECT url, raw_sha256, first_seen, content_type FROM failures
UNION
SELECT url, blob_sha256, MIN(fetched_at), MAX(content_type) FROM capture_resources GROUP BY url, blob_sha256
ORDER BY fetched_at, url
"""


def _write_warc(conn, out: Path, latest_only: bool) -> list[Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = out / "ogi_archive.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "ogi export", "format": "WARC File Format 1.1",
            "description": "Raw captures of OGI annual reports from the ogi archive",
        }))
        seen = set()
        for url, digest, fetched_at, content_type in conn.execute(_CAPTURES):
            if (url, digest) in seen:
                continue
            seen.add((url, digest))
            raw = blobs.get(conn, digest)
            if raw is None:
                continue
            headers = StatusAndHeaders("200 OK", [
                ("Content-Type", content_type or "application/octet-stream"),
                ("Content-Length", str(len(raw))),
            ], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(raw), length=len(raw), http_headers=headers,
                warc_headers_dict={"WARC-Date": fetched_at})
            writer.write_record(record)
    return [path]


_WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet, "warc": _write_warc}


def export(archive, fmt: str, out_dir: str | Path, *, latest_only: bool = False) -> list[Path]:
    """Write the archive in `fmt` under `out_dir` (created); returns the files written."""
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = archive.db.conn
    # One read transaction for the whole export: every file shows the same snapshot even while
    # a crawl is writing (WAL keeps it for us without blocking the writer).
    conn.execute("BEGIN")
    try:
        return _WRITERS[fmt](conn, out, latest_only)
    finally:
        conn.execute("ROLLBACK")
