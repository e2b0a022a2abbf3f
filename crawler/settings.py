"""Scrapy settings for the nightly crawl of OGI annual reports: polite first, then fast.

Override on the command line: `scrapy crawl reports -s NAME=VALUE` or `ogi crawl -s NAME=VALUE`.
Our own settings start with OGI_ (and ARCHIVE_DB); their defaults are stated once, with what
they mean, in crawler/defaults.py, and imported here.
"""
from crawler.defaults import *  # noqa: F403 - our settings' defaults, stated once there

BOT_NAME = "ogi-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- who we are and how hard we knock ----------------------------------------------------------
USER_AGENT = ("ogi-archive/0.1 (+https://github.com/ogi-archive/ogi-archive; "
              "research archive of OGI annual reports)")
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across hosts: many portals are crawled side by side
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# The floor AutoThrottle never goes below. Keep it above 0 on real portals: with the asyncio
# reactor, Scrapy 2.19 hands a host's whole queue to the downloader at once when the delay is 0
# (a slot counts a request as transferring only once its task runs), so the per-host limit
# above only holds with a delay (measured: 9 simultaneous requests to one host at delay 0 and
# CONCURRENT_REQUESTS_PER_DOMAIN=1; at most 2 at delay 0.01 and a limit of 2).
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# Reports are a few MB; extract refuses more than 50 MB anyway.
DOWNLOAD_MAXSIZE = 60 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# -- transient failures ------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# -- bounds per source -------------------------------------------------------------------------
# Scrapy's depth counts every hop including pagination; it is only a backstop against pager loops.
# Navigation steps (home → section → column → year → report) are bounded by OGI_MAX_HOPS and
# every source by its page and time budgets (crawler/budget.py; CLOSESPIDER_PAGECOUNT would stop
# all sources at once).
DEPTH_LIMIT = 60

# Breadth-first: listings before deep pages, so one huge source does not starve the others.
DEPTH_PRIORITY = 1
# Scrapy's default in the pinned version, stated because the nightly run depends on it: it hands
# the downloader a request of the host with the fewest active downloads, so sources are crawled
# side by side and one big portal's backlog never queues ahead of everyone else.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# -- the archive, the run, distributed crawling (defaults in crawler/defaults.py) ---------------
# With REDIS_URL set (-s REDIS_URL=redis://HOST:6379/0) this add-on switches in scrapy-redis's
# shared scheduler and dupefilter, and workers send what they fetch to the one archive writer
# (`ogi crawl --writer`) instead of writing the archive (crawler/distributed.py).
ADDONS = {"crawler.distributed.Distributed": 0}

EXTENSIONS = {
    "crawler.run.CrawlRun": 100,
    "crawler.extraction.Extraction": 150,
    "crawler.progress.Progress": 200,
}
DOWNLOADER_MIDDLEWARES = {
    # First: a request for a non-public address (or an attachment from elsewhere) goes no further,
    # not even to robots.txt (crawler/scope.py).
    "crawler.scope.HostScopeMiddleware": 40,
    "crawler.middlewares.SourceClockMiddleware": 50,
    "crawler.budget.Budget": 51,
    "crawler.middlewares.ConditionalGetMiddleware": 540,
    "crawler.middlewares.CharsetMiddleware": 587,
    "crawler.middlewares.FetchLogMiddleware": 585,
    # Scrapy's own, each replaced in its place by a subclass (crawler/politeness.py: robots.txt
    # that cannot be read disallows, Retry-After is waited for; crawler/middlewares.py: redirect
    # loops leave a trace).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.politeness.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.RecordedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.RecordedRedirectMiddleware": 600,
}
# The same address rule when a connection is made (DNS rebinding), sharing Scrapy's DNS cache.
TWISTED_DNS_RESOLVER = "crawler.scope.ScopedResolver"
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}

# -- off: things we do not want from a nightly archiver -----------------------------------------
HTTPCACHE_ENABLED = False  # conditional GET against the archive replaces it
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # an HTTP endpoint that runs code: never on a crawler of untrusted pages
COOKIES_ENABLED = True
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
