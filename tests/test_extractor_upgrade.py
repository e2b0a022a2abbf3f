"""Two nights over a local portal, the first crawled by an older copy of the extractor (its
source edited to miss one table row), the second by the current code (issue: an extractor
upgrade is never recorded as the agency changing its report).

Night 2: one report really changed (行政许可 234 → 243), one page only changed its visit counter,
the rest are byte-identical (answered 304 to conditional requests). Every report keeps exactly
one version and ends read by the current extractor (re-read by the crawl, or by the nightly
re-reading after it for the 304s); the changed one has two versions and one 'changed' event.
"""
from __future__ import annotations

import os

import pytest
from concurrency_support import older_extractor
from crawl_support import DEMO, crawl, rows

import extract
from fixtures.portals.server import Portal

COMMERCE = "/xxgk/zfxxgknb/202301/t20230130_998.html"  # the agency corrects a figure
OFFICE = "/xxgk/zfxxgknb/202301/t20230131_1001.html"  # only its visit counter moves


def crawl_with(db, url: str, pythonpath=None):
    """`ogi crawl`, with `pythonpath` (an older extract/) ahead of this checkout's."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return crawl(db, url, timeout=180, env=env)


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upgrade")
    portal = Portal()
    portal.load_tree(DEMO)
    portal.start()
    try:
        db = tmp / "archive.db"
        crawl_with(db, portal.url + "/", pythonpath=older_extractor(tmp))
        first = {url: n for url, n in rows(db, "SELECT d.url, COUNT(*) FROM documents d"
                                               " JOIN versions v ON v.document_id = d.id GROUP BY d.url")}
        old = rows(db, "SELECT DISTINCT extractor_version FROM readings")
        portal.edit(COMMERCE, ">234</td>", ">243</td>")
        visits = portal.pages[OFFICE].decode().split('id="visit">', 1)[1].split("<", 1)[0]
        portal.edit(OFFICE, f'id="visit">{visits}<', f'id="visit">{int(visits) + 17}<')
        second = crawl_with(db, portal.url + "/")
        yield {"db": db, "portal": portal, "first": first, "old": old, "second": second}
    finally:
        portal.stop()


def test_the_first_night_was_read_by_another_extractor(two_nights):
    assert len(two_nights["first"]) >= 5 and set(two_nights["first"].values()) == {1}
    assert two_nights["old"] != [(extract.EXTRACTOR_VERSION,)] and len(two_nights["old"]) == 1


def test_only_the_agencys_change_makes_a_version(two_nights):
    db, portal = two_nights["db"], two_nights["portal"]
    versions = dict(rows(db, "SELECT d.url, COUNT(*) FROM documents d JOIN versions v ON v.document_id = d.id"
                             " GROUP BY d.url"))
    assert versions.keys() == two_nights["first"].keys()
    assert {url: n for url, n in versions.items() if n != 1} == {portal.url + COMMERCE: 2}
    changed = rows(db, "SELECT d.url, e.detail FROM events e JOIN documents d ON d.id = e.document_id"
                       " WHERE e.kind = 'changed'")
    assert [url for url, _ in changed] == [portal.url + COMMERCE]
    assert "active.licensing.decisions 234→243" in changed[0][1]
    # Against the current extractor's reading of the old capture: the row the older one missed
    # is not part of the agency's change.
    assert "unable_unclear" not in changed[0][1]


def test_every_report_ends_with_the_current_extractors_figures(two_nights):
    db = two_nights["db"]
    latest = rows(db, "SELECT source_url, extractor_version FROM latest_versions")
    assert latest and {ev for _, ev in latest} == {extract.EXTRACTOR_VERSION}
    # The row the older extractor missed is there now, for every report.
    unclear = rows(db, "SELECT COUNT(DISTINCT document_id) FROM latest_figures WHERE row_key = 'unable_unclear'")
    assert unclear == [(len(latest),)]
    # Our improved reading is a 'reread' event (with the figures that moved), never 'changed'.
    reread = rows(db, "SELECT COUNT(DISTINCT document_id) FROM events WHERE kind = 'reread'")
    assert reread == [(len(latest),)]
    assert "re-read" in two_nights["second"].stdout  # the 304 answers were caught up after the crawl
