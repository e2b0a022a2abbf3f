"""`ogi serve [--db archive.db] [--host 127.0.0.1] [--port 8001]`: Datasette over the archive,
with the archive's metadata, canned queries, report pages and charts."""
from __future__ import annotations

import json
import os
import sqlite3
import sys

from ogi.errors import OgiError, UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="browse and query the archive in Datasette (canned queries, charts, report pages)",
        description="Start Datasette on the archive: every table, view and column described in "
                    "English and Chinese, canned queries for the common questions, charts at "
                    "/-/dashboards/overview, a page per report version (/-/ogi/versions/ID) with "
                    "the figures in the template layout, source link and archived original. The "
                    "database is opened for reading while the nightly crawl keeps writing to it.")
    p.add_argument("--db", default="archive.db", help="archive database (default: archive.db)")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8001, help="port (default: 8001)")
    p.add_argument("--setting", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                   help="a Datasette setting, e.g. --setting sql_time_limit_ms 10000 (repeatable)")
    p.add_argument("--write-metadata", metavar="FILE",
                   help="write the generated Datasette metadata (JSON) to FILE and exit; for plain "
                        "`datasette archive.db -m FILE` or `datasette publish`")
    p.set_defaults(func=run)


def _settings(pairs: list[list[str]]) -> dict:
    from datasette.app import SETTINGS

    known = {s.name: s.default for s in SETTINGS}
    out = {}
    for name, value in pairs:
        if name not in known:
            raise UsageError(f"unknown Datasette setting {name!r}")
        default = known[name]
        try:
            out[name] = (value.lower() in ("1", "true", "on", "yes")) if isinstance(default, bool) \
                else type(default)(value) if default is not None else value
        except ValueError:
            raise UsageError(f"setting {name} needs a {type(default).__name__}, got {value!r}") from None
    return out


def _ensure_schema(path: str) -> None:
    """Bring an archive written by an older `ogi` up to the views and tables the queries use.

    The migration is the archive's own (the one every crawl runs); it writes only when the schema
    is behind. Datasette itself never writes.
    """
    from archive import Archive
    from archive.schema import SCHEMA_VERSION, SchemaError

    try:
        conn = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = dict(conn.execute("SELECT name, type FROM sqlite_master"))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise OgiError(f"cannot open archive {path}: {exc}") from exc
    if "documents" not in names:
        # Never turn someone else's SQLite file into an archive by migrating it.
        raise OgiError(f"{path} is not an ogi archive (no documents table)")
    views = {n for n, kind in names.items() if kind == "view"}
    if version == SCHEMA_VERSION and {"latest_figures", "all_checks", "figures"} <= views:
        return
    try:
        Archive(path).close()
    except (SchemaError, sqlite3.DatabaseError) as exc:
        raise OgiError(f"cannot open archive {path}: {exc}") from exc


def run(args) -> int:
    if not os.path.isfile(args.db):
        raise OgiError(f"no archive at {args.db} (run `ogi crawl` first, or pass --db)")
    settings = _settings(args.setting)
    _ensure_schema(args.db)

    from ogi.datasette import metadata

    meta = metadata.build(args.db)
    if args.write_metadata:
        try:
            with open(args.write_metadata, "w", encoding="utf-8") as fh:
                json.dump(meta, fh, ensure_ascii=False, indent=2)
        except OSError as exc:
            raise OgiError(f"cannot write {args.write_metadata}: {exc.strerror or exc}") from exc
        print(args.write_metadata)
        return 0

    import asyncio

    import uvicorn

    from ogi.datasette.app import make_datasette

    ds = make_datasette(args.db, settings=settings, metadata=meta)
    # What `datasette serve` does before handing the app to uvicorn.
    asyncio.run(ds.invoke_startup())
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"ogi serve: {args.db} at http://{shown_host}:{args.port}/ "
          f"(charts: /-/dashboards/overview) — Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        uvicorn.run(ds.app(), host=args.host, port=args.port, log_level="warning")
    except OSError as exc:
        raise OgiError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    return 0
