"""Every setting of our own, with its default, stated once (as Scrapy's `default_settings`).

`crawler/settings.py` (the Scrapy project settings) imports them all, so `scrapy settings --get`
and `-s NAME=VALUE` work as for Scrapy's own; components read them through `get(settings, NAME)`,
which falls back to the default here when a crawler was built without the project settings (a
unit test's `get_crawler`). A default is never repeated at a call site.
"""
from __future__ import annotations

from extract import isolation

# -- the archive and the run -------------------------------------------------------------------
ARCHIVE_DB = "archive.db"  # the SQLite archive a single-machine crawl (or a writer) writes
OGI_LOCK_HELD = False  # `ogi crawl` takes the crawl lock itself before Scrapy starts
OGI_PRINT_SUMMARY = True  # `ogi crawl` prints its own (rich) table instead
OGI_PROGRESS = False  # a live status line on a terminal; `ogi crawl` turns it on for a TTY

# -- where the spider goes ---------------------------------------------------------------------
# Navigation steps (home → section → column → year → report), pagination excluded; counted
# afresh on each agency's pages a directory leads to.
OGI_MAX_HOPS = 6
# Agencies deep a `platform` or `cluster` source (or a start URL given on the command line) walks
# its directories: cluster home → a county's site (1) → that county's departments (2). `home`
# and `column` sources walk none (crawler/judging.py DIRECTORY_KINDS).
OGI_DIRECTORY_DEPTH = 2

# -- where the crawl may connect (crawler/scope.py) -----------------------------------------------
# Loopback, private, link-local, shared (CGNAT), multicast, reserved and cloud metadata addresses
# are refused unless allowed here: True allows every non-public address except the metadata ones
# (a crawl of a portal on 127.0.0.1: the tests, `make demo`; an intranet).
OGI_ALLOW_PRIVATE_HOSTS = False
# Exact host names or addresses allowed whatever they resolve to (comma-separated on the command
# line: -s OGI_PRIVATE_HOST_ALLOWLIST=10.1.2.3,portal.intranet).
OGI_PRIVATE_HOST_ALLOWLIST: list = []

# -- politeness (crawler/politeness.py) ------------------------------------------------------------
# The longest `Retry-After` (seconds) a 429/503 answer gets us to wait before retrying; a longer
# one is not retried tonight.
OGI_RETRY_AFTER_MAX = 120.0

# -- budgets per source (crawler/budget.py) ------------------------------------------------------
OGI_PAGE_BUDGET = 3000  # distinct URLs a source may ask for in one run (0: no limit)
# Seconds a source may take from its first request (0: no limit); then its remaining requests are
# dropped and it is marked incomplete. 30 min is ~1000 pages at the polite pace: far more than a
# report column needs, far less than a night.
OGI_SOURCE_TIME_BUDGET = 1800

# After the crawl, seconds spent re-reading the latest versions the current extractor has not
# read yet (reports answered 304 or not met tonight), oldest reading first; 0 turns it off.
# `ogi reextract` re-reads everything without a limit.
OGI_REREAD_TIME_BUDGET = 600

# -- extraction (extract/isolation.py) -----------------------------------------------------------
OGI_EXTRACT_WORKERS = 0  # extraction processes beside the crawl; 0: one per core
OGI_EXTRACT_TIMEOUT = isolation.TIMEOUT_S  # seconds per document, then `time_limit`
OGI_EXTRACT_MEMORY_MB = isolation.MEMORY_MB  # address space per worker, then `memory_limit`

# -- distributed crawl (crawler/distributed.py, docs/distributed.md) -------------------------------
# Off unless scrapy-redis's REDIS_URL is set (-s REDIS_URL=redis://HOST:6379/0).
OGI_REDIS_RUN = None  # the run to join (default: the one the latest writer opened)
OGI_WORKER_ID = None  # set by the add-on: host:pid:random
OGI_WRITER_WAIT = 60  # seconds a worker waits for a writer to open a run
OGI_WORKER_TIMEOUT = 60  # seconds without a heartbeat before a worker (or the writer) counts as dead
OGI_WORKER_POLL = 1.0  # seconds an idle worker waits before asking the shared queue again

__all__ = [name for name in dir() if name.isupper()]


def get(settings, name: str):
    """Setting `name` from Scrapy `settings`, typed like its default here."""
    default = globals()[name]
    if isinstance(default, bool):
        return settings.getbool(name, default)
    if isinstance(default, list):
        return settings.getlist(name, default)
    if isinstance(default, int):
        return settings.getint(name, default)
    if isinstance(default, float):
        return settings.getfloat(name, default)
    return settings.get(name, default)
