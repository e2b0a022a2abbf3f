"""PDF reader: ruled tables as faithful grids (merged cells, page breaks, vertical labels, spaced
headers, page numbers), flattened tables as lines, scans and broken files refused cleanly."""
from __future__ import annotations

import random
import re

import pytest

from extract import ExtractError, ImageOnly, NotAReport, Unreadable, extract_report
from ogi.errors import exit_code
from attachment_fixtures import APPLICANT_KEYS, block_with, data, expected, figure, make, row_with
from extract.document import Document
from extract.pdf import Readings, _readings, read_pdf


PAGE_MARK = re.compile(r"[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页")


_readings_of: dict[str, Readings] = {}


def readings(name: str) -> Readings:
    if name not in _readings_of:
        _readings_of[name] = _readings(data(name))
    return _readings_of[name]


def doc(name: str) -> Document:
    """The ruled grids and the text lines: the reading by drawn lines, on its own (the tables
    placed by geometry are tested in test_pdf_layout.py)."""
    r = readings(name)
    return Document(format="pdf", text=r.document.text, blocks=r.grids + ([r.lines] if r.lines else []),
                    title=r.document.title)


def assert_applications_grid(document: Document, stem: str) -> None:
    """Every row of table 3 carries the figures it was generated from, in its own 7 columns."""
    want = expected(stem)["figures"]["applications"]
    block = block_with(document, "一、本年新收政府信息公开申请数量")
    for key, _group, label in make.T3_ROWS:
        row = row_with(block, label)
        values = [c.text for c in row if c.col is not None and c.col >= 3] if row[0].col is not None else \
            [c.text for c in row][-7:]
        assert [figure(v) for v in values] == [want[key][k] for k in APPLICANT_KEYS], label


# --------------------------------------------------------------------------------------------
# Ruled tables
# --------------------------------------------------------------------------------------------

def grids(d: Document) -> list:
    """The ruled tables; the last block is always the text lines (the fallback for borderless
    tables), whose cells have no grid column."""
    assert all(c.col is None for r in d.blocks[-1].rows for c in r)
    return [b for b in d.blocks[:-1]]


def test_ruled_tables_become_three_grids_with_columns():
    d = doc("pdf_ruled_repeat_header.pdf")
    assert len(grids(d)) == 3
    widths = [max(c.col for r in b.rows for c in r) + 1 for b in grids(d)]
    assert widths == [4, 10, 15]
    for block in grids(d):
        for row in block.rows:
            assert [c.col for c in row] == list(range(len(row)))


def test_merged_cells_repeat_over_every_position_they_cover():
    block = block_with(doc("pdf_ruled_repeat_header.pdf"), "申请人情况")
    header = block.rows[1]
    assert [c.text for c in header[4:9]] == ["法人或其他组织"] * 5
    assert [c.text for c in block.rows[0][3:10]] == ["申请人情况"] * 7
    granted = row_with(block, "（一）予以公开")
    assert granted[1].text == granted[2].text == "（一）予以公开"
    # Repeated positions name the cell they come from, so one spanned figure is read once.
    assert granted[1].origin == granted[2].origin is not None
    assert row_with(block, "（七）总计")[0].origin == granted[0].origin is not None
    assert all(c.origin is None for c in granted[3:])
    licensing = row_with(block_with(doc("pdf_ruled_repeat_header.pdf"), "行政许可"), "行政许可")
    assert len({c.origin for c in licensing[1:]}) == 1 and licensing[1].origin is not None


def test_table_over_a_page_break_is_one_grid_with_its_repeated_header_dropped():
    d = doc("pdf_ruled_repeat_header.pdf")
    block = block_with(d, "申请人情况")
    assert sum(1 for r in block.rows if r[3].text == "申请人情况") == 1
    labels = [r[2].text for r in block.rows]
    # 6.… is printed on page 2 and 7.… on page 3; both are rows of the same grid, in order.
    assert labels.index("7.属于行政执法案卷") == labels.index("6.属于四类过程性信息") + 1
    assert len(block.rows) == 3 + len(make.T3_ROWS)


def test_row_group_labels_reach_rows_continued_on_the_next_page():
    block = block_with(doc("pdf_ruled_repeat_header.pdf"), "申请人情况")
    row = row_with(block, "8.属于行政查询事项")
    assert row[0].text == "三、本年度办理结果"
    assert row[1].text == "（三）不予公开"
    assert row_with(block, "（七）总计")[0].text == "三、本年度办理结果"


