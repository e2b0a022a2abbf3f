"""Scoped fetching: the crawl only ever talks to public hosts, and takes attachments only from
the sites it was sent to.

A page of a portal decides where the crawl goes next (links, 3xx redirects, meta refresh,
JavaScript redirects, attachment links). A hostile or hijacked portal could send it to the
machine's own services (127.0.0.1, a database on 10.x, the cloud metadata service at
169.254.169.254) and the archive would store and serve what they answer. So:

- `HostScopeMiddleware` (a downloader middleware, first in the chain) resolves the host of every
  request, the crawl's own and Scrapy's (robots.txt, every redirect hop and meta refresh: each
  new hop is a new request that passes here again) and refuses loopback, private, link-local,
  shared (CGNAT), multicast, reserved and unspecified addresses, IPv4 and IPv6 (IPv4-mapped,
  6to4 and NAT64 forms are judged by the IPv4 address they carry), and the cloud metadata
  addresses. A refused request is never fetched: it fails with `OutOfScope`, which the fetch log
  records in `fetches` with its reason and the spider counts as an error of its source.
  Attachments and the pictures a report page shows (request kinds `attachment`, `picture`) must
  also come from the source's site (same host or registered domain as its start URL or as the
  page that links or shows them) or from a host the sources list names.
- `ScopedResolver` (TWISTED_DNS_RESOLVER) applies the same address rule when the connection is
  made, so a name that resolves to a public address for the check and to a private one for the
  connection (DNS rebinding) is refused too. Both share Scrapy's DNS cache, so the address that
  was checked is the one connected to.

Settings (defaults in crawler/defaults.py): OGI_ALLOW_PRIVATE_HOSTS allows every non-public
address except the metadata ones (the tests and the demo crawl portals on 127.0.0.1, an intranet
deployment may need it); OGI_PRIVATE_HOST_ALLOWLIST names exact hosts (or addresses) allowed
whatever they resolve to.
"""
from __future__ import annotations

import csv
import ipaddress
import logging
from functools import cached_property
from typing import Iterable
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from crawler import defaults
from crawler.judging import same_site

logger = logging.getLogger(__name__)

# Instance metadata services (credentials live there): AWS, GCP, Azure, OpenStack, Huawei
# (169.254.169.254), AWS over IPv6, Alibaba Cloud (in the shared range), Tencent Cloud, ECS tasks.
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.0.23", "169.254.170.2"))
METADATA_REASON = "a cloud metadata address"
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT; not `is_private` in Python
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# Request kinds a page makes the crawl fetch (its attachments, the pictures it shows): from the
# source's site or a listed host only.
FETCHED_WITH_A_PAGE = ("attachment", "picture")


class OutOfScope(IgnoreRequest):
    """A request the crawl must not make (a non-public address, an attachment from elsewhere)."""


