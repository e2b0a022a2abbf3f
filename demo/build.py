"""Build the bundled demo portal (demo/site/): a small city portal in two CMS styles.

    .venv/bin/python demo/build.py        # rewrites demo/site/ (the output is committed)

- `/` portal home → `/xxgk/` 政府信息公开 → two report columns, plus distractors on the way
  (部门预算, 企业年报公示, 政务公开工作要点, 信息公开指南) and a robots.txt-disallowed path.
- `/xxgk/zfxxgknb/` a TRS WCM column: two list pages joined only by a JavaScript pager
  (`createPageHTML`), page 2 in GBK; one report page in GBK with no charset declared at all.
- `/col/col1229011/index.html` a Hanweb/大汉 column: its records inside
  `<script type="text/xml"><datastore>`, articles at `/art/yyyy/m/d/art_….html`.
- A notice page ("详见附件") whose report is a PDF (`P0….pdf`) linked only from JavaScript
  (`var file_appendix`), when the PDF reader (extract/pdf.py) exists.

Report pages are rendered by the labelled-fixture generators (tests/fixtures/reports/_make.py,
tests/fixtures/attachments/_make.py), so they carry real report markup (TRS/Hanweb chrome,
Word-pasted tables, visit counters) and a PDF drawn the way Word prints one.
"""
from __future__ import annotations

import html
import importlib.util
import os
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SITE = HERE / "site"
HOST = "demo.luohe.gov.cn"  # what the pages say about themselves; served on 127.0.0.1


