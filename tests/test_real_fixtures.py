"""The real reports under tests/fixtures/real/ (published by agencies, labelled by reading them).

Checks the labels themselves, independently of the extractor: each fixture has its provenance in the
README beside it; each label is well formed (SPEC keys, numbers, a source naming repository and
commit, or the public index's id of a file whose repository it does not name); the labelled figures
satisfy the template's arithmetic except the declared `known_inconsistencies`, and every declared
one really fails (this catches labelling mistakes). Then the extractor's score on the set is at
least its floor in bench/accuracy.py.
"""
from __future__ import annotations

import re

import pytest

from extract import template

from bench.accuracy import REAL_DIR, REAL_FLOORS, group_of, load_cases, measure

CASES = [c for c in load_cases() if c.real]

APPLICANT = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
             "legal_service_org", "other_org", "total")
PARTS = APPLICANT[:-1]
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
OTHER_2021 = ("other_no_correction", "other_unpaid_fee", "other_other")
OUTCOMES = ("granted", "partially_granted",
            "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
            "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
            "denied_enforcement_files", "denied_admin_inquiry",
            "unable_not_held", "unable_needs_creation", "unable_unclear",
            "unprocessed_petition", "unprocessed_duplicate", "unprocessed_publication",
            "unprocessed_excessive", "unprocessed_reconfirm") + OTHER_2021
# Keys of SPEC.md and BRIEF.md (2021 keys, 2019-only keys, pre-2019 extras), written out here so a
# typo in a label shows up.
_DOCS = {"made", "repealed", "in_force", "published_new", "published_total"}
_ITEMS = {"decisions", "items_previous", "items_change"}
KEYS = {
    "active": {"regulations": _DOCS, "normative_documents": _DOCS, "licensing": _ITEMS,
               "other_services": _ITEMS, "punishment": _ITEMS, "coercion": _ITEMS,
               "fees": {"amount", "items_previous", "items_change"},
               "procurement": {"items", "amount"}, "proactive": {"total"}},
    "applications": {**{row: set(APPLICANT) for row in
                        ("new_received", "carried_over", *OUTCOMES, "total_processed", "carried_forward",
                         "other_processing")},
                     "denied": {"total"}, "fees": {"amount"}},
    "review_litigation": {**{g: set(REVIEW_COLS) for g in REVIEW_GROUPS}, "litigation": {"total"}},
}
RULE = re.compile(r"^(applications\.(balance|total_processed)\.(%s)|applications\.row_total\.\w+|"
                  r"review_litigation\.(%s)\.total|text\.[\w.]+)$" % ("|".join(APPLICANT), "|".join(REVIEW_GROUPS)))
META_REQUIRED = ("title", "agency", "year", "published", "template", "source", "notes")


def ids(cases):
    return [c.name for c in cases]


def failing_rules(figures: dict, extra: dict) -> set[str]:
    """The template identities the labelled figures break (a rule whose cells are not all labelled is
    not evaluated). A single （六）其他处理 row (the 2019 template, or a 2021 report that prints only
    one) stands in for the three 2021 rows when they are absent."""
    apps = figures.get("applications", {})
    single = apps.get("other_processing") or next(
        (v for k, v in extra.items() if k.startswith("applications.other_processing")), None)
    outcome_rows = [apps.get(r) for r in OUTCOMES]
    if single is not None and not any(r in apps for r in OTHER_2021):
        outcome_rows = outcome_rows[:-3] + [single]
    failed = set()
    for col in APPLICANT:
        parts = [apps.get(r, {}).get(col) for r in ("new_received", "carried_over", "total_processed",
                                                    "carried_forward")]
        if None not in parts and parts[0] + parts[1] != parts[2] + parts[3]:
            failed.add(f"applications.balance.{col}")
        total = apps.get("total_processed", {}).get(col)
        outcomes = [(row or {}).get(col) for row in outcome_rows]
        if total is not None and None not in outcomes and abs(sum(outcomes) - total) > 1e-9:
            failed.add(f"applications.total_processed.{col}")
    for row, values in apps.items():
        parts = [values.get(c) for c in PARTS]
        if values.get("total") is not None and None not in parts and sum(parts) != values["total"]:
            failed.add(f"applications.row_total.{row}")
    for group in REVIEW_GROUPS:
        values = figures.get("review_litigation", {}).get(group, {})
        parts = [values.get(c) for c in REVIEW_COLS[:-1]]
        if values.get("total") is not None and None not in parts and sum(parts) != values["total"]:
            failed.add(f"review_litigation.{group}.total")
    return failed


