"""`ogi export`: CSV / XLSX / Parquet round trips against the database, and WARC of raw captures."""
import csv

import pytest

from archive import Archive, export, labels
from report_factory import make_report
from ogi.cli import main
from ogi.commands import export as export_command

A = "http://www.a.gov.cn/xxgk/2023/t20230131_1.html"
B = "http://www.b.gov.cn/art/2022/1/30/art_1_2.html"


@pytest.fixture
def archive(tmp_path):
    db = Archive(tmp_path / "archive.db")
    db.store(A, "<html>甲 v1</html>".encode(), report=make_report("甲市商务局", 2022, new_received__total=4, fees__amount=0.0125),
             fetched_at="2024-03-01T00:00:00Z", content_type="text/html; charset=utf-8", region="甲市")
    db.store(A, "<html>甲 v2</html>".encode(), report=make_report("甲市商务局", 2022, new_received__total=5, fees__amount=0.0125),
             fetched_at="2024-04-01T00:00:00Z", content_type="text/html; charset=utf-8", region="甲市")
    db.store(B, "<html>乙</html>".encode("gbk"), report=make_report("乙区司法局", 2021, review__upheld=2, review__total=2),
             fetched_at="2024-03-02T00:00:00Z", content_type="text/html; charset=gbk")
    yield db
    db.close()


def db_rows(archive, sql):
    return [dict(r) for r in archive.db.query(sql)]


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def as_number(text):
    return None if text == "" else (float(text) if "." in text else int(text))


def test_csv_round_trip_wide_and_long(archive, tmp_path):
    out = tmp_path / "csv"
    export.export(archive, "csv", out)
    wide = read_csv(out / "wide_applications.csv")
    expected = db_rows(archive, "SELECT * FROM wide_applications ORDER BY agency, region, year, version_id")
    assert len(wide) == len(expected) == 3  # every version, not only the latest
    for got, want in zip(wide, expected):
        for cell in labels.cells("applications"):
            assert as_number(got[cell.column]) == want[cell.column]
        assert got["source_url"] == want["source_url"] and got["fetched_at"] == want["fetched_at"]
    assert [int(r["is_latest"]) for r in wide if r["agency"] == "甲市商务局"] == [0, 1]
    assert {r["new_received__total"] for r in wide if r["agency"] == "甲市商务局"} == {"4", "5"}
    fees = {r["agency"]: r["fees__amount"] for r in read_csv(out / "wide_active.csv")}
    assert fees == {"甲市商务局": "0.0125", "乙区司法局": "0"}

    long = read_csv(out / "figures.csv")
    assert len(long) == archive.db.execute("SELECT COUNT(*) FROM figures").fetchone()[0]
    assert all(r["source_url"] and r["fetched_at"].endswith("Z") for r in long)
    row = next(r for r in long if r["row_key"] == "new_received" and r["col_key"] == "natural_person")
    assert row["row_label"] == "一、本年新收政府信息公开申请数量" and row["col_label"] == "自然人"

    labels_csv = {r["column"]: r["label"] for r in read_csv(out / "wide_applications.labels.csv")}
    assert list(labels_csv) == list(wide[0].keys())  # one label per column, same order
    assert labels_csv["agency"] == "机关名称"
    assert labels_csv["denied_state_secret__natural_person"] == "三、本年度办理结果（三）不予公开1.属于国家秘密｜自然人"
    checks = read_csv(out / "checks.csv")
    assert {r["rule"] for r in checks} == {"applications.balance.total"} and all(r["source_url"] for r in checks)


def test_latest_only(archive, tmp_path):
    export.export(archive, "csv", tmp_path, latest_only=True)
    wide = read_csv(tmp_path / "wide_applications.csv")
    assert sorted(r["new_received__total"] for r in wide) == ["0", "5"]


