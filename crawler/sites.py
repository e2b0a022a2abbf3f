"""Which URLs belong to one site: the same host, or the same registered domain.

A government site cluster serves its agencies from one host (`www.luohe.gov.cn/yhq/`) or from
hosts under one registered domain (`fgw.luohe.gov.cn`, `yhq.luohe.gov.cn`); discovery walks
both, and nothing beyond. "Registered domain" is the public-suffix-aware one: `gov.cn`,
`com.cn`, `edu.cn` and a few hundred other suffixes are public, so `www.luohe.gov.cn` and
`www.xuchang.gov.cn` are two sites, while `a.b.example.com` and `example.com` are one.

tldextract (already a Scrapy dependency) with its bundled snapshot of the Public Suffix List and
`suffix_list_urls=()`: it never fetches the list at run time (no network from a nightly crawl
for bookkeeping, same answer on every machine); a hand-kept list of Chinese suffixes would miss
the ones we have not met. IP addresses and single-label hosts (`localhost`, tests on loopback)
are their own site.
"""
from __future__ import annotations

import functools
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@functools.lru_cache(maxsize=4096)
def registered_domain(hostname: str) -> str:
    """`luohe.gov.cn` for `www.luohe.gov.cn`; the host itself for an IP or an unlisted suffix."""
    parts = _EXTRACT(hostname)
    if not parts.suffix or not parts.domain:
        return hostname
    return f"{parts.domain}.{parts.suffix}"


def same_site(a: str, b: str) -> bool:
    """One site: the same host, or the same registered domain (ports and schemes ignored)."""
    ha, hb = host(a), host(b)
    if not ha or not hb:
        return False
    return ha == hb or registered_domain(ha) == registered_domain(hb)
