"""The pictures a captured page shows, stored with the capture (`capture_resources`).

An HTML report whose tables are pictures (图片版) is the page and its `<img>`s: the crawl fetches
those with the page, the extractor reads them by OCR (`extract_report(..., resources=...)`), and
they are kept here, keyed by the page's raw bytes, so that re-reading the capture (`ogi
reextract`, the crawl's catch-up) needs nothing from the network. Their bytes live in
`raw_blobs` like any capture's; a row says which picture URL of which page capture they are.

Append-only, as the captures are: the first bytes stored for a (page capture, picture URL) stay;
the same page fetched again with the same pictures writes nothing.
"""
from __future__ import annotations

from collections.abc import Mapping

from archive import blobs
from extract.scan import picture_type


def put(db, raw_sha256: str, resources: Mapping[str, bytes] | None, *, at: str) -> int:
    """Store the pictures of the page capture `raw_sha256` (inside the caller's write
    transaction); returns how many rows were added."""
    added = 0
    for url, body in (resources or {}).items():
        if db.execute("SELECT 1 FROM capture_resources WHERE raw_sha256 = ? AND url = ?",
                      [raw_sha256, url]).fetchone():
            continue
        body = bytes(body)
        digest = blobs.put(db, body, at=at)
        db["capture_resources"].insert({"raw_sha256": raw_sha256, "url": url, "blob_sha256": digest,
                                        "content_type": picture_type(body), "fetched_at": at})
        added += 1
    return added


def get(db, raw_sha256: str) -> dict[str, bytes]:
    """The stored pictures of a page capture, by URL (empty when it has none). Raises
    `blobs.BlobCorrupt` when stored bytes no longer match their sha256."""
    conn = db.conn if hasattr(db, "conn") else db
    out = {}
    for url, digest in conn.execute("SELECT url, blob_sha256 FROM capture_resources WHERE raw_sha256 = ?"
                                    " ORDER BY url", [raw_sha256]).fetchall():
        body = blobs.get(conn, digest)
        if body is not None:
            out[url] = body
    return out
