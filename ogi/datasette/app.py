"""A Datasette instance configured for one archive file."""
from __future__ import annotations

import sys
from pathlib import Path

from datasette.app import Datasette
from datasette.plugins import pm

from ogi.datasette import metadata as metadata_module

# - sql_time_limit_ms: longer than Datasette's 1 s, because the cross-year check and the
#   dashboard's aggregates over ~10,000 reports take up to about a second.
# - max_returned_rows: the row cap of one query's answer: one agency's full set of figures over
#   five years (~1,000 rows). With SQLITE_LIMIT_LENGTH on every read connection (see
#   `ogi.datasette.prepare_connection`) it bounds what one anonymous query can make the server
#   hold: 1,000 rows of at most 2 MB each, instead of e.g. a 9 GB `zeroblob(300000000)`.
# - suggest_facets off: on the wide views (~200 columns) Datasette would try every column as a
#   facet on each page load, which takes seconds on a large archive and suggests nothing useful.
DEFAULT_SETTINGS = {"sql_time_limit_ms": 3000, "max_returned_rows": 1000,
                    "facet_time_limit_ms": 500, "suggest_facets": False}


def register_plugin() -> None:
    plugin = sys.modules["ogi.datasette"]
    if not pm.is_registered(plugin):
        pm.register(plugin, name="ogi")


def make_datasette(db_path: str | Path, *, settings: dict | None = None,
                   metadata: dict | None = None) -> Datasette:
    """Datasette over the archive at `db_path`, mutable (not immutable): the nightly writer keeps
    adding versions and readers see them at once. Datasette only ever reads it here."""
    register_plugin()
    return Datasette(
        files=[str(db_path)],
        metadata=metadata if metadata is not None else metadata_module.build(db_path),
        settings={**DEFAULT_SETTINGS, **(settings or {})},
    )
