"""`ogi extract PATH_OR_URL... [--url SOURCE_URL]`: print the report JSON for documents."""
from __future__ import annotations

import json
import mimetypes
import sys
import urllib.error
import urllib.request
from pathlib import Path

from extract import MAX_BYTES, ExtractError, extract_report, formats
from ogi.errors import UsageError, exit_code

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
    p.set_defaults(func=run)


def _inputs(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(f) for f in sorted(path.rglob("*")) if f.suffix.lower() in _SUFFIXES and f.is_file())
        else:
            out.append(p)
    return out


def _load(item: str) -> tuple[bytes, str, str | None]:
    """(bytes, source URL, content type) for a file path or an http(s) URL."""
    if item.startswith(("http://", "https://")):
        req = urllib.request.Request(item, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                data = resp.read(MAX_BYTES + 1)
                return data, resp.geturl(), resp.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            raise _Failed(2, f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise _Failed(2, f"cannot fetch: {getattr(exc, 'reason', exc)}") from None
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
    worst = 0
    for item in items:
        try:
            data, url, ctype = _load(item)
            try:
                report = extract_report(data, url=args.source_url or url, content_type=ctype)
            except ExtractError as exc:
                raise _Failed(exit_code(exc), exc.reason, exc.status) from None
            out = report.to_dict(with_text=args.with_text)
            if many:
                out = {"path": item, **out}
            print(json.dumps(out, ensure_ascii=False, indent=None if many else 2))
        except _Failed as failed:
            worst = max(worst, failed.code)
            print(f"ogi extract: {item}: {failed.reason}", file=sys.stderr)
            if many:
                print(json.dumps({"path": item, "status": failed.status, "error": failed.reason}, ensure_ascii=False))
    return worst


