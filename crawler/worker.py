"""A worker of a distributed crawl (crawler.distributed): the spider, middlewares and pipeline
as in a single-machine crawl, with `WorkerRun` in place of `CrawlRun`.

A worker never opens the SQLite archive (it lives on the writer's machine). Its `archive` is a
`RecordSink`: every write the single-machine crawl makes (a fetch record, a document with its
extraction, a 304 touch, a 404) becomes a record on the run's Redis list, and the writer
(crawler.writer) makes exactly that write, in the same `RunBook` code. What workers need to read
comes from the writer too: it publishes the archive's conditional-GET validators when it opens
the run, so workers still send If-None-Match / If-Modified-Since; whether a 404 is a report taken
down or a dead link is decided by the writer, against the live archive.

Extraction runs here, on the workers. It is the CPU-heavy part of a crawl (tens of ms to seconds
a document against about a millisecond for an archive write), so it is what more machines should
share; and a report page that turns out to be only a notice makes the pipeline fetch its
attachments, which needs the spider and the scheduler, i.e. a worker. The writer receives the
finished `Report` (pickled: all machines run the same code, `join` checks the extractor version)
and stays a plain loop of SQLite transactions.

When is the crawl over? Not when this worker's share of the queue is empty: another worker may
be parsing a page that adds more. Every worker has a state in the run's `workers` hash: busy from
its start and whenever it takes a request (ClaimingQueue, in the same atomic step), idle when
Scrapy finds it idle. It closes when, atomically, the queue is empty and no live worker is busy;
until then it polls the queue every OGI_WORKER_POLL seconds. A worker whose heartbeat (renewed
every OGI_WORKER_TIMEOUT / 4 seconds) has expired counts as dead: the requests it held are lost
for this run, and the writer then leaves removal detection alone (crawler.writer).
"""
from __future__ import annotations

import json
import logging
import math
import pickle

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archive.clock import utc_iso
from crawler.distributed import RunKeys, connect, delete_run_keys
from crawler.run import CrawlRun
from crawler.summary import SourceTally, build

logger = logging.getLogger(__name__)

# Every worker idle and the queue empty: the crawl is over (1), else not yet (0). A busy worker
# whose heartbeat expired is dead and does not hold the others up.
_IDLE = """
redis.call('HSET', KEYS[1], ARGV[1], 'idle')
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
local states = redis.call('HGETALL', KEYS[1])
for i = 1, #states, 2 do
  if states[i + 1] == 'busy' and redis.call('EXISTS', ARGV[2] .. states[i]) == 1 then return 0 end
end
return 1
"""

