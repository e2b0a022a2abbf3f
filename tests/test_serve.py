"""`ogi serve`: Datasette over the archive — metadata, canned queries, report pages, raw downloads,
dashboards — exercised through Datasette's test client on a small archive built with the
`Archive` API (tests/fixtures/datasette/archive.json). Expected values are computed from that
fixture file, never typed in."""
from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import lxml.html
import pytest

from archive import Archive, labels
from extract import template
from extract.checks import evaluate
from ogi.cli import main as ogi_main
from ogi.datasette import dashboards, layout, queries
from ogi.datasette.app import make_datasette

FIXTURES = Path(__file__).parent / "fixtures" / "datasette"
_spec = importlib.util.spec_from_file_location("fixture_archive", FIXTURES / "fixture_archive.py")
fixture_archive = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_archive)
SPEC = fixture_archive.SPEC
REPORTS = {r["key"]: r for r in SPEC["reports"]}
DB = "archive"


class Client:
    """Datasette's ASGI test client on one event loop (Datasette's locks bind to their loop)."""

    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()

    def get(self, path: str, **params):
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        return self.loop.run_until_complete(self.ds.client.get(path))

    def rows(self, path: str, **params) -> list[dict]:
        response = self.get(f"{path}.json", _shape="array", **params)
        assert response.status_code == 200, response.text[:500]
        return response.json()


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return fixture_archive.build(tmp_path_factory.mktemp("serve") / f"{DB}.db")


@pytest.fixture(scope="module")
def client(db_path):
    c = Client(make_datasette(db_path))
    yield c
    c.loop.close()


def latest(key: str) -> dict:
    return fixture_archive.merged(key)


def latest_figures(key: str) -> dict:
    return fixture_archive.figures(latest(key))


def is_removed(key: str) -> bool:
    return any(r["key"] == key for r in SPEC["removals"])


def version_ids(db_path) -> dict[str, int]:
    """Fixture key -> id of that report's latest version."""
    conn = sqlite3.connect(db_path)
    by_url = dict(conn.execute("SELECT url, latest_version_id FROM documents"))
    conn.close()
    return {key: by_url[r["url"]] for key, r in REPORTS.items()}


# -- metadata ------------------------------------------------------------------------------

def test_instance_metadata_has_title_description_licence_and_source(client):
    meta = client.get("/-/metadata.json").json()
    assert meta["title"] and meta["description_html"] and meta["license"] and meta["source"]
    html = client.get("/").text
    assert meta["title"] in html and meta["license"] in html


def test_every_table_view_and_column_is_described(client, db_path):
    meta = client.get("/-/metadata.json").json()["databases"][DB]["tables"]
    hidden = set(client.loop.run_until_complete(client.ds.get_database(DB).hidden_table_names()))
    conn = sqlite3.connect(db_path)
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
    undescribed = []
    for name in names:
        if name in hidden:
            continue
        if not _bilingual(meta.get(name, {}).get("description")):
            undescribed.append(name)
        for (column,) in conn.execute(f"SELECT name FROM pragma_table_info('{name}')"):
            if not _bilingual(meta.get(name, {}).get("columns", {}).get(column)):
                undescribed.append(f"{name}.{column}")
    conn.close()
    assert names and not undescribed


def _bilingual(text: str | None) -> bool:
    """Some English and some Chinese."""
    return bool(text) and re.search(r"[A-Za-z]{2}", text) and re.search(r"[\u4e00-\u9fff]", text)


def test_template_columns_carry_english_and_chinese_labels(client):
    columns = client.get("/-/metadata.json").json()["databases"][DB]["tables"]["wide_applications"]["columns"]
    spec = template.ROWS_BY_KEY[("applications", "denied_state_secret")]
    described = columns["denied_state_secret__total"]
    assert spec.label in described and "state secret" in described
    page = client.get(f"/{DB}/wide_applications").text
    assert spec.label in page  # Datasette shows column descriptions on the table page


# -- canned queries ------------------------------------------------------------------------

