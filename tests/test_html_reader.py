"""The HTML reader: encodings, Word-exported markup, layout tables, page chrome."""
import pytest

from extract import Unreadable, extract_report
from extract.html import read_html
from extract.tables import grid

import lxml.html

TITLE = "某某县财政局2022年政府信息公开工作年度报告"
BODY = (f"<h1>{TITLE}</h1><p>一、总体情况</p><p>本年度共收到申请三件。</p>"
        "<table><tr><td>信息内容</td><td>本年处理决定数量</td></tr><tr><td>行政许可</td><td>1,234</td></tr></table>"
        "<p>某某县财政局</p><p>2023年1月30日</p>")


def page(head="", body=BODY, counter="1"):
    return (f"<html><head>{head}<title>{TITLE}_某某县人民政府</title></head><body>"
            f"<div class='top'>首页 | 政府信息公开 | 今天是2023年2月3日 星期五</div>"
            f"<div class='article'><div class='info'>发布时间：2023-01-31 浏览次数：{counter} 字号：大 中 小</div>{body}</div>"
            "<div class='footer'>主办单位：某某县人民政府办公室 备案号：豫ICP备12345678号</div></body></html>")


@pytest.mark.parametrize("encoding, head, content_type", [
    ("utf-8", "<meta charset='utf-8'>", None),
    ("gbk", "<meta charset='gbk'>", None),
    ("gb2312", "<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>", None),
    ("gb18030", "", "text/html"),            # no declaration anywhere
    ("gbk", "", "text/html; charset=GBK"),   # declared only in the HTTP header
    ("gbk", "<meta charset='utf-8'>", None),  # declared wrong
])
def test_encodings(encoding, head, content_type):
    data = page(head).encode(encoding)
    report = extract_report(data, url="http://x.gov.cn/t.html", content_type=content_type)
    assert report.title == TITLE and report.agency == "某某县财政局"
    assert report.figures["active"]["licensing"]["decisions"] == 1234


def test_page_chrome_does_not_reach_the_main_text():
    a = extract_report(page(counter="12").encode()).text
    b = extract_report(page(counter="98765").encode()).text
    assert a == b
    assert "本年度共收到申请三件" in a and "浏览次数" not in a


def test_word_runs_split_mid_number_and_nbsp_cells():
    html = ("<table><tr><td><p class=MsoNormal><span lang=EN-US>信息内容</span></p></td>"
            "<td><p><span>本年处理决定数量</span></p></td></tr>"
            "<tr><td><p><span style='font-family:仿宋'>行政</span><span>处罚</span></p></td>"
            "<td><p><span lang=EN-US>2</span><span lang=EN-US>3<o:p></o:p></span></p></td></tr>"
            "<tr><td><p>行政强制</p></td><td><p><span>&nbsp;<o:p></o:p></span></p></td></tr></table>")
    report = extract_report(page("<meta charset='utf-8'>", f"<h1>{TITLE}</h1>{html}").encode())
    assert report.figures["active"]["punishment"] == {"decisions": 23}
    assert report.figures["active"]["coercion"] == {"decisions": 0}


def test_grid_expands_row_and_column_spans():
    table = lxml.html.fromstring("<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr><tr><td>c</td><td>d</td></tr></table>")
    rows = grid(table)
    assert [[c.text for c in r] for r in rows] == [["A", "B", "B"], ["A", "c", "d"]]
    assert [c.col for c in rows[1]] == [0, 1, 2]


def test_article_inside_a_layout_table_is_still_read_as_a_stream():
    cells = "".join(f"<p>{c}</p>" for c in ["信息内容", "本年处理决定数量", "行政许可", "7"])
    html = f"<table><tr><td>nav</td><td><table><tr><td><h1>{TITLE}</h1>{cells}</td></tr></table></td></tr></table>"
    doc = read_html(page("<meta charset='utf-8'>", html).encode())
    stream = [c.text for c in doc.blocks[-1].rows[0]]
    start = stream.index("信息内容")
    assert stream[start:start + 4] == ["信息内容", "本年处理决定数量", "行政许可", "7"]


def test_unparseable_or_empty_html():
    with pytest.raises(Unreadable):
        read_html(b"   \n ")


def test_report_title_in_a_styled_div_when_the_page_title_is_the_site_name():
    html = ("<html><head><meta charset='utf-8'><title>某某县人民政府</title></head><body>"
            "<div class='nav'>首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>"
            f"<div class='detail-title'>{TITLE}</div><div class='content'>{BODY}</div></body></html>")
    report = extract_report(html.replace(f"<h1>{TITLE}</h1>", "").encode())
    assert report.title == TITLE and report.agency == "某某县财政局" and report.year == 2022
