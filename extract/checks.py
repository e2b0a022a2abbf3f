"""The template's own arithmetic, evaluated on one report's figures.

A failed check is data (the agency's error, or ours), never a reason to drop a report. A check
whose inputs are not all present is not evaluated: absence is not a failure.
"""
from __future__ import annotations

from extract.report import Check
from extract.template import APPLICANT_COLUMNS, REVIEW_GROUPS, ROWS

OUTCOME_ROWS = tuple(
    r.key for r in ROWS
    if r.table == "applications"
    and r.key not in ("new_received", "carried_over", "total_processed", "carried_forward")
)
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


def evaluate(figures: dict) -> list[Check]:
    checks: list[Check] = []
    apps = figures.get("applications", {})

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
        outcomes = [cell(r, col) for r in OUTCOME_ROWS]
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
