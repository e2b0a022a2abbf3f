"""The Scrapy project: the `reports` spider, CMS listing parsers, the archive pipeline and the
middlewares that make every fetch polite, conditional and logged. `scrapy crawl reports` from the
repository root, or `ogi crawl`."""
