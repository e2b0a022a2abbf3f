"""Damaged documents (truncated, bytes flipped, garbage inserted) never crash the extractor: each
gives a Report or a one-line ExtractError."""
import random
from pathlib import Path

import pytest

from extract import ExtractError, extract_report

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = sorted(p for d in ("reports", "attachments", "seed") for p in (FIXTURES / d).iterdir()
              if p.suffix in {".html", ".htm", ".shtml", ".txt", ".pdf", ".docx", ".xlsx"})


def damaged(data: bytes, rng: random.Random) -> list[bytes]:
    cut = data[: rng.randrange(1, len(data))]
    flipped = bytearray(data)
    for _ in range(20):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    at = rng.randrange(len(data))
    inserted = data[:at] + bytes(rng.randrange(256) for _ in range(200)) + data[at:]
    return [cut, bytes(flipped), inserted]


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_damaged_documents_fail_cleanly(path):
    rng = random.Random(path.name)
    for data in damaged(path.read_bytes(), rng):
        try:
            extract_report(data, url=f"http://x.gov.cn/{path.name}")
        except ExtractError as exc:
            assert exc.reason and "\n" not in exc.reason