ALL_QUERIES = queries.load()
# Parameters that make each query return rows on the fixture.
QUERY_PARAMS = {
    "agency_figures_over_years": {"agency": REPORTS["commerce_2021"]["agency"]},
    "figure_by_agency": {"cell": "new_received__total"},
    "search_text": {"q": "国家秘密"},
}


def test_canned_queries_are_the_issue_questions():
    assert {"agency_figures_over_years", "figure_by_agency", "changed_after_publication",
            "removed_reports", "failed_checks", "denial_reasons_ranking",
            "search_text"} <= set(ALL_QUERIES)


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_every_canned_query_page_renders_with_its_form_and_version_links(client, name):
    query = ALL_QUERIES[name]
    response = client.get(f"/{DB}/{name}", **QUERY_PARAMS.get(name, {}))
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    fields = [i.get("name") for i in doc.xpath("//form[contains(@class, 'sql')]//input")]
    assert [p for p in fields if p in query.params] == list(query.params)
    rows = doc.xpath("//table[contains(@class, 'rows-and-columns')]//tbody/tr")
    assert rows, f"{name} returned no rows on the fixture"
    links = doc.xpath("//table[contains(@class, 'rows-and-columns')]//a/@href")
    # every figure leads to its report version, or (aggregates) to the rows behind it
    assert any(h.startswith("/-/ogi/versions/") for h in links) or \
        all(any(h.startswith(f"/{DB}/figure_by_agency?") for h in row.xpath(".//a/@href")) for row in rows)


def test_agency_figures_over_years(client, db_path):
    agency = REPORTS["commerce_2021"]["agency"]
    rows = client.rows(f"/{DB}/agency_figures_over_years", agency=agency, region="", cell="new_received__total")
    keys = [k for k, r in REPORTS.items() if r["agency"] == agency]
    expected = {latest(k)["year"]: latest_figures(k)["applications"]["new_received"]["total"] for k in keys}
    assert {r["year"]: r["value"] for r in rows} == expected
    years = sorted(expected)
    assert rows[1]["change_from_previous_year"] == expected[years[1]] - expected[years[0]]
    ids = version_ids(db_path)
    assert {r["version_id"] for r in rows} == {ids[k] for k in keys}
    assert {r["source_url"] for r in rows} == {REPORTS[k]["url"] for k in keys}
    # Without a cell filter: every template cell of every year, in template order.
    everything = client.rows(f"/{DB}/agency_figures_over_years", agency=agency, region="", cell="", _size="max")
    assert len(everything) == len(labels.cells(tmpl="2021")) * len(keys)


def test_figure_by_agency_for_a_region_and_year(client):
    cell, year, region = "new_received__total", 2022, "河南省"
    rows = client.rows(f"/{DB}/figure_by_agency", cell=cell, year=year, region=region, agency="")
    expected = {r["agency"]: latest_figures(k)["applications"]["new_received"]["total"]
                for k, r in REPORTS.items()
                if r["year"] == year and r["region"].startswith(region + "/")}
    assert {r["agency"]: r["value"] for r in rows} == expected
    assert [r["value"] for r in rows] == sorted((r["value"] for r in rows), reverse=True)
    everywhere = client.rows(f"/{DB}/figure_by_agency", cell=cell, year=year, region="", agency="")
    assert len(everywhere) == sum(1 for r in REPORTS.values() if r["year"] == year) > len(rows)
    # A LIKE pattern selects a group of cells: every refusal reason.
    denied = client.rows(f"/{DB}/figure_by_agency", cell="denied_%__total", year=year, region=region, agency="")
    n_denied = sum(1 for c in labels.cells("applications") if c.row.startswith("denied_") and c.col == "total")
    assert len(denied) == n_denied * len(expected)