def address_refusal(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the crawl must not connect to `address`, or None for a public address."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if ip.version == 6:
        carried = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if carried is not None:
            reason = address_refusal(carried)
            return f"{reason} ({carried} inside {ip})" if reason else None
    if ip in METADATA:
        return METADATA_REASON
    for test, reason in ((ip.is_loopback, "a loopback address"), (ip.is_link_local, "a link-local address"),
                         (ip.version == 4 and ip in _SHARED, "a shared (CGNAT) address"),
                         (ip.is_multicast, "a multicast address"), (ip.is_unspecified, "an unspecified address"),
                         (ip.is_private, "a private address"), (ip.is_reserved, "a reserved address"),
                         (not ip.is_global, "not a public address")):
        if test:
            return reason
    return None


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


class Scope:
    """Which hosts and addresses the crawl may reach (the two settings)."""

    def __init__(self, allow_private: bool = False, allowlist: Iterable[str] = ()):
        self.allow_private = allow_private
        self.allowlist = {_normal(h) for h in allowlist if h and h.strip()}

    @classmethod
    def from_settings(cls, settings) -> "Scope":
        return cls(defaults.get(settings, "OGI_ALLOW_PRIVATE_HOSTS"),
                   defaults.get(settings, "OGI_PRIVATE_HOST_ALLOWLIST"))

    def refusal(self, host: str, address: str) -> str | None:
        """Why `host`, resolved to `address`, must not be fetched; None if it may."""
        if _normal(host) in self.allowlist or _normal(address) in self.allowlist:
            return None
        reason = address_refusal(address)
        if reason is None or self.allow_private and reason != METADATA_REASON:
            return None
        named = host if _ip(host) is not None else f"{host} ({address})"
        return f"{named} is {reason} (OGI_ALLOW_PRIVATE_HOSTS, OGI_PRIVATE_HOST_ALLOWLIST)"


def _normal(host: str) -> str:
    host = host.strip().lower().strip("[]")
    ip = _ip(host)
    return str(ip) if ip is not None else host.rstrip(".")


class ScopedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses what `Scope` refuses, at connection time."""

    scope = Scope()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.scope = Scope.from_settings(crawler.settings)
        return resolver

    def address_of(self, name: str, timeout=()):
        """The (cached) address of `name`, unchecked: for the middleware, which says why."""
        return super().getHostByName(name, timeout)

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's name
        return self.address_of(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        reason = self.scope.refusal(name, address)
        if reason:
            # Twisted turns this error into "no results for hostname lookup": say it here.
            logger.warning("connection refused: %s", reason)
            raise DNSLookupError(f"refused: {reason}")
        return address


class HostScopeMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.scope = Scope.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostScopeMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request):
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            raise OutOfScope(f"refused: {parts.scheme}: URLs are never fetched")
        host = parts.hostname or ""
        if not host:
            raise OutOfScope("refused: a URL without a host")
        literal = _ip(host) is not None
        if literal:
            self._check(host, host)
        kind = request.meta.get("ogi_kind")
        if kind in FETCHED_WITH_A_PAGE and not self.attachment_allowed(request):
            raise OutOfScope(f"refused: {kind} host {host} is not the source's site nor a host the sources list names")
        if not literal:
            address = await self._resolve(host)
            if address is not None:  # else the download fails the usual way (a DNS error)
                self._check(host, address)
        return None

    def _check(self, host: str, address: str) -> None:
        reason = self.scope.refusal(host, address.strip("[]"))
        if reason:
            raise OutOfScope(f"refused: {reason}")

    async def _resolve(self, host: str) -> str | None:
        from twisted.internet import reactor

        resolver = reactor.resolver
        lookup = getattr(resolver, "address_of", resolver.getHostByName)
        try:
            return await maybe_deferred_to_future(lookup(host))
        except Exception:  # noqa: BLE001 - any resolution failure is the download's to report
            return None

    # -- attachments ---------------------------------------------------------------------------

    def attachment_allowed(self, request: Request) -> bool:
        spider = self.crawler.spider
        source = getattr(spider, "by_id", {}).get(request.meta.get("ogi_source"))
        sites = [getattr(source, "start_url", None), request.meta.get("ogi_parent")]
        return attachment_allowed(request.url, [s for s in sites if s], self.named_hosts)

    @cached_property
    def named_hosts(self) -> frozenset[str]:
        """Hosts of the start URLs of this run's sources and of the bundled sources list."""
        from crawler.sources import DEFAULT_SOURCES

        urls = [getattr(s, "start_url", "") for s in getattr(self.crawler.spider, "sources", [])]
        try:
            with open(DEFAULT_SOURCES, encoding="utf-8", newline="") as f:
                urls += [row.get("start_url") or "" for row in csv.DictReader(f)]
        except OSError as exc:
            logger.warning("cannot read %s for attachment hosts: %s", DEFAULT_SOURCES, exc)
        return frozenset(_normal(urlsplit(u).hostname or "") for u in urls if u) - {""}


def attachment_allowed(url: str, site_urls: Iterable[str], named_hosts: Iterable[str] = ()) -> bool:
    """An attachment may come from the site (host or registered domain) of one of `site_urls`
    (the source's start URL, the page linking it) or from a host the sources list names."""
    host = _normal(urlsplit(url).hostname or "")
    return bool(host) and (host in set(named_hosts) or any(same_site(url, site) for site in site_urls))
