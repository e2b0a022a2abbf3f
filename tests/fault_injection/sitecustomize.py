"""Faults injected into a crawl run in a subprocess (tests/test_faults.py puts this folder on
PYTHONPATH; every Python process it starts, extraction workers included, loads it).

- OGI_TEST_SLOW_MARKER: extracting a document whose bytes contain it writes the worker's pid to
  OGI_TEST_BUSY_FILE and sleeps, so the test can kill that worker while it is busy.
- OGI_TEST_MAX_PAGES: every archive connection is limited to the database's size when opened
  plus this many pages (`PRAGMA max_page_count`): a full disk, as SQLite reports it.
"""
import os

if os.environ.get("OGI_TEST_SLOW_MARKER"):
    import time

    import extract.pipeline

    _extract = extract.pipeline.extract_report

    def _slow(data, *args, **kwargs):
        if os.environ["OGI_TEST_SLOW_MARKER"].encode() in data:
            with open(os.environ["OGI_TEST_BUSY_FILE"], "w") as f:
                f.write(str(os.getpid()))
            time.sleep(120)
        return _extract(data, *args, **kwargs)

    extract.pipeline.extract_report = _slow

if os.environ.get("OGI_TEST_MAX_PAGES"):
    import archive.store

    _init = archive.store.Archive.__init__

    def _small_disk(self, *args, **kwargs):
        _init(self, *args, **kwargs)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + int(os.environ['OGI_TEST_MAX_PAGES'])}")

    archive.store.Archive.__init__ = _small_disk
