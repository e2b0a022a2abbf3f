"""What Datasette opens on (ogi/datasette/metadata.py) and the per-province canned query
(queries/new_applications_by_province.sql), on small archives built here."""
from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qs

import lxml.html
import pytest

from archive import Archive
from crawler.sources import RegionTable
from ogi.datasette import metadata, queries
from report_factory import make_report

QUERY = queries.load()["new_applications_by_province"]


def _tiny_archive(path) -> None:
    """A few reports, stored as the crawler stores them, with their agencies' division codes."""
    reports = [  # agency, region, code, year, new_received.total, granted.total
        ("漯河市商务局", "河南省/漯河市", "411100", 2023, 4, 3),
        ("平顶山市人民政府", "河南省/平顶山市", "410400", 2023, 150, 0),
        ("河南省人民政府", "河南省", "410000", 2023, 46, 0),
        ("凉山彝族自治州人民政府", "四川省/凉山彝族自治州", "513400", 2023, 7, 0),
        ("凉山彝族自治州人民政府", "四川省/凉山彝族自治州", "513400", 2022, 9, 0),
        ("退役军人事务部", "全国", None, 2023, 1000, 0),
    ]
    with Archive(str(path)) as archive:
        for i, (agency, region, code, year, new, granted) in enumerate(reports):
            report = make_report(agency, year, new_received__total=new, granted__total=granted)
            archive.store(f"http://example.gov.cn/{i}.html", f"<p>{i}</p>".encode(), report=report,
                          region=region, division_code=code)


def _run(path, year: str) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(QUERY.sql, {"year": year})]
    finally:
        conn.close()


def test_query_sums_new_applications_by_province_prefix(tmp_path):
    path = tmp_path / "a.db"
    _tiny_archive(path)
    rows = _run(path, "")  # empty year = 2023
    assert len(rows) == 31 and {r["year"] for r in rows} == {2023}
    top = rows[0]
    assert (top["province_code"], top["province"], top["reports"], top["agencies"],
            top["new_applications"]) == ("410000", "河南省", 3, 3, 200)
    assert (rows[1]["province"], rows[1]["new_applications"]) == ("四川省", 7)
    assert all(r["reports"] == 0 and r["new_applications"] == 0 for r in rows[2:])
    # central agencies have no division and count for no province
    assert sum(r["new_applications"] for r in rows) == 207
    link = parse_qs(top["details"].split("?", 1)[1], keep_blank_values=True)
    assert top["details"].startswith("figure_by_agency?")
    assert link == {"cell": ["new_received__total"], "year": ["2023"], "region": ["河南省"],
                    "agency": [""]}
    assert _run(path, "2022")[0]["province"] == "四川省"
    assert _run(path, "2022")[0]["new_applications"] == 9


def test_query_names_the_31_provinces_of_regions_csv():
    values = re.findall(r"\('(\d{6})', '([^']+)'\)", QUERY.sql)
    regions = RegionTable.load()
    assert values == [(r["code"], r["name"]) for r in regions.divisions("province")]
    assert QUERY.params == ("year",)


@pytest.fixture(scope="module")
def archive_with_coverage(tmp_path_factory):
    path = tmp_path_factory.mktemp("home") / "archive.db"
    Archive(str(path)).close()
    return path


def test_home_lists_what_researchers_use_first(archive_with_coverage):
    meta = metadata.build(archive_with_coverage, name="archive")
    for html in (meta["description_html"], meta["databases"]["archive"]["description_html"]):
        names = lxml.html.fromstring(html).xpath("//ol/li/a/text()")
        assert names[:7] == ["documents", "latest_figures", "wide_applications", "wide_active",
                             "wide_review_litigation", "coverage_matrix", "coverage"]
        hrefs = lxml.html.fromstring(html).xpath("//ol/li/a/@href")
        assert hrefs[0] == "/archive/documents"


def test_internal_tables_are_hidden(archive_with_coverage):
    tables = metadata.build(archive_with_coverage, name="archive")["databases"]["archive"]["tables"]
    hidden = {name for name, meta in tables.items() if meta.get("hidden")}
    present = set(metadata.schema(archive_with_coverage))
    assert {"cells", "figure_values", "raw_blobs", "fetches", "_sqlite_migrations"} <= hidden
    assert hidden <= set(metadata.INTERNAL_TABLES) and hidden <= present
    assert not hidden & {name for name, _ in metadata.START_HERE}
    assert tables["cells"]["sort"] == "position"  # hiding keeps a table's other options


def test_home_without_optional_views_lists_only_what_exists(tmp_path):
    path = tmp_path / "a.db"
    Archive(str(path)).close()
    conn = sqlite3.connect(path)  # an archive written before the coverage views existed
    conn.executescript("DROP VIEW coverage_matrix; DROP VIEW coverage;")
    conn.close()
    html = metadata.build(path, name="a")["description_html"]
    names = lxml.html.fromstring(html).xpath("//ol/li/a/text()")
    assert "coverage" not in names and names[0] == "documents"
