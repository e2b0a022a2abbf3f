"""Datasette across templates: one agency's reports from pre-2019 to 2021 with the template each
used, headline figures per year and template, and the dashboard's template split. The archive is
built with the `Archive` API from a real pre-2019 report (extracted) and reports whose figures are
given here; expected values are computed from those inputs."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from archive import Archive
from extract import Report, extract_report
from extract.checks import evaluate
from ogi.datasette import dashboards
from ogi.datasette.app import make_datasette

REAL = Path(__file__).parent / "fixtures" / "narrative"
DB = "archive"
AGENCY = "平潭综合实验区"
REGION = "福建省/平潭综合实验区"


def _report(year: int, template: str, figures: dict) -> Report:
    return Report(title=f"{AGENCY}{year}年度政府信息公开工作年度报告", agency=AGENCY, year=year,
                  published=f"{year + 1}-01-20", source_url=f"https://www.pingtan.gov.cn/nb/{year}.htm",
                  format="txt", template=template, figures=figures, checks=evaluate(figures),
                  text=f"{AGENCY}{year}年报告")


def _reports() -> list[Report]:
    pre2017 = extract_report((REAL / "pingtan_2017.txt").read_bytes(), url="https://www.pingtan.gov.cn/nb/2017.htm")
    assert pre2017.template == "pre2019"
    pre2017.agency = AGENCY  # metadata is not what this file tests (the capture header is)
    label2025 = json.loads((REAL / "pingtan_2025.figures.json").read_text(encoding="utf-8"))["figures"]
    return [
        _report(2008, "pre2019", {"applications": {"new_received": {"total": 3}},
                                  "review_litigation": {"litigation": {"total": 1}}}),
        pre2017,
        _report(2019, "2019", {"applications": {"new_received": {"total": 12}},
                               "review_litigation": {"review": {"total": 2},
                                                     "litigation_direct": {"total": 1},
                                                     "litigation_after_review": {"total": 1}}}),
        _report(2025, "2021", label2025),
        # another agency, to see the filter work
        Report(title="某县2017年政府信息公开工作年度报告", agency="某县人民政府", year=2017, published="2018-01-10",
               source_url="http://x.gov.cn/2017.htm", format="html", template="pre2019",
               figures={"applications": {"new_received": {"total": 5}}}, checks=[], text="某县"),
    ]


class Client:
    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()

    def rows(self, path: str, **params) -> list[dict]:
        response = self.loop.run_until_complete(
            self.ds.client.get(f"{path}.json?" + urlencode({"_shape": "array", **params})))
        assert response.status_code == 200, response.text[:500]
        return response.json()


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return _reports()


@pytest.fixture(scope="module")
def client(tmp_path_factory, reports):
    path = tmp_path_factory.mktemp("templates") / f"{DB}.db"
    with Archive(path) as archive:
        for i, report in enumerate(reports):
            url = report.source_url
            raw = f"<html><body>{report.title}</body></html>".encode()
            at = f"2026-04-0{i + 1}T02:00:00Z"
            archive.record_fetch(url, status=200, fetched_at=at, nbytes=len(raw))
            archive.store(url, raw, fetched_at=at, content_type="text/html", report=report,
                          agency=report.agency, region=REGION if report.agency == AGENCY else "福建省/某县")
    c = Client(make_datasette(path))
    yield c
    c.loop.close()


def _value(report: Report, table: str, row: str, col: str = "total"):
    return report.figures.get(table, {}).get(row, {}).get(col)


def _lawsuits(report: Report):
    total = _value(report, "review_litigation", "litigation")
    if total is not None:
        return total
    parts = [_value(report, "review_litigation", r) for r in ("litigation_direct", "litigation_after_review")]
    return None if None in parts else sum(parts)


def test_one_agency_all_its_reports_by_year_with_the_template(client, reports):
    rows = client.rows(f"/{DB}/agency_reports_by_year", agency=AGENCY, region="", year="", template="")
    ours = [r for r in reports if r.agency == AGENCY]
    assert [(r["year"], r["template"]) for r in rows] == [(r.year, r.template) for r in ours]
    for row, report in zip(rows, ours):
        assert row["received"] == _value(report, "applications", "new_received")
        assert row["answered"] == _value(report, "applications", "total_processed")
        assert row["reviews"] == _value(report, "review_litigation", "review")
        # pre-2019: the one 行政诉讼 number; later: 未经复议直接起诉 + 复议后起诉
        assert row["lawsuits"] == _lawsuits(report)
        assert row["version_id"] and row["source_url"] == report.source_url
    assert rows[0]["year"] == 2008 and rows[-1]["template"] == "2021"
    only_pre = client.rows(f"/{DB}/agency_reports_by_year", agency=AGENCY, region="", year="", template="pre2019")
    assert [r["year"] for r in only_pre] == [2008, 2017]


def test_headline_figures_per_year_and_template(client, reports):
    rows = client.rows(f"/{DB}/headline_figures_by_template", region="", agency="")
    expected: dict[tuple[int, str], dict] = {}
    for report in reports:
        e = expected.setdefault((report.year, report.template), {"reports": 0, "received": None, "stating": 0})
        e["reports"] += 1
        value = _value(report, "applications", "new_received")
        if value is not None:
            e["received"] = (e["received"] or 0) + value
            e["stating"] += 1
    got = {(r["year"], r["template"]): {"reports": r["reports"], "received": r["received"],
                                        "stating": r["reports_stating_received"]} for r in rows}
    assert got == expected
    lawsuits = {(r["year"], r["template"]): r["lawsuits"] for r in rows}
    assert lawsuits[(2019, "2019")] == 2 and lawsuits[(2008, "pre2019")] == 1
    assert all(r["details"].startswith("figure_by_agency?cell=new_received__total&year=") for r in rows)


def test_dashboard_charts_split_years_by_template(client, reports):
    from datasette_dashboards import replace_opts_in_query

    charts = dashboards.config(DB)[dashboards.SLUG]["charts"]
    assert charts["applications"]["display"]["encoding"]["color"]["field"] == "template"
    sql = replace_opts_in_query(charts["applications"]["query"], {})
    rows = client.rows(f"/{DB}", sql=sql, region="", agency="")
    expected: dict[tuple[int, str], int] = {}
    for report in reports:
        value = _value(report, "applications", "new_received")
        if value is not None:
            expected[(report.year, report.template)] = expected.get((report.year, report.template), 0) + value
    assert {(r["year"], r["template"]): r["applications"] for r in rows} == expected
    sql = replace_opts_in_query(charts["templates"]["query"], {})
    counts = {(r["year"], r["template"]): r["reports"] for r in client.rows(f"/{DB}", sql=sql, region="", agency="")}
    assert counts == {(2008, "pre2019"): 1, (2017, "pre2019"): 2, (2019, "2019"): 1, (2025, "2021"): 1}
