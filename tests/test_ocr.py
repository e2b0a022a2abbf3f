"""Scanned reports read by OCR (extract/ocr.py, extract/scan.py).

The scans are made here from the generated PDF fixtures (bench/scans.py: rendered, turned by a
degree or so, noisy, JPEG), so the truth is each fixture's label. OCR is slow (seconds per
page), so each scan is read once per module and only a few pages are read in all.
"""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from attachment_fixtures import data, expected

from bench.scans import degrade, image_docx, image_html, image_pdf, render_pages, scanned
from extract import ImageOnly, NotAReport, extract_report, ocr
from extract.checks import evaluate
from extract.scan import OcrLimits, check_terms, docx_pictures, html_pictures, trusted_figures
from ogi.errors import exit_code

needs_engine = pytest.mark.skipif(not ocr.available(),
                                  reason="OCR engine rapidocr-onnxruntime not installed (pip install -c constraints.txt -e .)")


def _cells(figures: dict) -> dict:
    return {(t, r, c): v for t, rows in figures.items() for r, cols in rows.items() for c, v in cols.items()}


def _assert_read(report, want: dict, floor: float, tables=("active", "applications", "review_litigation")) -> None:
    """Never a wrong or invented figure; at least `floor` of the labelled cells of `tables`."""
    truth, got = _cells(want["figures"]), _cells(report.figures)
    wrong = {k: (v, got[k]) for k, v in truth.items() if k in got and got[k] != v}
    assert not wrong, wrong
    assert not set(got) - set(truth), set(got) - set(truth)
    wanted = [k for k in truth if k[0] in tables]
    assert sum(1 for k in wanted if k in got) >= floor * len(wanted), f"{len(got)} of {len(wanted)} cells"
    assert all(c.ok for c in report.checks), [c for c in report.checks if not c.ok]


# The generated fixture prints zeros as 0, blank, "—", "/" and "无" at random: OCR reads "/" as a
# 7 or a 1 now and then, the row's check then fails and its cells are left out. Real reports
# print 0 (bench/ocr.py measures them: bench/RESULTS.md).
GENERATED_FLOOR = 0.75


# --------------------------------------------------------------------------------------------
# Image work without the engine
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,mended", [
    ("105.", "105"), ("0°", "0"), ("D", "0"), ("1O5", "105"), ("l2", "12"), ("96171.6", "96171.6"),
    ("2024年", "2024年"), ("1.属于国家秘密", "1.属于国家秘密"), ("Dog", "Dog"), ("（一）", "（一）"),
])
def test_numbers_are_mended_only_where_the_token_can_only_be_a_number(text, mended):
    assert ocr.mend_number(text) == mended


@pytest.fixture(scope="module")
def table_page():
    """Page 2 of a ruled report fixture (table 3 starts there), rendered at 150 dpi."""
    return render_pages(data("pdf_ruled_continued.pdf"), 150, [1])[0]


@pytest.mark.parametrize("angle", [1.5, -2.0, 0.0])
def test_skew_is_measured_to_a_tenth_of_a_degree(table_page, angle):
    gray = ocr.to_gray(degrade(table_page, angle, noise=10, seed=3))
    assert abs(ocr.estimate_skew(gray) - angle) <= 0.1


def test_ruling_lines_of_a_turned_noisy_table_are_found_after_deskew(table_page):
    straight = ocr.find_rules(ocr.to_gray(table_page))
    gray = ocr.to_gray(degrade(table_page, 1.5, noise=10, seed=4))
    found = ocr.find_rules(ocr.rotate(gray, -ocr.estimate_skew(gray)))
    horizontal = [r for r in found if r.top == r.bottom]
    vertical = [r for r in found if r.x0 == r.x1]
    assert len(horizontal) >= 10 and len(vertical) >= 4
    # Every straight line is found again within a few pixels (turning moves the page a little).
    for rule in (r for r in straight if r.top == r.bottom and r.x1 - r.x0 > 300):
        assert any(abs(h.top - rule.top) < 12 and abs(h.x0 - rule.x0) < 20 for h in horizontal), rule


# --------------------------------------------------------------------------------------------
# The figure gate
# --------------------------------------------------------------------------------------------