def test_the_real_set_exists():
    assert len([c for c in CASES if group_of(c) == "real"]) >= 5


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_provenance_is_in_the_readme_beside_it(case):
    readme = case.document.parent / "README.md"
    assert readme.exists(), f"{readme} missing"
    text = readme.read_text(encoding="utf-8")
    assert f"`{case.document.name}`" in text, f"{case.document.name} has no row in {readme}"
    source = case.meta.get("source", "")
    # A file the public index holds without naming its repository (a large file: the index gives
    # only its id) is traced by that id, which `read_file` reopens; the README says why.
    if re.search(r"stored public-file index id \d+", source):
        return
    assert re.search(r"\b[0-9a-f]{40}\b", source), f"meta.source names no commit: {source!r}"
    assert re.search(r"\b[\w.-]+/[\w.-]+\b", source), f"meta.source names no repository: {source!r}"


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_label_is_well_formed(case):
    meta = case.meta
    missing = [k for k in META_REQUIRED if k not in meta]
    assert not missing, f"meta lacks {missing}"
    assert meta["template"] in {"2021", "2019", "pre2019", "unknown"}
    assert isinstance(meta["year"], int) and 2000 <= meta["year"] <= 2100
    assert meta["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["published"])
    assert isinstance(meta["notes"], list) and meta["notes"]
    for table, rows in case.figures.items():
        assert table in KEYS, table
        for row, cols in rows.items():
            assert row in KEYS[table], f"{table}.{row}"
            for col, value in cols.items():
                assert col in KEYS[table][row], f"{table}.{row}.{col}"
                assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{table}.{row}.{col}"
                # 本年增/减 (2019) is a change, the only cell that may be negative.
                assert value >= 0 or col in template.SIGNED_COLUMNS, f"{table}.{row}.{col} = {value}"
                if table != "active" or row not in ("fees", "procurement"):
                    assert float(value).is_integer(), f"{table}.{row}.{col} = {value} is a count"
    for rule in meta.get("known_inconsistencies", []):
        assert RULE.match(rule), f"not a check rule: {rule}"
    for key, value in meta.get("unrecoverable", {}).items():
        table, row, col = key.split(".")
        assert col in KEYS[table][row], key
        assert col not in case.figures.get(table, {}).get(row, {}), f"{key} is both labelled and unrecoverable"
        assert value is None or isinstance(value, (int, float)), key


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_labelled_figures_add_up_except_the_agencys_own_errors(case):
    failed = failing_rules(case.figures, case.meta.get("extra", {}))
    declared = {r for r in case.meta.get("known_inconsistencies", []) if not r.startswith("text.")}
    assert failed - declared == set(), f"labelled figures break {sorted(failed - declared)}: a labelling mistake, " \
                                       "or declare the agency's error in meta.known_inconsistencies"
    assert declared - failed == set(), f"declared but the labelled figures satisfy {sorted(declared - failed)}"


def test_real_set_scores_at_least_its_floor():
    groups = measure(CASES)
    for group, floor in REAL_FLOORS.items():
        if group in groups:
            measured = groups[group][1].cells_and_fields_ratio
            assert measured >= floor, f"{group}: {measured:.2%} < floor {floor:.2%}"


def test_floors_cover_only_committed_directories():
    for group in REAL_FLOORS:
        assert (REAL_DIR.parent / group).is_dir(), group


def test_unlabelled_documents_do_not_hide_in_the_real_set():
    labelled = {c.document for c in CASES}
    for path in REAL_DIR.rglob("*"):
        if path.is_file() and not path.name.endswith(".json") and path.name != "README.md" \
                and not path.name.startswith("."):
            assert path in labelled, f"{path.relative_to(REAL_DIR)} has no NAME.expected.json"
