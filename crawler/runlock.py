"""One crawl at a time per archive: an exclusive flock on `<db>.lock` next to the database.

`ogi crawl` (and the Scrapy extension behind it) holds the lock for the whole run, so a nightly
timer firing while yesterday's crawl still runs, or an operator starting one by hand, fails fast
with one clear line instead of two writers interleaving versions in the same archive.

flock rather than a pid file: the kernel drops the lock when the holder exits, even on SIGKILL or
a power cut, so there is never a stale lock to clean up. The file itself is left in place
(unlinking a flock'd file races with the next opener); it only carries the holder's pid for the
error message.

Two ways the lock could outlive or miss its holder, both closed here:
- a flock belongs to the open file, so any process that inherits the descriptor holds it too. The
  descriptor is close-on-exec, and the extraction workers (extract.isolation) are started from
  a fresh interpreter (forkserver), never forked from the crawl: after a SIGKILL of the crawl no
  orphaned worker keeps the next night out.
- the lock file is named after the archive's resolved real path, so a crawl through a symlink
  (or `./a/../archive.db`) meets the same lock as one through the real path.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

from crawler.errors import LockHeld, LockUnusable


def lock_path(db_path: str | os.PathLike) -> Path:
    """`<real path of the archive>.lock`: every name of one archive gives one lock."""
    path = Path(os.path.realpath(db_path))
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def run_lock(db_path: str | os.PathLike) -> Iterator[Path | None]:
    """Hold the crawl lock of the archive at `db_path` for the `with` block.

    Raises LockHeld("another crawl is running (lock held: PATH, pid N)") if another process holds
    it, LockUnusable if the lock file cannot be opened. An in-memory database (":memory:") has
    nothing to protect and is not locked.
    """
    if str(db_path) in ("", ":memory:"):
        yield None
        return
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockUnusable(f"cannot open crawl lock {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(f"another crawl is running (lock held: {path}, pid {_holder(fd)})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_held(db_path: str | os.PathLike) -> bool:
    """Whether a crawl holds the lock of the archive at `db_path` now (for `ogi status`).

    flock has no "test" operation: this takes a shared lock and drops it at once, so a crawl
    starting in that same microsecond would be refused; the lock file is never created here."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # no lock file: no crawl ever ran against this archive
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """The pid the holder wrote, or 'unknown' (it may be between open and write)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"
