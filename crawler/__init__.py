"""The Scrapy project: `scrapy crawl reports` from the repository root, or `ogi crawl`.

A newcomer's path through it (README's layout map lists every module):
1. `run.py` — a crawl run is one Scrapy extension, `CrawlRun`: a ledger (`ledger.py`) and an
   archive seam (`seam.py`: the `RunArchive` Protocol; `local.py` writes the SQLite archive,
   `sender.py` sends typed records (`records.py`) to the writer of a distributed crawl).
2. `spiders/reports.py` — the callbacks; what they decide is in `judging.py` (pure functions).
3. `pipelines.py` only stores; `extraction.py` extracts off the reactor; `budget.py` bounds each
   source; `middlewares.py` logs every fetch and asks conditionally.
4. `distributed.py`, `worker.py`, `writer.py`, `protocol.py` — the same crawl on several machines.

One report's way, from `scrapy crawl reports` to its `versions` row:
`ReportsSpider.start` → `parse_listing` → `judging.judge` (a link naming a report) →
`parse_document` → `Extraction.extract` (`extract.isolation` worker: `extract.extract_report`)
→ yields `records.Document` → `ArchivePipeline.process_item` → `LocalArchive.document` →
`archive.Archive.store` → `archive.versioning.record_report` (the `versions` row).
"""
