"""A crawl run's tallies: per source while crawling, one summary dict at the end (stored in
`crawl_runs.summary`, printed by `scrapy crawl` and `ogi crawl`).

The summary: `run_id`, `finish_reason`, `totals` and `sources` (the counts of COUNTS), and
`faults` (kind -> count, see FAULTS; empty when nothing was lost) with `fault_messages`. A run
with faults exits 1 and `ogi status` flags it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

COUNTS = ("pages", "reports", "new", "changed", "unchanged", "removed", "failed", "errors", "blocked")
MAX_MESSAGES = 20  # per source: enough to diagnose, bounded for a portal that fails everywhere
# Report columns recorded per source (a cluster of a city, its counties and departments has a
# few hundred); beyond it the run still crawls them, the summary names the first ones.
MAX_COLUMNS = 1000

# What a run can lose or fail to do (crawler.ledger.Ledger.fault), as the summary and `ogi
# status` name it.
FAULTS = {
    "not_stored": "record(s) the archive did not store (busy, disk full)",
    "worker_died": "extraction worker(s) died on a document (kept as `worker_died` failures)",
    "pipeline_error": "item(s) lost to an exception in a pipeline",
    "spider_error": "page(s) lost to an exception in a spider callback",
    "health_not_stored": "health report not stored",
    "summary_not_stored": "run summary not stored",
    "writer_lost": "the archive writer was lost before it stored this worker's records",
    "redis_lost": "Redis was lost",
}


@dataclass
class SourceTally:
    pages: int = 0  # HTTP responses received (any status), robots.txt excluded
    reports: int = 0  # documents that are reports this run: new + changed + unchanged
    new: int = 0
    changed: int = 0
    unchanged: int = 0  # same content, or 304 Not Modified
    removed: int = 0  # vanished from the listing, or 404/410
    failed: int = 0  # fetched but not readable as a report (kept in `failures`)
    errors: int = 0  # fetches that failed after retries (5xx, timeouts, DNS, 403…)
    blocked: int = 0  # requests robots.txt forbids (never fetched)
    # Why removal was not run for this source (a listing page failed, budget reached…); None = complete.
    incomplete: str | None = None
    # Final answers (after redirects and retries) with status < 400, 304 included: none at all
    # means the source was unreachable tonight (crawler.middlewares.SourceClockMiddleware counts them).
    ok: int = 0
    # Epoch seconds of the source's first request and of its last answer or network error.
    started: float | None = None
    ended: float | None = None
    messages: list[str] = field(default_factory=list)
    # The report columns read (crawler/coverage.py): URL -> {"agency", "region", "code", "listed"}.
    columns: dict[str, dict] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        setattr(self, key, getattr(self, key) + n)

    def note(self, message: str) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)


def merge(parts: Iterable[dict[str, SourceTally]]) -> dict[str, SourceTally]:
    """One tally per source from the tallies several processes kept for the same run (the
    workers and the archive writer of a distributed crawl): counts add up, the source started
    with the earliest and ended with the latest, the first reason for incompleteness stands."""
    out: dict[str, SourceTally] = {}
    for part in parts:
        for sid, t in part.items():
            into = out.setdefault(sid, SourceTally())
            for key in COUNTS + ("ok",):
                into.count(key, getattr(t, key))
            into.incomplete = into.incomplete or t.incomplete
            into.started = min((x for x in (into.started, t.started) if x is not None), default=None)
            into.ended = max((x for x in (into.ended, t.ended) if x is not None), default=None)
            for message in t.messages:
                into.note(message)
            for url, column in getattr(t, "columns", {}).items():
                mine = into.columns.get(url)
                if mine is None:
                    if len(into.columns) < MAX_COLUMNS:
                        into.columns[url] = dict(column)
                else:
                    mine["listed"] = mine.get("listed", 0) + column.get("listed", 0)
    return out


def build(tallies: dict[str, SourceTally], *, run_id: int | None, reason: str,
          faults: dict[str, int] | None = None, fault_messages: list[str] | None = None) -> dict:
    sources = {sid: asdict(t) for sid, t in tallies.items()}
    totals = {key: sum(s[key] for s in sources.values()) for key in COUNTS}
    return {"run_id": run_id, "finish_reason": reason, "totals": totals, "sources": sources,
            "faults": dict(faults or {}), "fault_messages": list(fault_messages or [])}


def fault_lines(summary: dict) -> list[str]:
    """One line per kind of fault of the run, then its first messages."""
    faults = summary.get("faults") or {}
    out = [f"LOST: {n} {FAULTS.get(kind, kind)}" for kind, n in sorted(faults.items()) if n]
    if out:
        out += [f"  {m}" for m in summary.get("fault_messages") or []]
    return out


def format_text(summary: dict, health: list[dict] | None = None) -> str:
    """A plain-text table (for logs and `scrapy crawl`; `ogi crawl` draws it with rich), then
    what needs a look: sources that never answered, sources the health report flagged."""
    header = ("source",) + COUNTS
    rows = [(sid,) + tuple(str(s[k]) for k in COUNTS) for sid, s in summary["sources"].items()]
    rows.append(("TOTAL",) + tuple(str(summary["totals"][k]) for k in COUNTS))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]

    def line(r) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    out = [f"crawl run {summary['run_id']} ({summary['finish_reason']})", line(header)]
    out += [line(r) for r in rows]
    for sid, s in summary["sources"].items():
        if s["incomplete"]:
            out.append(f"  {sid}: not checked for removed reports: {s['incomplete']}")
        out += [f"  {sid}: {m}" for m in s["messages"]]
    out += problem_lines(summary, health)
    return "\n".join(out)


def unreachable(summary: dict) -> list[str]:
    """Sources that never answered (no response below 400): failed tonight."""
    return [sid for sid, s in summary["sources"].items() if not s.get("ok")]


def problem_lines(summary: dict, health: list[dict] | None) -> list[str]:
    failed = unreachable(summary)
    out = fault_lines(summary)
    out += [f"failed (no answer): {', '.join(failed)}"] if failed else []
    out += [f"flagged: {row['source']}: {row['flag_reason']}" for row in health or [] if row["flagged"]]
    return out