def test_changed_after_publication_shows_old_and_new_values(client, db_path):
    rows = client.rows(f"/{DB}/changed_after_publication", agency="", region="", year="")
    expected = {}
    for fix in SPEC["corrections"]:
        old = fixture_archive.figures(REPORTS[fix["key"]])
        new = latest_figures(fix["key"])
        for table, cells in new.items():
            for row, cols in cells.items():
                for col, value in cols.items():
                    if old[table][row][col] != value:
                        expected[(REPORTS[fix["key"]]["url"], f"{row}__{col}")] = (old[table][row][col], value)
    assert expected
    assert {(r["source_url"], r["cell"]): (r["old_value"], r["new_value"]) for r in rows} == expected
    conn = sqlite3.connect(db_path)
    for r in rows:
        old_doc, = conn.execute("SELECT document_id FROM versions WHERE id = ?", [r["old_version_id"]]).fetchone()
        new_doc, = conn.execute("SELECT document_id FROM versions WHERE id = ?", [r["new_version_id"]]).fetchone()
        assert old_doc == new_doc and r["old_version_id"] != r["new_version_id"]
        assert r["old_fetched_at"] < r["new_fetched_at"]
    conn.close()


def test_removed_reports(client):
    rows = client.rows(f"/{DB}/removed_reports", agency="", region="", year="")
    expected = {REPORTS[g["key"]]["url"]: (g["at"], g["reason"]) for g in SPEC["removals"]}
    assert {r["source_url"]: (r["removed_at"], r["removed_reason"]) for r in rows} == expected
    assert all(r["version_id"] for r in rows)


def _expected_failures() -> set[tuple[str, str]]:
    out = set()
    for key in REPORTS:
        figs = latest_figures(key)
        out |= {(REPORTS[key]["url"], c.rule) for c in evaluate(figs) if not c.ok}
        entry = latest(key)
        previous = [k for k, r in REPORTS.items() if r["agency"] == entry["agency"]
                    and r["region"] == entry["region"] and r["year"] == entry["year"] - 1]
        for prev in previous:
            if latest_figures(prev)["applications"]["carried_forward"]["total"] != \
                    figs["applications"]["carried_over"]["total"]:
                out.add((REPORTS[key]["url"], "cross_year.carried_over"))
    return out


def test_failed_checks_lists_template_and_cross_year_failures(client):
    rows = client.rows(f"/{DB}/failed_checks", rule="", agency="", region="", year="")
    expected = _expected_failures()
    assert expected and {(r["source_url"], r["rule"]) for r in rows} == expected
    only_cross = client.rows(f"/{DB}/failed_checks", rule="cross_year", agency="", region="", year="")
    assert {r["rule"] for r in only_cross} == {"cross_year.carried_over"}


def test_denial_reasons_ranking(client):
    rows = client.rows(f"/{DB}/denial_reasons_ranking", year="", region="", agency="")
    sums: dict[str, int] = {}
    citing: dict[str, int] = {}
    for key in REPORTS:
        for row, cols in latest_figures(key)["applications"].items():
            if row.startswith("denied_"):
                sums[row] = sums.get(row, 0) + cols["total"]
                citing[row] = citing.get(row, 0) + (cols["total"] > 0)
    assert {r["reason"]: r["refused"] for r in rows} == sums
    assert {r["reason"]: r["reports_citing"] for r in rows} == citing
    assert [r["refused"] for r in rows] == sorted(sums.values(), reverse=True)
    assert rows[0]["rank"] == 1 and abs(sum(r["percent_of_refusals"] for r in rows) - 100) < 0.5
    assert all(template.ROWS_BY_KEY[("applications", r["reason"])].label in r["row_label"] for r in rows)


@pytest.mark.parametrize("q", ["国家秘密", "预算"])  # indexed (3+ characters) and scanned (2)
def test_search_text(client, db_path, q):
    rows = client.rows(f"/{DB}/search_text", q=q)
    conn = sqlite3.connect(db_path)
    expected = {vid for (vid,) in conn.execute(
        "SELECT r.version_id FROM reading_texts t JOIN readings r ON r.id = t.reading_id"
        " WHERE instr(text, ?) OR instr(t.title, ?)", [q, q])}
    latest_ids = {vid for (vid,) in conn.execute("SELECT latest_version_id FROM documents")}
    conn.close()
    assert expected and {r["version_id"] for r in rows} == expected
    assert all(q in r["passage"] for r in rows)
    assert all(r["is_latest"] == (r["version_id"] in latest_ids) for r in rows)
    assert client.rows(f"/{DB}/search_text", q="") == []


