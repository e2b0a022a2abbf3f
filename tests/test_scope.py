"""Scoped fetching (crawler/scope.py): a hostile portal's redirects, meta refreshes, script
redirects and attachment links never reach loopback, private or metadata addresses.

The hostile portal runs on 127.0.0.2 and is the only loopback host allowed (an exact-host
allowlist, as an operator would name an intranet portal); the "internal services" it points at
run on 127.0.0.3 and 127.0.0.1 and must see no request at all, robots.txt included.
"""
from __future__ import annotations

import json

import pytest

from crawl_support import DEMO, QUICK, crawl, latest_summary, rows
from crawler.scope import Scope, address_refusal, attachment_allowed
from fixtures.portals.server import Portal

REPORT = (DEMO / "art/2023/2/10/art_1229011_5001.html").read_bytes()  # a real-looking 2021-template report


@pytest.mark.parametrize("address, reason", [
    ("8.8.8.8", None), ("2400:3200::1", None), ("::ffff:8.8.8.8", None),
    ("127.0.0.1", "loopback"), ("127.0.0.3", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("2002:7f00:1::1", "loopback"),  # IPv4-mapped, 6to4
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12::1", "private"),
    ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
    ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "shared"), ("224.0.0.251", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "private"),
    ("169.254.169.254", "metadata"), ("100.100.100.200", "metadata"), ("fd00:ec2::254", "metadata"),
])
def test_address_rule(address, reason):
    got = address_refusal(address)
    assert (got is None) if reason is None else (reason in got), got


def test_allowances():
    strict, loose = Scope(), Scope(allow_private=True)
    listed = Scope(allowlist=["127.0.0.2", "Portal.Intranet."])
    assert strict.refusal("localhost", "127.0.0.1") and strict.refusal("example.org", "93.184.216.34") is None
    assert loose.refusal("localhost", "127.0.0.1") is None and loose.refusal("10.0.0.1", "10.0.0.1") is None
    # The broad switch never opens the metadata service; only naming it exactly does.
    assert "metadata" in loose.refusal("metadata.google.internal", "169.254.169.254")
    assert Scope(allowlist=["169.254.169.254"]).refusal("169.254.169.254", "169.254.169.254") is None
    assert listed.refusal("127.0.0.2", "127.0.0.2") is None
    assert listed.refusal("portal.intranet", "10.9.9.9") is None
    assert "loopback" in listed.refusal("127.0.0.3", "127.0.0.3")


def test_attachment_hosts():
    site = ["http://www.luohe.gov.cn/xxgk/", "http://www.luohe.gov.cn/xxgk/t1.html"]
    assert attachment_allowed("http://www.luohe.gov.cn/files/r.pdf", site)
    assert attachment_allowed("http://xxgk.luohe.gov.cn/up/r.pdf", site)  # same registered domain
    assert not attachment_allowed("http://files.example.com/r.pdf", site)
    assert attachment_allowed("http://www.henan.gov.cn/r.pdf", site, {"www.henan.gov.cn"})  # a listed host
    assert not attachment_allowed("http://127.0.0.3:80/r.pdf", ["http://127.0.0.2:80/"])


# -- the hostile portal ------------------------------------------------------------------------------

