"""Word (.docx/.doc/.wps) and Excel (.xlsx/.xls) readers: grids with merged cells repeated,
nested and framed tables, tracked changes, cached formula values; LibreOffice conversion under a
timeout with a private profile; broken files refused with a one-line reason."""
from __future__ import annotations

import functools
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import extract.libreoffice
import extract.limits
import extract.office
from extract import Unreadable, extract_report
from ogi.errors import exit_code
from attachment_fixtures import APPLICANT_KEYS, block_with, data, expected, figure, make, row_with
from extract.document import Document
from extract.office import read_doc, read_docx, read_wps, read_xls, read_xlsx


HAS_SOFFICE = extract.libreoffice.soffice_path() is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
READERS = {"docx": read_docx, "doc": read_doc, "wps": read_wps, "xlsx": read_xlsx, "xls": read_xls}


@pytest.fixture(scope="module", autouse=True)
def convert_each_file_once():
    """LibreOffice takes a second or two per file: convert each fixture once for this module."""
    cached = functools.lru_cache(maxsize=None)(extract.libreoffice.libreoffice_convert)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extract.office, "libreoffice_convert", cached)
        yield


def read(name: str) -> Document:
    return READERS[name.rsplit(".", 1)[1]](data(name))


def assert_applications_grid(document: Document, stem: str) -> None:
    """Every row of table 3 carries the figures it was generated from, in grid columns 3-9."""
    want = expected(stem)["figures"]["applications"]
    block = block_with(document, "一、本年新收政府信息公开申请数量")
    for key, _group, label in make.T3_ROWS:
        row = row_with(block, label)
        assert [c.col for c in row] == list(range(10)), label
        assert [figure(c.text) for c in row[3:]] == [want[key][k] for k in APPLICANT_KEYS], label


WORD_REPORTS = ["docx_vmerge_blank.docx", "docx_nested_fullwidth.docx", "docx_tracked_dash.docx"]
LEGACY_REPORTS = ["doc_vmerge.doc", "doc_nested.doc", "doc_tracked.doc",
                  "wps_plain.wps", "wps_nested_blank.wps", "wps_spaced_dash.wps"]
SHEET_REPORTS = ["xlsx_one_sheet.xlsx", "xlsx_per_sheet.xlsx", "xlsx_formulas.xlsx",
                 "xls_one_sheet.xls", "xls_per_sheet.xls", "xls_formulas.xls"]


# --------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------

def test_three_level_row_groups_repeat_down_every_row_they_span():
    block = block_with(read("docx_vmerge_blank.docx"), "申请人情况")
    for label in ("1.属于国家秘密", "8.属于行政查询事项"):
        row = row_with(block, label)
        assert [c.text for c in row[:3]] == ["三、本年度办理结果", "（三）不予公开", label]
    assert [c.text for c in row_with(block, "3.其他")[:2]] == ["三、本年度办理结果", "（六）其他处理"]
    assert [c.text for c in row_with(block, "四、结转下年度继续办理")[:3]] == ["四、结转下年度继续办理"] * 3
    # Every repeated position names the one cell it comes from; unmerged cells name none.
    group = {row_with(block, label)[0].origin for label in ("（一）予以公开", "1.属于国家秘密", "（七）总计")}
    assert len(group) == 1 and None not in group
    assert all(c.origin is None for c in row_with(block, "1.属于国家秘密")[2:])


def test_headers_merged_across_and_down():
    block = block_with(read("docx_vmerge_blank.docx"), "申请人情况")
    assert [c.text for c in block.rows[0][3:]] == ["申请人情况"] * 7
    assert [c.text for c in block.rows[1][3:]] == ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
    assert [c.text for c in block.rows[2][3:]] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                                                   "法律服务机构", "其他", "总计"]


def test_blank_cells_meaning_zero_keep_their_grid_position():
    d = read("docx_vmerge_blank.docx")
    block = block_with(d, "申请人情况")
    assert any(c.text == "" for r in block.rows[3:] for c in r[3:])
    assert_applications_grid(d, "docx_vmerge_blank")


