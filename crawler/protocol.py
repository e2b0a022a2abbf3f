"""The Redis side of a distributed crawl, readable alone: keys, the run protocol, its Lua scripts.
Imports nothing of Scrapy (redis-py only), like scrapy-redis's own `connection.py`/`defaults.py`.

A run (one night) is opened by the archive writer and joined by any number of workers:

    writer                                  workers
    open(): meta, validators, heartbeat,    join(): wait for `ogi:current` (or a named run) and
            `ogi:current` := name                   its writer; same extractor version
    pop_record() … (records in order)  ◀──  push_record(): typed JSON records (crawler.records)
    writer_beat() every timeout/4           worker_beat(): heartbeat + ledger, writer alive?
    worker_alive() / worker_ledger()        claim (ClaimingQueue) / idle_and_over(): shared queue
    ack() on each goodbye              ──▶  worker_done(); acked(): exit 0 only once the writer
    close(): release `ogi:current`,                 has written everything this worker sent
             delete every key of the run

Every key of a run lives under `ogi:run:<name>:` (`RunKeys`), so two runs never share a queue or a
dupefilter; docs/distributed.md lists them.
"""
from __future__ import annotations

import json
import math
import re
import secrets
import time
from dataclasses import dataclass

import redis

from crawler.errors import DistributedError

CURRENT = "ogi:current"  # the name of the run the latest archive writer opened


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
    requests = property(lambda self: self._key("requests"))  # scrapy-redis queue (sorted set, JSON requests)
    dupefilter = property(lambda self: self._key("dupefilter"))  # scrapy-redis fingerprints (set)
    records = property(lambda self: self._key("records"))  # list: worker -> writer (JSON records)
    workers = property(lambda self: self._key("workers"))  # hash: worker -> busy | idle | done
    ledgers = property(lambda self: self._key("ledgers"))  # hash: worker -> its ledger (JSON), at each beat

    def alive(self, worker: str = "") -> str:
        """A worker's heartbeat (expires); without a worker, the prefix of them all."""
        return self._key(f"alive:{worker}")

    def requested(self, source: str) -> str:
        """Per source: the URLs any worker asked for (the page budget, run-wide)."""
        return self._key(f"requested:{source}")

    def ack(self, worker: str) -> str:
        """The writer's receipt for a worker's goodbye: every record it sent before is written.
        Outside the run's keys, so it outlives the run's close (it expires by itself)."""
        return f"ogi:ack:{self.name}:{worker}"


# -- Lua: the steps that must be atomic -----------------------------------------------------------

# Pop the best request of the shared queue and mark this worker busy in the same step: a request
# is always either queued or held by a busy worker, which is what lets workers agree the crawl is
# over. KEYS: queue, workers; ARGV: worker.
CLAIM = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
return popped[1]
"""

# Mark this worker idle; the crawl is over (1) when the queue is empty and no live worker is busy
# (a busy worker whose heartbeat expired is dead). KEYS: workers, queue; ARGV: worker, alive prefix.
IDLE = """
redis.call('HSET', KEYS[1], ARGV[1], 'idle')
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
local states = redis.call('HGETALL', KEYS[1])
for i = 1, #states, 2 do
  if states[i + 1] == 'busy' and redis.call('EXISTS', ARGV[2] .. states[i]) == 1 then return 0 end
end
return 1
"""

# Records are accepted only while the run exists: a worker outliving its run (its writer was
# stopped) must not recreate the keys the writer deleted. KEYS: meta, records; ARGV: record.
PUSH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('LPUSH', KEYS[2], ARGV[1])
"""

# A worker is done: mark it so only while the run exists (the writer may have closed it and
# deleted its keys, which must not come back). KEYS: meta, workers, alive; ARGV: worker.
DONE = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], 'done') end
return redis.call('DEL', KEYS[3])
"""

ACK_TTL = 3600  # seconds a writer's receipt is kept for its worker

# Delete `ogi:current` only if it still names this run (a newer writer may have replaced it).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def new_run_name() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def check_name(name: str) -> str:
    # scrapy-redis %-formats queue keys with the spider name: keep names free of '%' (and ':').
    if not _RUN_NAME.match(name):
        raise DistributedError(f"OGI_REDIS_RUN {name!r}: use letters, digits, '.', '_' and '-'")
    return name


def redacted(url: str | None) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url or "")


def connect(url: str) -> redis.Redis:
    """A client for `url` (REDIS_URL), checked with a PING."""
    try:
        server = redis.Redis.from_url(url)
        server.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise DistributedError(f"cannot reach Redis at {redacted(url)}: {exc}") from None
    return server


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def join(server: redis.Redis, *, wanted: str | None, wait: float, extractor_version: str, url: str = "") -> str:
    """The name of the run a worker joins: `wanted`, else the run `ogi:current` names, waiting up
    to `wait` seconds for its writer (cron may start workers and the writer in the same minute).
    Refuses a worker whose extractor differs from the writer's."""
    deadline = time.monotonic() + wait
    while True:
        name = wanted or _text(server.get(CURRENT))
        if name and server.exists(RunKeys(check_name(name)).writer):
            break
        if time.monotonic() >= deadline:
            what = f"run {wanted}" if wanted else "any run"
            raise DistributedError(
                f"no archive writer for {what} on {redacted(url)}: start "
                "`ogi crawl --writer --db archive.db -s REDIS_URL=…` next to the archive first")
        time.sleep(0.25)
    theirs = _text(server.hget(RunKeys(name).meta, "extractor_version"))
    if theirs != extractor_version:
        raise DistributedError(f"the archive writer of run {name} has extractor {theirs}, this worker "
                               f"{extractor_version}: install the same version everywhere")
    return name


