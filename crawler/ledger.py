"""The ledger of one crawl run: what the crawl saw and counted, per source.

- `tallies`: per source, the counts of the summary (`crawler.summary.SourceTally`: pages,
  reports, new / changed / unchanged / removed, failed, errors, blocked), when it started and
  last answered, and why it is `incomplete` (a listing failed, a budget ran out: then reports
  it did not list tonight are not taken for removed);
- `seen`: per source, the report URLs it listed this run (the rest of its reports are removed
  when the run finishes complete);
- `requested`: per source, the URLs asked for (the page budget's set store on one machine);
- `run_id`: the archive's `crawl_runs` id (a run name on a distributed worker);
- `faults`: what the run lost or could not do, by kind (`crawler.summary.FAULTS`: a document or
  a fetch the archive did not store, a dead extraction worker, an exception in a pipeline or a
  callback, the health report or the summary not stored, the writer or Redis lost), with the
  first messages in `fault_messages`. Any fault makes the run's exit status 1 and `ogi status`
  flag the run: nothing is lost silently.

One object, shared by the spider (pages, errors, seen), the budget (incomplete), the archive
seam (store outcomes) and the run's close (removals, summary, health). It is plain data: on one
machine it lives in `spider.state`, which Scrapy pickles into the JOBDIR, so a resumed crawl
continues the same run with everything it had seen; a distributed worker sends it to the
archive writer as JSON (crawler.records), where the ledgers of all workers are merged.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from crawler.summary import MAX_MESSAGES, SourceTally, merge

NO_SOURCE = "-"  # requests without a source (none are made; kept apart regardless)


@dataclass
class Ledger:
    run_id: int | str | None = None
    tallies: dict[str, SourceTally] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    requested: dict[str, set[str]] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    fault_messages: list[str] = field(default_factory=list)

    def begin(self, source_ids) -> None:
        """Every source of the run has a tally (a source that never answered still counts)."""
        for sid in source_ids:
            self.tallies.setdefault(sid, SourceTally())
            self.seen.setdefault(sid, set())

    def tally(self, source: str | None) -> SourceTally:
        return self.tallies.setdefault(source or NO_SOURCE, SourceTally())

    def count(self, source: str | None, key: str, n: int = 1) -> None:
        self.tally(source).count(key, n)

    def note(self, source: str | None, message: str) -> None:
        self.tally(source).note(message)

    def saw(self, source: str | None, url: str) -> None:
        """`url` is listed by `source` this run (so it is not a removed report)."""
        self.seen.setdefault(source or NO_SOURCE, set()).add(url)

    def incomplete(self, source: str | None, why: str) -> None:
        """Skip removal detection for `source` tonight; the first reason stands."""
        tally = self.tally(source)
        if tally.incomplete is None:
            tally.incomplete = why

    def fault(self, kind: str, message: str, source: str | None = None) -> None:
        """Something the run lost or could not do (see `faults`); noted on `source` too."""
        self.faults[kind] = self.faults.get(kind, 0) + 1
        if len(self.fault_messages) < MAX_MESSAGES:
            self.fault_messages.append(message)
        if source is not None:
            self.note(source, message)

    def load(self, other: "Ledger") -> None:
        """Continue `other` (a ledger restored from a JOBDIR) in this object."""
        self.run_id, self.tallies, self.seen, self.requested = (
            other.run_id, other.tallies, other.seen, other.requested)
        # A ledger pickled before faults were counted has none.
        self.faults = dict(getattr(other, "faults", {}))
        self.fault_messages = list(getattr(other, "fault_messages", []))

    def absorb(self, other: "Ledger") -> None:
        """Add another process's ledger of the same run (a worker's, at the writer)."""
        self.tallies = merge([self.tallies, other.tallies])
        for sid, urls in other.seen.items():
            self.seen.setdefault(sid, set()).update(urls)
        for kind, n in other.faults.items():
            self.faults[kind] = self.faults.get(kind, 0) + n
        self.fault_messages = (self.fault_messages + other.fault_messages)[:MAX_MESSAGES]

    # -- as data (crawler.records) ---------------------------------------------------------------

    def to_data(self) -> dict:
        return {"tallies": {sid: asdict(t) for sid, t in self.tallies.items()},
                "seen": {sid: sorted(urls) for sid, urls in self.seen.items()},
                "faults": dict(self.faults), "fault_messages": list(self.fault_messages)}

    @classmethod
    def from_data(cls, data: dict) -> "Ledger":
        """The inverse of `to_data`; the caller (crawler.records) has checked the types."""
        return cls(tallies={sid: SourceTally(**t) for sid, t in data["tallies"].items()},
                   seen={sid: set(urls) for sid, urls in data["seen"].items()},
                   faults=dict(data.get("faults") or {}), fault_messages=list(data.get("fault_messages") or []))
