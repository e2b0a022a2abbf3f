import pytest

from extract import NotAReport, extract_report
from ogi.errors import exit_code
from extract.document import Document
from extract.meta import clean_title, find_agency, find_metadata, find_report_year


@pytest.mark.parametrize("title, agency, year", [
    ("漯河市商务局2022年政府信息公开工作年度报告", "漯河市商务局", 2022),
    ("2022年漯河市商务局政府信息公开工作年度报告", "漯河市商务局", 2022),
    ("漯河市商务局2022年度政府信息公开工作年度报告", "漯河市商务局", 2022),
    ("漯河市人民政府2021年政府信息公开工作年度报告", "漯河市人民政府", 2021),
    ("2021年漯河市人民政府信息公开工作年度报告", "漯河市人民政府", 2021),
    ("2021年漯河市人民政府政府信息公开工作年度报告", "漯河市人民政府", 2021),
    ("北京市海淀区人民政府二〇二二年政府信息公开工作年度报告", "北京市海淀区人民政府", 2022),
    ("中国证监会2023年政府信息公开工作年度报告", "中国证监会", 2023),
    ("关于漯河市商务局2022年政府信息公开工作年度报告", "漯河市商务局", 2022),
    ("郑州市金水区人民政府政府信息公开工作年度报告（2023年）", "郑州市金水区人民政府", 2023),
    ("上海市人力资源和社会保障局2005年政府信息公开年度报告", "上海市人力资源和社会保障局", 2005),
    ("2022年度漯河市商务局政务公开工作年度报告", "漯河市商务局", 2022),
    ("2022年政府信息公开工作年度报告（漯河市商务局）", "漯河市商务局", 2022),
])
def test_agency_and_year_from_title(title, agency, year):
    assert find_agency(title, "") == agency
    assert find_report_year(title, "", None) == year


def test_site_suffix_is_removed_from_title():
    assert clean_title("漯河市商务局2022年政府信息公开工作年度报告_漯河市人民政府") == "漯河市商务局2022年政府信息公开工作年度报告"
    assert clean_title("漯河市商务局2022年政府信息公开工作年度报告 - 漯河市商务局网站") == "漯河市商务局2022年政府信息公开工作年度报告"


def test_report_year_is_not_the_publication_year():
    doc = Document(format="html", text="2022年政府信息公开工作年度报告\n正文\n某某县统计局\n2023年1月31日",
                   title="2022年政府信息公开工作年度报告")
    meta = find_metadata(doc, {})
    assert meta.year == 2022 and meta.published == "2023-01-31"
    # agency not in the title: the signature above the date names it
    assert meta.agency == "某某县统计局"


@pytest.mark.parametrize("head, published", [
    ('<meta name="PubDate" content="2023-01-31 09:30">', "2023-01-31"),
    ('<meta name="firstpublishedtime" content="2023-02-01-10:00:00">', "2023-02-01"),
    ("", "2023-01-20"),
])
def test_published_date(head, published):
    body = "<p>发布时间：2023-01-20</p>" if not head else ""
    html = (f"<html><head><meta charset='utf-8'>{head}<title>某县2022年政府信息公开工作年度报告</title></head>"
            f"<body>{body}<p>一、总体情况</p><p>某县人民政府</p><p>2023年3月1日</p></body></html>").encode()
    assert extract_report(html).published == published


@pytest.mark.parametrize("title", [
    "某某有限公司2022年度企业年报公示", "某某局2023年部门预算公开", "某某局2022年部门决算",
    "某某市人民政府信息公开指南", "2023年政务公开工作要点",
])
def test_distractors_are_not_reports(title):
    html = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            "<table><tr><td>行政事业性收费</td><td>12.5</td></tr></table></body></html>").encode()
    with pytest.raises(NotAReport) as exc:
        extract_report(html)
    assert exit_code(exc.value) == 3 and "\n" not in exc.value.reason


def test_title_broken_over_two_lines():
    text = "宿州市人民政府2016年\n政府信息公开工作年度报告\n宿州市人民政府办公室\n2017年3月\n一、概述"
    meta = find_metadata(Document(format="pdf", text=text), {})
    assert meta.title == "宿州市人民政府2016年政府信息公开工作年度报告"
    assert (meta.agency, meta.year, meta.is_report) == ("宿州市人民政府", 2016, True)


@pytest.mark.parametrize("url, published", [
    ("http://www.x.gov.cn/xxgk/zfxxgknb/202301/t20230131_123456.html", "2023-01-31"),
    ("http://www.x.gov.cn/art/2023/1/20/art_1229_5001.html", "2023-01-20"),
    ("https://www.shanghai.gov.cn/nw12344/20230331/4a03b5fa47ae4c73b7ec42801de6be66.html", "2023-03-31"),
])
def test_publication_date_from_the_cms_url_when_the_page_has_none(url, published):
    html = ("<html><head><meta charset='utf-8'><title>某县2022年政府信息公开工作年度报告</title></head>"
            "<body><p>一、总体情况</p><p>正文</p></body></html>").encode()
    assert extract_report(html, url=url).published == published