def test_vertical_one_character_per_line_label_is_joined():
    block = block_with(doc("pdf_ruled_repeat_header.pdf"), "申请人情况")
    texts = {c.text for r in block.rows for c in r}
    assert "三、本年度办理结果" in texts
    assert not any(len(t) == 1 and "\u4e00" <= t <= "\u9fff" for t in texts)


def test_spaced_out_header_words_lose_their_spaces():
    block = block_with(doc("pdf_ruled_repeat_header.pdf"), "申请人情况")
    assert [c.text for c in block.rows[2][3:10]] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                                                      "法律服务机构", "其他", "总计"]


def test_page_numbers_inside_the_table_area_are_dropped():
    d = doc("pdf_ruled_repeat_header.pdf")
    cells = [c.text for b in d.blocks for r in b.rows for c in r]
    assert not any(PAGE_MARK.search(t) for t in cells)
    assert not any(PAGE_MARK.fullmatch(line.strip()) for line in d.text.splitlines())
    # ...and the cell it was printed in still holds just its figure.
    assert_applications_grid(d, "pdf_ruled_repeat_header")


def test_wrapped_cells_are_joined_without_separators_between_cjk():
    block = block_with(doc("pdf_ruled_repeat_header.pdf"), "申请人情况")
    texts = {c.text for r in block.rows for c in r}
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in texts
    assert "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in texts
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in texts


def test_tables_continued_without_a_repeated_header():
    d = doc("pdf_ruled_continued.pdf")
    assert len(grids(d)) == 3
    active = block_with(d, "第二十条第（一）项")
    assert len(active.rows) == 14  # split before 行政许可, joined again
    assert row_with(active, "行政许可")[1].text == "无"
    assert row_with(active, "行政规范性文件")[3].text.endswith("（其中修订6件）")
    assert_applications_grid(d, "pdf_ruled_continued")


def test_running_header_and_continued_caption_do_not_break_a_table():
    d = doc("pdf_ruled_continued.pdf")
    assert len(grids(d)) == 3
    assert "郑州市金水区市场监督管理局政务公开办公室" not in d.text  # printed atop every page


def test_review_table_row_of_fifteen_figures():
    d = doc("pdf_ruled_repeat_header.pdf")
    want = expected("pdf_ruled_repeat_header")["figures"]["review_litigation"]
    block = block_with(d, "行政复议")
    values = [figure(c.text) for c in block.rows[-1]]
    assert values == [want[g][k] for g in make.REVIEW_GROUPS for k in (*make.REVIEW_COLS, "total")]


# --------------------------------------------------------------------------------------------
# Text, title
# --------------------------------------------------------------------------------------------

def test_text_has_paragraphs_not_wrapped_lines():
    d = doc("pdf_ruled_repeat_header.pdf")
    lines = d.text.splitlines()
    assert lines[0] == "漯河市商务局2022年政府信息公开工作年度报告"
    first = next(line for line in lines if line.startswith("2022年，"))
    assert first.endswith("结果公开。")  # one paragraph, three printed lines
    assert lines[-2:] == ["漯河市商务局", "2023年1月31日"]


def test_title_broken_over_two_lines_is_one_line_of_text():
    assert doc("pdf_ruled_continued.pdf").text.splitlines()[0] == \
        "郑州市金水区市场监督管理局2022年政府信息公开工作年度报告"


def test_title_property_used_only_when_it_names_something():
    assert doc("pdf_ruled_repeat_header.pdf").title == expected("pdf_ruled_repeat_header")["title"]
    assert doc("pdf_ruled_continued.pdf").title is None  # "Microsoft Word - 附件1.docx"


# --------------------------------------------------------------------------------------------
# Flattened tables (no ruling lines)
# --------------------------------------------------------------------------------------------

def test_pdf_without_ruled_tables_gives_its_lines_as_rows_of_cells():
    d = doc("pdf_flat_text.pdf")
    assert len(d.blocks) == 1 and d.blocks[0].rows_known
    assert all(c.col is None for r in d.blocks[0].rows for c in r)
    assert_applications_grid(d, "pdf_flat_text")


def test_flattened_wrapped_labels_go_back_into_their_row():
    block = doc("pdf_flat_text.pdf").blocks[0]
    texts = [c.text for r in block.rows for c in r]
    assert "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in texts
    assert "关不再处理其政府信息公开申请" not in texts
    granted = row_with(block, "（一）予以公开")
    assert granted[0].text == "三、本年度办理结果"
    # The group label and the numbered item are separate cells, though only a narrow gap parts them.
    row = row_with(block, "（六）其他处理")
    assert row[1].text.startswith("1.申请人无正当理由")


