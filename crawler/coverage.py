"""What a run found, per source: the report columns it read, the agency and region each belongs
to, and how many report links each listed. Kept in the source's tally (crawler.summary.SourceTally
`columns`), so it travels with the ledger (a JOBDIR resume, a distributed worker's Bye) and lands
in `crawl_runs.summary`, where `ogi coverage` reads it beside the archive's agency × year
`coverage` view to name the gaps.
"""
from __future__ import annotations

from crawler.summary import MAX_COLUMNS, SourceTally


def column_read(tally: SourceTally, url: str, agency: str | None, region: str | None, code: str | None) -> None:
    """A report column (its first page) was read for this source."""
    columns = _columns(tally)
    if url not in columns and len(columns) < MAX_COLUMNS:
        columns[url] = {"agency": agency, "region": region, "code": code, "listed": 0}


def report_listed(tally: SourceTally, column: str | None) -> None:
    """A report link was listed by `column` (any page of it)."""
    entry = _columns(tally).get(column) if column else None
    if entry is not None:
        entry["listed"] += 1


def _columns(tally: SourceTally) -> dict:
    # A tally restored from a JOBDIR written before columns were kept has no such attribute.
    if not hasattr(tally, "columns"):
        tally.columns = {}
    return tally.columns
