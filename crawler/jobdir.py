"""Whether a JOBDIR can be resumed: a marker file that says how the crawl that used it ended.

Scrapy keeps a resumable crawl in its JOBDIR: the request queue (`requests.queue/`), the
fingerprints of every request made (`requests.seen`, appended as the crawl goes) and the
spider's state (`spider.state`, pickled when the spider closes; it holds our ledger). After a
SIGKILL the state is missing or older than the fingerprints: resumed, the crawl would skip every
request it had made and count nothing of them, a night of "the portal failed" with nothing
wrong but the directory. A JOBDIR of a crawl that finished is no better (every URL is "seen").

So `CrawlRun` writes `ogi-run.json` beside Scrapy's files: `running` when the spider opens,
`stopped` (with the reason) once Scrapy has saved the state at a clean stop, `finished` at the
end of a complete run. `check` accepts an empty or new directory and one left `stopped`, and
refuses the rest with one line saying what to do (`ogi crawl` exits 2 on it).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from crawler.errors import CrawlerError

MARKER = "ogi-run.json"
_SCRAPY_STATE = ("requests.seen", "requests.queue", "spider.state")


class JobdirUnusable(CrawlerError):
    """A JOBDIR whose saved state cannot be resumed."""


def check(jobdir: str | os.PathLike | None) -> None:
    """Raise `JobdirUnusable` unless `jobdir` is unset, new, empty, or left by a clean stop."""
    if not jobdir:
        return
    path = Path(jobdir)
    if not path.exists():
        return
    if not path.is_dir():
        raise JobdirUnusable(f"JOBDIR {path} is not a directory")
    marker = _read(path)
    state = marker.get("state") if marker else None
    if state is None:
        if any((path / name).exists() for name in _SCRAPY_STATE):
            raise JobdirUnusable(f"JOBDIR {path} holds no usable state of an ogi crawl (one killed before "
                                 f"it saved its state, or another program's): remove it to start afresh")
        return
    if state == "running":
        raise JobdirUnusable(f"JOBDIR {path} was left by a crawl that did not stop cleanly (killed?), so its "
                             f"saved state is stale: remove it to start afresh")
    if state == "finished":
        raise JobdirUnusable(f"JOBDIR {path} holds a crawl that finished: a job directory is for one run; "
                             f"remove it (or name a new one) to crawl again")
    if not (path / "spider.state").is_file():
        raise JobdirUnusable(f"JOBDIR {path} has lost its spider.state: remove it to start afresh")


def mark(jobdir: str | os.PathLike | None, state: str, reason: str | None = None) -> None:
    """Record how the crawl using `jobdir` stands (written atomically)."""
    if not jobdir:
        return
    path = Path(jobdir)
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"state": state, "reason": reason, "pid": os.getpid()}), encoding="utf-8")
    os.replace(tmp, path / MARKER)


def _read(path: Path) -> dict | None:
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