# -- report version page -------------------------------------------------------------------

def test_version_page_shows_template_tables_source_and_original(client, db_path):
    key = SPEC["corrections"][0]["key"]
    vid = version_ids(db_path)[key]
    response = client.get(f"/-/ogi/versions/{vid}")
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    assert REPORTS[key]["url"] in doc.xpath("//a[contains(@class, 'ogi-source')]/@href")
    raw_href, = doc.xpath("//a[contains(@class, 'ogi-raw')]/@href")
    assert client.get(raw_href).content == fixture_archive.raw_bytes(latest(key))
    tables = {t.get("data-table"): t for t in doc.xpath("//table[contains(@class, 'ogi-template')]")}
    assert set(tables) == set(labels.TABLES)
    # Chinese row labels of the template, as the template words them
    text = tables["applications"].text_content()
    for spec in template.ROWS:
        if spec.table == "applications":
            assert spec.label in text
    # every figure in its cell; corrected cells show the old value struck through
    figs = latest_figures(key)
    old = fixture_archive.figures(REPORTS[key])
    for table, rows in figs.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                cell, = doc.xpath(f"//td[@data-key='{table}.{row}.{col}']")
                struck = cell.xpath("./del/text()")
                if old[table][row][col] != value:
                    assert "changed" in cell.get("class") and struck == [layout.format_value(old[table][row][col])]
                else:
                    assert not struck
                assert cell.text_content().endswith(layout.format_value(value))


def test_version_page_of_superseded_and_removed_versions_says_so(client, db_path):
    conn = sqlite3.connect(db_path)
    superseded, = conn.execute(
        "SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id "
        "WHERE v.id != d.latest_version_id").fetchone()
    conn.close()
    page = client.get(f"/-/ogi/versions/{superseded}").text
    assert "not the current version" in page
    removed_key = SPEC["removals"][0]["key"]
    page = client.get(f"/-/ogi/versions/{version_ids(db_path)[removed_key]}").text
    assert "removed from its portal" in page and SPEC["removals"][0]["reason"] in page


def test_version_page_lists_failing_checks(client, db_path):
    expected = _expected_failures()
    url, rule = sorted(expected)[0]
    key = next(k for k, r in REPORTS.items() if r["url"] == url)
    doc = lxml.html.fromstring(client.get(f"/-/ogi/versions/{version_ids(db_path)[key]}").text)
    failing = {c.text_content() for c in doc.xpath("//table[contains(@class, 'ogi-failing')]//code")}
    assert failing == {r for u, r in expected if u == url}


def test_unknown_version_and_blob_are_404(client):
    assert client.get("/-/ogi/versions/999999").status_code == 404
    assert client.get("/-/ogi/raw/" + "0" * 64).status_code == 404


@pytest.mark.parametrize("key", sorted(REPORTS))
def test_raw_download_is_the_original_bytes_as_an_attachment(client, key):
    entry = REPORTS[key]
    raw = fixture_archive.raw_bytes(entry)
    response = client.get(f"/-/ogi/raw/{hashlib.sha256(raw).hexdigest()}")
    assert response.status_code == 200 and response.content == raw
    assert response.headers["content-type"].split(";")[0] == entry["content_type"].split(";")[0]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.endswith(urlsplit(entry["url"]).path.rsplit("/", 1)[1])
    assert response.headers["x-content-type-options"] == "nosniff"


def test_version_ids_and_raw_hashes_link_in_tables_and_rows(client, db_path):
    doc = lxml.html.fromstring(client.get(f"/{DB}/report_versions").text)
    hrefs = doc.xpath("//table[contains(@class, 'rows-and-columns')]//a/@href")
    assert any(h.startswith("/-/ogi/versions/") for h in hrefs)
    assert any(h.startswith("/-/ogi/raw/") for h in hrefs)
    # raw_sha256 is a foreign key in `versions`: still a download link
    doc = lxml.html.fromstring(client.get(f"/{DB}/versions").text)
    assert any(h.startswith("/-/ogi/raw/") for h in doc.xpath("//table//a/@href"))
    # the row pages of a version and of a document lead to the report page
    key = SPEC["corrections"][0]["key"]
    vid = version_ids(db_path)[key]
    for path in (f"/{DB}/versions/{vid}", f"/{DB}/documents/{_document_id(db_path, key)}"):
        doc = lxml.html.fromstring(client.get(path).text)
        assert doc.xpath("//p[@class='ogi-report-link']/a/@href") == [f"/-/ogi/versions/{vid}"]


