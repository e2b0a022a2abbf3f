"""What counts as "the same report": the content hash that decides whether a fetch is a new version.

    content_sha256 = sha256( canonical JSON of {"figures": figures, "text": normalised text} )

- text: the extractor's main text (`Report.text`, already without navigation and footers), with
  every run of whitespace (including full-width spaces and newlines) collapsed to one space, and
  with page-chrome fragments that some portals leave inside the article body removed (visit
  counters, "today is ..." banners, print/close links): `extract.chrome`, the same list the
  extractor applies, so text read by older extractor versions is normalised alike.
- figures: table -> row -> column -> number, with integral floats written as integers so
  `4` and `4.0` hash the same.
- canonical JSON: `sort_keys=True`, `ensure_ascii=False`, no spaces, UTF-8.

Title, publication date and format are deliberately outside the hash: a page template that moves
the date or renames the <title> is not a correction of the report. The raw bytes are hashed
separately (`raw_sha256`) to address the stored blob.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from extract.chrome import strip_chrome

_SPACE = re.compile(r"\s+")


def normalise_text(text: str | None) -> str:
    return _SPACE.sub(" ", strip_chrome(text or "")).strip()


def _canonical_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_figures(figures: dict | None) -> dict:
    return {
        table: {
            row: {col: _canonical_number(v) for col, v in cols.items()}
            for row, cols in rows.items()
        }
        for table, rows in (figures or {}).items()
    }


def content_sha256(text: str | None, figures: dict | None) -> str:
    """The one definition of a report's content identity (see the module docstring)."""
    payload = {"figures": canonical_figures(figures), "text": normalise_text(text)}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def report_sha256(report) -> str:
    return content_sha256(report.text, report.figures)


def flatten(figures: dict | None):
    """(table, row, col, value) tuples in a stable order."""
    for table, rows in sorted((figures or {}).items()):
        for row, cols in sorted(rows.items()):
            for col, value in sorted(cols.items()):
                yield table, row, col, _canonical_number(value)
