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
                    "exit 1, or a summary and exit 0. Checks duplicate ids, start URLs (after URL "
                    "canonicalisation) and division code + agency pairs, malformed URLs, unknown "
                    "regions, levels, kinds and CMS families, whether each level fits its region, "
                    "and each GB/T 2260 division code (6 digits, in regions.csv, same province "
                    "prefix and division as the region). The summary reports coverage: provincial "
                    "and prefecture-level governments with a row of their own, and the missing "
                    "ones with the reason recorded in crawler/sources_missing.csv.")
    check.add_argument("--sources", metavar="FILE", help="sources CSV (default: crawler/sources.csv)")
    check.add_argument("--missing", metavar="FILE",
                       help="why governments have no row: CSV code,name,why "
                            "(default: crawler/sources_missing.csv)")

    listing = actions.add_parser(
        "list", help="list sources, optionally for one region or agency",
        description="Print id, level, kind, division code, region, agency and start URL of each "
                    "source, tab-separated.")
    listing.add_argument("--only", metavar="REGION|AGENCY",
                         help="region prefix (河南省, 河南/漯河, 广西) or part of an agency name")
    listing.add_argument("--sources", metavar="FILE", help="sources CSV (default: crawler/sources.csv)")
    parser.set_defaults(func=run)


def _vocabulary() -> str:
    lines = [f"columns: {','.join(src.COLUMNS)}", "", "levels:"]
    lines += [f"  {name:<11} {text}" for name, text in src.LEVELS.items()]
    lines += ["", "kinds (what start_url is):"]
    lines += [f"  {name:<11} {text}" for name, text in src.KINDS.items()]
    lines += ["", "cms families:"]
    lines += [f"  {name:<11} {text}" for name, text in src.CMS_FAMILIES.items()]
    lines += ["", "region: 省/市/区县 path of official names (short forms accepted), or 全国",
              "division_code: its GB/T 2260 code from crawler/regions.csv (empty for 全国)"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        return _check(args.sources, args.missing)
    return _list(args.sources, args.only)


def _check(path: str | None, missing: str | None = None) -> int:
    regions = src.RegionTable.load()
    sources, problems = src.check_sources(path, regions)
    name = Path(path or src.DEFAULT_SOURCES).name
    for problem in problems:
        print(problem.format(name))
    if problems:
        print(f"{len(problems)} problem(s) in {path or src.DEFAULT_SOURCES}", file=sys.stderr)
        return 1
    print(src.summarize(sources, regions))
    for line in src.coverage_lines(sources, regions, src.load_missing(missing)):
        print(line)
    return 0


def _list(path: str | None, only: str | None) -> int:
    chosen = src.load_sources(path, only=only)
    if not chosen:
        raise OgiError(f"no source matches {only!r}")
    for s in chosen:
        print("\t".join((s.id, s.level, s.kind, s.division_code, s.region, s.agency, s.start_url)))
    return 0