def _document_id(db_path, key) -> int:
    conn = sqlite3.connect(db_path)
    (doc,) = conn.execute("SELECT id FROM documents WHERE url = ?", [REPORTS[key]["url"]]).fetchone()
    conn.close()
    return doc


@pytest.mark.parametrize("tmpl", ["2021", "2019"])
def test_layout_rows_are_rectangular(tmpl):
    """Every row of every template grid covers the same number of columns (rowspans counted)."""
    values = {(c.table, c.row, c.col): 1 for c in labels.CELLS}
    for grid in layout.grids(values, tmpl=tmpl):
        rows = grid.head + grid.body
        widths = []
        carried = [0] * len(rows)  # columns covered by rowspans from rows above
        for i, row in enumerate(rows):
            widths.append(carried[i] + sum(c.colspan for c in row))
            for c in row:
                for j in range(i + 1, min(i + c.rowspan, len(rows))):
                    carried[j] += c.colspan
        assert len(set(widths)) == 1, (grid.table, widths)
        figure_keys = {c.key for row in grid.body for c in row if c.key}
        assert figure_keys == {f"{c.table}.{c.row}.{c.col}" for c in labels.cells(grid.table, tmpl)}


# -- dashboards ----------------------------------------------------------------------------

def _chart_sql(sql: str) -> str:
    from datasette_dashboards import replace_opts_in_query
    return replace_opts_in_query(sql, {})


def test_dashboard_page_and_every_chart_query(client):
    assert client.get(f"/-/dashboards/{dashboards.SLUG}").status_code == 200
    charts = client.get("/-/metadata.json").json()["plugins"]["datasette-dashboards"][dashboards.SLUG]["charts"]
    for slug, chart in charts.items():
        if "query" not in chart:
            continue
        rows = client.rows(f"/{DB}", sql=_chart_sql(chart["query"]), region="", year="", agency="")
        assert rows, slug
        if chart["library"] != "vega-lite":
            continue
        for row in rows:  # every mark leads to the reports behind it
            linked = urlsplit(row["link"])
            params = {k: v[0] for k, v in parse_qs(linked.query, keep_blank_values=True).items()}
            target = client.rows(linked.path, **params)
            assert target and all(r["version_id"] and r["source_url"] for r in target), row["link"]


def test_applications_chart_matches_the_figures(client):
    chart = client.get("/-/metadata.json").json()["plugins"]["datasette-dashboards"][dashboards.SLUG]["charts"]["applications"]
    rows = client.rows(f"/{DB}", sql=_chart_sql(chart["query"]), region="", agency="")
    expected: dict[int, int] = {}
    for key in REPORTS:
        year = latest(key)["year"]
        expected[year] = expected.get(year, 0) + latest_figures(key)["applications"]["new_received"]["total"]
    assert {r["year"]: r["applications"] for r in rows} == expected


def test_dashboard_region_filter(client):
    region = "北京市"
    response = client.get(f"/-/dashboards/{dashboards.SLUG}", region=region)
    assert response.status_code == 200
    chart = client.get("/-/metadata.json").json()["plugins"]["datasette-dashboards"][dashboards.SLUG]["charts"]["reports"]
    from datasette_dashboards import replace_opts_in_query
    rows = client.rows(f"/{DB}", sql=replace_opts_in_query(chart["query"], {"region": region}), region=region)
    assert rows[0]["n"] == sum(1 for r in REPORTS.values() if r["region"].startswith(region + "/"))


# -- live archive, CLI -----------------------------------------------------------------------

