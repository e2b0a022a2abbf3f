"""Validate the labelled report fixtures themselves (tests/fixtures/reports): every document has an
answer, the answers use only SPEC keys and numbers, add up where the report does, and the committed
files are what `_make.py` generates. The extraction accuracy test over these fixtures lives elsewhere.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
DOC_EXTS = {".html", ".htm", ".shtml", ".txt"}

# The SPEC's figure key table (SPEC.md, "`ogi extract` JSON"), written out independently of
# extract/template.py so a typo on either side shows up.
APPLICANT = {"natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
             "legal_service_org", "other_org", "total"}
REVIEW_COLS = {"upheld", "corrected", "other", "pending", "total"}
OUTCOME_ROWS = [
    "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
    "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
    "denied_enforcement_files", "denied_admin_inquiry",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "unprocessed_petition", "unprocessed_duplicate", "unprocessed_publication",
    "unprocessed_excessive", "unprocessed_reconfirm",
    "other_no_correction", "other_unpaid_fee", "other_other",
]
KEYS = {
    "active": {"regulations": {"made", "repealed", "in_force"},
               "normative_documents": {"made", "repealed", "in_force"},
               "licensing": {"decisions"}, "punishment": {"decisions"}, "coercion": {"decisions"},
               "fees": {"amount"}},
    "applications": {row: APPLICANT for row in
                     ["new_received", "carried_over", *OUTCOME_ROWS, "total_processed", "carried_forward"]},
    "review_litigation": {row: REVIEW_COLS for row in
                          ("review", "litigation_direct", "litigation_after_review")},
}
# The 2019 template's own cells (BRIEF/README: 2021 key where the meaning is the same, 2019-only
# keys for the rest), also written out independently of extract/template.py.
KEYS_2019 = {
    "active": {"regulations": {"made", "published_new", "published_total"},
               "normative_documents": {"made", "published_new", "published_total"},
               **{row: {"items_previous", "items_change", "decisions"}
                  for row in ("licensing", "other_services", "punishment", "coercion")},
               "fees": {"items_previous", "items_change", "amount"}, "procurement": {"items", "amount"}},
    "applications": {row: APPLICANT for row in
                     ["new_received", "carried_over", *OUTCOME_ROWS[:-3], "other_processing",
                      "total_processed", "carried_forward"]},
    "review_litigation": KEYS["review_litigation"],
}
OUTCOME_ROWS_2019 = [*OUTCOME_ROWS[:-3], "other_processing"]
REPORT_FIELDS = {"title", "agency", "year", "published", "format", "template", "figures"}
ALLOWED_FIELDS = REPORT_FIELDS | {"_fetch", "_expect_exit", "_expect_failed_checks"}


def documents():
    return sorted(p for p in FIXTURES.iterdir() if p.suffix in DOC_EXTS)


def answer(doc: Path) -> dict:
    return json.loads((FIXTURES / f"{doc.stem}.expected.json").read_text(encoding="utf-8"))


def reports():
    return [d for d in documents() if "_expect_exit" not in answer(d)]


def ids(paths):
    return [p.name for p in paths]


def test_every_document_has_an_answer_and_every_answer_a_document():
    docs = {p.stem for p in documents()}
    answers = {p.name[: -len(".expected.json")] for p in FIXTURES.glob("*.expected.json")}
    assert docs == answers


def test_the_set_is_big_and_varied_enough():
    docs = documents()
    not_reports = [d for d in docs if "_expect_exit" in answer(d)]
    assert len(docs) >= 28
    assert len(not_reports) >= 3
    assert {d.suffix for d in docs} >= DOC_EXTS
    templates = {answer(d)["template"] for d in reports()}
    assert templates == {"2019", "2021"}


@pytest.mark.parametrize("doc", documents(), ids=ids(documents()))
def test_answer_shape(doc):
    exp = answer(doc)
    assert set(exp) <= ALLOWED_FIELDS, set(exp) - ALLOWED_FIELDS
    fetch = exp["_fetch"]
    assert set(fetch) == {"url", "content_type"}
    assert re.match(r"https?://[^/]+\.[a-z]{2,}/", fetch["url"]), fetch["url"]
    assert fetch["content_type"].split(";")[0] in ("text/html", "text/plain")
    if "_expect_exit" in exp:
        assert exp["_expect_exit"] == 3
        assert not set(exp) & REPORT_FIELDS, "a not-a-report answer carries no report fields"
        return
    assert set(exp) >= REPORT_FIELDS
    assert exp["format"] == ("txt" if doc.suffix == ".txt" else "html")
    assert exp["template"] in ("2019", "2021")
    assert exp["template"] == ("2021" if exp["year"] >= 2021 else "2019")
    assert isinstance(exp["year"], int) and 2019 <= exp["year"] <= 2025
    if exp["published"] is not None:
        published = dt.date.fromisoformat(exp["published"])
        assert published.year == exp["year"] + 1, "a report is published the year after it covers"
    assert exp["agency"] and exp["agency"] in exp["title"]
    year_cn = "".join("〇一二三四五六七八九"[int(c)] for c in str(exp["year"]))
    assert str(exp["year"]) in exp["title"] or year_cn in exp["title"]


@pytest.mark.parametrize("doc", reports(), ids=ids(reports()))
def test_figure_keys_and_values(doc):
    exp = answer(doc)
    figures = exp["figures"]
    assert figures, "a report answer has figures"
    keys = KEYS_2019 if exp["template"] == "2019" else KEYS
    for table, rows in figures.items():
        assert table in keys, table
        for row, cols in rows.items():
            assert row in keys[table], f"{exp['template']} template has no {table}.{row}"
            assert cols, f"{table}.{row} is empty: leave the row out instead"
            assert set(cols) <= keys[table][row], f"{table}.{row}: {set(cols) - keys[table][row]}"
            for col, value in cols.items():
                if col == "amount":
                    assert type(value) is float, f"amounts are floats: {value!r}"
                    assert round(value, 4) == value
                else:
                    assert type(value) is int, f"{table}.{row}.{col} = {value!r}"
                assert value >= 0 or col == "items_change"


def failed_checks(figs: dict) -> set[str]:
    """The SPEC's checks, evaluated only where every cell they need is in the answer."""
    app = figs.get("applications", {})
    failed = set()
    cols = sorted(APPLICANT)
    for col in cols:
        need = [app.get(r, {}).get(col) for r in ("new_received", "carried_over", "total_processed",
                                                  "carried_forward")]
        if None not in need and need[0] + need[1] != need[2] + need[3]:
            failed.add(f"applications.balance.{col}")
        outcomes = [app.get(r, {}).get(col) for r in (OUTCOME_ROWS_2019 if "other_processing" in app else OUTCOME_ROWS)]
        total = app.get("total_processed", {}).get(col)
        if None not in outcomes and total is not None and sum(outcomes) != total:
            failed.add(f"applications.total_processed.{col}")
    for row, vals in app.items():
        if set(vals) == APPLICANT and sum(v for c, v in vals.items() if c != "total") != vals["total"]:
            failed.add(f"applications.row_total.{row}")
    for group, vals in figs.get("review_litigation", {}).items():
        if set(vals) == REVIEW_COLS and sum(vals[c] for c in REVIEW_COLS - {"total"}) != vals["total"]:
            failed.add(f"review_litigation.{group}.total")
    return failed


