"""How sure a report is of itself, per table: which of its checks were evaluated and which hold.

Derived from the checks list alone, so it can be recomputed from stored checks. A table is
`self_consistent` when at least one check about it was evaluated and every evaluated one holds;
researchers filter on it. Identities are the template's arithmetic (balance, totals); text
checks compare the report's sentences with its cells (`text.<table>.<row>.<col>`).
"""
from __future__ import annotations

from extract.report import Check
from extract.template import TABLE_LABELS

# Rules that belong to a table other than their first word says (evaluated in the archive).
_RULE_TABLE = {"cross_year": "applications"}


def rule_table(rule: str) -> str | None:
    parts = rule.split(".")
    if parts[0] == "text" and len(parts) > 1:
        return parts[1] if parts[1] in TABLE_LABELS else None
    if parts[0] in TABLE_LABELS:
        return parts[0]
    return _RULE_TABLE.get(parts[0])


def summarize(checks: list[Check], figures: dict | None = None) -> dict:
    """{table: {"identities": {...}, "text": {...}, "self_consistent": bool}} for every table
    that has figures or checks; each part lists evaluated/held counts and the failed rules."""
    tables = {t: {"identities": _part(), "text": _part()} for t in (figures or {}) if t in TABLE_LABELS}
    for check in checks:
        table = rule_table(check.rule)
        if table is None:
            continue
        entry = tables.setdefault(table, {"identities": _part(), "text": _part()})
        part = entry["text" if check.rule.startswith("text.") else "identities"]
        part["evaluated"] += 1
        if check.ok:
            part["held"] += 1
        else:
            part["failed"].append(check.rule)
    for entry in tables.values():
        evaluated = entry["identities"]["evaluated"] + entry["text"]["evaluated"]
        failed = entry["identities"]["failed"] or entry["text"]["failed"]
        entry["self_consistent"] = evaluated > 0 and not failed
    return {t: tables[t] for t in TABLE_LABELS if t in tables}


def _part() -> dict:
    return {"evaluated": 0, "held": 0, "failed": []}


__all__ = ["rule_table", "summarize"]
