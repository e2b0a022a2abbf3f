"""Distributed crawl: the same spider in several processes ("workers", on one machine or many)
sharing one scrapy-redis request queue and dupefilter, with one archive writer.

One setting switches it on, scrapy-redis's own `REDIS_URL`; without it nothing here is used:

    ogi crawl --writer --db archive.db -s REDIS_URL=redis://HOST:6379/0   # once, beside archive.db
    ogi crawl [START_URL ...] -s REDIS_URL=redis://HOST:6379/0            # on every worker machine

The writer (crawler.writer) opens a run: it picks the run's name, publishes what workers need
from the archive and points `ogi:current` at the run. A worker joins the run `ogi:current` names
(or `-s OGI_REDIS_RUN=NAME`), and the `Distributed` add-on (settings.ADDONS) then swaps in
scrapy-redis's scheduler and dupefilter on that run's keys and `crawler.worker.WorkerRun` for
`CrawlRun`: workers never open the SQLite archive, they send records to the writer.

Every key of a run lives under `ogi:run:<name>:` (`RunKeys`), so two runs never share a queue
or a dupefilter, and the writer deletes them all when the run ends. docs/distributed.md lists
them.

Checked against scrapy-redis 0.9.1 on Scrapy 2.19: its Scheduler has the interface the engine
calls (from_crawler, open(spider), close(reason), enqueue_request, next_request,
has_pending_requests), serialises requests with `Request.to_dict(spider=…)` (callbacks are
spider methods, meta is plain data: both hold for our requests), and passes `spider=` to the
stats collector, which Scrapy 2.19 still accepts but deprecates (warning twice per crawl:
`Scheduler` below drops the argument). What it lacks we add: its
`SCHEDULER_PERSIST=False` default would let the first worker to finish flush the queue and
dupefilter the others still use, so runs persist and the writer cleans up; and it has no notion
of "every worker is done" (its RedisSpider just idles), hence `ClaimingQueue` here and the idle
check in crawler.worker.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
import time
from dataclasses import dataclass

from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis import scheduler
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.queue import PriorityQueue

import extract
from crawler.errors import DistributedError

CURRENT = "ogi:current"  # the name of the run the latest archive writer opened


def enabled(settings) -> bool:
    return bool(settings.get("REDIS_URL"))


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one run."""

    name: str

    def _key(self, part: str) -> str:
        return f"ogi:run:{self.name}:{part}"

    @property
    def pattern(self) -> str:
        return self._key("*")

    # Written by the writer.
    meta = property(lambda self: self._key("meta"))  # hash: extractor_version, db, opened_at, run_id
    writer = property(lambda self: self._key("writer"))  # the writer's heartbeat (expires)
    validators = property(lambda self: self._key("validators"))  # hash: url -> JSON headers
    # Written by the workers.
    requests = property(lambda self: self._key("requests"))  # scrapy-redis queue (sorted set)
    dupefilter = property(lambda self: self._key("dupefilter"))  # scrapy-redis fingerprints (set)
    records = property(lambda self: self._key("records"))  # list: worker -> writer
    workers = property(lambda self: self._key("workers"))  # hash: worker -> busy | idle | done
    tallies = property(lambda self: self._key("tallies"))  # hash: worker -> its tallies, pickled

    def alive(self, worker: str = "") -> str:
        """A worker's heartbeat (expires); without a worker, the prefix of them all."""
        return self._key(f"alive:{worker}")

    def requested(self, source: str) -> str:
        """Per source: the URLs any worker asked for (the page budget, run-wide)."""
        return self._key(f"requested:{source}")


def new_run_name() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def check_name(name: str) -> str:
    # scrapy-redis %-formats queue keys with the spider name: keep names free of '%' (and ':').
    if not _RUN_NAME.match(name):
        raise DistributedError(f"OGI_REDIS_RUN {name!r}: use letters, digits, '.', '_' and '-'")
    return name


def connect(settings):
    """A Redis client for REDIS_URL (scrapy-redis's connection settings), checked with a PING."""
    server = get_redis_from_settings(settings)
    try:
        server.ping()
    except Exception as exc:  # noqa: BLE001 - redis raises several kinds; each is one line here
        raise DistributedError(f"cannot reach Redis at {redacted(settings.get('REDIS_URL'))}: {exc}") from None
    return server


