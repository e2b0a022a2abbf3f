"""Politeness beyond Scrapy's defaults: robots.txt as RFC 9309 reads it, and `Retry-After`.

`RobotsPolicyMiddleware` is Scrapy's RobotsTxtMiddleware (same place, same parser) except for
a robots.txt that cannot be read. Scrapy then allows everything; RFC 9309 (2.3.1.3, 2.3.1.4)
says a robots.txt unreachable through server or network errors means complete disallow. So for
the rest of the run, a host whose robots.txt answered 5xx (after the usual retries), 429, or
failed at the network level (refused, timed out, out of scope) is disallowed entirely: its
requests are refused as `disallowed by robots.txt: <why>` in `fetches`, counted as blocked, and
the first one of each source notes why, counts one error and marks the source incomplete (its
reports are not taken for removed). 4xx other than 429 means "no robots.txt": everything is
allowed, as the RFC says, and so does a chain of redirects that never ends (2.3.1.2). 429 is
read as the server asking us to come back later, like a 503 (the RFC groups it with 4xx, but a
server that is shedding load has not said "no rules here").

`RetryAfterMiddleware` is Scrapy's RetryMiddleware (same place, same RETRY_TIMES and counting),
except that a 429 or 503 carrying `Retry-After` (seconds or an HTTP date) is retried only after
that delay. A delay over OGI_RETRY_AFTER_MAX seconds is not waited for: the answer stands as the
error it is (noted on its source) and the next night tries again. The wait holds the request,
not the reactor; other requests (of other hosts, and of this one at its usual pace) go on.
"""
from __future__ import annotations

import email.utils
import time

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import task

from crawler import defaults
from crawler.run import CrawlRun
from crawler.scope import OutOfScope

UNAVAILABLE_STATUSES = (429,)  # besides 5xx


class RobotsUnavailable(IgnoreRequest):
    """A request to a host whose robots.txt could not be read: disallowed for the run."""


class Unreadable:
    """The parser of a robots.txt that could not be read: complete disallow (RFC 9309)."""

    def __init__(self, why: str):
        self.why = why

    def allowed(self, url, user_agent) -> bool:
        return False


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._noted: set[tuple[str, str]] = set()  # (host, source) whose refusal was noted

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status in UNAVAILABLE_STATUSES:
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._unreadable(netloc, f"robots.txt answered HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest) and not isinstance(exc, OutOfScope):
            super()._robots_error(exc, netloc)  # e.g. a redirect chain that never ends: allow
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreadable(netloc, f"robots.txt unreachable ({type(exc).__name__}: {exc})")

    def _unreadable(self, netloc: str, why: str) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser = Unreadable(why)
        if hasattr(waiting, "callback"):
            waiting.callback(parser)

    def process_request_2(self, rp, request: Request) -> None:
        if not isinstance(rp, Unreadable):
            super().process_request_2(rp, request)
            return
        self._stats.inc_value("robotstxt/forbidden")
        why = f"{rp.why}: complete disallow for this run (RFC 9309)"
        source = request.meta.get("ogi_source")
        key = (urlparse_cached(request).netloc, source)
        if source is not None and key not in self._noted:
            self._noted.add(key)
            ledger = self.crawler.get_extension(CrawlRun).ledger
            ledger.count(source, "errors")
            ledger.note(source, f"{key[0]}: {why}")
            ledger.incomplete(source, f"{key[0]}: {rp.why}")
        raise RobotsUnavailable(f"Forbidden by robots.txt: {why}")


def retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks us to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    # Hand-written only in what Scrapy lacks (the wait): retries themselves are Scrapy's
    # `_retry` (get_retry_request), so RETRY_TIMES, priorities and stats stay as documented.

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        middleware = super().from_crawler(crawler)
        middleware.cap = defaults.get(crawler.settings, "OGI_RETRY_AFTER_MAX")
        return middleware

    async def process_response(self, request: Request, response: Response):
        wait = retry_after(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
        if (wait is None or request.meta.get("dont_retry", False)
                or response.status not in self.retry_http_codes):
            return super().process_response(request, response)
        if wait > self.cap:
            source = request.meta.get("ogi_source")
            if source is not None:
                self.crawler.get_extension(CrawlRun).ledger.note(
                    source, f"{request.url}: HTTP {response.status} with Retry-After {wait:g} s, over "
                            f"OGI_RETRY_AFTER_MAX={self.cap:g}: not retried tonight")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, wait))
        return retry
