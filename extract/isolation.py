"""Extraction in worker processes, each document under a wall-clock deadline and a memory limit.

One hostile or unlucky document (a quadratic HTML table, a PDF whose content stream inflates to
gigabytes, a spreadsheet of a million cells) must cost the crawl one `failures` row, not the night.
`extract_report` itself cannot be interrupted from inside, so it runs in a worker process that is
killed when its document overruns, and replaced:

    from extract.isolation import BoundedExtractor

    with BoundedExtractor(workers=2) as pool:             # defaults: TIMEOUT_S, MEMORY_MB below
        future = pool.submit(body, url, content_type)     # a concurrent.futures.Future
        future = pool.submit(html, url, content_type, resources)  # + the pictures it shows
        outcome = future.result()                         # a Report, or an ExtractError: never raises
        for key, outcome in pool.map_unordered(tasks):    # tasks: (key, body, url, content_type)
            ...

Every submitted document gets exactly one outcome:
- the `Report`, or the `ExtractError` the extractor raised (`Unreadable`, `NotAReport`…); any
  other exception of the extractor becomes `Unreadable("extractor error: …")`;
- `TimeLimit` (status `time_limit`) when it ran longer than `timeout` seconds: the worker is
  killed and a fresh one takes the next document;
- `MemoryLimit` (status `memory_limit`) when it needed more than `memory_mb` MB of address space
  (`RLIMIT_AS`, set in each worker: Python raises MemoryError, the worker answers and is
  replaced, since a library may be left in a bad state);
- `WorkerDied("extraction worker died …")` (status `worker_died`) when the worker died some other way (a crash in C
  code, a kill from outside): the worker is replaced and the document still recorded.

`submit_call(func, *args)` runs any picklable top-level function the same way (e.g. one that
reads its bytes from the archive itself, as `ogi reextract` may); it must return its outcome
rather than raise an `ExtractError`.

Workers are started by a fork server (a fresh interpreter that imports `extract` once, from
which each worker is forked), never forked from the caller: they inherit no descriptor of it
(the crawl lock, sockets, the SQLite connection) and no thread state. Each worker also asks the
kernel to kill it when its parent dies (Linux `PR_SET_PDEATHSIG`), so a SIGKILLed crawl leaves
no orphan extracting on. Pure standard library plus `extract`: the crawler, `ogi reextract` and
`ogi extract` can all use it.

Settings: the crawler reads OGI_EXTRACT_TIMEOUT / OGI_EXTRACT_MEMORY_MB / OGI_EXTRACT_WORKERS
(crawler/defaults.py takes its defaults from here).
"""
from __future__ import annotations

import ctypes
import itertools
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
from concurrent.futures import Future
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator

from extract.report import ExtractError, MemoryLimit, Report, TimeLimit, Unreadable, WorkerDied

logger = logging.getLogger(__name__)

TIMEOUT_S = 120.0  # per document: reports take well under a second; LibreOffice gives up at 60 s
MEMORY_MB = 2048  # address space per worker: real reports need a few hundred MB at most
# Imported once by the fork server, so a new (or replacement) worker starts in milliseconds.
PRELOAD = ["extract", "extract.html", "extract.pdf", "extract.office", "extract.text"]

Outcome = Report | ExtractError


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def extract_outcome(body: bytes, url: str, content_type: str | None,
                    resources: Mapping[str, bytes] | None = None) -> Outcome:
    """`extract_report`, its errors returned instead of raised (what a worker runs)."""
    from extract.pipeline import extract_report

    try:
        return extract_report(body, url, content_type, resources=resources)
    except ExtractError as exc:
        return exc
    except MemoryError:
        raise  # the worker answers MemoryLimit and is replaced
    except Exception as exc:  # noqa: BLE001 - an extractor bug is one document's failure, not the run's
        return Unreadable(f"extractor error: {type(exc).__name__}: {str(exc)[:200]}")


