"""`ogi export`: the archive as CSV / XLSX / Parquet tables, or its raw captures as WARC."""
from __future__ import annotations


from ogi.commands._archive import open_existing
from ogi.errors import OgiError


# Kept literal so building the CLI does not import the archive stack (tests check it matches
# archive.export.FORMATS).
FORMATS = ("csv", "xlsx", "parquet", "warc")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="export wide and long tables (csv, xlsx, parquet) or raw captures (warc)",
        description="Export analysis-ready tables: one wide table per template table (one row "
                    "per report version, one column per cell), the figures in long form, and the "
                    "checks; every row carries its source URL and fetch time. Column headers are "
                    "keys; Chinese labels are in a labels file (CSV), sheet (XLSX) or field "
                    "metadata (Parquet). CSV is UTF-8 with BOM for Excel. --format warc writes the "
                    "stored raw responses as a WARC file for pywb / ReplayWeb.page.")
    p.add_argument("--db", default="archive.db", help="archive database (default: archive.db)")
    p.add_argument("--format", required=True, choices=FORMATS, dest="fmt", help="output format")
    p.add_argument("--out", required=True, help="output directory (created if missing)")
    p.add_argument("--latest", action="store_true",
                   help="only the latest version of each report (default: every version)")
    p.set_defaults(func=run)


def run(args) -> int:
    from archive import export

    archive = open_existing(args.db)
    try:
        paths = export.export(archive, args.fmt, args.out, latest_only=args.latest)
    except OSError as exc:
        raise OgiError(f"cannot write to {args.out}: {exc.strerror or exc}") from exc
    finally:
        archive.close()
    for path in paths:
        print(path)
    return 0