def test_paragraphs_of_one_cell_are_joined():
    block = block_with(read("docx_vmerge_blank.docx"), "申请人情况")
    assert row_with(block, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")


def test_tables_nested_in_a_frame_table_are_tables_of_their_own():
    d = read("docx_nested_fullwidth.docx")
    assert len(d.blocks) == 3  # the frame is not a table of figures
    assert d.text.splitlines()[0] == "南阳市人力资源和社会保障局2021年政府信息公开工作年度报告"
    assert d.title is None  # no title property in this file


def test_full_width_digits_and_spaced_headers():
    d = read("docx_nested_fullwidth.docx")
    block = block_with(d, "申请人情况")
    digits = [c.text for r in block.rows[3:] for c in r[3:]]
    assert all(re.fullmatch(r"[０-９]+", t) for t in digits)
    assert [c.text for c in block.rows[2][4:9]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert_applications_grid(d, "docx_nested_fullwidth")


def test_tracked_changes_show_the_current_text():
    d = read("docx_tracked_dash.docx")
    block = block_with(d, "申请人情况")
    cell = row_with(block, "一、本年新收政府信息公开申请数量")[3]
    want = expected("docx_tracked_dash")["figures"]["applications"]["new_received"]["natural_person"]
    assert figure(cell.text) == want and "99" not in cell.text
    assert_applications_grid(d, "docx_tracked_dash")


def test_word_title_property():
    assert read("docx_vmerge_blank.docx").title == expected("docx_vmerge_blank")["title"]


def test_text_keeps_document_order_and_shows_merged_cells_once():
    lines = read("docx_vmerge_blank.docx").text.splitlines()
    assert lines.index("二、主动公开政府信息情况") < lines.index("第二十条第（一）项") \
        < lines.index("三、收到和处理政府信息公开申请情况")
    assert sum(1 for ln in lines if ln.startswith("三、本年度办理结果")) == 1
    assert lines[-1] == "2023年1月28日"


@needs_soffice
@pytest.mark.parametrize("name", LEGACY_REPORTS)
def test_doc_and_wps_through_libreoffice(name):
    d = read(name)
    assert d.format == name.rsplit(".", 1)[1]
    assert len(d.blocks) == 3
    assert_applications_grid(d, name.rsplit(".", 1)[0])


@needs_soffice
def test_review_table_from_a_word_97_file_has_fifteen_columns():
    # LibreOffice adds grid columns that no cell boundary uses; they must not split a column.
    d = read("doc_vmerge.doc")
    block = block_with(d, "行政复议")
    want = expected("doc_vmerge")["figures"]["review_litigation"]
    assert [c.col for c in block.rows[-1]] == list(range(15))
    assert [figure(c.text) for c in block.rows[-1]] == \
        [want[g][k] for g in make.REVIEW_GROUPS for k in (*make.REVIEW_COLS, "total")]


def test_docx_under_a_doc_name_is_read_without_libreoffice(monkeypatch):
    monkeypatch.setattr(extract.office, "libreoffice_convert", _must_not_convert)
    d = read_doc(data("docx_vmerge_blank.docx"))
    assert d.format == "doc" and len(d.blocks) == 3


def _must_not_convert(*_args):
    raise AssertionError("LibreOffice was called")


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SHEET_REPORTS)
def test_spreadsheets_give_grids_with_merged_cells_repeated(name):
    d = read(name)
    assert d.format == name.rsplit(".", 1)[1]
    block = block_with(d, "申请人情况")
    header = next(r for r in block.rows if r[3].text == "申请人情况")
    assert [c.text for c in header[3:]] == ["申请人情况"] * 7
    assert len({c.origin for c in header[3:]}) == 1 and header[3].origin is not None
    assert row_with(block, "7.属于行政执法案卷")[0].text == "三、本年度办理结果"
    assert_applications_grid(d, name.rsplit(".", 1)[0])


@pytest.mark.parametrize("name", ["xlsx_formulas.xlsx", "xls_formulas.xls"])
def test_formula_cells_give_the_values_excel_saved(name):
    d = read(name)
    want = expected(name.rsplit(".", 1)[0])["figures"]["applications"]["total_processed"]["total"]
    row = row_with(block_with(d, "申请人情况"), "（七）总计")
    assert row[9].text == str(want)


def test_numbers_are_written_as_typed():
    d = read("xlsx_one_sheet.xlsx")
    fees = expected("xlsx_one_sheet")["figures"]["active"]["fees"]["amount"]
    cell = row_with(block_with(d, "行政事业性收费"), "行政事业性收费")[1]
    assert float(cell.text) == fees and not cell.text.endswith(".0")
    assert all(not c.text.endswith(".0") for b in d.blocks for r in b.rows for c in r)


def test_one_block_per_table_on_a_sheet():
    d = read("xlsx_one_sheet.xlsx")
    assert sum(1 for b in d.blocks if len(b.rows) > 3) == 3
    assert d.title == expected("xlsx_one_sheet")["title"]


# --------------------------------------------------------------------------------------------
# Broken files, limits, LibreOffice failures
# --------------------------------------------------------------------------------------------

def test_corrupt_docx_is_unreadable():
    with pytest.raises(Unreadable, match="damaged .docx") as err:
        read_docx(data("bad_corrupt.docx"))
    assert "\n" not in err.value.reason


def test_zip_that_is_not_a_word_document_is_unreadable():
    with pytest.raises(Unreadable, match="damaged .docx"):
        read_docx(data("xlsx_one_sheet.xlsx"))


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(extract.limits, "MAX_OOXML_UNPACKED_BYTES", 20_000)
    with pytest.raises(Unreadable, match="unpacks to"):
        read_docx(data("docx_vmerge_blank.docx"))


def test_unknown_bytes_named_doc_are_refused_without_libreoffice(monkeypatch):
    monkeypatch.setattr(extract.office, "libreoffice_convert", _must_not_convert)
    with pytest.raises(Unreadable, match="unknown signature"):
        read_wps(b"\x00\x01garbage" * 100)


def test_corrupt_xls_is_unreadable():
    bad = data("xls_one_sheet.xls")[:600] + b"\x00" * 3000
    with pytest.raises(Unreadable, match=r"\.xls") as err:
        read_xls(bad)
    assert "\n" not in err.value.reason


def test_missing_libreoffice_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(extract.libreoffice, "soffice_path", lambda: None)
    with pytest.raises(Unreadable) as err:
        extract.libreoffice.libreoffice_convert(data("doc_vmerge.doc"), "doc", "docx", ".doc")
    assert err.value.reason == "LibreOffice (soffice) is not installed: cannot read .doc"


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_libreoffice_that_hangs_is_killed_after_the_timeout(monkeypatch, tmp_path):
    pidfile = tmp_path / "child.pid"
    # Like soffice: a launcher whose child does the work (and here never finishes).
    fake = _fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pidfile}\nwait")
    monkeypatch.setattr(extract.libreoffice, "soffice_path", lambda: fake)
    monkeypatch.setattr(extract.libreoffice, "SOFFICE_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(Unreadable, match="timed out after 1 s converting .wps"):
        extract.libreoffice.libreoffice_convert(b"\xd0\xcf\x11\xe0" + b"x" * 100, "doc", "docx", ".wps")
    assert time.monotonic() - started < 10
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10  # the kill is sent at once; a busy machine may show it late
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan stays a zombie until its new parent reaps it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_libreoffice_that_converts_nothing_is_a_clear_error(monkeypatch, tmp_path):
    fake = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0")
    monkeypatch.setattr(extract.libreoffice, "soffice_path", lambda: fake)
    with pytest.raises(Unreadable, match="could not convert the .doc file: Error: source file could not be loaded"):
        extract.libreoffice.libreoffice_convert(b"\xd0\xcf\x11\xe0" + b"x" * 100, "doc", "docx", ".doc")


@needs_soffice
def test_parallel_conversions_do_not_share_a_profile():
    convert = extract.libreoffice.libreoffice_convert  # the real one, not this module's cache
    docs = [data("doc_tracked.doc"), data("wps_spaced_dash.wps")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda b: convert(b, "doc", "docx", ".doc"), docs))
    assert all(r.startswith(b"PK\x03\x04") for r in results)


def test_ole_file_without_a_word_document_is_refused_without_libreoffice(monkeypatch):
    monkeypatch.setattr(extract.office, "libreoffice_convert", _must_not_convert)
    with pytest.raises(Unreadable, match="no WordDocument stream"):
        read_doc(data("xls_one_sheet.xls"))


# --------------------------------------------------------------------------------------------
# End to end (needs the shared figure mapper and metadata step)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", WORD_REPORTS + SHEET_REPORTS
                         + [pytest.param(n, marks=needs_soffice) for n in LEGACY_REPORTS])
def test_extract_report_matches_the_label(name):
    want = expected(name.rsplit(".", 1)[0])
    report = extract_report(data(name), url=want["_fetch"]["url"],
                            content_type=want["_fetch"]["content_type"]).to_dict()
    for key in ("title", "agency", "year", "published", "format", "template", "figures"):
        assert report[key] == want[key], key


def test_extract_report_refuses_a_corrupt_docx_with_exit_2():
    want = expected("bad_corrupt")
    with pytest.raises(Unreadable) as err:
        extract_report(data("bad_corrupt.docx"), url=want["_fetch"]["url"], content_type=want["_fetch"]["content_type"])
    assert exit_code(err.value) == want["_expect_exit"]

