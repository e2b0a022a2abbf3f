"""Re-run the current extractor over stored raw bytes, offline, without touching earlier readings.

Unit of work: a *fetch* — a `versions` row with origin 'fetch' (the first reading of fetched
bytes) — plus every stored failure not yet recovered. For each fetch the current reading is the
newest row among the fetch and its re-readings (`reextract_of`). The extractor runs on the raw
blob; if its content hash equals the current reading nothing is written but a `reextractions`
row ('same'); otherwise a new `versions` row (origin 'reextract', same `fetched_at` and
`raw_sha256`, `reextract_of` the fetch) with its figures, checks and figure changes ('changed').
Extraction runs in a process pool (workers read blobs through their own read-only
connection; WAL lets them read while this process writes); writes stay in this process, one
transaction per new reading, 'same' results batched.

Re-runs are incremental: readings already made by the current extractor, and fetches already
processed by it, are skipped (`force=True` re-runs them).
"""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import extract
from archive import blobs, versioning
from archive.clock import utc_iso
from archive.content import report_sha256

_WINDOW = 512  # tasks in flight: bounds memory when results come faster than they are written
_SAME_BATCH = 200


@dataclass
class Summary:
    extractor_version: str
    examined: int = 0  # stored readings and failures looked at
    reextracted: int = 0  # extractor runs
    skipped: int = 0  # already read by this extractor version
    same: int = 0
    changed: int = 0  # new readings (content hash differs)
    failed: int = 0  # the extractor now fails on bytes it used to read
    recovered: int = 0  # stored failures that are now readable reports
    still_failing: int = 0
    documents_figures_changed: set = field(default_factory=set)

    @property
    def reports_figures_changed(self) -> int:
        return len(self.documents_figures_changed)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "documents_figures_changed"}
        out["reports_figures_changed"] = self.reports_figures_changed
        return out


def extract_stored(raw: bytes, url: str, content_type: str | None):
    """A Report, or the ExtractError explaining why there is none. Never raises."""
    try:
        return extract.extract_report(raw, url=url or "", content_type=content_type)
    except extract.ExtractError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one odd document must not stop a 50,000-document run
        return extract.Unreadable(f"extractor crashed: {type(exc).__name__}: {exc}")


# -- writing one result ------------------------------------------------------------------------

def _log(db, *, ev: str, at: str, result: str, version_id=None, failure_id=None,
         new_version_id=None, figures_changed=None, detail=None) -> None:
    db["reextractions"].insert({
        "at": at, "extractor_version": ev, "version_id": version_id, "failure_id": failure_id,
        "result": result, "new_version_id": new_version_id,
        "figures_changed": None if figures_changed is None else int(figures_changed),
        "detail": detail,
    })


def apply_reading(db, fetch: dict, current: dict, outcome, content_sha256: str | None, *,
                  ev: str, at: str, summary: Summary | None = None) -> str:
    """Record the extractor's `outcome` for the fetch `fetch`, whose newest reading is `current`."""
    if isinstance(outcome, extract.ExtractError):
        _log(db, ev=ev, at=at, result="failed", version_id=fetch["id"],
             detail=f"{outcome.status}: {outcome.reason}")
        result = "failed"
    elif content_sha256 == current["content_sha256"]:
        _log(db, ev=ev, at=at, result="same", version_id=fetch["id"])
        result = "same"
    else:
        new_id, diff = versioning.insert_version(
            db, fetch["document_id"], outcome, content_sha256=content_sha256,
            raw_sha256=fetch["raw_sha256"], fetched_at=fetch["fetched_at"], recorded_at=at,
            extractor_version=ev, content_type=fetch["content_type"], agency=fetch["agency"],
            origin="reextract", reextract_of=fetch["id"], previous=current)
        versioning.refresh_latest(db, fetch["document_id"])
        _log(db, ev=ev, at=at, result="changed", version_id=fetch["id"], new_version_id=new_id,
             figures_changed=bool(diff), detail=versioning.describe_diff(diff))
        if summary is not None and diff:
            summary.documents_figures_changed.add(fetch["document_id"])
        result = "changed"
    if summary is not None:
        setattr(summary, result, getattr(summary, result) + 1)
    return result