class BoundedExtractor:
    """A pool of `workers` extraction processes; see the module docstring."""

    def __init__(self, workers: int | None = None, *, timeout: float | None = TIMEOUT_S,
                 memory_mb: int | None = MEMORY_MB, eager: bool = False):
        """`eager`: start the worker processes now, in the background, rather than with the
        first document (a crawl starts them while it fetches its first pages)."""
        self.workers = workers or default_workers()
        self.timeout = timeout if timeout and timeout > 0 else None
        self.memory_mb = memory_mb if memory_mb and memory_mb > 0 else None
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = self._cancelled = False
        self.eager = eager
        self._lanes = [_Lane(self, i) for i in range(self.workers)]
        for lane in self._lanes:
            lane.thread.start()

    # -- submitting ----------------------------------------------------------------------------

    def submit(self, body: bytes, url: str = "", content_type: str | None = None,
               resources: Mapping[str, bytes] | None = None) -> Future:
        """Extract one document (with the pictures an HTML page shows, `resources`: absolute URL
        → bytes, as `extract_report` takes them); the future's result is a Report or an
        ExtractError."""
        return self.submit_call(extract_outcome, body, url, content_type, dict(resources) if resources else None)

    def submit_call(self, func: Callable[..., Any], *args) -> Future:
        if self._closed:
            raise RuntimeError("BoundedExtractor is closed")
        future: Future = Future()
        self._tasks.put((future, func, args))
        return future

    def map_unordered(self, tasks: Iterable[tuple], *, window: int | None = None) -> Iterator[tuple[Any, Outcome]]:
        """(key, outcome) for each (key, body, url, content_type) of `tasks`, as they finish;
        at most `window` (default 4 per worker) documents in flight, so memory stays bounded."""
        window = window or 4 * self.workers
        done: queue.SimpleQueue = queue.SimpleQueue()
        pending = 0
        source = iter(tasks)
        for task in itertools.islice(source, window):
            self._submit_keyed(task, done)
            pending += 1
        while pending:
            key, outcome = done.get()
            pending -= 1
            nxt = next(source, None)
            if nxt is not None:
                self._submit_keyed(nxt, done)
                pending += 1
            yield key, outcome

    def _submit_keyed(self, task: tuple, done: queue.SimpleQueue) -> None:
        key, *args = task
        future = self.submit(*args)
        future.add_done_callback(lambda f, key=key: done.put((key, _result(f))))

    @property
    def cpu_seconds(self) -> float:
        """CPU time the workers have spent on finished documents (for benchmarks and summaries)."""
        return sum(lane.cpu_before + lane.worker_cpu for lane in self._lanes)

    # -- closing -------------------------------------------------------------------------------

    def close(self, *, cancel_pending: bool = False) -> None:
        """Stop the workers once the queue is done (or at once, cancelling what is still
        queued, with `cancel_pending`); documents being extracted finish first unless cancelled."""
        if self._closed:
            return
        self._closed = True
        self._cancelled = cancel_pending
        if cancel_pending:
            while True:
                try:
                    future, _, _ = self._tasks.get_nowait()
                except queue.Empty:
                    break
                future.cancel()
            for lane in self._lanes:
                lane.kill()
        for _ in self._lanes:
            self._tasks.put(None)
        for lane in self._lanes:
            # Cancelling does not wait for a worker still starting: the lane kills it once it is
            # up, and a worker whose parent is gone ends by itself.
            lane.thread.join(1.0 if cancel_pending else None)

    def __enter__(self) -> "BoundedExtractor":
        return self

    def __exit__(self, *exc) -> None:
        self.close(cancel_pending=exc[0] is not None)


def _result(future: Future) -> Outcome:
    if future.cancelled():
        return Unreadable("extraction cancelled")
    return future.result()


