"""Distributed crawl, the Scrapy side: the same spider in several processes ("workers", on one
machine or many) sharing one scrapy-redis request queue and dupefilter, with one archive writer.

One setting switches it on, scrapy-redis's own `REDIS_URL`; without it nothing here is used:

    ogi crawl --writer --db archive.db -s REDIS_URL=redis://HOST:6379/0   # once, beside archive.db
    ogi crawl [START_URL ...] -s REDIS_URL=redis://HOST:6379/0            # on every worker machine

The `Distributed` add-on (settings.ADDONS) joins the run the latest writer opened (or
`-s OGI_REDIS_RUN=NAME`; crawler.protocol.join) and swaps in exactly one component per concern:
scrapy-redis's scheduler and dupefilter on that run's keys, with `ClaimingQueue` below as the
queue and requests serialised as JSON (crawler.wire, never pickles), and the worker's presence
(crawler.worker: heartbeat, "is the crawl over?"). The crawl run itself (crawler.run.CrawlRun)
then uses the Redis archive seam (crawler.sender) instead of the SQLite archive; the Redis keys
and scripts are in crawler.protocol, which imports nothing of Scrapy.

Checked against scrapy-redis 0.9.1 on Scrapy 2.19: its Scheduler has the interface the engine
calls (from_crawler, open(spider), close(reason), enqueue_request, next_request,
has_pending_requests), serialises requests with `Request.to_dict(spider=…)` (callbacks are
spider methods, meta is plain data: both hold for our requests), and passes `spider=` to the
stats collector, which Scrapy 2.19 still accepts but deprecates (`Scheduler` below drops the
argument). What it lacks we add: its `SCHEDULER_PERSIST=False` default would let the first
worker to finish flush the queue and dupefilter the others still use, so runs persist and the
writer cleans up; and it has no notion of "every worker is done" (its RedisSpider just idles),
hence `ClaimingQueue` and the idle check in crawler.worker.
"""
from __future__ import annotations

import os
import secrets
import socket

from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis import scheduler
from scrapy_redis.queue import PriorityQueue

import extract
from crawler import defaults, protocol
from crawler.run import distributed
from crawler.worker import WorkerPresence


class Distributed:
    """The switch (a Scrapy add-on, so it sees -s overrides)."""

    @classmethod
    def from_crawler(cls, crawler) -> "Distributed":
        if not distributed(crawler.settings):
            raise NotConfigured  # a single-machine crawl: not even listed among enabled add-ons
        return cls()

    def update_settings(self, settings) -> None:
        name = settings.get("OGI_REDIS_RUN") or protocol.join(
            protocol.connect(settings.get("REDIS_URL")), wanted=None,
            wait=defaults.get(settings, "OGI_WRITER_WAIT"), extractor_version=extract.EXTRACTOR_VERSION,
            url=settings.get("REDIS_URL"))
        keys = protocol.RunKeys(protocol.check_name(name))
        _decide(settings, "OGI_REDIS_RUN", keys.name)
        # Host and pid name the worker in logs; the suffix keeps two containers (pid 1 each) apart.
        _decide(settings, "OGI_WORKER_ID", f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}")
        _decide(settings, "SCHEDULER", "crawler.distributed.Scheduler")
        _decide(settings, "DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter")
        _decide(settings, "SCHEDULER_QUEUE_CLASS", "crawler.distributed.ClaimingQueue")
        _decide(settings, "SCHEDULER_SERIALIZER", "crawler.wire")
        _decide(settings, "SCHEDULER_QUEUE_KEY", keys.requests)
        _decide(settings, "SCHEDULER_DUPEFILTER_KEY", keys.dupefilter)
        # A worker that closes must not flush the queue and dupefilter the others still use;
        # the writer deletes the run's keys when the run ends.
        _decide(settings, "SCHEDULER_PERSIST", True)
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerPresence, 110)


def _decide(settings, name: str, value) -> None:
    """Set `name` unless it was given on the command line. (At the "addon" priority Scrapy
    offers, crawler/settings.py, which ranks above add-ons, would win.)"""
    if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
        settings.set(name, value, "cmdline")


class ClaimingQueue(PriorityQueue):
    """scrapy-redis's priority queue, whose pop also marks this worker busy, atomically
    (crawler.protocol.CLAIM): a request is always either in the queue or held by a busy worker,
    which is what lets the workers agree that the crawl is over (crawler.worker)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        self.worker = settings.get("OGI_WORKER_ID")
        self.workers_key = protocol.RunKeys(settings.get("OGI_REDIS_RUN")).workers
        self._claim = server.register_script(protocol.CLAIM)

    def pop(self, timeout=0):
        data = self._claim(keys=[self.key, self.workers_key], args=[self.worker])
        return self._decode_request(data) if data else None


class Scheduler(scheduler.Scheduler):
    """scrapy-redis's scheduler, its stats counted without the `spider=` argument."""

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.stats = _Stats(crawler.stats)
        return instance


class _Stats:
    def __init__(self, stats):
        self.stats = stats

    def inc_value(self, key, count=1, start=0, spider=None):
        self.stats.inc_value(key, count, start)
