"""`ogi crawl [START_URL ...]`: run the `reports` spider in-process and print the run's summary."""
from __future__ import annotations

import argparse
import contextlib
import sys

from ogi.errors import OgiError, UsageError

DESCRIPTION = """\
Crawl portals for OGI annual reports and update the archive. With START_URLs, crawl those pages
(a portal home or a report column); without, every source of the sources list. Prints pages
fetched, reports found, new / changed / unchanged / removed and errors per source; the same
summary is stored in the archive's crawl_runs table, and a health report per source (reachable,
reports found, changes, errors, flagged after 3 runs with nothing) in source_health: see
`ogi status`. Scrapy settings can be overridden with -s, e.g. -s JOBDIR=jobs/nightly to make an
interrupted crawl resumable, -s OGI_PAGE_BUDGET=500 or -s OGI_SOURCE_TIME_BUDGET=600 (seconds)
to bound each source. Reports are extracted in worker processes beside the crawl
(OGI_EXTRACT_WORKERS, default one per core), each under OGI_EXTRACT_TIMEOUT seconds and
OGI_EXTRACT_MEMORY_MB; every default is in crawler/defaults.py.

Only public addresses are fetched: a portal on a loopback or private address needs
-s OGI_ALLOW_PRIVATE_HOSTS=True or -s OGI_PRIVATE_HOST_ALLOWLIST=HOST[,HOST]. A robots.txt that
answers 5xx or cannot be reached disallows its host for the run; Retry-After is waited for up to
OGI_RETRY_AFTER_MAX seconds.

Sources are crawled side by side (CONCURRENT_REQUESTS=16 in all), politely per host (at most
2 requests at a time, AutoThrottle, at least 1 s between requests).

On several machines (docs/distributed.md): one archive writer next to the archive,
  ogi crawl --writer --db archive.db -s REDIS_URL=redis://HOST:6379/0
and any number of workers sharing its queue, which write nothing locally:
  ogi crawl [START_URL ...] -s REDIS_URL=redis://HOST:6379/0
The writer prints the run's summary; a worker prints one line about its share.

exit status:
  0  the run finished, every source answered and everything fetched was stored
  1  the run finished but some sources failed (no answer at all; everything else is stored);
     something was lost (a write the archive refused: busy, disk full; an extraction worker
     that died; an exception in a pipeline or callback; the health report or summary not
     stored; on a worker, its archive writer or Redis lost); the run was interrupted; or it
     could not start (another crawl holds the lock)
  2  usage error (bad option or URL, no source matches --only, a JOBDIR that cannot be resumed)"""


