"""`ogi reextract`: re-run the current extractor over the archive's stored raw documents, offline."""
from __future__ import annotations

import sys

from ogi.commands._archive import open_existing
from ogi.errors import OgiError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "reextract",
        help="re-run the current extractor on every stored raw document (no network)",
        description="Re-run the current extractor on every stored raw document, without network, "
                    "and record its readings as new rows next to the old ones (which are never "
                    "changed). Documents already read by this extractor version are skipped.")
    p.add_argument("--db", default="archive.db", help="archive database (default: archive.db)")
    p.add_argument("--workers", type=int, default=None,
                   help="extraction processes (default: one per CPU)")
    p.add_argument("--force", action="store_true",
                   help="also re-read documents this extractor version has already read")
    p.set_defaults(func=run)


def run(args) -> int:
    from archive import reextract

    if args.workers is not None and args.workers < 1:
        raise OgiError("--workers must be at least 1")
    archive = open_existing(args.db)
    progress = _progress if sys.stderr.isatty() else None
    try:
        s = reextract.run(archive, workers=args.workers, force=args.force, progress=progress)
    finally:
        archive.close()
    if progress:
        print(file=sys.stderr)
    print(f"re-extracted {s.reextracted} stored documents with extractor {s.extractor_version} "
          f"({s.skipped} already read by it, skipped)")
    print(f"  unchanged readings: {s.same}; new readings: {s.changed}; "
          f"figures changed in {s.reports_figures_changed} reports")
    print(f"  now failing: {s.failed}; stored failures recovered: {s.recovered}, "
          f"still failing: {s.still_failing}")
    return 0


def _progress(done: int, total: int) -> None:
    if done == total or done % 50 == 0:
        print(f"\rre-extracting {done}/{total}", end="", file=sys.stderr, flush=True)
