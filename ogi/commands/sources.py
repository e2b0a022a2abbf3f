"""`ogi sources check|list`: validate or show the crawl's list of real portals (crawler/sources.csv)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler import sources as src
from ogi.errors import OgiError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sources", help="check or list the sources the nightly crawl starts from",
        description="Check or list the versioned list of real portals (crawler/sources.csv).",
        epilog=_vocabulary(), formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    check = actions.add_parser(
        "check", help="validate the sources file",
        description="Validate the sources file: one line `FILE:LINE: problem` per problem and "
                    "exit 1, or a one-line summary and exit 0. Checks duplicate ids and start URLs "
                    "(after URL canonicalisation), malformed URLs, unknown regions, levels and "
                    "CMS families, and whether each level fits its region.")
    check.add_argument("--sources", metavar="FILE", help="sources CSV (default: crawler/sources.csv)")

    listing = actions.add_parser(
        "list", help="list sources, optionally for one region or agency",
        description="Print id, level, region, agency and start URL of each source, tab-separated.")
    listing.add_argument("--only", metavar="REGION|AGENCY",
                         help="region prefix (河南省, 河南/漯河, 广西) or part of an agency name")
    listing.add_argument("--sources", metavar="FILE", help="sources CSV (default: crawler/sources.csv)")
    parser.set_defaults(func=run)


def _vocabulary() -> str:
    lines = [f"columns: {','.join(src.COLUMNS)}", "", "levels:"]
    lines += [f"  {name:<11} {text}" for name, text in src.LEVELS.items()]
    lines += ["", "cms families:"]
    lines += [f"  {name:<11} {text}" for name, text in src.CMS_FAMILIES.items()]
    lines += ["", "region: 省/市/区县 path of official names (short forms accepted), or 全国"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return _check(args.sources) if args.action == "check" else _list(args.sources, args.only)


def _check(path: str | None) -> int:
    regions = src.RegionTable.load()
    sources, problems = src.check_sources(path, regions)
    name = Path(path or src.DEFAULT_SOURCES).name
    for problem in problems:
        print(problem.format(name))
    if problems:
        print(f"{len(problems)} problem(s) in {path or src.DEFAULT_SOURCES}", file=sys.stderr)
        return 1
    print(src.summarize(sources, regions))
    return 0


def _list(path: str | None, only: str | None) -> int:
    chosen = src.load_sources(path, only=only)
    if not chosen:
        raise OgiError(f"no source matches {only!r}")
    for s in chosen:
        print("\t".join((s.id, s.level, s.region, s.agency, s.start_url)))
    return 0