def apply_failure(db, failure: dict, outcome, content_sha256: str | None, *, ev: str, at: str,
                  summary: Summary | None = None) -> str:
    """A stored failure re-read: still failing (row updated) or recovered into a version."""
    if isinstance(outcome, extract.ExtractError):
        db["failures"].update(failure["id"], {"status": outcome.status, "reason": outcome.reason,
                                              "extractor_version": ev})
        _log(db, ev=ev, at=at, result="failed", failure_id=failure["id"],
             detail=f"{outcome.status}: {outcome.reason}")
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
            parent_url=failure["parent_url"], run_id=None)
        document = versioning.find_document(db, url)
    elif not db.execute("SELECT 1 FROM versions WHERE document_id = ? AND content_sha256 = ?",
                        [document["id"], content_sha256]).fetchone():
        # An older capture than the archived versions: history, not news; no event.
        versioning.insert_version(
            db, document["id"], outcome, content_sha256=content_sha256,
            raw_sha256=failure["raw_sha256"], fetched_at=failure["first_seen"], recorded_at=at,
            extractor_version=ev, content_type=failure["content_type"],
            agency=failure["agency"], origin="fetch", previous=None)
        versioning.refresh_latest(db, document["id"])
    db.execute("UPDATE documents SET last_seen = MAX(last_seen, ?) WHERE id = ?",
               [failure["last_seen"], document["id"]])
    db["failures"].update(failure["id"], {"status": "recovered", "document_id": document["id"],
                                          "reason": f"readable with extractor {ev}",
                                          "extractor_version": ev})
    _log(db, ev=ev, at=at, result="recovered", failure_id=failure["id"],
         new_version_id=versioning.latest_version(db, document["id"])["id"])
    if summary is not None:
        summary.recovered += 1
    return "recovered"


# -- finding work ------------------------------------------------------------------------------

_FETCHES = """
SELECT f.*, d.url,
       COALESCE((SELECT MAX(r.id) FROM versions r WHERE r.reextract_of = f.id), f.id) AS current_id
FROM versions f JOIN documents d ON d.id = f.document_id
WHERE f.origin = 'fetch'
ORDER BY f.id
"""


def _current(db, version_id: int) -> dict:
    return next(db.query("SELECT * FROM versions WHERE id = ?", [version_id]))


def _pending_fetches(db, ev: str, force: bool, summary: Summary) -> Iterable[tuple[dict, dict]]:
    for fetch in db.query(_FETCHES):
        summary.examined += 1
        current = fetch if fetch["current_id"] == fetch["id"] else _current(db, fetch["current_id"])
        done = current["extractor_version"] == ev or db.execute(
            "SELECT 1 FROM reextractions WHERE version_id = ? AND extractor_version = ?",
            [fetch["id"], ev]).fetchone()
        if done and not force:
            summary.skipped += 1
            continue
        yield fetch, current


def _pending_failures(db, ev: str, force: bool, summary: Summary) -> Iterable[dict]:
    for failure in db.query("SELECT * FROM failures WHERE status != 'recovered' ORDER BY id"):
        summary.examined += 1
        if failure["extractor_version"] == ev and not force:
            summary.skipped += 1
            continue
        yield failure


# -- running -----------------------------------------------------------------------------------

_worker_conn: sqlite3.Connection | None = None


def _init_worker(path: str) -> None:
    global _worker_conn
    _worker_conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    _worker_conn.execute("PRAGMA busy_timeout = 60000")


