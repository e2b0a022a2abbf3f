"""A crawl run's health report: one row per source, and the flag for sources that need a look.

Each row says whether the source answered at all (`reachable`: any final response below 400),
what it yielded (the run's counts for it), its first problem, why removal detection was skipped
for it (`incomplete`) and how long it took. A source is `flagged` when it found no report, or
could not be reached, in this run and in its 2 runs before it: one bad night is normal for a
government portal, three in a row mean the column moved, the site is gone or our parser broke.

`LocalArchive.close_run` (crawler.local) builds the rows when a run closes and stores them in
the archive (`source_health`); `ogi status` prints them. Pure functions over the run's `SourceTally`s and earlier rows.
"""
from __future__ import annotations

from typing import Callable

from crawler.summary import COUNTS, FAULTS, SourceTally

FLAG_RUNS = 3  # this run and the source's FLAG_RUNS - 1 runs before it


def assess(run_id: int, source_id: str, tally: SourceTally, previous: list[dict],
           source=None) -> dict:
    """The `source_health` row of one source; `previous`: its earlier rows, newest first."""
    row = {
        "run_id": run_id, "source": source_id,
        "agency": getattr(source, "agency", None), "region": getattr(source, "region", None),
        "reachable": int(tally.ok > 0),
        **{key: getattr(tally, key) for key in COUNTS},
        "first_error": tally.messages[0] if tally.messages else None,
        "incomplete": tally.incomplete,
        "duration_s": (round(tally.ended - tally.started, 2)
                       if tally.started is not None and tally.ended is not None else None),
    }
    row["flagged"], row["flag_reason"] = flag(row, previous)
    return row


def flag(row: dict, previous: list[dict]) -> tuple[int, str | None]:
    """(1, why) when the source was unreachable, or found no report, FLAG_RUNS runs in a row."""
    window = [row, *previous[:FLAG_RUNS - 1]]
    if len(window) < FLAG_RUNS:
        return 0, None
    if not any(r["reachable"] for r in window):
        return 1, f"unreachable in the last {FLAG_RUNS} runs"
    if not any(r["reports"] for r in window):
        return 1, f"no reports found in the last {FLAG_RUNS} runs"
    return 0, None


def report(run_id: int, tallies: dict[str, SourceTally], sources: dict,
           history: Callable[[str], list[dict]], *, finished: bool) -> list[dict]:
    """Rows for every source of the run. `history(source_id)` gives the source's earlier rows,
    newest first. In a run that did not finish, a source the crawl never got to says nothing
    about the source: it gets no row (so it neither breaks nor extends a streak)."""
    rows = []
    for source_id, tally in tallies.items():
        if source_id == "-":  # requests without a source (none are made; kept out regardless)
            continue
        if not finished and tally.started is None:
            continue
        rows.append(assess(run_id, source_id, tally, history(source_id), sources.get(source_id)))
    return rows



def problems(run: dict | None, rows: list[dict]) -> list[str]:
    """What is wrong with a run, for `ogi status` (its exit status 1); empty when healthy.

    `run`: a row of `archive.health.runs` (its `summary` parsed); `rows`: its health report.
    A run failed when it did not finish (killed, crashed, stopped early), lost something (the
    summary's `faults`: a document not stored, a dead extraction worker…), has no health report,
    or no source answered at all (the machine's network, not the portals); sources unreachable
    for a night or two are normal and only count once flagged."""
    if run is None:
        return ["no finished crawl run"]
    out = []
    summary = run.get("summary")
    if not run.get("finished_at") or not summary:
        out.append(f"run {run['id']} did not finish (killed or crashed)")
    elif summary.get("finish_reason") != "finished":
        out.append(f"run {run['id']} stopped early ({summary.get('finish_reason')})")
    faults = (summary or {}).get("faults") or {}
    if any(faults.values()):
        lost = ", ".join(f"{n} {FAULTS.get(kind, kind)}" for kind, n in sorted(faults.items()) if n)
        out.append(f"run {run['id']} lost data: {lost}")
    if (summary and summary.get("finish_reason") == "finished" and not rows
            and any(sid != "-" for sid in summary.get("sources") or {})):
        out.append(f"run {run['id']} has no health report")
    if rows and not any(row["reachable"] for row in rows):
        out.append(f"no source answered in run {run['id']}")
    flagged = [row["source"] for row in rows if row["flagged"]]
    if flagged:
        out.append(f"{len(flagged)} source(s) flagged: {', '.join(flagged)}")
    return out