def test_parquet_round_trip_keeps_types_and_labels(archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    export.export(archive, "parquet", tmp_path)
    table = pq.read_table(tmp_path / "wide_active.parquet")
    expected = db_rows(archive, "SELECT * FROM wide_active ORDER BY agency, region, year, version_id")
    assert table.to_pylist() == expected
    assert str(table.schema.field("fees__amount").type) == "double"
    assert str(table.schema.field("licensing__decisions").type) == "int64"
    assert table.schema.field("agency").metadata[b"label_zh"].decode() == "机关名称"
    long = pq.read_table(tmp_path / "figures.parquet")
    assert long.num_rows == archive.db.execute("SELECT COUNT(*) FROM figures").fetchone()[0]
    assert sum(v for v in long.column("value").to_pylist()) == pytest.approx(
        archive.db.execute("SELECT SUM(value) FROM figures").fetchone()[0])
    names = pq.read_table(tmp_path / "labels.parquet").to_pylist()
    assert {"table": "wide_applications", "column": "new_received__total",
            "label": "一、本年新收政府信息公开申请数量｜总计"} in names


def test_xlsx_has_a_sheet_per_table_and_a_labels_sheet(archive, tmp_path):
    from openpyxl import load_workbook

    (path,) = export.export(archive, "xlsx", tmp_path)
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["wide_active", "wide_applications", "wide_review_litigation", "figures", "checks", "labels"]
    rows = list(wb["wide_review_litigation"].iter_rows(values_only=True))
    header, data = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
    assert "review__upheld" in header and len(data) == 3
    assert {d["review__upheld"] for d in data} == {0, 2}
    label_rows = list(wb["labels"].iter_rows(values_only=True))
    assert ("wide_review_litigation", "review__upheld", "行政复议｜结果维持") in label_rows


def test_warc_holds_every_distinct_capture(archive, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    (path,) = export.export(archive, "warc", tmp_path)
    captures = {}
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                captures.setdefault(uri, []).append(
                    (record.rec_headers.get_header("WARC-Date"), record.http_headers.get_header("Content-Type"),
                     record.content_stream().read()))
    assert captures[A] == [("2024-03-01T00:00:00Z", "text/html; charset=utf-8", "<html>甲 v1</html>".encode()),
                           ("2024-04-01T00:00:00Z", "text/html; charset=utf-8", "<html>甲 v2</html>".encode())]
    assert captures[B] == [("2024-03-02T00:00:00Z", "text/html; charset=gbk", "<html>乙</html>".encode("gbk"))]


def test_cli_export_and_its_errors(archive, tmp_path, capsys):
    assert export_command.FORMATS == export.FORMATS
    out = tmp_path / "out"
    assert main(["export", "--db", archive.path, "--format", "csv", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(out / "wide_applications.csv") in printed and (out / "figures.csv").exists()
    assert main(["export", "--db", str(tmp_path / "nope.db"), "--format", "csv", "--out", str(out)]) == 1
    assert "no archive" in capsys.readouterr().err
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    assert main(["export", "--db", str(garbage), "--format", "csv", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cannot open archive" in err and "Traceback" not in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", "--db", archive.path, "--format", "csv", "--out", str(blocker / "sub")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_parquet_survives_a_stray_text_value(archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    odd = make_report("丙县民政局", 2022, new_received__total=7)
    odd.figures["applications"]["carried_over"]["total"] = "见附件"  # an extractor slip: text, not a number
    archive.store("http://c.gov.cn/r.html", b"<html>c</html>", report=odd)
    export.export(archive, "parquet", tmp_path)
    table = pq.read_table(tmp_path / "wide_applications.parquet")
    assert str(table.schema.field("carried_over__total").type) == "string"
    assert str(table.schema.field("new_received__total").type) == "int64"
    values = {r["agency"]: r["carried_over__total"] for r in table.to_pylist() if r["is_latest"]}
    assert values["丙县民政局"] == "见附件" and values["乙区司法局"] == "0"