def _read(conn, task: tuple) -> tuple:
    """(key, outcome, content hash); outcome is None when the hash equals the expected one, so
    the common "nothing changed" answer does not ship a whole Report back between processes."""
    key, digest, url, content_type, expected = task
    raw = blobs.get(conn, digest)
    if raw is None:
        outcome = extract.Unreadable(f"raw blob {digest} missing from the archive")
    else:
        outcome = extract_stored(raw, url, content_type)
    content = None if isinstance(outcome, extract.ExtractError) else report_sha256(outcome)
    return key, (None if content is not None and content == expected else outcome), content


def _work(task: tuple) -> tuple:
    return _read(_worker_conn, task)


def _results(archive, tasks: list[tuple], workers: int) -> Iterable[tuple]:
    if workers <= 1 or archive.memory or len(tasks) < 2 * workers:
        for task in tasks:
            yield _read(archive.db.conn, task)
        return
    # fork where available: workers start at once with the extractor already imported, and a
    # library caller's unguarded script is not re-run in each worker (as spawn would). Workers
    # never touch the inherited SQLite connection (SQLite forbids using one across fork); each
    # opens its own read-only one, and they leave through os._exit, which does not close it.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(archive.path,)) as pool:
        for start in range(0, len(tasks), _WINDOW * workers):
            window = tasks[start:start + _WINDOW * workers]
            yield from pool.map(_work, window, chunksize=8)


def run(archive, *, workers: int | None = None, force: bool = False,
        progress: Callable[[int, int], None] | None = None) -> Summary:
    """Re-extract every stored reading the current extractor has not read yet."""
    ev = extract.EXTRACTOR_VERSION
    db = archive.db
    summary = Summary(extractor_version=ev)
    fetches = {("v", f["id"]): (f, c) for f, c in _pending_fetches(db, ev, force, summary)}
    failures = {("f", f["id"]): f for f in _pending_failures(db, ev, force, summary)}
    tasks = [(key, f["raw_sha256"], f["url"], f["content_type"], c["content_sha256"])
             for key, (f, c) in fetches.items()]
    tasks += [(key, f["raw_sha256"], f["url"], f["content_type"], None) for key, f in failures.items()]
    workers = workers or os.cpu_count() or 1
    pending_same: list[tuple] = []

    def flush_same() -> None:
        with db.atomic():
            for fetch, current, outcome, content in pending_same:
                apply_reading(db, fetch, current, outcome, content, ev=ev, at=utc_iso(), summary=summary)
        pending_same.clear()

    for done, (key, outcome, content) in enumerate(_results(archive, tasks, workers), 1):
        summary.reextracted += 1
        if key[0] == "v":
            fetch, current = fetches[key]
            if outcome is None or isinstance(outcome, extract.ExtractError):
                pending_same.append((fetch, current, outcome, content))
                if len(pending_same) >= _SAME_BATCH:
                    flush_same()
            else:
                with db.atomic():
                    apply_reading(db, fetch, current, outcome, content, ev=ev, at=utc_iso(), summary=summary)
        else:
            with db.atomic():
                apply_failure(db, failures[key], outcome, content, ev=ev, at=utc_iso(), summary=summary)
        if progress:
            progress(done, len(tasks))
    if pending_same:
        flush_same()
    return summary


def catch_up(db, version: dict, *, extractor_version: str, at: str) -> str:
    """Re-read the fetch behind `version` with the current extractor (inside the caller's
    transaction); used by `Archive.store` when the stored reading is from another extractor."""
    fetch_id = version["reextract_of"] or version["id"]
    fetch = dict(_current(db, fetch_id))
    fetch["url"] = next(db.query("SELECT url FROM documents WHERE id = ?", [fetch["document_id"]]))["url"]
    raw = blobs.get(db.conn, fetch["raw_sha256"])
    outcome = extract_stored(raw, fetch["url"], fetch["content_type"]) if raw is not None else \
        extract.Unreadable("raw blob missing")
    content = None if isinstance(outcome, extract.ExtractError) else report_sha256(outcome)
    return apply_reading(db, fetch, version, outcome, content, ev=extractor_version, at=at)
