"""PDF tables placed by geometry (`extract.layout` through the PDF reader), on generated PDFs
that set the traps real reports set (tests/fixtures/pdf_layout/_make.py)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pdfplumber
import pytest

from extract.checks import evaluate
from extract.figures import find_figures
from extract.pdf import _readings

FIXTURES = Path(__file__).parent / "fixtures" / "pdf_layout"
STEMS = sorted(p.stem for p in FIXTURES.glob("*.pdf"))


def _make():
    spec = importlib.util.spec_from_file_location("pdf_layout_make", FIXTURES / "_make.py")
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def expected(stem: str) -> dict:
    return json.loads((FIXTURES / f"{stem}.expected.json").read_text(encoding="utf-8"))


_cache: dict = {}


def readings(stem: str):
    if stem not in _cache:
        _cache[stem] = _readings((FIXTURES / f"{stem}.pdf").read_bytes())
    return _cache[stem]


def test_every_trap_has_a_fixture():
    styles = {k for rep in _make().REPORTS for k in rep.style}
    for trap in ("vertical", "group_width", "label_width", "numbers", "typos", "spaced", "break_after",
                 "repeat_header", "subtotal", "blank", "rotate", "review_rows", "ruled"):
        assert trap in styles, trap
    assert {rep.name for rep in _make().REPORTS} == set(STEMS)


def test_committed_fixtures_match_the_generator(tmp_path):
    _make().main(tmp_path)
    drift = [p.name for p in sorted(tmp_path.iterdir()) if p.read_bytes() != (FIXTURES / p.name).read_bytes()]
    assert not drift, f"re-run tests/fixtures/pdf_layout/_make.py: {drift}"


@pytest.mark.parametrize("stem", STEMS)
def test_tables_placed_by_geometry_alone_give_every_figure(stem):
    """The layout reading on its own (no ruled grid, no text lines) reads every cell."""
    got = find_figures(readings(stem).placed)
    assert got == expected(stem)["figures"]
    assert all(c.ok for c in evaluate(got))


@pytest.mark.parametrize("stem", STEMS)
def test_no_ruled_grid_is_found_in_borderless_tables(stem):
    # What makes these fixtures hard: nothing but the text's geometry places the figures.
    assert readings(stem).grids == []


def test_the_rotated_fixture_really_is_rotated():
    with pdfplumber.open(FIXTURES / "pdf_layout_rotated.pdf") as pdf:
        chars = pdf.pages[0].chars
        # Every glyph is drawn at an angle (the text matrix has a shear), so lines climb.
        assert chars and all(abs(c["matrix"][1]) > 0.01 for c in chars)


def test_figures_above_their_labels_are_really_above():
    """In pdf_layout_numbers_before, a row's figures are printed higher than its label: read in
    text-line order they would belong to the row before."""
    with pdfplumber.open(FIXTURES / "pdf_layout_numbers_before.pdf") as pdf:
        words = [w for p in pdf.pages for w in p.extract_words()]
    label = next(w for w in words if w["text"] == "（七）总计")
    want = expected("pdf_layout_numbers_before")["figures"]["applications"]["total_processed"]["total"]
    figure = min((w for w in words if w["text"] == str(want)), key=lambda w: abs(w["top"] - label["top"]))
    assert figure["bottom"] < label["top"] + 1


def test_page_break_fixture_repeats_its_header_and_prints_a_page_number_inside_table_3():
    with pdfplumber.open(FIXTURES / "pdf_layout_page_break.pdf") as pdf:
        texts = [p.extract_text() for p in pdf.pages]
    assert sum(t.count("申请人情况") for t in texts) >= 2
    assert any("- 1 -" in t or "- 2 -" in t for t in texts)
    # The layout reading still gives each row once.
    rows = [c.text for b in readings("pdf_layout_page_break").placed for r in b.rows for c in r]
    assert rows.count("（七）总计") == 1


@pytest.mark.parametrize("seed", range(12))
def test_damaged_word_lists_never_raise(seed, monkeypatch):
    """Words dropped, doubled, moved, replaced (what a damaged PDF or a bad OCR pass gives)."""
    import random

    from extract.layout import read_tables
    from extract.words import Word

    rng = random.Random(seed)
    base = _words(STEMS[seed % len(STEMS)], monkeypatch)
    damaged = []
    for w in base:
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < 0.08:
            w = Word(rng.choice(["", "0", "无", "1.", "（三）", "8000008", w.text * 2]), w.x0, w.x1, w.top, w.bottom, w.page)
        elif roll < 0.12:
            dx, dy = rng.uniform(-20, 20), rng.uniform(-8, 8)
            w = Word(w.text, w.x0 + dx, w.x1 + dx, w.top + dy, w.bottom + dy, w.page)
        damaged.append(w)
        if rng.random() < 0.02:
            damaged.append(w)
    rng.shuffle(damaged)
    blocks = read_tables(damaged, [], None, level=rng.random() < 0.5)
    find_figures(blocks)
    assert all(isinstance(c.text, str) for b in blocks for row in b.rows for c in row)


def _words(stem: str, monkeypatch):
    """The words the PDF reader hands to the layout reader."""
    import extract.pdf as pdf

    seen = {}
    original = pdf.read_tables

    def spy(words, rules, heights, level=False):
        seen["words"] = words
        return original(words, rules, heights, level=level)

    monkeypatch.setattr(pdf, "read_tables", spy)
    _readings((FIXTURES / f"{stem}.pdf").read_bytes())
    return seen["words"]
