"""`ogi coverage`: what the crawl found per source, and what is missing."""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from ogi.errors import OgiError

DESCRIPTION = """\
For each source of the latest finished crawl run: the report columns it read (with the agency
and region each belongs to and how many report links each listed), then every agency it has
reports of in the archive with the years found and the gaps: years missing between an agency's
first and last report (an agency with 2019 and 2021 but no 2020), and agencies whose column
listed reports of which none is archived. Reads the archive without changing it. --json prints
the same as one JSON object, for monitoring. The agency × year matrix itself is the archive's
`coverage_matrix` view (`ogi serve`)."""


def register(subparsers) -> None:
    p = subparsers.add_parser("coverage", help="columns read, report years found and gaps, per source",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="archive.db", help="archive database (default: archive.db)")
    p.add_argument("--only", metavar="TEXT", help="sources whose id, or agencies whose name, contain TEXT")
    p.add_argument("--gaps", action="store_true", help="only agencies with a gap")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.set_defaults(func=run)


def run(args) -> int:
    conn = _open(args.db)
    try:
        run_row = conn.execute("SELECT id, summary FROM crawl_runs WHERE finished_at IS NOT NULL "
                               "ORDER BY id DESC LIMIT 1").fetchone()
        summary = json.loads(run_row[1]) if run_row and run_row[1] else {"sources": {}}
        years = conn.execute("SELECT source, agency, region, division_code, year FROM latest_versions "
                             "WHERE year IS NOT NULL AND removed_at IS NULL").fetchall()
    except sqlite3.DatabaseError as exc:
        raise OgiError(f"cannot read {args.db}: {exc}") from None
    finally:
        conn.close()
    report = build(summary, years, only=args.only, gaps_only=args.gaps)
    report["run_id"] = run_row[0] if run_row else None
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(format_text(report))
    return 0


def build(summary: dict, rows, *, only: str | None = None, gaps_only: bool = False) -> dict:
    """Per source: columns read (from the run summary) and agencies × years (from the archive)."""
    found: dict[str, dict[tuple, set[int]]] = {}
    for source, agency, region, code, year in rows:
        found.setdefault(source or "-", {}).setdefault((agency or "?", region, code), set()).add(int(year))
    out = []
    for sid in sorted(set(summary.get("sources", {})) | set(found)):
        columns = [{"url": url, **c} for url, c in (summary.get("sources", {}).get(sid, {}).get("columns") or {}).items()]
        agencies = []
        for (agency, region, code), ys in sorted(found.get(sid, {}).items(), key=lambda kv: (kv[0][2] or "", kv[0][0])):
            gaps = [y for y in range(min(ys), max(ys) + 1) if y not in ys]
            agencies.append({"agency": agency, "region": region, "division_code": code, "years": sorted(ys), "gaps": gaps})
        have = {a["agency"] for a in agencies}
        empty = sorted({c["agency"] for c in columns if c.get("listed") and c.get("agency") and c["agency"] not in have})
        if only and only not in sid:
            agencies = [a for a in agencies if only in a["agency"]]
            columns = [c for c in columns if only in (c.get("agency") or "")]
            empty = [a for a in empty if only in a]
            if not (agencies or columns or empty):
                continue
        if gaps_only:
            agencies = [a for a in agencies if a["gaps"]]
        out.append({"source": sid, "columns": columns, "agencies": agencies, "listed_without_reports": empty})
    return {"sources": out}


def format_text(report: dict) -> str:
    lines = [f"coverage after crawl run {report.get('run_id')}" if report.get("run_id") else "coverage (no finished run)"]
    for s in report["sources"]:
        lines.append(f"\n{s['source']}: {len(s['columns'])} column(s) read, {len(s['agencies'])} agenc(ies) with reports")
        for c in s["columns"]:
            lines.append(f"  column  {c['url']}  {c.get('agency') or '?'}  {c.get('region') or ''}  listed {c.get('listed', 0)}")
        for a in s["agencies"]:
            gaps = f"  MISSING {', '.join(map(str, a['gaps']))}" if a["gaps"] else ""
            lines.append(f"  {a['agency']} ({a['region'] or '?'}{' ' + a['division_code'] if a['division_code'] else ''}): "
                         f"{', '.join(map(str, a['years']))}{gaps}")
        for agency in s["listed_without_reports"]:
            lines.append(f"  {agency}: its column listed reports, none archived")
    return "\n".join(lines)


def _open(path: str) -> sqlite3.Connection:
    """The archive, read-only: a coverage report never creates, migrates or locks anything."""
    if not Path(path).is_file():
        raise OgiError(f"no archive at {path} (run `ogi crawl` first, or pass --db)")
    try:
        return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise OgiError(f"cannot open {path}: {exc}") from None
