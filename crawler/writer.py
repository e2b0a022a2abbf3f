"""The archive writer of a distributed crawl: the one process that writes the SQLite archive, on
the machine that holds it.

    ogi crawl --writer --db archive.db -s REDIS_URL=redis://HOST:6379/0

It opens a run in Redis (crawler.protocol: publishes the conditional-GET validators, points
`ogi:current` at the run), then pops its workers' records in order, decodes and validates each
(crawler.records) and hands it to a `LocalArchive` (crawler.local) — the very object a
single-machine crawl writes through — so the archive ends up as a single-machine crawl of the
same portals would leave it. The `crawl_runs` row is opened when the first worker says which
sources it crawls. When every worker that joined has said goodbye, or died (its heartbeat
expired), and no record is left, it merges the workers' ledgers into its own and closes the run
as `LocalArchive.close_run` does: removals only if every worker finished (a dead worker's
requests were lost, so unlisted does not mean removed), the summary, the health report. Then it
deletes the run's keys. A record that does not decode is refused, logged and counted
(`rejected`), never executed.
"""
from __future__ import annotations

import logging
import signal
import time

import redis

import extract
from archive import Archive
from crawler import records, wire
from crawler.errors import BadRecord
from crawler.ledger import Ledger
from crawler.local import LocalArchive
from crawler.protocol import RedisRun
from crawler.records import Bye, Document, Fetched, Gone, Hello, NotModified
from crawler.seam import RunResult

logger = logging.getLogger(__name__)


class ArchiveWriter:
    def __init__(self, archive: Archive, run: RedisRun, *, timeout: float = 60):
        self.run, self.timeout = run, timeout
        self.local = LocalArchive(archive, Ledger())
        # Workers that joined -> None while they run, their ledger once they said goodbye.
        self.workers: dict[str, tuple[str, Ledger] | None] = {}
        self.rejected = 0  # records that were not records
        self._beat_at = 0.0

    @classmethod
    def open(cls, archive: Archive, run: RedisRun, *, timeout: float) -> "ArchiveWriter":
        writer = cls(archive, run, timeout=timeout)
        run.open(meta={"extractor_version": extract.EXTRACTOR_VERSION, "db": archive.path,
                       "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                 validators=writer._validators(), ttl=timeout)
        writer._beat_at = time.monotonic()
        return writer

    # -- the loop ------------------------------------------------------------------------------------

    def serve(self) -> RunResult | None:
        """Write records until the run is over (or interrupted); the run's result, or None if
        no worker ever joined."""
        previous = signal.signal(signal.SIGTERM, _interrupt)
        reason = None
        try:
            while reason is None:
                self._beat()
                # Never block longer than a heartbeat period, or the writer would look dead.
                payload = self.run.pop_record(timeout=min(1.0, self.timeout / 4))
                if payload is not None:
                    bye = self.handle(payload)
                    if not bye:
                        continue
                reason = self._over()
        except KeyboardInterrupt:
            reason = "shutdown"
        except (redis.RedisError, OSError) as exc:
            logger.error("Redis lost: %s", exc)
            self.local.ledger.fault("redis_lost", f"Redis lost: {type(exc).__name__}: {exc}")
            reason = "redis lost"
        finally:
            signal.signal(signal.SIGTERM, previous)
        return self.finish(reason)

    def handle(self, payload: bytes) -> bool:
        """Write one record; whether it was a goodbye."""
        try:
            worker, record = records.decode(payload)
        except BadRecord as exc:
            self.rejected += 1
            logger.error("refused a record on run %s: %s", self.run.name, exc)
            return False
        try:
            self.write(worker, record)
        except Exception as exc:  # as in a crawl's pipeline: one failed write is counted, the run goes on
            logger.exception("could not write a %s record from worker %s", type(record).__name__, worker)
            self.local.ledger.fault("not_stored", f"a {type(record).__name__} record from {worker}: "
                                                  f"{type(exc).__name__}: {exc}")
        if isinstance(record, Bye):
            # Every record this worker sent came before its goodbye, and is now written (or
            # counted as a fault of the run): its receipt lets it exit 0.
            self.run.ack(worker)
            return True
        return False

    def write(self, worker: str, record) -> None:
        if isinstance(record, Hello):
            self.workers.setdefault(worker, None)
            if self.local.run_id is None:
                self.run.set_meta("run_id", self.local.open_run(record.sources))
            else:
                self.local.add_sources(record.sources)
        elif isinstance(record, Fetched):
            self.local.fetched(record)
        elif isinstance(record, NotModified):
            self.local.not_modified(record)
        elif isinstance(record, Document):
            self.local.document(record)
        elif isinstance(record, Gone):
            self.local.gone(record)
        elif isinstance(record, Bye):
            self.workers[worker] = (record.reason, record.ledger)

    def _over(self) -> str | None:
        """The run's finish reason once every worker that joined is done or dead and no record
        is left; None while the run goes on."""
        if not self.workers or self.run.records_left():
            return None
        running = [w for w, done in self.workers.items() if done is None]
        if any(self.run.worker_alive(w) for w in running):
            return None
        if running:
            return "worker lost"
        reasons = sorted({reason for reason, _ in self.workers.values()} - {"finished"})
        return reasons[0] if reasons else "finished"

    def finish(self, reason: str) -> RunResult | None:
        try:
            ledger = self.local.ledger
            for worker, done in self.workers.items():
                if done is not None:
                    ledger.absorb(done[1])
                else:  # what it left at its last heartbeat
                    try:
                        if raw := self.run.worker_ledger(worker):
                            ledger.absorb(records.ledger_from_data(wire.loads(raw)))
                    except (BadRecord, ValueError):
                        self.rejected += 1
                    except (redis.RedisError, OSError):
                        pass  # Redis is gone (counted): the writer's own counts stand
            lost = [w for w, done in self.workers.items() if done is None]
            if reason == "worker lost":
                for sid in ledger.tallies:
                    ledger.incomplete(sid, f"worker {lost[0]} was lost with the requests it held")
            if self.local.run_id is None:
                return None
            return self.local.close_run(reason)
        finally:
            try:
                self.run.close()
            except (redis.RedisError, OSError) as exc:
                logger.error("could not delete the run's keys: %s", exc)

    # -- housekeeping ----------------------------------------------------------------------------------

    def _validators(self):
        """What `Archive.validators` answers for every URL that ever sent validators. The URL
        list is read from `fetches` directly (a documented table) as Archive has no call for it;
        the headers come from Archive.validators, so the rules stay in one place."""
        archive = self.local.archive
        urls = archive.db.execute("SELECT DISTINCT url FROM fetches"
                                  " WHERE etag IS NOT NULL OR last_modified IS NOT NULL").fetchall()
        for (url,) in urls:
            if headers := archive.validators(url):
                yield url, headers

    def _beat(self) -> None:
        if time.monotonic() - self._beat_at >= self.timeout / 4:
            self.run.writer_beat(self.timeout)
            self._beat_at = time.monotonic()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