def test_new_versions_show_without_restart(tmp_path):
    path = fixture_archive.build(tmp_path / "live.db")
    c = Client(make_datasette(path))
    try:
        before = c.rows("/live/removed_reports", agency="", region="", year="")
        entry = next(r for r in SPEC["reports"] if not is_removed(r["key"]))
        with Archive(path) as archive:  # the nightly writer, while Datasette serves
            archive.mark_removed(entry["url"], at="2024-01-01T00:00:00Z", reason="listing gone")
        after = c.rows("/live/removed_reports", agency="", region="", year="")
        assert len(after) == len(before) + 1 and entry["url"] in {r["source_url"] for r in after}
    finally:
        c.loop.close()


def test_serve_without_archive_is_one_clear_error(tmp_path, capsys):
    assert ogi_main(["serve", "--db", str(tmp_path / "missing.db")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ogi serve:") and "missing.db" in err and "\n" not in err


def test_serve_refuses_a_database_that_is_not_an_archive(tmp_path, capsys):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    assert ogi_main(["serve", "--db", str(other)]) == 1
    assert "not an ogi archive" in capsys.readouterr().err
    conn = sqlite3.connect(other)
    assert [n for (n,) in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]  # untouched
    conn.close()


def test_serve_rejects_unknown_setting(db_path, capsys):
    assert ogi_main(["serve", "--db", str(db_path), "--setting", "no_such_thing", "1"]) == 2
    assert "no_such_thing" in capsys.readouterr().err


def test_serve_writes_metadata_for_plain_datasette(db_path, tmp_path, capsys):
    out = tmp_path / "metadata.json"
    assert ogi_main(["serve", "--db", str(db_path), "--write-metadata", str(out)]) == 0
    meta = json.loads(out.read_text("utf-8"))
    assert set(meta["databases"][DB]["queries"]) == set(ALL_QUERIES)


def test_an_extracted_real_report_shows_in_its_template_layout(tmp_path):
    """End to end with the real extractor: the seed report (漯河市商务局 2022, flattened text)."""
    from extract import extract_report

    seed = Path(__file__).parent / "fixtures" / "seed" / "luohe_swj_2022.txt"
    url = "http://swj.luohe.gov.cn/2023/ndbg.txt"
    raw = seed.read_bytes()
    report = extract_report(raw, url=url, content_type="text/plain")
    with Archive(tmp_path / "seed.db") as archive:
        archive.store(url, raw, content_type="text/plain", report=report, region="河南省/漯河市")
    c = Client(make_datasette(tmp_path / "seed.db"))
    try:
        (version,) = c.rows("/seed/report_versions")
        doc = lxml.html.fromstring(c.get(f"/-/ogi/versions/{version['version_id']}").text)
        shown = {td.get("data-key"): td.text_content() for td in doc.xpath("//td[@data-key]")}
        found = {f"{t}.{r}.{col}": v for t, rows in report.figures.items()
                 for r, cols in rows.items() for col, v in cols.items()}
        assert found
        for key, value in found.items():
            if key in shown:  # template cells; any others are listed apart
                assert shown[key] == layout.format_value(value), key
        assert c.get(f"/-/ogi/raw/{hashlib.sha256(raw).hexdigest()}").content == raw
    finally:
        c.loop.close()


def test_layout_follows_the_reports_template():
    def texts(grid):
        return [c.text for row in grid.head + grid.body for c in row if c.header]

    values = {("active", "other_services", "decisions"): 7, ("active", "regulations", "published_new"): 2}
    active_2019 = layout.grids(values, tmpl="2019")[0]
    active_2021 = layout.grids(values, tmpl="2021")[0]
    assert "其他对外管理服务事项" in texts(active_2019) and "本年新公开数量" in texts(active_2019)
    assert "其他对外管理服务事项" not in texts(active_2021) and "本年制发件数" in texts(active_2021)
    assert layout.extra_cells(values, "2019") == []
    assert {k for k, _ in layout.extra_cells(values, "2021")} == {
        "active.other_services.decisions", "active.regulations.published_new"}
    apps_2019 = layout.grids({}, tmpl="2019")[1]
    assert "（六）其他处理" in texts(apps_2019) and "3.其他" not in texts(apps_2019)