def _apps(rows: dict) -> dict:
    return {"applications": {row: dict(zip(("natural_person", "commercial_enterprise", "research_institution",
                                            "social_welfare_org", "legal_service_org", "other_org", "total"), v))
                             for row, v in rows.items()}}


def test_a_figure_is_kept_when_a_holding_check_adds_it_up_even_if_read_with_low_confidence():
    figures = _apps({"new_received": (3, 1, 0, 0, 0, 0, 4)})
    masked = _apps({"new_received": (987654321, 1, 0, 0, 0, 0, 4)})  # the 3 was read unsurely
    kept, counts = trusted_figures(figures, masked, evaluate(figures))
    assert kept == figures and counts["proven"] == 7


def test_an_unsure_figure_outside_any_holding_check_is_dropped_a_confident_one_kept():
    # Row total fails (30 + 1 ≠ 4): the unsure 30 is left out, the confident figures stay (a
    # failing check whose figures were all read confidently is the agency's own error).
    figures = _apps({"new_received": (30, 1, 0, 0, 0, 0, 4)})
    figures["review_litigation"] = {"review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}}
    figures["active"] = {"licensing": {"decisions": 12}, "punishment": {"decisions": 7}}
    masked = json.loads(json.dumps(figures))
    masked["applications"]["new_received"]["natural_person"] = 987654321
    masked["active"]["licensing"]["decisions"] = 987654321
    kept, counts = trusted_figures(figures, masked, evaluate(figures))
    assert "natural_person" not in kept["applications"]["new_received"]
    assert kept["applications"]["new_received"]["total"] == 4
    assert kept["review_litigation"] == figures["review_litigation"]
    assert kept["active"] == {"punishment": {"decisions": 7}}
    assert counts == {"kept": 12, "dropped": 2, "proven": 5}


def test_sentinels_never_reach_the_output():
    figures = _apps({"new_received": (987654320, 1, 0, 0, 0, 0, 4)})
    kept, _ = trusted_figures(figures, figures, evaluate(figures))
    assert 987654320 not in kept["applications"]["new_received"].values()


def test_figures_a_text_layer_gave_are_kept_as_they_are():
    figures = _apps({"new_received": (30, 1, 0, 0, 0, 0, 4)})
    kept, _ = trusted_figures(figures, {}, evaluate(figures), given=figures)
    assert kept == figures


def test_every_check_names_the_figures_it_adds_up():
    figures = _apps({r: (1, 0, 0, 0, 0, 0, 1) for r in ("new_received", "carried_over", "granted",
                                                          "total_processed", "carried_forward")})
    for check in evaluate(figures):
        terms = check_terms(check.rule)
        assert terms, check.rule
        assert all(t[0] in ("applications", "review_litigation") for t in terms)


# --------------------------------------------------------------------------------------------
# Where pictures come from
# --------------------------------------------------------------------------------------------

def test_docx_pictures_come_in_document_order():
    from PIL import Image

    pictures = [Image.new("L", (300, 300), shade) for shade in (10, 120, 240)]
    body = docx_pictures(image_docx(pictures, ["标题"]))
    shades = [Image.open(io.BytesIO(b)).getpixel((5, 5)) for b in body]
    assert len(shades) == 3 and shades[0] < shades[1] < shades[2]


def test_html_pictures_resolve_relative_sources_against_the_page_url():
    from PIL import Image

    html, resources = image_html([Image.new("L", (300, 300), 0)], "http://x.gov.cn/art/2023/1/a.html")
    assert list(resources) == ["http://x.gov.cn/art/2023/1/W01.jpg"]
    assert html_pictures(html, "http://x.gov.cn/art/2023/1/a.html", resources) == list(resources.values())
    assert html_pictures(html, "http://elsewhere.cn/a.html", resources) == []


# --------------------------------------------------------------------------------------------
# Scans read end to end (the engine)
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ruled_scan():
    """A 3-page ruled report, scanned at 200 dpi, each page turned 0.5–1.5° and noisy."""
    return scanned(data("pdf_ruled_continued.pdf"), dpi=200, seed=7)


@needs_engine
def test_image_only_pdf_of_a_ruled_report_gives_its_figures(ruled_scan):
    want = expected("pdf_ruled_continued")
    report = extract_report(image_pdf(ruled_scan), url=want["_fetch"]["url"])
    _assert_read(report, want, GENERATED_FLOOR)
    assert (report.title, report.agency, report.year) == (want["title"], want["agency"], want["year"])
    assert report.format == "pdf" and report.template == "2021"
    assert report.ocr["engine"].startswith("rapidocr-onnxruntime ")
    assert report.ocr["pages"] == report.ocr["pages_total"] == 3
    assert all(abs(a) >= 0.4 for a in report.ocr["skew_degrees"])  # every page was turned, and undone
    assert report.ocr["figures"]["kept"] == len(_cells(report.figures))


@needs_engine
def test_html_page_whose_tables_are_pictures_reads_them_from_the_resources(ruled_scan):
    want = expected("pdf_ruled_continued")
    url = "http://www.jinshui.gov.cn/xxgk/ndbg/202301/t20230118_202.html"
    # The pages with tables 3 and 4 as pictures; the title and date as the page's own text.
    html, resources = image_html(ruled_scan[1:], url, title=want["title"],
                                 paragraphs=[want["title"], "发布日期：2023-01-18"])
    without = extract_report(html, url=url)
    assert without.ocr is None and "applications" not in without.figures
    report = extract_report(html, url=url, resources=resources)
    _assert_read(report, want, GENERATED_FLOOR, tables=("applications", "review_litigation"))
    assert report.format == "html" and report.ocr["pages"] == 2
    assert (report.title, report.agency, report.year) == (want["title"], want["agency"], want["year"])


@needs_engine
def test_docx_of_a_pasted_scan_reads_the_picture(ruled_scan):
    want = expected("pdf_ruled_continued")
    body = image_docx(ruled_scan[2:], [want["title"], "本报告依据《中华人民共和国政府信息公开条例》编制。"])
    report = extract_report(body, url="http://www.jinshui.gov.cn/a.docx")
    assert report.format == "docx" and report.ocr["pages"] == 1
    # The last page holds the end of table 3 and all of table 4.
    _assert_read(report, want, 1.0, tables=("review_litigation",))


@needs_engine
def test_page_limit_is_said_on_the_report(ruled_scan):
    want = expected("pdf_ruled_continued")
    report = extract_report(image_pdf(ruled_scan[1:]), url=want["_fetch"]["url"], ocr_limits=OcrLimits(max_pages=1))
    assert report.ocr["pages"] == 1 and report.ocr["pages_total"] == 2
    assert report.ocr["truncated"] == "page limit (1)"
    _assert_read(report, want, 0.0)


def test_an_exhausted_time_budget_reads_nothing_and_the_scan_stays_a_failure(ruled_scan):
    with pytest.raises(ImageOnly):
        extract_report(image_pdf(ruled_scan[:1]), ocr_limits=OcrLimits(time_budget=0.0))


def test_ocr_turned_off_leaves_an_image_only_pdf_a_failure(ruled_scan):
    with pytest.raises(ImageOnly):
        extract_report(image_pdf(ruled_scan[:1]), ocr_limits=OcrLimits(enabled=False))


@needs_engine
def test_a_scan_without_text_and_a_scanned_non_report_still_exit_3():
    from PIL import Image

    blank = degrade(Image.new("L", (1240, 1754), 255), 1.0, noise=8, seed=1)
    with pytest.raises(ImageOnly) as err:
        extract_report(image_pdf([blank], 150))
    assert exit_code(err.value) == 3
    not_report = scanned(data("pdf_not_report.pdf"), dpi=150, seed=2)
    with pytest.raises(NotAReport) as err:
        extract_report(image_pdf(not_report, 150))
    assert exit_code(err.value) == 3


def test_nothing_is_downloaded_the_models_are_in_the_wheel():
    rapid = pytest.importorskip("rapidocr_onnxruntime")
    from pathlib import Path

    models = Path(rapid.__file__).parent / "models"
    assert sorted(p.suffix for p in models.iterdir() if p.suffix == ".onnx") == [".onnx"] * 3


def test_docx_without_pictures_is_not_scanned():
    body = image_docx([], ["标题"])
    assert docx_pictures(body) == []
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
