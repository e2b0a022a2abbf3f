"""Downloader middlewares: each source's clock, conditional GET, the `fetches` log, the charset fix,
and redirects that leave a trace when they loop.

Order (settings.DOWNLOADER_MIDDLEWARES): requests pass SourceClock (50) and the budget (51,
crawler.budget) first, then ConditionalGet (540) on their way out. Responses come back through
the charset fix (587) right after decompression (590), so meta refresh (580) and everything after
read the right text; then FetchLog (585), before Retry (550), so every attempt of a retried
request is logged with the sha256 of the body we would store; SourceClock sees them last, after
RedirectMiddleware and RetryMiddleware are done: final answers only. Redirect hops are consumed by
RedirectMiddleware (600) before reaching FetchLog; we log them from the final request's
`redirect_urls`. A redirect loop, or a chain longer than REDIRECT_MAX_TIMES, is recorded too
(`RecordedRedirectMiddleware`, `RecordedMetaRefreshMiddleware`: Scrapy's own, in their places,
with one difference). Requests refused before any exchange are recorded with their reason: out
of scope (crawler.scope) or disallowed by robots.txt (crawler.politeness).

All of them write through the run (crawler.run.CrawlRun): its ledger, and its archive seam.
"""
from __future__ import annotations

import hashlib
import time

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from archive.clock import utc_iso
from crawler import encoding
from crawler.records import Fetched
from crawler.run import CrawlRun
from crawler.scope import OutOfScope

# Request kinds (meta "ogi_kind") whose bodies the archive keeps, so a 304 can stand for them.
DOCUMENT_KINDS = ("document", "attachment")
ROBOTS_DENIED = "robots.txt"  # in the message of RobotsTxtMiddleware's IgnoreRequest


class _WithRun:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)


class SourceClockMiddleware(_WithRun):
    """What the health report needs per source: when its first request went out, when it last
    answered, and whether any final answer succeeded (status below 400, 304 included)."""

    def process_request(self, request: Request):
        source = request.meta.get("ogi_source")
        if source is not None:
            tally = self.run.ledger.tally(source)
            if tally.started is None:
                tally.started = time.time()
        return None

    def process_response(self, request: Request, response: Response):
        source = request.meta.get("ogi_source")
        if source is not None:
            tally = self.run.ledger.tally(source)
            tally.ended = time.time()
            if response.status < 400:
                tally.count("ok")
        return response

    def process_exception(self, request: Request, exception: Exception):
        source = request.meta.get("ogi_source")
        if source is not None and not isinstance(exception, IgnoreRequest):
            self.run.ledger.tally(source).ended = time.time()  # a timeout or refusal is its last answer
        return None


class ConditionalGetMiddleware(_WithRun):
    """If-None-Match / If-Modified-Since from the last fetch whose body the archive holds."""

    def process_request(self, request: Request):
        if request.meta.get("ogi_kind") in DOCUMENT_KINDS and not request.meta.get("ogi_unconditional"):
            for name, value in self.run.archive.validators(request.url).items():
                request.headers.setdefault(name, value)
        return None


class FetchLogMiddleware(_WithRun):
    """One `fetches` row per HTTP exchange: status, validators, sha256, size, latency, error."""

    def process_response(self, request: Request, response: Response):
        self._log_redirects(request)
        body = response.body if 200 <= response.status < 300 else b""
        self.run.archive.fetched(Fetched(
            response.url, utc_iso(), status=response.status,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            sha256=hashlib.sha256(body).hexdigest() if body else None,
            nbytes=len(response.body), elapsed_ms=_elapsed_ms(request),
            error=None if response.status < 400 else f"HTTP {response.status}"))
        return response

    def process_exception(self, request: Request, exception: Exception):
        self._log_redirects(request)
        if isinstance(exception, OutOfScope):
            error = str(exception)  # "refused: …": a request the crawl must not make
        elif isinstance(exception, IgnoreRequest):
            # Not an exchange, except the one a portal asked us not to make: keep that on record.
            if ROBOTS_DENIED not in str(exception):
                return None
            detail = str(exception).partition(": ")[2]  # why robots.txt disallows all (crawler.politeness)
            error = "disallowed by robots.txt" + (f": {detail}" if detail else "")
        else:
            error = f"{type(exception).__name__}: {exception}"
        self.run.archive.fetched(Fetched(request.url, utc_iso(), elapsed_ms=_elapsed_ms(request), error=error))
        return None

    def _log_redirects(self, request: Request) -> None:
        log_redirects(self.run, request)


def log_redirects(run: CrawlRun, request: Request) -> None:
    """A `fetches` row for each redirect hop of `request` not logged yet."""
    hops = request.meta.get("redirect_urls") or []
    logged = request.meta.setdefault("ogi_redirects_logged", 0)
    reasons = request.meta.get("redirect_reasons") or []
    for i in range(logged, len(hops)):
        status = reasons[i] if i < len(reasons) and isinstance(reasons[i], int) else None
        run.archive.fetched(Fetched(hops[i], utc_iso(), status=status))
    request.meta["ogi_redirects_logged"] = len(hops)


class RedirectLoop(IgnoreRequest):
    """A redirect (or meta refresh) back to a URL of its own chain, or a chain too long."""


class _Recorded:
    """Scrapy's redirect handling, plus a trace of the chains it gives up on. Without it a loop
    A → B → A is dropped silently by the dupefilter (the request for A is a duplicate), and a
    chain over REDIRECT_MAX_TIMES is ignored without a `fetches` row: either way a report could
    vanish from a night with no word. Both become a `fetches` row with the error and an
    IgnoreRequest the spider counts as an error of its source."""

    def _redirect(self, redirected: Request, request: Request, reason) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            self._give_up(request, reason, "redirect loop: " + " → ".join([*chain, redirected.url]))
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            self._give_up(request, reason, f"too many redirects ({len(chain)} hops, REDIRECT_MAX_TIMES="
                                           f"{self.max_redirect_times}) from {chain[0]}")

    def _give_up(self, request: Request, reason, error: str):
        run = self.crawler.get_extension(CrawlRun)
        log_redirects(run, request)
        status = reason if isinstance(reason, int) else None  # a 3xx; a meta refresh page was logged as its 200
        run.archive.fetched(Fetched(request.url, utc_iso(), status=status, error=error))
        raise RedirectLoop(error)


class RecordedRedirectMiddleware(_Recorded, RedirectMiddleware):
    pass


class RecordedMetaRefreshMiddleware(_Recorded, MetaRefreshMiddleware):
    pass


class CharsetMiddleware:
    """Read undeclared (or falsely UTF-8) GBK pages as GB18030: see crawler/encoding.py."""

    def process_response(self, request: Request, response: Response):
        if isinstance(response, TextResponse) and response.body:
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            override = encoding.override(content_type, response.body)
            if override:
                return response.replace(encoding=override)
        return response


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _elapsed_ms(request: Request) -> float | None:
    latency = request.meta.get("download_latency")
    return None if latency is None else latency * 1000
