"""Re-read stored captures with the current extractor, offline, without touching earlier readings.

Unit of work: a *version* the current extractor has not read yet (no reading of its own and no
`reextractions` row), plus every stored failure not yet recovered. The extractor runs on the
raw blob, with the pictures stored with it (`capture_resources`: an HTML page's tables, when they
are pictures, are read by OCR again, offline); if its content hash equals the version's current reading, nothing is written but a
`reextractions` row ('same'); otherwise a new reading (origin 'reextract') with its figures,
checks and figure changes, and a 'reread' event when figures moved (`versioning.apply_reading`).
A version is never added: only the crawl adds versions, when the agency changed its report.

Extraction runs in worker processes under a per-document deadline and memory limit
(`extract.isolation`): a stored document the new extractor chokes on is a `time_limit` or
`memory_limit` reading failure, never a stalled run. Writes stay in this process, one `BEGIN
IMMEDIATE` transaction per result (or per batch of 'same' results), and each re-checks inside
its transaction that nobody (a crawl's catch-up) read the version meanwhile, so a crawl and
`ogi reextract` can run together without losing or duplicating anything.

Re-runs are incremental and idempotent: what the current extractor already read is skipped.
`latest_only` and `time_budget` make the nightly pass: the latest version of each report,
oldest reading first, until the budget is spent (`ogi crawl` runs it after the crawl).
"""
from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable, Iterable

import extract
from archive import blobs, versioning
from archive import resources as capture_resources
from archive.clock import utc_iso
from archive.content import report_sha256

_WINDOW = 8  # documents in flight per worker: bounds memory, and how far a time budget overshoots
_SAME_BATCH = 200


@dataclass
class Summary:
    extractor_version: str
    examined: int = 0  # stored versions and failures looked at
    reextracted: int = 0  # extractor runs
    skipped: int = 0  # already read by this extractor
    same: int = 0
    changed: int = 0  # new readings (the content read differs from the current reading)
    failed: int = 0  # the extractor fails on bytes an earlier one read
    recovered: int = 0  # stored failures that are now readable reports
    still_failing: int = 0
    remaining: int = 0  # left for another run when the time budget was spent
    documents_figures_changed: set = field(default_factory=set)

    @property
    def reports_figures_changed(self) -> int:
        return len(self.documents_figures_changed)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "documents_figures_changed"}
        out["reports_figures_changed"] = self.reports_figures_changed
        return out


def extract_stored(raw: bytes, url: str, content_type: str | None, resources: Mapping[str, bytes] | None = None):
    """A Report, or the ExtractError explaining why there is none. Never raises. `resources`: the
    pictures stored with the capture (`archive.resources`), read by OCR again."""
    try:
        return extract.extract_report(raw, url=url or "", content_type=content_type, resources=resources)
    except extract.ExtractError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd document must not stop a 50,000-document run
        return extract.Unreadable(f"extractor crashed: {type(exc).__name__}: {exc}")


# (raw, url, content type, pictures stored with the capture or None) -> Report | ExtractError
Reader = Callable[[bytes, str, "str | None", "Mapping[str, bytes] | None"], object]


def _blob(db, digest: str):
    """The stored bytes, or the ExtractError saying why there are none."""
    try:
        raw = blobs.get(db.conn if hasattr(db, "conn") else db, digest)
    except blobs.BlobCorrupt as exc:
        return extract.Unreadable(str(exc))
    return raw if raw is not None else extract.Unreadable(f"raw blob {digest} missing from the archive")


def _capture(db, digest: str):
    """(bytes, pictures stored with them or None) of a capture, or the ExtractError saying why
    they cannot be read."""
    raw = _blob(db, digest)
    if isinstance(raw, extract.ExtractError):
        return raw
    try:
        return raw, capture_resources.get(db, digest) or None
    except blobs.BlobCorrupt as exc:
        return extract.Unreadable(f"a picture of the capture: {exc}")


def read_stored(db, version: dict, url: str, read: Reader = extract_stored) -> tuple:
    """(outcome, content hash) of the current extractor on a stored capture's bytes (a version's
    or a failure's `raw_sha256`) and the pictures stored with it."""
    capture = _capture(db, version["raw_sha256"])
    if isinstance(capture, extract.ExtractError):
        outcome = capture
    else:
        raw, pictures = capture
        outcome = read(raw, url, version["content_type"], pictures)
    return outcome, (None if isinstance(outcome, extract.ExtractError) else report_sha256(outcome))


# -- finding work ------------------------------------------------------------------------------

_VERSIONS = """
SELECT v.*, d.url, d.latest_version_id, r.content_sha256 AS current_content, r.read_at AS current_read_at
FROM versions v
JOIN documents d ON d.id = v.document_id
JOIN readings r ON r.id = (SELECT MAX(id) FROM readings x WHERE x.version_id = v.id)
{where}
ORDER BY {order}
"""