class RedisRun:
    """One run's keys on one Redis server, and the protocol's operations on them."""

    def __init__(self, server: redis.Redis, name: str):
        self.server, self.keys = server, RunKeys(check_name(name))
        self._push = server.register_script(PUSH)
        self._idle = server.register_script(IDLE)
        self._release = server.register_script(RELEASE)
        self._done = server.register_script(DONE)

    @property
    def name(self) -> str:
        return self.keys.name

    def is_open(self) -> bool:
        return bool(self.server.exists(self.keys.meta))

    # -- the writer ----------------------------------------------------------------------------------

    def open(self, *, meta: dict, validators, ttl: float) -> None:
        """Publish the conditional-GET `validators` ((url, headers) pairs) and the run's `meta`,
        start the writer's heartbeat and point `ogi:current` here: from now on workers can join."""
        if self.server.exists(self.keys.meta):
            raise DistributedError(f"run {self.name} exists in Redis already: pick another OGI_REDIS_RUN")
        with self.server.pipeline(transaction=False) as pipe:
            for i, (url, headers) in enumerate(validators, 1):
                pipe.hset(self.keys.validators, url, json.dumps(headers))
                if i % 1000 == 0:
                    pipe.execute()
            pipe.execute()
        self.server.hset(self.keys.meta, mapping=meta)
        self.writer_beat(ttl)
        self.server.set(CURRENT, self.name)

    def writer_beat(self, ttl: float) -> None:
        self.server.set(self.keys.writer, 1, ex=max(1, round(ttl)))

    def set_meta(self, field: str, value) -> None:
        self.server.hset(self.keys.meta, field, value)

    def pop_record(self, timeout: float) -> bytes | None:
        popped = self.server.brpop([self.keys.records], timeout=timeout)
        return popped[1] if popped else None

    def records_left(self) -> int:
        return self.server.llen(self.keys.records)

    def ack(self, worker: str) -> None:
        """Receipt for `worker`'s goodbye (crawler.sender waits for it before exiting 0)."""
        self.server.set(self.keys.ack(worker), 1, ex=ACK_TTL)

    def worker_alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.keys.alive(worker)))

    def worker_ledger(self, worker: str) -> bytes | None:
        """The ledger a worker left at its last heartbeat (JSON)."""
        return self.server.hget(self.keys.ledgers, worker)

    def close(self) -> None:
        """Release `ogi:current` (if still ours) and delete every key of the run."""
        self._release(keys=[CURRENT], args=[self.name])
        self.delete_keys()

    def delete_keys(self) -> None:
        self.server.delete(self.keys.meta)  # first: workers can no longer push records
        batch = list(self.server.scan_iter(match=self.keys.pattern, count=1000))
        for start in range(0, len(batch), 1000):
            self.server.delete(*batch[start:start + 1000])

    # -- a worker ------------------------------------------------------------------------------------

    def push_record(self, payload: bytes) -> bool:
        """Queue a record for the writer; False once the run is closed (nothing more is taken)."""
        return self._push(keys=[self.keys.meta, self.keys.records], args=[payload]) != -1

    def validators(self, url: str) -> dict[str, str]:
        raw = self.server.hget(self.keys.validators, url)
        return json.loads(raw) if raw else {}

    def add_requested(self, source: str, member: str) -> int | None:
        """Add to a source's requested set: its size after, None if it was there (atomic)."""
        with self.server.pipeline() as pipe:
            pipe.sadd(self.keys.requested(source), member).scard(self.keys.requested(source))
            added, size = pipe.execute()
        return size if added else None

    def worker_busy(self, worker: str) -> None:
        self.server.hset(self.keys.workers, worker, "busy")

    def worker_beat(self, worker: str, ttl: float, ledger: bytes) -> bool:
        """Renew a worker's heartbeat and leave its ledger for the writer in case it dies;
        whether the writer is still there."""
        with self.server.pipeline() as pipe:
            pipe.set(self.keys.alive(worker), 1, ex=max(1, math.ceil(ttl)))
            pipe.hset(self.keys.ledgers, worker, ledger)
            pipe.exists(self.keys.writer)
            return bool(pipe.execute()[-1])

    def idle_and_over(self, worker: str) -> bool:
        """Mark `worker` idle; whether the whole crawl is over (see IDLE)."""
        return self._idle(keys=[self.keys.workers, self.keys.requests], args=[worker, self.keys.alive()]) == 1

    def worker_done(self, worker: str) -> None:
        self._done(keys=[self.keys.meta, self.keys.workers, self.keys.alive(worker)], args=[worker])

    def acked(self, worker: str) -> bool:
        return bool(self.server.exists(self.keys.ack(worker)))

    def writer_alive(self) -> bool:
        return bool(self.server.exists(self.keys.writer))
