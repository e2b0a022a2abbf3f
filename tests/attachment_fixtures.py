"""What the PDF and Office reader tests share: the attachment fixtures, their generator's data, and
reading figures back out of a grid."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
_spec = importlib.util.spec_from_file_location("attachments_make", FIXTURES / "_make.py")
make = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(make)

APPLICANT_KEYS = (*make.APPLICANT_COLS, "total")


def data(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def expected(stem: str) -> dict:
    return json.loads((FIXTURES / f"{stem}.expected.json").read_text(encoding="utf-8"))


def figure(text: str) -> int | float:
    t = unicodedata.normalize("NFKC", text).strip()
    if t in ("", "—", "-", "/", "无"):
        return 0
    return float(t) if "." in t else int(re.match(r"\d+", t).group(0))


def block_with(document, label: str):
    return next(b for b in document.blocks if any(c.text == label for r in b.rows for c in r))


def row_with(block, label: str):
    return next(r for r in block.rows if any(c.text == label for c in r))