def _generator(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


M = _generator("reports_make", "tests/fixtures/reports/_make.py")  # HTML report pages
A = _generator("attachments_make", "tests/fixtures/attachments/_make.py")  # PDF attachments

SITE_INFO = dict(site="漯河市人民政府（演示）", host=HOST, site_code="4111000099", host_org="漯河市人民政府办公室",
                 region_name="漯河市", icp="豫", icp_no="05010239")

# (path, CMS style, encoding, agency, short name, year, published, figures)
REPORTS = [
    ("xxgk/zfxxgknb/202301/t20230131_1001.html", "trs", "utf-8", "漯河市人民政府办公室", "市政府办公室", 2022, "2023-01-31",
     dict(active=M.active21(reg=(1, 0, 12), norm=(9, 3, 41), lic=0, pun=0, coe=0, fee=0.0),
          applications=M.apps(new=(37, 4, 0, 1, 2, 0), carried=(2, 0, 0, 0, 0, 0),
                              granted=(15, 2, 0, 1, 0, 0), partially_granted=(3, 0, 0, 0, 1, 0),
                              unable_not_held=(14, 1, 0, 0, 1, 0), unprocessed_petition=(4, 0, 0, 0, 0, 0),
                              other_other=(1, 0, 0, 0, 0, 0)),
          review_litigation=M.review(review=(2, 1, 0, 0), direct=(1, 0, 0, 1)))),
    ("xxgk/zfxxgknb/202301/t20230130_998.html", "trs", "utf-8", "漯河市商务局", "市商务局", 2022, "2023-01-30",
     dict(active=M.active21(lic=234), applications=M.apps(new=(4, 0, 0, 0, 0, 0), granted=(1, 0, 0, 0, 0, 0),
                                                          unable_not_held=(3, 0, 0, 0, 0, 0)),
          review_litigation=M.review())),
    ("xxgk/zfxxgknb/202202/t20220128_873.html", "trs", "gbk-undeclared", "漯河市人民政府办公室", "市政府办公室", 2021, "2022-01-28",
     dict(active=M.active21(reg=(2, 1, 11), norm=(12, 5, 35)),
          applications=M.apps(new=(29, 3, 1, 0, 0, 1), carried=(1, 0, 0, 0, 0, 0),
                              granted=(12, 1, 1, 0, 0, 0), unable_not_held=(10, 1, 0, 0, 0, 1),
                              unprocessed_duplicate=(3, 0, 0, 0, 0, 0)),
          review_litigation=M.review(review=(1, 0, 0, 0)))),
    ("art/2023/2/10/art_1229011_5001.html", "hanweb", "utf-8", "漯河市财政局", "市财政局", 2022, "2023-02-10",
     dict(active=M.active21(norm=(3, 1, 17), pun=6, fee=0.0),
          applications=M.apps(new=(11, 2, 0, 0, 0, 0), granted=(6, 1, 0, 0, 0, 0),
                              denied_third_party_rights=(1, 0, 0, 0, 0, 0), unable_not_held=(3, 1, 0, 0, 0, 0)),
          review_litigation=M.review(review=(1, 0, 0, 0)))),
    ("art/2023/2/14/art_1229011_5003.html", "hanweb", "utf-8", "漯河市教育局", "市教育局", 2022, "2023-02-14",
     dict(active=M.active21(norm=(5, 2, 23), lic=58, pun=1),
          applications=M.apps(new=(19, 0, 0, 0, 0, 0), carried=(1, 0, 0, 0, 0, 0),
                              granted=(9, 0, 0, 0, 0, 0), unable_needs_creation=(2, 0, 0, 0, 0, 0),
                              unable_not_held=(8, 0, 0, 0, 0, 0)),
          review_litigation=M.review(direct=(0, 0, 0, 1)))),
]
PDF_REPORT = ("xxgk/zfxxgknb/202302/t20230215_1040.html", "P020230215390412788203.pdf", "漯河市民政局", 2022, "2023-02-15")


def report_page(path, style, encoding, agency, short, year, published, figures) -> bytes:
    title = f"{agency}{year}年政府信息公开工作年度报告"
    d = dict(SITE_INFO, title=title, agency=agency, short=short, year=year, published=published,
             signed=published, source=agency, url=f"http://{HOST}/{path}", template="2021", **figures)
    spec = M.Spec(name=path, ext="html", data=d, page=style,
                  decl_charset="gb2312" if encoding.startswith("gbk") else None)
    rng = random.Random(path)
    page = M.PAGES[style](d, spec, M.render_body_html(d, spec, rng), rng)
    if encoding == "gbk-undeclared":
        # Old TRS templates often declare nothing and the server sends no charset either.
        page = "\n".join(line for line in page.splitlines() if "charset=" not in line)
    return page.encode("gbk" if encoding.startswith("gbk") else "utf-8", errors="xmlcharrefreplace")


def title_of(entry) -> str:
    return f"{entry[3]}{entry[5]}年政府信息公开工作年度报告"


def head(title: str, charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{title}_{SITE_INFO['site']}</title>
<meta name="SiteName" content="{SITE_INFO['site']}">
<meta name="ColumnName" content="{title}">
<link href="/images/index.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="header"><a href="/" class="logo">{SITE_INFO['site']}</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li><li><a href="/xxgk/">政府信息公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/admin/">网站管理</a></li></ul></div>
"""


FOOT = """<div class="footer"><p>主办单位：漯河市人民政府办公室（演示站点，内容虚构）</p></div>
</body>
</html>
"""


def li(href: str, title: str, date: str) -> str:
    shown = title if len(title) <= 22 else title[:21] + "…"
    return f'<li><a href="{href}" target="_blank" title="{html.escape(title)}">{html.escape(shown)}</a><span>{date}</span></li>'


def home() -> str:
    return head("首页") + """<div class="main">
<div class="box"><h3>政务动态</h3><ul>
<li><a href="/zwdt/202303/t20230301_2001.html">市政府召开常务会议</a></li></ul></div>
<div class="box"><h3>公开专栏</h3><ul>
<li><a href="/xxgk/">政府信息公开</a></li>
<li><a href="/xxgk/bmys/">2023年部门预算公开</a></li>
<li><a href="/qynb/">企业年报公示</a></li></ul></div>
</div>
""" + FOOT


def section() -> str:
    return head("政府信息公开") + """<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a></div>
<div class="xxgk-menu"><ul>
<li><a href="/xxgk/gkzn/">政府信息公开指南</a></li>
<li><a href="/xxgk/gkzd/">政府信息公开制度</a></li>
<li><a href="/xxgk/fdzdgknr/">法定主动公开内容</a></li>
<li><a href="/xxgk/zfxxgknb/">政府信息公开年报</a></li>
<li><a href="/col/col1229011/index.html">部门年报</a></li>
<li><a href="/xxgk/gzyd/202303/t20230310_1101.html">漯河市2023年政务公开工作要点</a></li>
</ul></div>
""" + FOOT


def trs_list(entries, page: int, pages: int, charset: str = "utf-8") -> str:
    items = "\n".join(li(href, title, date) for href, title, date in entries)
    return head("政府信息公开年报", charset) + f"""<div class="position">当前位置：<a href="../../">首页</a>&nbsp;&gt;&nbsp;<a href="../">政府信息公开</a>&nbsp;&gt;&nbsp;<a href="./">政府信息公开年报</a></div>
<div class="list-right"><ul class="list">
{items}
</ul>
<div class="page"><script type="text/javascript" src="../../images/page.js"></script>
<script language="JavaScript">
var currentPage = {page};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {pages}//共多少页
createPageHTML(countPage, currentPage, "index", "html");
</script></div></div>
""" + FOOT


def hanweb_list(entries) -> str:
    records = "\n".join(f"<record><![CDATA[\n{li(href, title, date)}]]></record>" for href, title, date in entries)
    return head("部门年报") + f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; <a href="/col/col1229011/index.html">部门年报</a></div>
<div class="default_pgContainer" id="4583711"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1229011&unitid=4583711&webname=%E6%BC%AF%E6%B2%B3&permissiontype=0"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script><script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(function(){{ $('#4583711').jpage({{ dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', totalRecord: {len(entries)}, perPage: 15, groupSize: 3, barPosition: 'bottom', ajaxParam: {{ webid: 1, columnid: 1229011, unitid: 4583711 }} }}); }});</script>
</div>
""" + FOOT


def notice_page(title: str, pdf: str, published: str) -> str:
    return head(title) + f"""<div class="position">当前位置：<a href="../../../">首页</a>&nbsp;&gt;&nbsp;<a href="../../">政府信息公开</a>&nbsp;&gt;&nbsp;<a href="../">政府信息公开年报</a></div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：{published}　访问次数：<em>812</em></div>
<div class="trs_editor_view TRS_UEDITOR trs_paper_default"><p>现将{title}予以公布，详见附件。</p></div>
<script language="javascript">
var file_appendix='<a href="./{pdf}">{title}.pdf</a>';
if(file_appendix!=""){{ document.write('<div class="fj">附件：'+file_appendix+'</div>'); }}
</script></div>
""" + FOOT


def make_pdf(agency: str, year: int, published: str, path: Path) -> None:
    """A ruled-table PDF of a report, drawn like Word prints one (the attachment-fixture generator)."""
    import datetime as dt

    rep = A.Report("demo", "pdf", agency, HOST, year, dt.date.fromisoformat(published), 2022,
                   {"font": "STSong-Light", "pdf_title": f"{agency}{year}年政府信息公开工作年度报告"})
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["SOURCE_DATE_EPOCH"] = A._epoch(rep.published)  # the same bytes on every build
    A.write_pdf(rep, path)


def write(path: str, data: bytes | str) -> None:
    target = SITE / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def build(with_pdf: bool) -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    write("robots.txt", "User-agent: *\nDisallow: /admin/\n")
    write("index.html", home())
    write("xxgk/index.html", section())
    write("admin/index.html", head("网站管理") + "<p>后台</p>" + FOOT)
    for path, title in (("xxgk/gkzn/index.html", "政府信息公开指南"), ("xxgk/gkzd/index.html", "政府信息公开制度"),
                        ("xxgk/fdzdgknr/index.html", "法定主动公开内容"), ("zwdt/index.html", "政务动态"),
                        ("zwfw/index.html", "政务服务")):
        write(path, head(title) + f"<h1>{title}</h1><p>（演示站点：本栏目内容从略。）</p>" + FOOT)
    write("xxgk/gzyd/202303/t20230310_1101.html",
          head("漯河市2023年政务公开工作要点") + "<p>为深入贯彻落实……现提出以下工作要点。</p>" + FOOT)
    for entry in REPORTS:
        write(entry[0], report_page(*entry))

    trs = [e for e in REPORTS if e[1] == "trs"]
    listed = [("./" + e[0].split("zfxxgknb/", 1)[1], title_of(e), e[6]) for e in trs]
    listed.insert(1, ("../gzyd/202303/t20230310_1101.html", "漯河市2023年政务公开工作要点", "2023-03-10"))
    if with_pdf:
        page, pdf, agency, year, published = PDF_REPORT
        title = f"{agency}{year}年政府信息公开工作年度报告"
        write(page, notice_page(title, pdf, published))
        make_pdf(agency, year, published, SITE / page.rsplit("/", 1)[0] / pdf)
        listed.insert(0, ("./" + page.split("zfxxgknb/", 1)[1], title, published))
    first, second = listed[:-1], listed[-1:]
    write("xxgk/zfxxgknb/index.html", trs_list(first, 0, 2))
    write("xxgk/zfxxgknb/index_1.html", trs_list(second, 1, 2, "gb2312").encode("gbk", errors="xmlcharrefreplace"))

    hanweb = [e for e in REPORTS if e[1] == "hanweb"]
    write("col/col1229011/index.html", hanweb_list([("/" + e[0], title_of(e), e[6]) for e in hanweb]))


if __name__ == "__main__":
    build(with_pdf=importlib.util.find_spec("extract.pdf") is not None or "--pdf" in sys.argv)
    print(f"wrote {sum(1 for p in SITE.rglob('*') if p.is_file())} files under {SITE}")