class _Lane:
    """One worker process and the thread that feeds it one document at a time and watches the
    clock. The thread blocks on the worker's pipe, never on the caller's (reactor) thread."""

    def __init__(self, pool: BoundedExtractor, index: int):
        self.pool, self.index = pool, index
        self.process = None
        self.conn = None
        self.cpu_before = self.worker_cpu = 0.0  # CPU seconds of earlier workers / the current one
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=f"extract-lane-{index}", daemon=True)

    def _run(self) -> None:
        try:
            if self.pool.eager:
                try:
                    self._ensure_worker()
                except Exception:  # the first document will try again, and say why
                    logger.exception("could not start extraction worker %s", self.index)
            while True:
                item = self.pool._tasks.get()
                if item is None:
                    break
                future, func, args = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(self._extract(func, args))
                except Exception as exc:  # logged: a lane must outlive any document
                    logger.exception("extraction lane %s failed", self.index)
                    future.set_result(Unreadable(f"extraction failed: {type(exc).__name__}: {exc}"))
        finally:
            self.kill()

    def _extract(self, func, args) -> Outcome:
        self._ensure_worker()
        try:
            self.conn.send((func, args))
        except (OSError, EOFError):
            # A worker that could not take the whole document in (over its memory limit while
            # receiving it) answered before closing its end: read that answer, if any.
            try:
                if not self.conn.poll(0):
                    return self._died()
            except (OSError, EOFError):
                return self._died()
        if not self.conn.poll(self.pool.timeout):
            self.kill()
            return TimeLimit(f"extraction took longer than {self.pool.timeout:g} s (OGI_EXTRACT_TIMEOUT)")
        try:
            kind, value, cpu = self.conn.recv()
        except (OSError, EOFError):
            return self._died()
        self.worker_cpu = cpu
        if kind == "memory":
            self.kill()  # a library may be half-way through an allocation: start afresh
            return MemoryLimit(f"extraction needed more than {self.pool.memory_mb} MB (OGI_EXTRACT_MEMORY_MB)")
        return value

    def _ensure_worker(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        self.kill()
        self.cpu_before += self.worker_cpu  # what the previous worker of this lane had used
        self.worker_cpu = 0.0
        parent, child = self.pool.context.Pipe()
        process = self.pool.context.Process(target=_worker, args=(child, self.pool.memory_mb),
                                             name=f"ogi-extract-{self.index}", daemon=True)
        process.start()
        child.close()
        with self._lock:
            self.process, self.conn = process, parent
        if self.pool._closed and self.pool._cancelled:
            self.kill()
            raise RuntimeError("extraction pool closed")

    def _died(self) -> Outcome:
        process = self.process
        if process is not None:
            process.join(5)
        code = process.exitcode if process is not None else None
        self.kill()
        if code is not None and code < 0:
            how = f"killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"signal {-code}"
        else:
            how = f"exit status {code}"
        logger.warning("extraction worker %s died (%s); starting another", self.index, how)
        return WorkerDied(f"extraction worker died ({how})")

    def kill(self) -> None:
        with self._lock:
            process, conn = self.process, self.conn
            self.process = self.conn = None
        if process is not None and process.is_alive():
            process.kill()
            process.join(5)
        if conn is not None:
            conn.close()


# -- the worker process ------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """SIGKILL this process when the process that started it dies (Linux; elsewhere the
    worker still ends when its pipe closes)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _release_fork_server() -> None:
    """Close our copy of the fork server's "client alive" pipe. multiprocessing hands it to every
    child (so children could fork workers of their own); while any child holds it the fork
    server never sees its client die, so it would outlive a killed crawl and keep this worker
    (whose PR_SET_PDEATHSIG watches the fork server) extracting on. We start no processes."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    fd, server._forkserver_alive_fd = server._forkserver_alive_fd, None
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(conn, memory_mb: int | None) -> None:
    _release_fork_server()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the crawl; it stops us
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            return  # the pool closed, or its process is gone
        except MemoryError:  # the document itself does not fit under the limit
            conn.send(("memory", None, _cpu_seconds()))
            return
        try:
            conn.send(("ok", func(*args), _cpu_seconds()))
        except MemoryError:
            conn.send(("memory", None, _cpu_seconds()))
            return
        except Exception as exc:  # noqa: BLE001 - a task that raises is that task's failure
            conn.send(("ok", Unreadable(f"extractor error: {type(exc).__name__}: {str(exc)[:200]}"), _cpu_seconds()))
