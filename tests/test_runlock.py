"""crawler.runlock: two crawls never write the same archive at once."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.errors import LockHeld, LockUnusable
from crawler.runlock import lock_path, run_lock
from ogi.errors import exit_code

REPO = Path(__file__).resolve().parents[1]

# A second process that takes the lock, says so, and keeps it until its stdin closes.
HOLDER = textwrap.dedent("""
    import sys
    from crawler.runlock import run_lock
    with run_lock(sys.argv[1]):
        print("held", flush=True)
        sys.stdin.read()
    print("released", flush=True)
""")

# A second process that only tries once.
TRY = textwrap.dedent("""
    import sys
    from crawler.errors import LockHeld
    from crawler.runlock import run_lock
    try:
        with run_lock(sys.argv[1]):
            print("acquired")
    except LockHeld as exc:
        print(exc)
        sys.exit(1)
""")


def _python(code: str, db: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, str(db)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, **kwargs)


@pytest.fixture
def holder(tmp_path):
    """A child process holding the lock on tmp_path/archive.db."""
    db = tmp_path / "archive.db"
    child = _python(HOLDER, db, stdin=subprocess.PIPE)
    assert child.stdout.readline().strip() == "held"
    yield db, child
    if child.poll() is None:
        child.kill()
        child.wait(timeout=10)


def test_second_holder_is_refused_with_path_and_pid(holder):
    db, child = holder
    with pytest.raises(LockHeld) as exc:
        with run_lock(db):
            pytest.fail("acquired a lock another process holds")
    message = str(exc.value)
    assert re.fullmatch(r"another crawl is running \(lock held: .+, pid \d+\)", message)
    assert str(lock_path(db)) in message and f"pid {child.pid})" in message
    assert exit_code(exc.value) == 1  # what `ogi crawl` exits with


def test_lock_is_free_again_once_the_holder_exits(holder):
    db, child = holder
    child.stdin.close()
    assert child.stdout.read().strip() == "released"
    assert child.wait(timeout=10) == 0
    with run_lock(db) as path:
        assert path == db.with_name("archive.db.lock")
        assert path.read_text().strip() == str(os.getpid())


def test_lock_is_freed_when_the_holder_is_killed(holder):
    db, child = holder
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    with run_lock(db):
        pass


def test_released_on_exit_of_the_block_even_after_an_error(tmp_path):
    db = tmp_path / "sub" / "archive.db"  # the directory is created if needed
    with pytest.raises(RuntimeError):
        with run_lock(db):
            other = _python(TRY, db)
            out, _ = other.communicate(timeout=30)
            assert other.returncode == 1 and "another crawl is running" in out
            raise RuntimeError("crawl failed")
    other = _python(TRY, db)
    out, _ = other.communicate(timeout=30)
    assert (other.returncode, out.strip()) == (0, "acquired")


def test_in_memory_database_is_not_locked(tmp_path):
    with run_lock(":memory:") as path:
        assert path is None
        with run_lock(":memory:"):
            pass


def test_unusable_lock_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(LockUnusable, match="cannot open crawl lock"):
        with run_lock(blocker / "archive.db"):
            pass


def test_a_symlink_to_the_archive_meets_the_same_lock(holder, tmp_path):
    db, child = holder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = elsewhere / "alias.db"
    link.symlink_to(db)
    assert lock_path(link) == lock_path(db)
    with pytest.raises(LockHeld, match=f"pid {child.pid}"):
        with run_lock(link):
            pytest.fail("a crawl through a symlink ran beside the crawl of the real path")
    with pytest.raises(LockHeld):
        with run_lock(tmp_path / "elsewhere" / ".." / "archive.db"):
            pass
