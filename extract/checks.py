"""The template's own arithmetic, evaluated on one report's figures.

A failed check is data (the agency's error, or ours), never a reason to drop a report. A check
whose inputs are not all present is not evaluated: absence is not a failure.
"""
from __future__ import annotations

from extract.report import Check
from extract.template import APPLICANT_COLUMNS, OUTCOME_ROWS as _OUTCOMES_BY_TEMPLATE, REVIEW_GROUPS

# The 21 outcome rows （七）总计 sums in the 2021 template; the 2019 template sums its single
# （六）其他处理 row (`other_processing`) instead of the three 2021 sub-rows.
OUTCOME_ROWS = _OUTCOMES_BY_TEMPLATE["2021"]
OUTCOME_ROWS_2019 = _OUTCOMES_BY_TEMPLATE["2019"]
APPLICANT_KEYS = tuple(c[0] for c in APPLICANT_COLUMNS)
_PARTS = APPLICANT_KEYS[:-1]
_REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
_TOLERANCE = 1e-6  # fees are decimals; counts are ints


def _fmt(values) -> str:
    return "+".join(_num(v) for v in values)


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _same(a, b) -> bool:
    return abs(a - b) < _TOLERANCE


def outcome_rows(template: str | None, rows) -> tuple[str, ...]:
    """The rows （七）总计 sums: by the template, or (unknown) by which （六） rows were printed."""
    if template == "2019":
        return OUTCOME_ROWS_2019
    if template == "2021":
        return OUTCOME_ROWS
    rows = set(rows)
    if "other_processing" in rows and not rows & {"other_no_correction", "other_unpaid_fee", "other_other"}:
        return OUTCOME_ROWS_2019
    return OUTCOME_ROWS


def identities(table: str, template: str | None = None, rows=()) -> list[tuple[str, tuple, tuple]]:
    """The template's identities over one table's cells, as (rule, left cells, right cells) with
    cells named (row, col): sum(left) == sum(right). What `evaluate` checks and the digit-run
    solver (`extract.solver`) splits by."""
    out: list[tuple[str, tuple, tuple]] = []
    if table == "applications":
        outcomes = outcome_rows(template, rows)
        for col in APPLICANT_KEYS:
            out.append((f"applications.balance.{col}", (("new_received", col), ("carried_over", col)),
                        (("total_processed", col), ("carried_forward", col))))
        for col in APPLICANT_KEYS:
            out.append((f"applications.total_processed.{col}", tuple((r, col) for r in outcomes),
                        (("total_processed", col),)))
        for row in dict.fromkeys([*outcomes, "new_received", "carried_over", "total_processed", "carried_forward", *rows]):
            out.append((f"applications.row_total.{row}", tuple((row, c) for c in _PARTS), ((row, "total"),)))
    elif table == "review_litigation":
        for group, *_ in REVIEW_GROUPS:
            out.append((f"review_litigation.{group}.total", tuple((group, c) for c in _REVIEW_PARTS),
                        ((group, "total"),)))
    return out


def evaluate(figures: dict, template: str | None = None) -> list[Check]:
    checks: list[Check] = []
    apps = figures.get("applications", {})
    outcome_keys = outcome_rows(template, apps)

    def cell(row, col):
        return apps.get(row, {}).get(col)

    for col in APPLICANT_KEYS:
        parts = [cell(r, col) for r in ("new_received", "carried_over", "total_processed", "carried_forward")]
        if None not in parts:
            left, right = parts[0] + parts[1], parts[2] + parts[3]
            checks.append(Check(f"applications.balance.{col}", _same(left, right),
                                f"{_fmt(parts[:2])} = {_fmt(parts[2:])}" if _same(left, right)
                                else f"{_fmt(parts[:2])} = {_num(left)} ≠ {_num(right)} = {_fmt(parts[2:])}"))
    for col in APPLICANT_KEYS:
        total = cell("total_processed", col)
        outcomes = [cell(r, col) for r in outcome_keys]
        if total is not None and None not in outcomes:
            s = sum(outcomes)
            checks.append(Check(f"applications.total_processed.{col}", _same(s, total),
                                f"sum of {len(outcomes)} outcome rows = {_num(s)}, 总计 = {_num(total)}"))
    for row, values in apps.items():
        parts = [values.get(c) for c in _PARTS]
        total = values.get("total")
        if total is not None and None not in parts:
            s = sum(parts)
            checks.append(Check(f"applications.row_total.{row}", _same(s, total),
                                f"{_fmt(parts)} = {_num(s)}, 总计 = {_num(total)}"))
    review = figures.get("review_litigation", {})
    for group, *_ in REVIEW_GROUPS:
        values = review.get(group, {})
        parts = [values.get(c) for c in _REVIEW_PARTS]
        total = values.get("total")
        if total is not None and None not in parts:
            s = sum(parts)
            checks.append(Check(f"review_litigation.{group}.total", _same(s, total),
                                f"{_fmt(parts)} = {_num(s)}, 总计 = {_num(total)}"))
    return checks
