"""Raw fetched bytes, addressed by sha256, zstd-compressed, stored once however often fetched."""
from __future__ import annotations

import hashlib

import zstandard

from archive.errors import BlobCorrupt

__all__ = ["BlobCorrupt", "get", "put", "sha256", "unpack", "verified"]

CODEC = "zstd"
# Level 9: report HTML shrinks ~5-8x; higher levels cost far more CPU for a few percent.
_LEVEL = 9


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(db, data: bytes, *, at: str, digest: str | None = None) -> str:
    """Store `data` unless already stored; return its sha256."""
    digest = digest or sha256(data)
    if db.execute("SELECT 1 FROM raw_blobs WHERE sha256 = ?", [digest]).fetchone():
        return digest
    packed = zstandard.ZstdCompressor(level=_LEVEL).compress(data)
    db["raw_blobs"].insert({
        "sha256": digest, "size": len(data), "compressed_size": len(packed), "codec": CODEC,
        "content": packed, "stored_at": at,
    })
    return digest


def unpack(content: bytes, codec: str) -> bytes:
    if codec in (None, "", "identity"):
        return bytes(content)
    if codec != CODEC:
        raise BlobCorrupt(f"unknown blob codec {codec!r}")
    try:
        return zstandard.ZstdDecompressor().decompress(content)
    except zstandard.ZstdError as exc:
        raise BlobCorrupt(f"stored bytes cannot be unpacked: {exc}") from exc


def verified(content: bytes, codec: str, digest: str) -> bytes:
    """The original bytes of a stored blob, checked against their address: a blob altered in the
    file (by hand, or by damage) raises `BlobCorrupt` rather than being re-read or served under
    its old hash."""
    data = unpack(content, codec)
    if sha256(data) != digest:
        raise BlobCorrupt(f"raw blob {digest} does not match its sha256: refused")
    return data


def get(conn, digest: str) -> bytes | None:
    """Raw bytes for `digest` (None if not stored); `conn` is a sqlite3 connection or
    sqlite_utils Database. Raises `BlobCorrupt` if they no longer match `digest`."""
    row = conn.execute("SELECT content, codec FROM raw_blobs WHERE sha256 = ?", [digest]).fetchone()
    return verified(row[0], row[1], digest) if row else None