def _pending_versions(db, ev: str, *, force: bool, latest_only: bool, summary: Summary) -> Iterable[dict]:
    sql = _VERSIONS.format(where="WHERE v.id = d.latest_version_id" if latest_only else "",
                           order="r.read_at, v.id" if latest_only else "v.id")
    for version in db.query(sql):
        summary.examined += 1
        has_reading = db.execute("SELECT 1 FROM readings WHERE version_id = ? AND extractor_version = ?",
                                 [version["id"], ev]).fetchone()
        tried = db.execute("SELECT 1 FROM reextractions WHERE version_id = ? AND extractor_version = ?",
                           [version["id"], ev]).fetchone()
        if has_reading or (tried and not force):
            summary.skipped += 1
            continue
        yield version


def stale_latest(db, extractor_version: str) -> int:
    """How many documents' latest versions this extractor has neither read nor tried to read
    (what `ogi status` reports and the nightly re-reading works through)."""
    return db.execute("""
        SELECT COUNT(*) FROM documents d WHERE d.latest_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM readings x WHERE x.version_id = d.latest_version_id
                          AND x.extractor_version = ?)
          AND NOT EXISTS (SELECT 1 FROM reextractions x WHERE x.version_id = d.latest_version_id
                          AND x.extractor_version = ?)""", [extractor_version, extractor_version]).fetchone()[0]


def _pending_failures(db, ev: str, force: bool, summary: Summary) -> Iterable[dict]:
    for failure in db.query("SELECT * FROM failures WHERE status != 'recovered' ORDER BY id"):
        summary.examined += 1
        if failure["extractor_version"] == ev and not force:
            summary.skipped += 1
            continue
        yield failure


# -- writing one result ------------------------------------------------------------------------

def _apply_version(db, version: dict, outcome, content, *, ev: str, force: bool,
                   summary: Summary) -> None:
    """Inside a write transaction: record the reading unless someone (a crawl's catch-up) read
    the version meanwhile. `outcome` None means "the same content as the current reading"."""
    own = db.execute("SELECT 1 FROM readings WHERE version_id = ? AND extractor_version = ?",
                     [version["id"], ev]).fetchone()
    current = versioning.current_reading(db, version["id"])
    if own or (not force and versioning.read_by(db, version["id"], ev)) \
            or (outcome is None and current["content_sha256"] != content):
        summary.skipped += 1
        return
    result, diff = versioning.apply_reading(db, version, outcome, content, extractor_version=ev,
                                            at=utc_iso(), origin="reextract")
    setattr(summary, result, getattr(summary, result) + 1)
    if diff:
        summary.documents_figures_changed.add(version["document_id"])


def apply_failure(db, failure: dict, outcome, content_sha256: str | None, *, ev: str, at: str,
                  summary: Summary | None = None) -> str:
    """A stored failure re-read: still failing (row updated) or recovered into a version."""
    if isinstance(outcome, extract.ExtractError):
        db["failures"].update(failure["id"], {"status": outcome.status, "reason": outcome.reason,
                                              "extractor_version": ev})
        versioning.log_reading(db, extractor_version=ev, at=at, result="failed",
                               failure_id=failure["id"], detail=f"{outcome.status}: {outcome.reason}")
        if summary is not None:
            summary.still_failing += 1
        return "failed"
    url = failure["url"]
    document = versioning.find_document(db, url)
    latest = versioning.latest_version(db, document["id"]) if document else None
    if latest is None or latest["fetched_at"] <= failure["first_seen"]:
        # The failed capture is the newest we have of this URL: apply the normal rules to it.
        versioning.record_report(
            db, url, outcome, content_sha256=content_sha256, raw_sha256=failure["raw_sha256"],
            fetched_at=failure["first_seen"], recorded_at=at, extractor_version=ev,
            content_type=failure["content_type"], agency=failure["agency"],
            region=failure["region"], source=failure["source"],
            parent_url=failure["parent_url"], run_id=None,
            reread=lambda version: read_stored(db, version, url))
        document = versioning.find_document(db, url)
    elif not db.execute("SELECT 1 FROM versions WHERE document_id = ? AND raw_sha256 = ?",
                        [document["id"], failure["raw_sha256"]]).fetchone():
        # An older capture than the archived versions: history, not news; no event.
        versioning.insert_version(
            db, document["id"], outcome, content_sha256=content_sha256,
            raw_sha256=failure["raw_sha256"], fetched_at=failure["first_seen"], recorded_at=at,
            extractor_version=ev, content_type=failure["content_type"],
            agency=failure["agency"], previous=None, previous_reading=None)
        versioning.refresh_latest(db, document["id"])
    db.execute("UPDATE documents SET last_seen = MAX(last_seen, ?) WHERE id = ?",
               [failure["last_seen"], document["id"]])
    db["failures"].update(failure["id"], {"status": "recovered", "document_id": document["id"],
                                          "reason": f"readable with extractor {ev}",
                                          "extractor_version": ev})
    latest = versioning.latest_version(db, document["id"])
    versioning.log_reading(db, extractor_version=ev, at=at, result="recovered",
                           failure_id=failure["id"],
                           new_reading_id=versioning.current_reading(db, latest["id"])["id"])
    if summary is not None:
        summary.recovered += 1
    return "recovered"


