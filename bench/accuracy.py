"""Accuracy of the extractor on every labelled fixture (`make accuracy`).

A labelled fixture is a document next to `NAME.expected.json`. Two label formats:

- generated fixtures (written from the data used to make the document): top-level `title`,
  `agency`, `year`, `published`, `format`, `template`, `figures`, and `_fetch`, `_expect_exit`,
  `_expect_failed_checks`;
- real reports (published by agencies, labelled by reading them; `tests/fixtures/real/` and any
  `--extra DIR`): `{"meta": {...}, "figures": {...}}`, where `meta.known_inconsistencies` are the
  checks the agency's own figures fail and `meta.unrecoverable` are cells the document as captured
  does not pin down (the extractor must leave them absent).

Everything under tests/fixtures/real/ (and every --extra DIR) is the real set, the rest is the
generated set; they are reported separately. Per set: cells right, wrong (a different value, or a
value the label does not have = invented), missing; metadata fields right; checks as expected;
reports exactly right. The generated set must stay exact (GENERATED_FLOOR); the committed real set
has its own floor (REAL_FLOOR), set to what the extractor measures and only ever raised.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extract import ExtractError, extract_report
from ogi.errors import exit_code

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
REAL_DIR = FIXTURES / "real"
META_FIELDS = ("title", "agency", "year", "published", "format", "template")
GENERATED_FLOOR = 1.0  # (cells + fields + checks right) / total on the generated set; stays exact
# Per directory of committed real reports: cells and metadata fields right / (labelled + invented),
# as the extractor measures it. Only ever raise a floor; a new directory starts at what it measures.
REAL_FLOORS = {
    "real": 1.0,  # 4105/4105 cells and fields on the 20 2021-template reports (平潭, 莆田, 三明)
    "real/older": 1.0,  # 1674/1674 on the 16 2019-template and pre-2019 reports (平潭, 上海)
}


@dataclass
class Case:
    name: str
    document: Path
    expected: dict
    real: bool = False

    @property
    def meta(self) -> dict:
        """Metadata of the label, whichever format it is written in."""
        return self.expected.get("meta", self.expected) if self.real else self.expected

    @property
    def figures(self) -> dict:
        return self.expected.get("figures", {})

    @property
    def url(self) -> str:
        # A real fixture is read the way `ogi extract FILE` reads it: from its file. meta.url is the
        # original page's address, provenance only (a text capture of an .htm page is still text).
        if self.real:
            return self.document.resolve().as_uri()
        return self.expected.get("_fetch", {}).get("url", "")

    @property
    def content_type(self) -> str | None:
        if self.real:
            return self.meta.get("content_type")
        return self.expected.get("_fetch", {}).get("content_type")

    @property
    def expected_exit(self) -> int | None:
        return None if self.real else self.expected.get("_expect_exit")

    @property
    def expected_failures(self) -> set[str]:
        if self.real:
            return set(self.meta.get("known_inconsistencies", []))
        return set(self.expected.get("_expect_failed_checks", []))

    @property
    def unrecoverable(self) -> set[tuple[str, str, str]]:
        if not self.real:
            return set()
        return {tuple(key.split(".")) for key in self.meta.get("unrecoverable", {})}


@dataclass
class Score:
    """One case's (or one set's) counts. Every count is of cells, fields or checks."""
    cells_right: int = 0
    cells_wrong: int = 0  # a different value
    cells_invented: int = 0  # a value where the label has none (or an unrecoverable cell)
    cells_missing: int = 0
    fields_right: int = 0
    fields_total: int = 0
    checks_right: int = 0
    checks_total: int = 0
    exits_right: int = 0
    exits_total: int = 0
    unrecoverable_absent: int = 0
    reports: int = 0
    reports_exact: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def cells_expected(self) -> int:
        return self.cells_right + self.cells_wrong + self.cells_missing

    @property
    def correct(self) -> int:
        return self.cells_right + self.fields_right + self.checks_right + self.exits_right

    @property
    def total(self) -> int:
        return (self.cells_expected + self.cells_invented + self.fields_total + self.checks_total
                + self.exits_total)

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 1.0

    @property
    def cells_and_fields_ratio(self) -> float:
        """What the real floor is about: cells and metadata, wrong and invented counted against."""
        denominator = self.cells_expected + self.cells_invented + self.fields_total
        return (self.cells_right + self.fields_right) / denominator if denominator else 1.0

    def add(self, other: "Score") -> None:
        for name in ("cells_right", "cells_wrong", "cells_invented", "cells_missing", "fields_right",
                     "fields_total", "checks_right", "checks_total", "exits_right", "exits_total",
                     "unrecoverable_absent", "reports", "reports_exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def _load_dir(root: Path, base: Path, real: bool | None) -> list[Case]:
    cases = []
    for exp in sorted(root.rglob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        docs = [p for p in exp.parent.glob(stem + ".*") if p != exp and not p.name.endswith(".json")]
        if len(docs) != 1:
            raise SystemExit(f"{exp}: expected exactly one document named {stem}.*, found {len(docs)}")
        label = json.loads(exp.read_text(encoding="utf-8"))
        name = str(exp.relative_to(base))[: -len(".expected.json")]
        is_real = real if real is not None else (REAL_DIR == exp.parent or REAL_DIR in exp.parents)
        if is_real and "meta" not in label:
            raise SystemExit(f"{exp}: a real fixture's label is {{\"meta\": ..., \"figures\": ...}}")
        cases.append(Case(name, docs[0], label, real=is_real))
    return cases


def load_cases(root: Path = FIXTURES, extra: list[Path] | tuple = ()) -> list[Case]:
    """Every labelled fixture under root (real or generated by where it lives), then every --extra dir
    (all real)."""
    cases = _load_dir(root, root, None)
    for directory in extra:
        directory = Path(directory).resolve()
        cases += _load_dir(directory, directory.parent, True)
    return cases


def _cells(figures: dict) -> dict[tuple[str, str, str], float]:
    return {(t, r, c): v for t, rows in figures.items() for r, cols in rows.items()
            for c, v in cols.items()}


def score_case(case: Case) -> Score:
    score = Score()
    data = case.document.read_bytes()
    want = _cells(case.figures)
    try:
        report = extract_report(data, url=case.url, content_type=case.content_type).to_dict()
    except ExtractError as exc:
        if case.expected_exit is not None:
            score.exits_total = 1
            score.exits_right = int(case.expected_exit == exit_code(exc))
            if not score.exits_right:
                score.errors.append(f"{case.name}: exit {exit_code(exc)}, expected {case.expected_exit}")
            return score
        score.reports = 1
        score.errors.append(f"{case.name}: raised {type(exc).__name__}: {exc.reason}")
        score.fields_total = sum(1 for key in META_FIELDS if key in case.meta)
        score.cells_missing = len(want)
        return score
    if case.expected_exit is not None:
        score.exits_total = 1
        score.errors.append(f"{case.name}: expected exit {case.expected_exit}, got a report")
        return score
    score.reports = 1
    for key in META_FIELDS:
        if key in case.meta:
            score.fields_total += 1
            if report.get(key) == case.meta[key]:
                score.fields_right += 1
            else:
                score.errors.append(f"{case.name}: {key} = {report.get(key)!r}, expected {case.meta[key]!r}")
    got = _cells(report["figures"])
    for cell, value in want.items():
        key = ".".join(cell)
        if cell not in got:
            score.cells_missing += 1
            score.errors.append(f"{case.name}: {key} missing, expected {value!r}")
        elif abs(got[cell] - value) < 1e-9:
            score.cells_right += 1
        else:
            score.cells_wrong += 1
            score.errors.append(f"{case.name}: {key} = {got[cell]!r}, expected {value!r}")
    unrecoverable = case.unrecoverable
    for cell in sorted(got.keys() - want.keys()):
        score.cells_invented += 1
        why = ("the document does not pin it down (unrecoverable)" if cell in unrecoverable
               else "not in the label (invented?)")
        score.errors.append(f"{case.name}: {'.'.join(cell)} = {got[cell]!r}: {why}")
    score.unrecoverable_absent = len(unrecoverable - got.keys())
    # Failed checks must be exactly the agency's own errors. A check the report could not evaluate
    # (its cells missing) is not scored here: the missing cells already count.
    expected_failures = case.expected_failures
    evaluated = {c["rule"]: c["ok"] for c in report["checks"]}
    failed = {rule for rule, ok in evaluated.items() if not ok}
    for rule in sorted(expected_failures | failed):
        if case.real and rule not in evaluated:
            continue
        score.checks_total += 1
        if rule in expected_failures and rule in failed:
            score.checks_right += 1
        else:
            score.errors.append(f"{case.name}: check {rule} "
                                + ("should fail (the agency's own error)" if rule in expected_failures
                                   else "failed"))
    score.reports_exact = int(score.correct == score.total and not score.errors)
    return score


def _summary(title: str, s: Score) -> str:
    lines = [f"{title}: {s.reports} reports, {s.reports_exact} exactly right"]
    if s.cells_expected or s.cells_invented:
        lines.append(f"  cells: {s.cells_right} right, {s.cells_wrong} wrong, {s.cells_invented} invented, "
                     f"{s.cells_missing} missing of {s.cells_expected} labelled"
                     + (f" ({s.cells_right / s.cells_expected:.2%} right)" if s.cells_expected else ""))
    if s.unrecoverable_absent:
        lines.append(f"  unrecoverable cells left absent: {s.unrecoverable_absent}")
    lines.append(f"  metadata fields: {s.fields_right} / {s.fields_total} right")
    lines.append(f"  checks as expected: {s.checks_right} / {s.checks_total}")
    if s.exits_total:
        lines.append(f"  non-reports with the right exit code: {s.exits_right} / {s.exits_total}")
    lines.append(f"  cells and fields: {s.cells_and_fields_ratio:.2%}; all scored items: "
                 f"{s.correct}/{s.total} = {s.ratio:.2%}")
    return "\n".join(lines)


def group_of(case: Case) -> str:
    """'generated'; a committed real report's directory relative to tests/fixtures ('real',
    'real/older', ...); or 'extra <dir>' for a --extra directory."""
    if not case.real:
        return "generated"
    parent = case.document.parent
    if parent == REAL_DIR or REAL_DIR in parent.parents:
        return str(parent.relative_to(FIXTURES))
    return f"extra {parent}"


def measure(cases: list[Case]) -> dict[str, tuple[list[tuple[Case, Score]], Score]]:
    """Score every case, grouped by group_of."""
    groups: dict[str, tuple[list, Score]] = {}
    for case in cases:
        scored, total = groups.setdefault(group_of(case), ([], Score()))
        s = score_case(case)
        scored.append((case, s))
        total.add(s)
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", action="append", type=Path, default=[], metavar="DIR",
                        help="another directory of real labelled reports (NAME.ext + NAME.expected.json); "
                             "reported with the real set, outside its floor")
    parser.add_argument("--errors", type=int, default=40, metavar="N",
                        help="errors listed per real report (default 40; 0 = all)")
    args = parser.parse_args(argv)
    for d in args.extra:
        if not d.is_dir():
            parser.error(f"--extra {d}: not a directory")
    groups = measure(load_cases(extra=args.extra))

    generated = groups.get("generated", ([], Score()))
    print("== generated fixtures")
    for case, s in generated[0]:
        print(f"{'ok ' if s.correct == s.total else 'BAD'} {s.correct:5d}/{s.total:<5d} {case.name}")
    for err in generated[1].errors[:50]:
        print("  -", err)

    committed, with_extra = Score(), Score()
    for group in sorted(g for g in groups if g != "generated"):
        scored, total = groups[group]
        with_extra.add(total)
        if not group.startswith("extra "):
            committed.add(total)
        print(f"\n== real reports: {group}")
        for case, s in scored:
            mark = "ok " if s.reports_exact else "BAD"
            print(f"{mark} cells {s.cells_right:4d}/{s.cells_expected:<4d} right, {s.cells_wrong} wrong, "
                  f"{s.cells_invented} invented, {s.cells_missing} missing; fields {s.fields_right}/"
                  f"{s.fields_total}  {case.name}")
            shown = s.errors if args.errors == 0 else s.errors[:args.errors]
            for err in shown:
                print("  -", err)
            if len(shown) < len(s.errors):
                print(f"  … {len(s.errors) - len(shown)} more (--errors 0 lists all)")
        print(_summary(f"group {group}", total))

    print()
    print(_summary("generated set", generated[1]))
    print(_summary("real set (tests/fixtures/real/)", committed))
    if args.extra:
        print(_summary("real set with --extra", with_extra))
    ok = True
    if generated[1].ratio < GENERATED_FLOOR:
        ok = False
        print(f"FAIL: generated set {generated[1].ratio:.2%} < floor {GENERATED_FLOOR:.2%}")
    for group, floor in REAL_FLOORS.items():
        if group in groups and groups[group][1].cells_and_fields_ratio < floor:
            ok = False
            print(f"FAIL: real set {group} {groups[group][1].cells_and_fields_ratio:.2%} < floor {floor:.2%}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
