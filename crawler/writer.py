"""The archive writer of a distributed crawl (crawler.distributed): the one process that writes
the SQLite archive, on the machine that holds it.

    ogi crawl --writer --db archive.db -s REDIS_URL=redis://HOST:6379/0

It opens a run in Redis (publishing the conditional-GET validators workers read, then pointing
`ogi:current` at the run), waits for workers, and pops their records in order, making each write
with the `RunBook` code a single-machine crawl runs (store the document and count new / changed /
unchanged / failed, record the fetch, touch on 304, decide a 404), so the archive ends up as a
single-machine crawl of the same portals would leave it. The crawl_runs row is opened when the
first worker says which sources it crawls. When every worker that joined has said goodbye, or
died (its heartbeat expired), and no record is left, it closes the run like CrawlRun does: the
workers' tallies merged with its own, removal of unlisted reports only if every worker finished
(a dead worker's requests were lost, so unlisted does not mean removed), the summary, the health
report. Then it deletes the run's keys.
"""
from __future__ import annotations

import json
import logging
import pickle
import signal
import time

import extract
from archive import Archive
from archive.clock import utc_iso
from crawler.distributed import (CURRENT, DistributedError, RunKeys, check_name, connect, delete_run_keys,
                                 new_run_name)
from crawler.run import RunBook
from crawler.summary import SourceTally, merge

logger = logging.getLogger(__name__)

# Delete `ogi:current` only if it still names this run (a newer writer may have replaced it).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class ArchiveWriter(RunBook):
    def __init__(self, archive: Archive, server, keys: RunKeys, *, timeout: float = 60):
        self.archive, self.server, self.keys, self.timeout = archive, server, keys, timeout
        self.run_id: int | None = None
        self.tallies: dict[str, SourceTally] = {}  # what the writer counts: store outcomes, 404s
        self.seen: dict[str, set[str]] = {}
        self.summary: dict | None = None
        self.health: list[dict] = []
        self.sources: dict = {}  # id -> source, from the workers' hellos
        # Workers that joined -> None while they run, (reason, tallies) once they said goodbye.
        self.workers: dict[str, tuple | None] = {}
        self._beat_at = 0.0

    @classmethod
    def open(cls, archive: Archive, settings) -> "ArchiveWriter":
        server = connect(settings)
        keys = RunKeys(check_name(settings.get("OGI_REDIS_RUN") or new_run_name()))
        if server.exists(keys.meta):
            raise DistributedError(f"run {keys.name} exists in Redis already: pick another OGI_REDIS_RUN")
        writer = cls(archive, server, keys, timeout=settings.getfloat("OGI_WORKER_TIMEOUT", 60))
        writer._publish_validators()
        server.hset(keys.meta, mapping={"extractor_version": extract.EXTRACTOR_VERSION,
                                        "db": archive.path, "opened_at": utc_iso()})
        writer._beat()  # from now on workers can join (crawler.distributed.join)
        server.set(CURRENT, keys.name)
        return writer

    # -- the loop ------------------------------------------------------------------------------

    def serve(self) -> dict | None:
        """Write records until the run is over (or interrupted); the run's summary, or None if
        no worker ever joined."""
        previous = signal.signal(signal.SIGTERM, _interrupt)
        reason = None
        try:
            while reason is None:
                self._beat()
                # Never block longer than a heartbeat period, or the writer would look dead.
                popped = self.server.brpop([self.keys.records], timeout=min(1.0, self.timeout / 4))
                if popped:
                    worker, op, args, kwargs = pickle.loads(popped[1])
                    try:
                        self.handle(worker, op, args, kwargs)
                    except Exception:  # as in a crawl's pipeline: log, go on
                        logger.exception("could not write a %s record from worker %s", op, worker)
                    if op != "bye":
                        continue
                reason = self._over()
        except KeyboardInterrupt:
            reason = "shutdown"
        finally:
            signal.signal(signal.SIGTERM, previous)
        return self.finish(reason)

    def handle(self, worker: str, op: str, args: tuple, kwargs: dict) -> None:
        if op == "hello":
            self.workers.setdefault(worker, None)
            for source in args[0]:
                self.sources.setdefault(source.id, source)
            if self.run_id is None:
                self.run_id = self.archive.start_run(sorted(s.id for s in args[0]))
                self.server.hset(self.keys.meta, "run_id", self.run_id)
        elif op == "record_fetch":
            self.archive.record_fetch(*args, run_id=self.run_id, **kwargs)
        elif op == "touch":
            self.archive.touch(*args, run_id=self.run_id, **kwargs)
        elif op == "store":
            self.store(*args)
        elif op == "gone":
            self.gone(*args, **kwargs)
        elif op == "bye":
            reason, tallies, seen = args
            self.workers[worker] = (reason, tallies)
            for source_id, urls in seen.items():
                self.seen.setdefault(source_id, set()).update(urls)
        else:
            logger.warning("unknown record %r from worker %s", op, worker)

    def _over(self) -> str | None:
        """The run's finish reason once every worker that joined is done or dead and no record
        is left; None while the run goes on."""
        if not self.workers or self.server.llen(self.keys.records):
            return None
        running = [w for w, done in self.workers.items() if done is None]
        if any(self.server.exists(self.keys.alive(w)) for w in running):
            return None
        if running:
            return "worker lost"
        reasons = sorted({done[0] for done in self.workers.values()} - {"finished"})
        return reasons[0] if reasons else "finished"

    def finish(self, reason: str) -> dict | None:
        try:
            parts = [done[1] for done in self.workers.values() if done]
            lost = [w for w, done in self.workers.items() if done is None]
            for worker in lost:  # the tallies it left at its last heartbeat
                if raw := self.server.hget(self.keys.tallies, worker):
                    parts.append(pickle.loads(raw))
            self.tallies = merge([{sid: SourceTally() for sid in self.sources}, *parts, self.tallies])
            if reason == "worker lost":
                for tally in self.tallies.values():
                    tally.incomplete = tally.incomplete or f"worker {lost[0]} was lost with the requests it held"
            if self.run_id is None:
                return None
            return self.close_run(reason, list(self.sources.values()))
        finally:
            self._delete_keys()

    # -- Redis housekeeping --------------------------------------------------------------------

    def _publish_validators(self) -> None:
        """What `Archive.validators` would answer for every URL that ever sent validators. The
        URL list is read from `fetches` directly (a documented table) as Archive has no call for
        it; the headers themselves come from Archive.validators, so the rules stay in one place."""
        urls = self.archive.db.execute("SELECT DISTINCT url FROM fetches"
                                       " WHERE etag IS NOT NULL OR last_modified IS NOT NULL").fetchall()
        with self.server.pipeline(transaction=False) as pipe:
            for i, (url,) in enumerate(urls, 1):
                if headers := self.archive.validators(url):
                    pipe.hset(self.keys.validators, url, json.dumps(headers))
                if i % 1000 == 0:
                    pipe.execute()
            pipe.execute()

    def _beat(self) -> None:
        if time.monotonic() - self._beat_at >= self.timeout / 4:
            self.server.set(self.keys.writer, 1, ex=max(1, round(self.timeout)))
            self._beat_at = time.monotonic()

    def _delete_keys(self) -> None:
        self.server.register_script(_RELEASE)(keys=[CURRENT], args=[self.keys.name])
        delete_run_keys(self.server, self.keys)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
