"""Accuracy of the extractor on every labelled fixture (`make accuracy`).

A labelled fixture is a document next to `NAME.expected.json` anywhere under tests/fixtures/.
Every expected cell and metadata field counts once; a cell we output that the label does not
have counts as wrong too (an invented figure is worse than a missing one).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extract import ExtractError, extract_report
from ogi.errors import exit_code

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
META_FIELDS = ("title", "agency", "year", "published", "format", "template")
FLOOR = 1.0  # accuracy on our own fixtures; only ever raise it


@dataclass
class Case:
    name: str
    document: Path
    expected: dict

    @property
    def url(self) -> str:
        return self.expected.get("_fetch", {}).get("url", "")

    @property
    def content_type(self) -> str | None:
        return self.expected.get("_fetch", {}).get("content_type")


@dataclass
class Score:
    correct: int = 0
    total: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.correct += ok
        if not ok:
            self.errors.append(what)


def load_cases(root: Path = FIXTURES) -> list[Case]:
    cases = []
    for exp in sorted(root.rglob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        docs = [p for p in exp.parent.glob(stem + ".*") if p != exp and not p.name.endswith(".json")]
        if len(docs) != 1:
            raise SystemExit(f"{exp}: expected exactly one document named {stem}.*, found {len(docs)}")
        cases.append(Case(str(exp.relative_to(root))[: -len(".expected.json")], docs[0],
                          json.loads(exp.read_text(encoding="utf-8"))))
    return cases


def _cells(figures: dict) -> dict[tuple[str, str, str], float]:
    return {(t, r, c): v for t, rows in figures.items() for r, cols in rows.items() for c, v in cols.items()}


def score_case(case: Case) -> Score:
    score = Score()
    data = case.document.read_bytes()
    expected_exit = case.expected.get("_expect_exit")
    try:
        report = extract_report(data, url=case.url, content_type=case.content_type).to_dict()
    except ExtractError as exc:
        score.add(expected_exit == exit_code(exc), f"{case.name}: raised {type(exc).__name__}: {exc.reason}")
        if expected_exit is None:  # every expected cell and field is then missed
            for key in META_FIELDS:
                score.add(False, f"{case.name}: {key} missing")
            for cell in _cells(case.expected.get("figures", {})):
                score.add(False, f"{case.name}: {'.'.join(cell)} missing")
        return score
    if expected_exit is not None:
        score.add(False, f"{case.name}: expected exit {expected_exit}, got a report")
        return score
    for key in META_FIELDS:
        if key in case.expected:
            score.add(report.get(key) == case.expected[key],
                      f"{case.name}: {key} = {report.get(key)!r}, expected {case.expected[key]!r}")
    want, got = _cells(case.expected.get("figures", {})), _cells(report["figures"])
    for cell, value in want.items():
        ok = cell in got and abs(got[cell] - value) < 1e-9
        score.add(ok, f"{case.name}: {'.'.join(cell)} = {got.get(cell)!r}, expected {value!r}")
    for cell in got.keys() - want.keys():
        score.add(False, f"{case.name}: {'.'.join(cell)} = {got[cell]!r} not in the label (invented?)")
    # The labelled figures add up except where a fixture records the agency's own errors.
    expected_failures = set(case.expected.get("_expect_failed_checks", []))
    failed = {c["rule"] for c in report["checks"] if not c["ok"]}
    for rule in expected_failures | failed:
        score.add(rule in expected_failures and rule in failed,
                  f"{case.name}: check {rule} " + ("should fail" if rule in expected_failures else "failed"))
    return score


def main() -> int:
    total = Score()
    per_case = []
    for case in load_cases():
        s = score_case(case)
        per_case.append((case.name, s))
        total.correct += s.correct
        total.total += s.total
        total.errors += s.errors
    for name, s in per_case:
        mark = "ok " if s.correct == s.total else "BAD"
        print(f"{mark} {s.correct:5d}/{s.total:<5d} {name}")
    for err in total.errors[:50]:
        print("  -", err)
    ratio = total.correct / total.total if total.total else 0.0
    print(f"accuracy: {total.correct}/{total.total} cells and fields correct = {ratio:.2%} "
          f"over {len(per_case)} labelled fixtures")
    return 0 if ratio >= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