# --------------------------------------------------------------------------------------------
# Scans and broken files
# --------------------------------------------------------------------------------------------

def test_image_only_pdf_is_refused_as_a_scan():
    with pytest.raises(ImageOnly) as err:
        read_pdf(data("pdf_image_only.pdf"))
    assert err.value.reason == "image-only PDF" and err.value.status == "image_only"


def test_truncated_pdf_is_unreadable():
    with pytest.raises(Unreadable, match="truncated"):
        read_pdf(data("bad_truncated.pdf"))


def test_encrypted_pdf_is_unreadable():
    with pytest.raises(Unreadable, match="password") as err:
        read_pdf(data("bad_encrypted.pdf"))
    assert "\n" not in err.value.reason


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    # Agencies often "protect" reports against copying: the file opens without a password.
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    path = tmp_path / "owner.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    c.setFont(make._font("WQY"), 14)
    c.drawString(72, 720, "某某县人民政府2022年政府信息公开工作年度报告")
    c.save()
    assert read_pdf(path.read_bytes()).text == "某某县人民政府2022年政府信息公开工作年度报告"


def test_pdf_whose_fonts_cannot_be_decoded_is_unreadable(tmp_path):
    # A CID font without a usable Unicode map (here: encrypted CMap use pdfminer cannot follow)
    # yields "(cid:123)" placeholders, not text.
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    path = tmp_path / "cid.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("", ownerPassword="owner"))
    c.setFont(make._font("STSong-Light"), 14)
    c.drawString(72, 720, "某某县人民政府2022年政府信息公开工作年度报告")
    c.save()
    with pytest.raises(Unreadable, match="Unicode"):
        read_pdf(path.read_bytes())


def test_garbage_between_pdf_markers_is_unreadable():
    with pytest.raises(Unreadable) as err:
        read_pdf(b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(5000)) + b"\n%%EOF\n")
    assert "\n" not in err.value.reason


@pytest.mark.parametrize("seed", range(8))
def test_damaged_pdfs_never_leak_library_exceptions(seed):
    good = bytearray(data("pdf_ruled_continued.pdf"))
    rng = random.Random(seed)
    for _ in range(20):
        at = rng.randrange(len(good) - 64)
        good[at:at + 16] = bytes(rng.randrange(256) for _ in range(16))
    try:
        result = read_pdf(bytes(good))
    except ExtractError as exc:
        assert exc.reason and "\n" not in exc.reason
    else:
        assert isinstance(result, Document)


def test_page_limit(monkeypatch):
    monkeypatch.setattr("extract.pdf.MAX_PAGES", 2)
    with pytest.raises(Unreadable, match="3 pages"):
        read_pdf(data("pdf_ruled_continued.pdf"))


def test_oversized_document_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr("extract.pipeline.MAX_BYTES", 10_000)
    with pytest.raises(Unreadable, match="limit"):
        extract_report(data("pdf_ruled_continued.pdf"), url="http://www.example.gov.cn/a.pdf")


# --------------------------------------------------------------------------------------------
# End to end (needs the shared figure mapper and metadata step)
# --------------------------------------------------------------------------------------------

PDF_REPORTS = ["pdf_ruled_repeat_header", "pdf_ruled_continued", "pdf_flat_text"]


@pytest.mark.parametrize("stem", PDF_REPORTS)
def test_extract_report_matches_the_label(stem):
    want = expected(stem)
    report = extract_report(data(f"{stem}.pdf"), url=want["_fetch"]["url"],
                            content_type=want["_fetch"]["content_type"]).to_dict()
    for key in ("title", "agency", "year", "published", "format", "template", "figures"):
        assert report[key] == want[key], key


@pytest.mark.parametrize("stem,error", [("pdf_image_only", ImageOnly), ("pdf_not_report", NotAReport),
                                        ("bad_truncated", Unreadable), ("bad_encrypted", Unreadable)])
def test_extract_report_refuses_with_the_right_exit_code(stem, error):
    want = expected(stem)
    with pytest.raises(error) as err:
        extract_report(data(f"{stem}.pdf"), url=want["_fetch"]["url"], content_type="application/pdf")
    assert exit_code(err.value) == want["_expect_exit"]


def test_reader_reads_documents_that_are_not_reports():
    # Deciding what is a report is the metadata step's job; the reader gives what is there.
    d = read_pdf(data("pdf_not_report.pdf"))
    assert d.title == "漯河市商务局2023年部门预算公开"
    assert [c.text for c in d.blocks[0].rows[1]] == ["一般公共预算拨款", "1,234.56", "1,100.20"]