# Records are accepted only while the run exists: a worker outliving its run (its writer was
# stopped) must not recreate the keys the writer deleted.
_PUSH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('LPUSH', KEYS[2], ARGV[1])
"""


class RecordSink:
    """The archive as a worker sees it: the `Archive` methods the middlewares and the spider
    call, writing records for the writer; validators read from the writer's snapshot."""

    def __init__(self, server, keys: RunKeys, worker: str):
        self.server, self.keys, self.worker = server, keys, worker
        self.sent = {"store": 0, "other": 0}
        self.closed = False  # the run is gone: nothing more is sent
        self._push = server.register_script(_PUSH)

    def send(self, op: str, *args, **kwargs) -> None:
        if self.closed:
            return
        record = pickle.dumps((self.worker, op, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        if self._push(keys=[self.keys.meta, self.keys.records], args=[record]) == -1:
            self.closed = True
            logger.error("run %s was closed by its archive writer: this worker stops", self.keys.name)
            return
        self.sent["store" if op == "store" else "other"] += 1

    def record_fetch(self, url: str, *, fetched_at=None, run_id=None, **fields) -> None:
        self.send("record_fetch", url, fetched_at=utc_iso(fetched_at), **fields)

    def touch(self, url: str, *, fetched_at=None, run_id=None) -> None:
        self.send("touch", url, fetched_at=utc_iso(fetched_at))

    def validators(self, url: str) -> dict:
        raw = self.server.hget(self.keys.validators, url)
        return json.loads(raw) if raw else {}

    def close(self) -> None:
        pass


class WorkerRun(CrawlRun):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    def _open_archive(self) -> RecordSink:
        settings = self.settings
        self.keys = RunKeys(settings.get("OGI_REDIS_RUN"))
        self.worker = settings.get("OGI_WORKER_ID")
        self.timeout = settings.getfloat("OGI_WORKER_TIMEOUT", 60)
        self.poll = settings.getfloat("OGI_WORKER_POLL", 1.0)
        self.server = connect(settings)
        self._idle = self.server.register_script(_IDLE)
        self._heartbeat = task.LoopingCall(self._beat)
        self._stopping = False
        # Busy from the start: until its first idle moment a worker may still add start requests.
        self.server.hset(self.keys.workers, self.worker, "busy")
        self.archive = RecordSink(self.server, self.keys, self.worker)
        self._beat()
        return self.archive

    # -- life cycle ----------------------------------------------------------------------------

    def spider_opened(self, spider) -> None:
        # No spider.state: the queue a restarted worker resumes lives in Redis, not in a JOBDIR.
        self.tallies = {s.id: SourceTally() for s in getattr(spider, "sources", [])}
        self.seen = {sid: set() for sid in self.tallies}
        self.requested = _SharedSets(self.server, self.keys)
        self.run_id = self.keys.name
        self.archive.send("hello", list(getattr(spider, "sources", [])))
        self._heartbeat.start(self.timeout / 4, now=False)

    def spider_idle(self, spider) -> None:
        if self.archive.closed:
            raise CloseSpider("run closed by its archive writer")
        over = self._idle(keys=[self.keys.workers, self.keys.requests],
                          args=[self.worker, self.keys.alive()])
        if over == 1:
            return
        # Scrapy asks an idle spider again only on its 5 s heartbeat; ask sooner, so an idle
        # worker picks up what the others queue. (The engine's slot is private; without it the
        # heartbeat still works, only slower.)
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule(self.poll)
        raise DontCloseSpider

    def spider_closed(self, spider, reason: str) -> None:
        try:
            if self._heartbeat.running:
                self._heartbeat.stop()
            self.summary = build(self.tallies, run_id=self.run_id, reason=reason)
            self._publish_stats()
            self.archive.send("bye", reason, self.tallies, self.seen)
            if self.archive.closed:
                # The writer has closed the run and deleted its keys; remove those this worker
                # (or another) wrote since.
                delete_run_keys(self.server, self.keys)
            else:
                with self.server.pipeline() as pipe:
                    pipe.hset(self.keys.workers, self.worker, "done").delete(self.keys.alive(self.worker))
                    pipe.execute()
            if self.settings.getbool("OGI_PRINT_SUMMARY", True):
                print(worker_line(self), flush=True)
        finally:
            self._exit.close()

    # -- what a single-machine run writes itself, a worker sends -------------------------------

    def store(self, item, report, failure) -> None:
        self.archive.send("store", item, report, failure)

    def gone(self, source, url, status, referer, at=None) -> None:
        self.archive.send("gone", source, url, status, referer, at=utc_iso(at))

    # -- heartbeat -----------------------------------------------------------------------------

    def _beat(self) -> None:
        """Renew this worker's heartbeat, leave its tallies for the writer in case it dies, and
        stop if the writer is gone (nobody would store what it fetches)."""
        if not self.archive.closed:
            with self.server.pipeline() as pipe:
                pipe.set(self.keys.alive(self.worker), 1, ex=max(1, math.ceil(self.timeout)))
                pipe.hset(self.keys.tallies, self.worker, pickle.dumps(self.tallies))
                pipe.exists(self.keys.writer)
                self.archive.closed = not pipe.execute()[-1]
        if self.archive.closed and not self._stopping and self._heartbeat.running:  # crawling
            self._stopping = True
            logger.error("the archive writer of run %s is gone: stopping", self.keys.name)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive writer gone"))


class _SharedSets:
    """`CrawlRun.requested` for a worker: per source, the URLs any worker of the run asked for,
    so the page budget (OGI_PAGE_BUDGET) is the run's, not each worker's."""

    def __init__(self, server, keys: RunKeys):
        self.server, self.keys = server, keys

    def setdefault(self, source: str, default=None) -> "_RedisSet":
        return _RedisSet(self.server, self.keys.requested(source))


class _RedisSet:
    def __init__(self, server, key: str):
        self.server, self.key = server, key

    def __contains__(self, value: str) -> bool:
        return bool(self.server.sismember(self.key, value))

    def __len__(self) -> int:
        return self.server.scard(self.key)

    def add(self, value: str) -> None:
        self.server.sadd(self.key, value)


def worker_line(run: WorkerRun) -> str:
    """What `ogi crawl` prints for a worker: its share; the run's summary is the writer's."""
    summary = run.summary or {"finish_reason": "?", "totals": {}}
    totals = summary["totals"]
    return (f"worker {run.worker} of run {run.keys.name}: {summary['finish_reason']}; "
            f"{totals.get('pages', 0)} pages, {run.archive.sent['store']} documents and "
            f"{run.archive.sent['other']} other records sent to the archive writer, "
            f"{totals.get('errors', 0)} errors, {totals.get('blocked', 0)} blocked by robots.txt")