def redacted(url: str | None) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url or "")


def delete_run_keys(server, keys: RunKeys) -> None:
    server.delete(keys.meta)  # first: workers can no longer send records (crawler.worker)
    batch = list(server.scan_iter(match=keys.pattern, count=1000))
    for start in range(0, len(batch), 1000):
        server.delete(*batch[start:start + 1000])


def join(settings, server=None) -> str:
    """The name of the run a worker joins: OGI_REDIS_RUN, else the run `ogi:current` names,
    waiting up to OGI_WRITER_WAIT seconds for its writer (cron may start workers and the
    writer in the same minute). Refuses a worker whose extractor differs from the writer's."""
    server = server or connect(settings)
    wanted = settings.get("OGI_REDIS_RUN")
    deadline = time.monotonic() + settings.getfloat("OGI_WRITER_WAIT", 60)
    while True:
        name = wanted or _text(server.get(CURRENT))
        if name and server.exists(RunKeys(check_name(name)).writer):
            break
        if time.monotonic() >= deadline:
            what = f"run {wanted}" if wanted else "any run"
            raise DistributedError(
                f"no archive writer for {what} on {redacted(settings.get('REDIS_URL'))}: start "
                "`ogi crawl --writer --db archive.db -s REDIS_URL=…` next to the archive first")
        time.sleep(0.25)
    theirs = _text(server.hget(RunKeys(name).meta, "extractor_version"))
    if theirs != extract.EXTRACTOR_VERSION:
        raise DistributedError(f"the archive writer of run {name} has extractor {theirs}, this worker "
                               f"{extract.EXTRACTOR_VERSION}: install the same version everywhere")
    return name


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class Distributed:
    """The switch (a Scrapy add-on, so it sees -s overrides): with REDIS_URL set, scrapy-redis's
    scheduler and dupefilter on this run's keys, and WorkerRun in place of CrawlRun."""

    @classmethod
    def from_crawler(cls, crawler) -> "Distributed":
        if not enabled(crawler.settings):
            raise NotConfigured  # a single-machine crawl: not even listed among enabled add-ons
        return cls()

    def update_settings(self, settings) -> None:
        from crawler.run import CrawlRun
        from crawler.worker import WorkerRun

        keys = RunKeys(settings.get("OGI_REDIS_RUN") or join(settings))
        _decide(settings, "OGI_REDIS_RUN", keys.name)
        # Host and pid name the worker in logs; the suffix keeps two containers (pid 1 each) apart.
        _decide(settings, "OGI_WORKER_ID", f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}")
        _decide(settings, "SCHEDULER", "crawler.distributed.Scheduler")
        _decide(settings, "DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter")
        _decide(settings, "SCHEDULER_QUEUE_CLASS", "crawler.distributed.ClaimingQueue")
        _decide(settings, "SCHEDULER_QUEUE_KEY", keys.requests)
        _decide(settings, "SCHEDULER_DUPEFILTER_KEY", keys.dupefilter)
        # A worker that closes must not flush the queue and dupefilter the others still use;
        # the writer deletes the run's keys when the run ends.
        _decide(settings, "SCHEDULER_PERSIST", True)
        settings.replace_in_component_priority_dict("EXTENSIONS", CrawlRun, WorkerRun)


def _decide(settings, name: str, value) -> None:
    """Set `name` unless it was given on the command line. (At the "addon" priority Scrapy
    offers, crawler/settings.py, which ranks above add-ons, would win.)"""
    if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
        settings.set(name, value, "cmdline")


class ClaimingQueue(PriorityQueue):
    """scrapy-redis's priority queue, whose pop also marks this worker busy, atomically (Lua):
    a request is always either in the queue or held by a busy worker, which is what lets the
    workers agree that the crawl is over (WorkerRun.spider_idle)."""

    _POP = """
    local popped = redis.call('ZPOPMIN', KEYS[1])
    if #popped == 0 then return false end
    redis.call('HSET', KEYS[2], ARGV[1], 'busy')
    return popped[1]
    """

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        self.worker = settings.get("OGI_WORKER_ID")
        self.workers_key = RunKeys(settings.get("OGI_REDIS_RUN")).workers
        self._pop = server.register_script(self._POP)

    def pop(self, timeout=0):
        data = self._pop(keys=[self.key, self.workers_key], args=[self.worker])
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
