"""`ogi extract PATH_OR_URL... [--url SOURCE_URL]`: print the report JSON for documents.

Limits. A URL's download has an overall deadline (`--fetch-timeout`, default FETCH_TIMEOUT_S:
connection, redirects and body together, so a server that drips a byte a second cannot hang the
command). A URL, a folder or several documents are read in `extract.isolation` worker processes,
each document under a deadline and a memory limit (`--time-limit`, `--memory-mb`; the crawl's
defaults): a hostile document costs its own line, exit 2, never the batch. A single local file is
read in this process, without those limits: the person who typed the command is watching it (and
can stop it), and it stays as fast as the extractor itself (the worker pool costs a fork server
and a fresh interpreter importing the extractor, most of a second, before the first document).
"""
from __future__ import annotations

import collections
import json
import mimetypes
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from extract import MAX_BYTES, ExtractError, extract_report, formats
from extract.isolation import MEMORY_MB, TIMEOUT_S, BoundedExtractor
from ogi.errors import UsageError, exit_code

FETCH_TIMEOUT_S = 120.0  # a whole download: reports are a few MB; a slow portal takes seconds
_CHUNK = 64 * 1024

USER_AGENT = "ogi-archive/0.1 (+https://github.com/ogi-archive/ogi-archive; research archive of OGI annual reports)"
# The files of a folder we take: every document format we know (extract/formats.py), those we
# cannot read yet answered as unsupported. Server-side page names (.jsp, .asp…) are HTML when
# fetched, rarely files on a disk, so they stay out.
_SUFFIXES = formats.file_extensions() - {".jsp", ".asp", ".aspx", ".php"}


def register(sub) -> None:
    p = sub.add_parser("extract", help="extract figures, metadata and checks from report files or URLs",
                       description="Print one JSON report per document (JSON Lines when several). "
                                   "Exit 0 ok, 3 not an OGI annual report, 2 unreadable; with several "
                                   "documents the worst code wins.")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL", help="file, folder of files, or http(s) URL")
    p.add_argument("--url", dest="source_url", help="source URL to record (single document only)")
    p.add_argument("--with-text", action="store_true", help="include the normalised main text")
    p.add_argument("--fetch-timeout", type=_seconds, default=FETCH_TIMEOUT_S, metavar="SECONDS",
                   help=f"overall deadline of a URL's download (default {FETCH_TIMEOUT_S:g}); then exit 2")
    p.add_argument("--time-limit", type=_seconds, default=TIMEOUT_S, metavar="SECONDS",
                   help=f"per document, for URLs, folders and several files (default {TIMEOUT_S:g}); then exit 2")
    p.add_argument("--memory-mb", type=int, default=MEMORY_MB, metavar="MB",
                   help=f"address space per document, same cases (default {MEMORY_MB}; 0: no limit); then exit 2")
    p.set_defaults(func=run)


def _seconds(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _inputs(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(f) for f in sorted(path.rglob("*")) if f.suffix.lower() in _SUFFIXES and f.is_file())
        else:
            out.append(p)
    return out


def _is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


def _load(item: str, fetch_timeout: float = FETCH_TIMEOUT_S) -> tuple[bytes, str, str | None]:
    """(bytes, source URL, content type) for a file path or an http(s) URL."""
    if _is_url(item):
        return _download(item, fetch_timeout)
    path = Path(item)
    if not path.is_file():
        raise _Failed(2, "no such file")
    if path.stat().st_size > MAX_BYTES:
        raise _Failed(2, f"{path.stat().st_size // (1024 * 1024)} MB is over the "
                         f"{MAX_BYTES // (1024 * 1024)} MB limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Failed(2, f"cannot read: {exc.strerror}") from None
    return data, path.resolve().as_uri(), mimetypes.guess_type(path.name)[0]


def _download(url: str, deadline_s: float) -> tuple[bytes, str, str | None]:
    """The download, in a thread the caller stops waiting for at the deadline: urllib's timeout
    bounds each socket operation, not the whole (name resolution, a drip of one byte at a time,
    a chain of redirects). The thread, left behind at the deadline, ends at its own next check
    or when the process exits."""
    done: dict = {}
    deadline = time.monotonic() + deadline_s

    def fetch() -> None:
        try:
            done["value"] = _fetch(url, deadline)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            done["error"] = exc

    thread = threading.Thread(target=fetch, name="ogi-extract-download", daemon=True)
    thread.start()
    thread.join(deadline_s)
    if thread.is_alive():
        raise _Failed(2, f"cannot fetch: no complete answer within {deadline_s:g} s (--fetch-timeout)")
    if "error" in done:
        raise done["error"]
    return done["value"]


def _fetch(url: str, deadline: float) -> tuple[bytes, str, str | None]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=max(1.0, min(60.0, deadline - time.monotonic()))) as resp:
            chunks, size = [], 0
            while size <= MAX_BYTES and time.monotonic() < deadline:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)[:MAX_BYTES + 1], resp.geturl(), resp.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise _Failed(2, f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _Failed(2, f"cannot fetch: {getattr(exc, 'reason', exc)}") from None


class _Failed(Exception):
    def __init__(self, code: int, reason: str, status: str = "unreadable"):
        super().__init__(reason)
        self.code, self.reason, self.status = code, reason, status


def run(args) -> int:
    items = _inputs(args.paths)
    if not items:
        raise UsageError("no report files found in " + " ".join(args.paths))
    if args.source_url and len(items) > 1:
        raise UsageError("--url applies to a single document")
    many = len(items) > 1
    if not many and not _is_url(items[0]):
        return _print_outcome(args, items[0], _read_here(args, items[0]), many)
    # Documents are read in worker processes, in order, a few ahead: output order is input order.
    worst = 0
    window = 2
    with BoundedExtractor(1 if not many else None, timeout=args.time_limit, memory_mb=args.memory_mb) as pool:
        pending: collections.deque = collections.deque()
        for item in items:
            try:
                data, url, ctype = _load(item, args.fetch_timeout)
                pending.append((item, pool.submit(data, args.source_url or url, ctype)))
            except _Failed as failed:
                pending.append((item, failed))
            while len(pending) > window * pool.workers:
                worst = max(worst, _print_outcome(args, *_settle(pending.popleft()), many=many))
        while pending:
            worst = max(worst, _print_outcome(args, *_settle(pending.popleft()), many=many))
    return worst


def _read_here(args, item: str):
    try:
        data, url, ctype = _load(item, args.fetch_timeout)
        return extract_report(data, url=args.source_url or url, content_type=ctype)
    except ExtractError as exc:
        return exc
    except _Failed as failed:
        return failed


def _settle(entry) -> tuple:
    item, pending = entry
    return item, pending if isinstance(pending, _Failed) else pending.result()


def _print_outcome(args, item: str, outcome, many: bool) -> int:
    """Print one document's JSON (or its error line); its exit code."""
    if isinstance(outcome, ExtractError):
        outcome = _Failed(exit_code(outcome), outcome.reason, outcome.status)
    if isinstance(outcome, _Failed):
        print(f"ogi extract: {item}: {outcome.reason}", file=sys.stderr)
        if many:
            print(json.dumps({"path": item, "status": outcome.status, "error": outcome.reason}, ensure_ascii=False))
        return outcome.code
    out = outcome.to_dict(with_text=args.with_text)
    if many:
        out = {"path": item, **out}
    print(json.dumps(out, ensure_ascii=False, indent=None if many else 2))
    return 0


