"""Per-table consistency summary (extract/consistency.py), derived from the checks alone."""
from __future__ import annotations

import json
from pathlib import Path

from extract import extract_report
from extract.consistency import rule_table, summarize
from extract.report import Check
from ogi.cli import main

SEED = Path(__file__).parent / "fixtures" / "seed" / "luohe_swj_2022.txt"


def test_rules_belong_to_their_table():
    assert rule_table("applications.balance.total") == "applications"
    assert rule_table("review_litigation.review.total") == "review_litigation"
    assert rule_table("text.review_litigation.litigation.total") == "review_litigation"
    assert rule_table("text.active.proactive.total") == "active"
    assert rule_table("cross_year.carried_over") == "applications"
    assert rule_table("something.else") is None


def test_summary_counts_and_names_the_failures():
    checks = [
        Check("applications.balance.total", True, ""),
        Check("applications.row_total.granted", False, ""),
        Check("text.applications.new_received.total", True, ""),
        Check("review_litigation.review.total", True, ""),
        Check("text.review_litigation.litigation.total", True, ""),
    ]
    summary = summarize(checks, {"active": {"licensing": {"decisions": 3}}, "applications": {}, "review_litigation": {}})
    assert summary["applications"] == {
        "identities": {"evaluated": 2, "held": 1, "failed": ["applications.row_total.granted"]},
        "text": {"evaluated": 1, "held": 1, "failed": []},
        "self_consistent": False,
    }
    assert summary["review_litigation"]["self_consistent"] is True
    # A table with figures but nothing evaluated is not self-consistent: nothing vouches for it.
    assert summary["active"]["self_consistent"] is False
    assert list(summary) == ["active", "applications", "review_litigation"]


def test_summary_of_nothing():
    assert summarize([], {}) == {}


def test_ogi_extract_json_shows_consistency_and_evidence(capsys):
    assert main(["extract", str(SEED)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["evidence"] == {}  # a 2021 table report: every figure is a table cell
    apps = out["consistency"]["applications"]
    assert apps["self_consistent"] is True and apps["identities"]["failed"] == []
    assert apps["identities"]["evaluated"] == sum(
        1 for c in out["checks"] if c["rule"].startswith("applications."))


def test_consistency_is_derived_from_the_report_checks():
    report = extract_report(SEED.read_bytes(), url="seed.txt")
    assert report.consistency == summarize(report.checks, report.figures)
