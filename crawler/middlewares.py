"""Downloader middlewares: the charset fix, conditional GET from the archive, and the `fetches` log.

Order (see settings.DOWNLOADER_MIDDLEWARES): requests pass ConditionalGet (540) on their way out.
Responses come back through the charset fix (587) right after decompression (590), so meta
refresh (580) and everything after read the right text; then FetchLog (585), before Retry (550),
so every attempt of a retried request is logged with the sha256 of the body we would store.
Redirect hops are consumed by RedirectMiddleware (600) before reaching us; we log them from the
final request's `redirect_urls`.
"""
from __future__ import annotations

import hashlib

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from crawler import encoding
from crawler.run import CrawlRun

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
        self.run.archive.record_fetch(
            response.url, status=response.status,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            sha256=hashlib.sha256(body).hexdigest() if body else None,
            nbytes=len(response.body), elapsed_ms=_elapsed_ms(request),
            error=None if response.status < 400 else f"HTTP {response.status}",
            run_id=self.run.run_id)
        return response

    def process_exception(self, request: Request, exception: Exception):
        self._log_redirects(request)
        if isinstance(exception, IgnoreRequest):
            # Not an exchange, except the one a portal asked us not to make: keep that on record.
            if ROBOTS_DENIED not in str(exception):
                return None
            error = "disallowed by robots.txt"
        else:
            error = f"{type(exception).__name__}: {exception}"
        self.run.archive.record_fetch(request.url, status=None, elapsed_ms=_elapsed_ms(request),
                                      error=error, run_id=self.run.run_id)
        return None

    def _log_redirects(self, request: Request) -> None:
        hops = request.meta.get("redirect_urls") or []
        logged = request.meta.setdefault("ogi_redirects_logged", 0)
        reasons = request.meta.get("redirect_reasons") or []
        for i in range(logged, len(hops)):
            status = reasons[i] if i < len(reasons) and isinstance(reasons[i], int) else None
            self.run.archive.record_fetch(hops[i], status=status, run_id=self.run.run_id)
        request.meta["ogi_redirects_logged"] = len(hops)


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
