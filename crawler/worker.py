"""`WorkerPresence`: a distributed worker's part in "is the crawl over?" (a Scrapy extension,
switched in by crawler.distributed; the archive calls go through crawler.sender).

Not when this worker's share of the queue is empty: another worker may be parsing a page that
adds more. Every worker has a state in the run's `workers` hash: busy from its start and whenever
it takes a request (ClaimingQueue, in the same atomic step), idle when Scrapy finds it idle. It
closes when, atomically, the queue is empty and no live worker is busy (crawler.protocol.IDLE);
until then it polls the queue every OGI_WORKER_POLL seconds. Its heartbeat (renewed every
OGI_WORKER_TIMEOUT / 4 seconds) also leaves its ledger for the writer; a worker whose heartbeat
expired counts as dead: the requests it held are lost for this run, and the writer then leaves
removal detection alone. A worker stops when its writer is gone (nobody would store what it
fetches), has closed the run, or Redis stops answering; each is a fault of its run (exit 1).
"""
from __future__ import annotations

import logging

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import defaults, wire
from crawler.run import CrawlRun

logger = logging.getLogger(__name__)


class WorkerPresence:
    def __init__(self, crawler: Crawler):
        self.crawler, settings = crawler, crawler.settings
        self.worker = defaults.get(settings, "OGI_WORKER_ID")
        self.timeout = defaults.get(settings, "OGI_WORKER_TIMEOUT")
        self.poll = defaults.get(settings, "OGI_WORKER_POLL")
        self.writer_gone = False
        self.redis_gone = False
        self._stopping = False
        self._heartbeat = task.LoopingCall(self._beat)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WorkerPresence":
        return cls(crawler)

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)

    @property
    def closed(self) -> bool:
        """The run is over for this worker: its writer is gone or closed the run, or Redis is."""
        return self.writer_gone or self.redis_gone or self.run.archive.closed

    def spider_opened(self, spider) -> None:
        # Busy from the start: until its first idle moment a worker may still add start requests.
        self.run.redis_run.worker_busy(self.worker)
        self._beat()
        self._heartbeat.start(self.timeout / 4, now=False)

    def spider_idle(self, spider) -> None:
        if self.closed:
            raise CloseSpider("run closed by its archive writer")
        try:
            if self.run.redis_run.idle_and_over(self.worker):
                return
        except (redis.RedisError, OSError) as exc:
            self._lost_redis(exc)
            raise CloseSpider("redis lost") from None
        # Scrapy asks an idle spider again only on its 5 s heartbeat; ask sooner, so an idle
        # worker picks up what the others queue. (The engine's slot is private; without it the
        # heartbeat still works, only slower.)
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule(self.poll)
        raise DontCloseSpider

    def spider_closed(self, spider, reason: str) -> None:
        if self._heartbeat.running:
            self._heartbeat.stop()
        redis_run = self.run.redis_run
        try:
            if self.closed:
                # The writer has closed the run and deleted its keys, or is gone: remove those
                # this worker (or another) wrote since.
                redis_run.delete_keys()
            else:
                redis_run.worker_done(self.worker)
        except (redis.RedisError, OSError) as exc:
            logger.error("Redis lost while closing: %s", exc)

    def _beat(self) -> None:
        """Renew the heartbeat, leave the ledger for the writer in case this worker dies, and
        stop if the writer is gone."""
        if not self.closed:
            ledger = wire.dumps(self.run.ledger.to_data())
            try:
                self.writer_gone = not self.run.redis_run.worker_beat(self.worker, self.timeout, ledger)
            except (redis.RedisError, OSError) as exc:
                self._lost_redis(exc)
            if self.writer_gone:
                self.run.ledger.fault("writer_lost", f"the archive writer of run {self.run.redis_run.name} "
                                                     f"stopped beating: what was sent since may not be stored")
        if self.closed and not self._stopping and self._heartbeat.running:  # crawling
            self._stopping = True
            why = "redis lost" if self.redis_gone else "archive writer gone"
            logger.error("run %s: %s: stopping", self.run.redis_run.name, why)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=why))

    def _lost_redis(self, exc: Exception) -> None:
        if not self.redis_gone:
            self.redis_gone = True
            self.run.ledger.fault("redis_lost", f"Redis lost: {type(exc).__name__}: {exc}")