def _page(title: str, body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>').encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    internal = Portal("127.0.0.3")  # a service on the crawler's machine: must never be asked
    internal.pages["/secret.html"] = REPORT
    internal.pages["/secret.pdf"] = b"%PDF-1.4 secret"
    loopback = Portal("127.0.0.1")  # what "localhost" resolves to
    loopback.pages["/secret.html"] = REPORT
    internal.start(), loopback.start()
    portal = Portal("127.0.0.2").start()
    secret = internal.url + "/secret.html"
    targets = {
        "redirect": secret,
        "mapped": secret.replace("127.0.0.3", "[::ffff:127.0.0.3]"),
        "named": loopback.url.replace("127.0.0.1", "localhost") + "/secret.html",
        "metadata": "http://169.254.169.254/latest/meta-data/",
    }
    links = {f"/r/{name}.html": f"某区2022年政府信息公开工作年度报告（{name}）" for name in targets}
    for name, target in targets.items():
        portal.redirects[f"/r/{name}.html"] = target
    targets["refresh"] = secret + "?via=refresh"  # each its own URL: a repeated one would be a duplicate
    portal.pages["/r/refresh.html"] = _page("跳转", f'<meta http-equiv="refresh" content="0;url={targets["refresh"]}">')
    portal.pages["/r/script.html"] = _page("跳转", f'<script>location.href="{secret}";</script>')
    attachments = [internal.url + "/secret.pdf", "http://10.255.255.1/r.pdf", "http://169.254.169.254/r.pdf",
                   "http://www.example.org/r.pdf", "/r/moved.pdf"]
    portal.redirects["/r/moved.pdf"] = internal.url + "/secret.pdf?via=redirect"
    portal.pages["/r/notice.html"] = _page("关于2022年政府信息公开工作年度报告的公告", "<p>现将我局2022年政府信息公开工作年度报告"
                                           "公布如下，详见附件。</p>" + "".join(
                                               f'<p><a href="{a}">附件{i}：2022年政府信息公开工作年度报告.pdf</a></p>'
                                               for i, a in enumerate(attachments, 1)))
    portal.pages["/r/good.html"] = REPORT
    links.update({"/r/refresh.html": "某县2022年政府信息公开工作年度报告", "/r/script.html": "某镇2022年政府信息公开工作年度报告",
                  "/r/notice.html": "某局2022年政府信息公开工作年度报告", "/r/good.html": "漯河市财政局2022年政府信息公开工作年度报告",
                  secret: "内部2022年政府信息公开工作年度报告"})
    portal.pages["/index.html"] = _page("政府信息公开年报", "<ul>" + "".join(
        f'<li><a href="{u}">{t}</a></li>' for u, t in links.items()) + "</ul>")
    try:
        db = tmp_path_factory.mktemp("hostile") / "archive.db"
        # Only the hostile portal's own address is allowed: no OGI_ALLOW_PRIVATE_HOSTS.
        result = crawl(db, portal.url + "/", fast=QUICK, check=False,
                       extra=["-s", "OGI_PRIVATE_HOST_ALLOWLIST=127.0.0.2"])
        yield {"db": db, "portal": portal, "internal": internal, "loopback": loopback, "result": result,
               "targets": targets, "attachments": attachments}
    finally:
        for p in (portal, internal, loopback):
            p.stop()


def test_no_request_ever_reaches_an_internal_address(hostile):
    assert hostile["result"].returncode == 0, hostile["result"].stderr[-3000:]
    assert hostile["internal"].log == [] and hostile["loopback"].log == []


def test_only_the_portals_own_report_is_archived(hostile):
    portal = hostile["portal"]
    assert {u for (u,) in rows(hostile["db"], "SELECT url FROM documents")} == {portal.url + "/r/good.html"}
    assert not rows(hostile["db"], "SELECT sha256 FROM raw_blobs WHERE length(sha256) > 0 AND sha256 IN "
                                   "(SELECT sha256 FROM fetches WHERE url NOT LIKE ?)", portal.url + "%")


def test_every_refusal_is_in_fetches_with_its_reason(hostile):
    refused = dict(rows(hostile["db"], "SELECT url, error FROM fetches WHERE error LIKE 'refused:%'"))
    targets, internal = hostile["targets"], hostile["internal"]
    for name in ("redirect", "mapped", "named", "metadata", "refresh"):
        assert targets[name] in refused, (name, refused)
    assert "loopback" in refused[targets["mapped"]] and "localhost (127.0.0.1)" in refused[targets["named"]]
    assert "metadata" in refused[targets["metadata"]]
    assert "attachment host www.example.org" in refused["http://www.example.org/r.pdf"]
    assert "private" in refused["http://10.255.255.1/r.pdf"]
    assert internal.url + "/secret.pdf" in refused  # linked
    assert internal.url + "/secret.pdf?via=redirect" in refused  # a redirect of the portal's own file
    # Redirect hops that led there are on record too; nothing was fetched from the targets.
    assert rows(hostile["db"], "SELECT status FROM fetches WHERE url = ?", hostile["portal"].url + "/r/redirect.html") == [(301,)]
    assert not rows(hostile["db"], "SELECT url FROM fetches WHERE url LIKE ? AND error IS NULL", internal.url + "%")


def test_refusals_are_errors_of_the_source_in_the_summary(hostile):
    source = latest_summary(hostile["db"])["sources"][hostile["portal"].url + "/"]
    assert source["errors"] >= 10 and source["ok"] >= 2  # 5 redirects and refreshes, 5 attachments
    assert any("refused:" in m for m in source["messages"])


def test_the_resolver_refuses_at_connection_time(tmp_path):
    """Without the middleware (as if a name had resolved to a public address when checked),
    the connection itself is refused by the resolver (crawler.scope.ScopedResolver)."""
    loopback = Portal("127.0.0.1")
    loopback.pages["/index.html"] = REPORT
    loopback.start()
    try:
        url = loopback.url.replace("127.0.0.1", "localhost") + "/"
        without = json.dumps({"crawler.scope.HostScopeMiddleware": None})
        result = crawl(tmp_path / "r.db", url, fast=QUICK, check=False,
                       extra=["-s", f"DOWNLOADER_MIDDLEWARES={without}", "-s", "RETRY_TIMES=0"])
        assert loopback.log == [], result.stderr[-2000:]
        assert "connection refused: localhost (127.0.0.1) is a loopback address" in result.stderr
        assert latest_summary(tmp_path / "r.db")["sources"][url]["ok"] == 0
    finally:
        loopback.stop()