@pytest.mark.parametrize("doc", reports(), ids=ids(reports()))
def test_answers_add_up_unless_the_agency_erred(doc):
    """Catches a typo in our own data: only the fixtures that print an agency's error may fail."""
    exp = answer(doc)
    assert failed_checks(exp["figures"]) == set(exp.get("_expect_failed_checks", []))


def test_some_fixtures_carry_agency_errors():
    assert sum(1 for d in reports() if answer(d).get("_expect_failed_checks")) >= 1


def _declared_charset(data: bytes, content_type: str) -> str | None:
    m = re.search(r"charset=([\w-]+)", content_type)
    if m:
        return m.group(1)
    m = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
    return m.group(1).decode() if m else None


@pytest.mark.parametrize("doc", documents(), ids=ids(documents()))
def test_bytes_are_really_in_their_charset(doc):
    """Declared charsets are true; undeclared non-UTF-8 fixtures really are not UTF-8 (so they test
    detection), and the labelled title is in the decoded document."""
    data, exp = doc.read_bytes(), answer(doc)
    declared = _declared_charset(data, exp["_fetch"]["content_type"])
    if declared:
        text = data.decode(declared)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    if "title" in exp:
        assert exp["title"] in text


def test_encodings_cover_the_variants():
    seen = set()
    for doc in documents():
        data = doc.read_bytes()
        declared = _declared_charset(data, answer(doc)["_fetch"]["content_type"])
        try:
            data.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        seen.add((declared or "").lower() if declared else ("utf-8 undeclared" if utf8 else "undeclared"))
    assert {"utf-8", "gbk", "gb2312", "undeclared"} <= seen, seen


def test_readme_describes_every_fixture():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    missing = [d.name for d in documents() if f"`{d.name}`" not in readme]
    assert not missing


def test_committed_fixtures_match_the_generator(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_report_fixtures", FIXTURES / "_make.py")
    make = importlib.util.module_from_spec(spec)
    # dataclasses resolve their annotations through sys.modules while the module executes.
    monkeypatch.setitem(sys.modules, spec.name, make)
    spec.loader.exec_module(make)
    make.main(tmp_path)
    generated = sorted(tmp_path.iterdir())
    assert len(generated) >= 2 * 28
    drift = [p.name for p in generated if p.read_bytes() != (FIXTURES / p.name).read_bytes()]
    assert not drift, f"re-run tests/fixtures/reports/_make.py: {drift}"