# -- running -----------------------------------------------------------------------------------

def _reread_task(raw: bytes, url: str, content_type: str | None, expected: str | None,
                 resources: Mapping[str, bytes] | None = None) -> tuple:
    """In a worker: (outcome, content hash); outcome is None when the hash equals `expected`, so
    the common "nothing changed" answer does not ship a whole Report back between processes."""
    outcome = extract_stored(raw, url, content_type, resources)
    content = None if isinstance(outcome, extract.ExtractError) else report_sha256(outcome)
    return (None if content is not None and content == expected else outcome), content


def _results(archive, tasks: list[tuple], workers: int, deadline: float | None) -> Iterable[tuple]:
    """(key, outcome, content) per task (key, digest, url, content type, expected content), in
    worker processes under the per-document deadline and memory limit of extract.isolation: a
    document that overruns is a `time_limit` / `memory_limit` failure, never a stalled run."""
    from extract.isolation import BoundedExtractor

    def in_time() -> bool:
        return deadline is None or time.monotonic() < deadline

    if archive.memory:  # no file for worker processes to share: read here
        for key, digest, url, content_type, expected in tasks:
            if not in_time():
                return
            capture = _capture(archive.db, digest)
            if isinstance(capture, extract.ExtractError):
                yield key, capture, None
            else:
                raw, pictures = capture
                yield (key, *_reread_task(raw, url, content_type, expected, pictures))
        return
    window = _WINDOW * workers
    with BoundedExtractor(workers=workers) as pool:
        pending: list[tuple] = []
        queue = iter(tasks)
        while True:
            while len(pending) < window and in_time():
                task = next(queue, None)
                if task is None:
                    break
                key, digest, url, content_type, expected = task
                capture = _capture(archive.db, digest)
                if isinstance(capture, extract.ExtractError):
                    pending.append((key, capture))
                    continue
                raw, pictures = capture
                pending.append((key, pool.submit_call(_reread_task, raw, url, content_type, expected, pictures)))
            if not pending:
                return
            key, job = pending.pop(0)
            if isinstance(job, extract.ExtractError):
                yield key, job, None
                continue
            result = job.result()
            # A limit or a dead worker answers with an ExtractError instead of our tuple.
            yield (key, result, None) if isinstance(result, extract.ExtractError) else (key, *result)


def run(archive, *, workers: int | None = None, force: bool = False, latest_only: bool = False,
        time_budget: float | None = None, failures: bool = True,
        progress: Callable[[int, int], None] | None = None) -> Summary:
    """Read every stored version (or only the latest ones) the current extractor has not read.

    `time_budget` (seconds) stops the run early; what is left is counted in `remaining` and done
    by the next run, oldest reading first."""
    ev = extract.extractor_version()
    db = archive.db
    summary = Summary(extractor_version=ev)
    versions = {("v", v["id"]): v for v in _pending_versions(db, ev, force=force, latest_only=latest_only,
                                                              summary=summary)}
    stored_failures = {("f", f["id"]): f for f in _pending_failures(db, ev, force, summary)} if failures else {}
    tasks = [(key, v["raw_sha256"], v["url"], v["content_type"], v["current_content"])
             for key, v in versions.items()]
    tasks += [(key, f["raw_sha256"], f["url"], f["content_type"], None) for key, f in stored_failures.items()]
    deadline = None if not time_budget else time.monotonic() + time_budget
    pending_same: list[tuple] = []

    def flush_same() -> None:
        with archive.write():
            for version, content in pending_same:
                _apply_version(db, version, None, content, ev=ev, force=force, summary=summary)
        pending_same.clear()

    done = 0
    for done, (key, outcome, content) in enumerate(
            _results(archive, tasks, workers or os.cpu_count() or 1, deadline), 1):
        summary.reextracted += 1
        if key[0] == "v":
            version = versions[key]
            if outcome is None:  # same content as the current reading
                pending_same.append((version, content))
                if len(pending_same) >= _SAME_BATCH:
                    flush_same()
            else:
                with archive.write():
                    _apply_version(db, version, outcome, content, ev=ev, force=force, summary=summary)
        else:
            with archive.write():
                apply_failure(db, stored_failures[key], outcome, content, ev=ev, at=utc_iso(),
                              summary=summary)
        if progress:
            progress(done, len(tasks))
    if pending_same:
        flush_same()
    summary.remaining = len(tasks) - done
    return summary