def register(subparsers) -> None:
    p = subparsers.add_parser("crawl", help="crawl portals and update the archive",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("start_urls", nargs="*", metavar="START_URL", help="portal or report-column URL(s)")
    p.add_argument("--db", help="archive database (default: ARCHIVE_DB setting, archive.db)")
    p.add_argument("--sources", metavar="FILE", help="sources list (CSV) instead of the bundled one")
    p.add_argument("--only", metavar="REGION|AGENCY[,...]",
                   help="crawl only the sources these pick, comma-separated: source ids, region "
                        "prefixes (河南省, 河南/漯河, 广西) or parts of agency names (商务局); "
                        "see `ogi sources list --only`")
    p.add_argument("-s", "--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Scrapy setting (repeatable)")
    p.add_argument("--writer", action="store_true",
                   help="be the archive writer of a distributed crawl (needs -s REDIS_URL=…): open a "
                        "run, store what its workers fetch, print the run's summary")
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log on stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    from scrapy.crawler import CrawlerProcess

    from archive import Archive
    from crawler import protocol
    from crawler.run import CrawlRun, distributed
    from crawler.runlock import run_lock
    from crawler.summary import fault_lines

    settings = _settings(args)
    db_path = settings.get("ARCHIVE_DB")
    if args.writer:
        return _write(args, settings)
    for url in args.start_urls:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"not an http(s) URL: {url}")
    if args.start_urls and args.only:
        raise UsageError("--only selects from the sources list; give it without START_URLs")
    if not args.start_urls:
        from crawler.sources import load_sources

        # Validate the list here: a broken or empty selection is one line, before Scrapy starts.
        if not load_sources(args.sources, only=_ids(args.only)):
            raise UsageError(f"no source matches --only {args.only}")
    if distributed(settings):
        # A worker: no archive here (the writer has it); join the writer's run now, so that
        # "no writer" is one line and not a traceback from inside Scrapy.
        import extract

        server = protocol.connect(settings.get("REDIS_URL"))
        name = protocol.join(server, wanted=settings.get("OGI_REDIS_RUN"), wait=settings.getfloat("OGI_WRITER_WAIT"),
                             extractor_version=extract.EXTRACTOR_VERSION, url=settings.get("REDIS_URL"))
        settings.set("OGI_REDIS_RUN", name, priority="cmdline")
        lock = contextlib.nullcontext()
    else:
        try:
            Archive(db_path).close()  # create or migrate now: a bad path is one clear line, not a traceback
        except Exception as exc:
            raise OgiError(f"cannot open archive {db_path}: {exc}") from exc
        lock = run_lock(db_path)

    if not distributed(settings):
        from crawler import jobdir

        try:
            jobdir.check(settings.get("JOBDIR"))
        except jobdir.JobdirUnusable as exc:
            raise UsageError(str(exc)) from None
    _one_line_robots_errors()
    with lock:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("reports")
        process.crawl(crawler, start_urls=list(args.start_urls) or None, sources=args.sources,
                      only=args.only)
        process.start()
        reread_ok = distributed(settings) or _reread(db_path, settings)
    crawl_run = crawler.get_extension(CrawlRun) if getattr(crawler, "extensions", None) else None
    result = crawl_run.result if crawl_run else None
    if result is None:
        raise OgiError("the crawl did not run (see the log above)")
    summary = result.summary
    if distributed(settings):
        print(crawl_run.archive.describe(result), flush=True)
        # A worker's share says nothing about its sources (another worker may have had them),
        # but what it lost (Redis, its writer, a dead extraction worker) is its own to report.
        for line in fault_lines(summary):
            print(line, file=sys.stderr, flush=True)
        lost = any((summary.get("faults") or {}).values())
        return 0 if summary["finish_reason"] == "finished" and not lost else 1
    _print(summary, result.health)
    if not summary["sources"]:
        raise UsageError("no source matched")
    return max(exit_status(summary), 0 if reread_ok else 1)


def _write(args, settings) -> int:
    """`ogi crawl --writer`: the archive writer of a distributed crawl (crawler.writer)."""
    from archive import Archive
    from crawler import protocol
    from crawler.run import distributed
    from crawler.runlock import run_lock
    from crawler.writer import ArchiveWriter

    if not distributed(settings):
        raise UsageError("--writer needs -s REDIS_URL=redis://HOST:PORT/DB (the workers' Redis)")
    if args.start_urls or args.sources or args.only:
        raise UsageError("--writer takes no START_URL, --sources or --only: give them to the workers")
    db_path = settings.get("ARCHIVE_DB")
    url = settings.get("REDIS_URL")
    with run_lock(db_path):
        try:
            archive = Archive(db_path)
        except Exception as exc:
            raise OgiError(f"cannot open archive {db_path}: {exc}") from exc
        with archive:
            name = protocol.check_name(settings.get("OGI_REDIS_RUN") or protocol.new_run_name())
            run = protocol.RedisRun(protocol.connect(url), name)
            writer = ArchiveWriter.open(archive, run, timeout=settings.getfloat("OGI_WORKER_TIMEOUT"))
            print(f"archive writer of run {name} ready on {protocol.redacted(url)}: start workers with "
                  f"`ogi crawl [START_URL ...] -s REDIS_URL=…`", file=sys.stderr, flush=True)
            result = writer.serve()
        reread_ok = result is None or _reread(db_path, settings)
    if writer.rejected:
        print(f"ogi crawl: refused {writer.rejected} malformed record(s) on run {name} (see the log)",
              file=sys.stderr)
    if result is None:
        raise OgiError(f"no worker joined run {name}")
    _print(result.summary, result.health)
    return 1 if writer.rejected or not reread_ok else exit_status(result.summary)


def _reread(db_path: str, settings) -> bool:
    """The nightly re-reading, under the crawl's lock: latest versions an older extractor read
    (answered 304 tonight, or not met), oldest first, within OGI_REREAD_TIME_BUDGET seconds.
    False when the archive refused it (busy, disk full): one line, and the run exits 1."""
    from archive import Archive, reextract
    from archive.errors import ArchiveError

    budget = settings.getfloat("OGI_REREAD_TIME_BUDGET")
    if budget <= 0:
        return True
    try:
        with Archive(db_path) as archive:
            done = reextract.run(archive, latest_only=True, time_budget=budget, failures=False)
    except ArchiveError as exc:
        print(f"ogi crawl: the nightly re-reading stopped: {exc}", file=sys.stderr, flush=True)
        return False
    if done.reextracted or done.remaining:
        print(f"re-read {done.reextracted} report(s) with extractor {done.extractor_version}: "
              f"{done.changed} reading(s) changed, {done.failed} failed, {done.remaining} left for "
              f"the next night", flush=True)
    return True


def exit_status(summary: dict) -> int:
    """0: finished, nothing lost, and every source answered; 1: interrupted, something was lost
    (a fault: not stored, a dead extraction worker, an exception…), or some source never answered."""
    from crawler.summary import unreachable

    lost = any((summary.get("faults") or {}).values())
    return 0 if summary["finish_reason"] == "finished" and not lost and not unreachable(summary) else 1


def _one_line_robots_errors() -> None:
    """A portal that is down fails its robots.txt first, and Scrapy logs that with a traceback of
    some forty lines, for every dead host, every night. The page request fails next and is
    recorded in `fetches`, the summary and the health report: the log needs one line."""
    import logging

    class DropTraceback(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.exc_info = record.exc_text = None
            return True

    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(DropTraceback())


def _ids(only: str | None) -> list[str] | None:
    return [i.strip() for i in only.split(",") if i.strip()] if only else None


def _settings(args):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("LOG_LEVEL", "INFO" if args.verbose else "WARNING", priority="cmdline")
    settings.set("OGI_PRINT_SUMMARY", False, priority="cmdline")
    settings.set("OGI_PROGRESS", sys.stderr.isatty(), priority="cmdline")
    settings.set("OGI_LOCK_HELD", True, priority="cmdline")
    for item in args.overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s expects NAME=VALUE, got {item!r}")
        settings.set(name.strip(), value, priority="cmdline")
    if args.db:
        settings.set("ARCHIVE_DB", args.db, priority="cmdline")
    return settings


# Column headers on a terminal narrower than the full table.
_SHORT = {"pages": "pages", "reports": "rep", "new": "new", "changed": "chg", "unchanged": "same",
          "removed": "gone", "failed": "fail", "errors": "err", "blocked": "robots"}


def _print(summary: dict, health: list[dict]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from crawler.summary import COUNTS, problem_lines

    # Off a terminal (cron mail, a log file) nothing limits the width: do not fold the table.
    console = Console() if sys.stdout.isatty() else Console(width=200)
    narrow = console.width < 110
    table = Table(title=f"crawl run {summary['run_id']} — {summary['finish_reason']}", title_justify="left",
                  box=box.SIMPLE_HEAD, padding=(0, 1))
    # Source ids are long (a URL for ad-hoc crawls): on a narrow terminal they fold, never vanish.
    table.add_column("source", overflow="fold", min_width=16, max_width=24 if narrow else None)
    for key in COUNTS:
        label = _SHORT[key] if narrow else key
        table.add_column(label, justify="right", no_wrap=True, min_width=len(label))
    for sid, s in summary["sources"].items():
        table.add_row(sid, *(str(s[k]) for k in COUNTS))
    table.add_row("TOTAL", *(str(summary["totals"][k]) for k in COUNTS), style="bold")
    console.print(table)
    if narrow:
        console.print("  ".join(f"{_SHORT[k]}={k}" for k in COUNTS if _SHORT[k] != k), style="dim")
    for sid, s in summary["sources"].items():
        if s["incomplete"]:
            console.print(f"[yellow]{sid}[/]: not checked for removed reports: {s['incomplete']}")
        for message in s["messages"]:
            console.print(f"[dim]{sid}[/]: {message}", highlight=False)
    for line in problem_lines(summary, health):
        console.print(Text(line, style="bold red"))
