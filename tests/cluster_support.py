"""Local portals for the discovery tests (tests/test_discovery_crawl.py, bench/crawl.py): a city's
site cluster whose agencies live on its host and on subdomains of its registered domain, and a
cluster of twelve city sites served from one host, each report column paged a different way.

Report pages are the demo's report (demo/site) with the agency and year changed, so each is a
readable report of its own; a few carry no agency in their title, so the agency the archive keeps
is the one the directory named. Every portal also holds distractors (企业年报, 部门预算, 工作要点,
信息公开指南) and robots.txt-forbidden reports, each reachable by a link, so a test can assert they
were never fetched.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from fixtures.portals.server import Portal

ROOT = Path(__file__).resolve().parents[1]
_REPORT = (ROOT / "demo" / "site" / "art" / "2023" / "2" / "10" / "art_1229011_5001.html").read_text(encoding="utf-8")
_DEMO_AGENCY = "漯河市财政局"


def report(agency: str, year: int) -> bytes:
    """The demo report as `agency`'s report for `year` (agency "" → a title naming no agency)."""
    text = _REPORT.replace("2023年", f"{year + 1}年").replace("2022年", f"{year}年").replace(_DEMO_AGENCY, agency)
    return text.encode("utf-8")


def title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def page(name: str, body: str, *, script: str = "", charset: str = "utf-8") -> bytes:
    return (f'<html><head><meta charset="{charset}"><title>{html.escape(name)}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div>{body}'
            + (f"<script>{script}</script>" if script else "") + "</body></html>").encode(charset)


def links(items, cls="list") -> str:
    """<ul> of (href, text) records, each with a date, as list pages print them."""
    lis = "".join(f'<li><a href="{h}" title="{html.escape(t)}">{html.escape(t)}</a><span>2023-02-01</span></li>'
                  for h, t in items)
    return f'<ul class="{cls}">{lis}</ul>'


def nav(items) -> str:
    return "<div class='menu'>" + "".join(f'<a href="{h}">{html.escape(t)}</a>' for h, t in items) + "</div>"


@dataclass
class Site:
    """What a test expects of a portal."""

    portal: Portal
    reports: dict[str, tuple[str, int]] = field(default_factory=dict)  # path or //host/path -> (agency, year)
    agencies: dict[str, str] = field(default_factory=dict)  # path -> agency kept when the title names none
    regions: dict[str, str] = field(default_factory=dict)  # path -> division code expected
    distractors: list[str] = field(default_factory=list)  # paths never to be fetched
    forbidden: list[str] = field(default_factory=list)  # robots.txt-disallowed paths (never fetched)
    probes_missing: list[str] = field(default_factory=list)  # probe pages that 404 (no error)

    def add_report(self, path: str, agency: str, year: int, *, named: bool = True, code: str | None = None) -> str:
        self.portal.pages[path] = report(agency if named else "", year)
        self.reports[path] = (agency, year)
        if not named:
            self.agencies[path] = agency
        if code:
            self.regions[path] = code
        return title(agency if named else "", year)

    def add_distractors(self, base: str) -> list[tuple[str, str]]:
        items = [(f"{base}qynb/202303/t20230301_9001.html", "企业年报公示"),
                 (f"{base}bmys/202303/t20230302_9002.html", "2023年部门预算公开"),
                 (f"{base}gzyd/202303/t20230303_9003.html", "2023年政务公开工作要点"),
                 (f"{base}gkzn/202303/t20230304_9004.html", "政府信息公开指南")]
        for path, text in items:
            self.portal.pages[path] = page(text, f"<h1>{text}</h1><p>{text}。</p>")
            self.distractors.append(path)
        return items


# -- pager shapes: each writes a report column at `base` listing `items` (href, text), 2 per page --

PER_PAGE = 2


def _chunks(items):
    return [items[i:i + PER_PAGE] for i in range(0, len(items), PER_PAGE)] or [[]]


def column_trs(portal: Portal, base: str, items, name="政府信息公开年报") -> str:
    """TRS: `createPageHTML(n, i, "index", "html")`, pages index.html, index_1.html …"""
    chunks = _chunks(items)
    for i, chunk in enumerate(chunks):
        portal.pages[base + ("index.html" if i == 0 else f"index_{i}.html")] = page(
            name, links(chunk), script=f'createPageHTML({len(chunks)}, {i}, "index", "html");')
    return base


def column_js_call(portal: Portal, base: str, items, *, func: str, stem: str, ext: str, name="年报") -> str:
    """A pager call counting from 1 under another name (UCAP `createPage(3, 1, "list", "shtml")`)."""
    chunks = _chunks(items)
    for i, chunk in enumerate(chunks, 1):
        portal.pages[base + (f"{stem}.{ext}" if i == 1 else f"{stem}_{i}.{ext}")] = page(
            name, links(chunk), script=f"{func}({len(chunks)}, {i}, '{stem}', '{ext}');")
    return base + f"{stem}.{ext}"


def column_query(portal: Portal, base: str, items, name="政府信息公开年报") -> str:
    """ASP/JSP lists: `list.jsp?cid=7&pageNo=N`, a numbered pager with 下一页 and 尾页."""
    chunks = _chunks(items)
    for i, chunk in enumerate(chunks, 1):
        pager = "".join(f'<a href="list.jsp?cid=7&amp;pageNo={n}">{n}</a>' for n in range(1, len(chunks) + 1))
        pager += f'<a href="list.jsp?cid=7&amp;pageNo={min(i + 1, len(chunks))}">下一页</a>'
        pager += f'<a href="list.jsp?cid=7&amp;pageNo={len(chunks)}">尾页</a>'
        key = base + "list.jsp?cid=7" + ("" if i == 1 else f"&pageNo={i}")
        portal.pages[key] = page(name, links(chunk) + f'<div class="pagination">{pager}</div>')
        if i == 1:
            portal.pages[base + "list.jsp?cid=7&pageNo=1"] = portal.pages[key]
    return base + "list.jsp?cid=7"


def column_next_chain(portal: Portal, base: str, items, name="年度报告") -> str:
    """Only a 下一页 link on each page, no numbers: p1.html → p2.html → …"""
    chunks = _chunks(items)
    for i, chunk in enumerate(chunks, 1):
        nxt = f'<div><a href="p{i + 1}.html">下一页</a></div>' if i < len(chunks) else ""
        portal.pages[base + f"p{i}.html"] = page(name, links(chunk) + nxt)
    return base + "p1.html"


def column_numbered_down(portal: Portal, base: str, items, name="政府信息公开年报") -> str:
    """博达/VSB static lists: `nb.htm`, then `nb/N-1.htm` … `nb/1.htm` (numbers run downwards)."""
    chunks = _chunks(items)
    n = len(chunks)
    folder = base + "nb/"
    for i, chunk in enumerate(chunks):
        number = n - i  # page 1 is nb.htm; page k is nb/(n-k+1).htm
        prefix = "nb/" if i == 0 else ""
        pager = "" if i == n - 1 else (f'<span class="p_next"><a href="{prefix}{number - 1}.htm">下页</a></span>'
                                       f'<span class="p_last"><a href="{prefix}1.htm">尾页</a></span>')
        body = links([(("../" if i else "") + h, t) for h, t in chunk]) + f'<div class="pb_sys_common">{pager}</div>'
        portal.pages[base + "nb.htm" if i == 0 else folder + f"{number}.htm"] = page(name, body)
    return base + "nb.htm"


def column_hanweb(portal: Portal, base: str, items, column_id: int, name="政府信息公开年报") -> str:
    """Hanweb/大汉: records in a <datastore>, the rest from `dataproxy.jsp?page=N` (XML)."""
    def record(h, t):
        return f'<record><![CDATA[<li><a href="{h}" title="{t}">{t}</a><span>2023-02-01</span></li>]]></record>'
    first, rest = items[:PER_PAGE], items
    proxy = f"/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid={column_id}&unitid=99{column_id}"
    store = (f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>'
             f'<recordset>{"".join(record(h, t) for h, t in first)}</recordset></datastore></script>'
             f"<script>var x = {{totalRecord: {len(items)}, perPage: {PER_PAGE}}};</script>")
    portal.pages[base + "index.html"] = page(name, f'<div id="99{column_id}">{store}</div>')
    chunks = _chunks(rest)
    for i, chunk in enumerate(chunks, 1):
        key = proxy.replace("page=1", f"page={i}")
        portal.pages[key] = ('<?xml version="1.0" encoding="UTF-8"?><datastore>'
                             f"<totalrecord>{len(items)}</totalrecord><totalpage>{len(chunks)}</totalpage>"
                             f'<recordset>{"".join(record(h, t) for h, t in chunk)}</recordset></datastore>').encode()
        portal.types[key] = "text/xml;charset=UTF-8"
    return base + "index.html"


def column_json(site: Site, base: str, reports, name="政府信息公开年报") -> str:
    """新点 WebBuilder-style SPA shell: the records come from a JSON endpoint its script names;
    detail pages are `showinfo.html?infoGuid=<id>`. `reports`: (agency, year, named) triples."""
    portal = site.portal
    endpoint = f"{base}rest/getInfoList.json?categoryNum=003001&pageIndex="
    script = (f'var listUrl = "{endpoint}1"; var detail = "{base}showinfo.html?infoGuid=";'
              "$.getJSON(listUrl, function (d) { render(d.custom.infodata, detail); });")
    portal.pages[base + "index.html"] = page(name, '<div id="list"></div><div id="pager"></div>', script=script)
    records = []
    for i, (agency, year, named) in enumerate(reports):
        guid = f"{i:04d}a1b2-c3d4"
        site.add_report(f"{base}showinfo.html?infoGuid={guid}", agency, year, named=named)
        records.append({"infoguid": guid, "title": title(agency if named else "", year), "infodate": f"{year + 1}-02-01"})
    chunks = _chunks(records)
    for i, chunk in enumerate(chunks, 1):
        portal.pages[f"{endpoint}{i}"] = json.dumps(
            {"custom": {"infodata": chunk, "count": len(records), "pageSize": PER_PAGE}}, ensure_ascii=False).encode()
        portal.types[f"{endpoint}{i}"] = "application/json;charset=utf-8"
    return base + "index.html"


def column_count_var(portal: Portal, base: str, items, name="政府信息公开年报") -> str:
    """TRS templates that only declare `var countPage = N` and write their pager with document.write."""
    chunks = _chunks(items)
    for i, chunk in enumerate(chunks):
        script = (f"var currentPage = {i};//所在页从0开始\nvar countPage = {len(chunks)}//共多少页\n"
                  'if(countPage>1&&currentPage!=(countPage-1))document.write("<a href=\\"index_" + (currentPage+1) + ".htm\\">下一页</a>");')
        portal.pages[base + ("index.htm" if i == 0 else f"index_{i}.htm")] = page(name, links(chunk), script=script)
    return base + "index.htm"


def column_record_count(site: Site, base: str, items, name="政府信息公开年报") -> str:
    """A "动静结合" list (TRS trsapi): the first page static, a record count and a page size in a
    script config and nothing else; the next static page is only a convention (probed)."""
    portal = site.portal
    chunks = _chunks(items)
    script = ('require(["list2.trsapi"], function(listModel) { listModel({ quickMode: "动静结合", '
              f"pagebar: {{ prepage: {PER_PAGE}, recordCount: '{len(items)}', pgTemp: \"pgBar.html\" }} }}); }});")
    for i, chunk in enumerate(chunks):
        portal.pages[base + ("nlist.htm" if i == 0 else f"nlist_{i}.htm")] = page(name, links(chunk), script=script)
    # The other convention's next page does not exist: probing it must not count as an error.
    site.probes_missing.append(base + f"nlist_{len(chunks)}.htm")
    return base + "nlist.htm"


# -- the twelve-city cluster on one host ---------------------------------------------------------------

CITIES = [("郑州市", "410100"), ("开封市", "410200"), ("洛阳市", "410300"), ("平顶山市", "410400"),
          ("安阳市", "410500"), ("鹤壁市", "410600"), ("新乡市", "410700"), ("焦作市", "410800"),
          ("濮阳市", "410900"), ("许昌市", "411000"), ("漯河市", "411100"), ("三门峡市", "411200")]
YEARS = (2020, 2021, 2022)
GAP = ("洛阳市", 2021)  # a year one city never published: coverage must name it


def build_city_cluster(n_reports: int = 3) -> Site:
    """`/`: a province's cluster home linking twelve city sites by name (two through a directory
    page), each `/cityNN/` with its own 政府信息公开 page and a report column paged its own way."""
    portal = Portal()
    site = Site(portal)
    shapes = ["trs", "ucap", "other_call", "query", "next", "down", "hanweb", "json", "years", "archive",
              "count_var", "records"]
    home_links, directory_links = [], []
    for k, ((city, code), shape) in enumerate(zip(CITIES, shapes), 1):
        base = f"/city{k:02d}/"
        agency = f"{city}人民政府"
        (directory_links if k in (11, 12) else home_links).append((base, agency))
        portal.pages[base + "index.html"] = page(agency, nav([(base + "xxgk/", "政府信息公开"), ("/", "网站群首页")]))
        col = base + "xxgk/nb/"
        years = [y for y in range(YEARS[-1] - n_reports + 1, YEARS[-1] + 1) if (city, y) != GAP]
        named = k != 1  # the first city's reports name no agency: the directory's name is kept
        items = []
        if shape not in ("json", "years"):
            for j, year in enumerate(years):
                path = f"{col}{year + 1}02/t{year + 1}0201_{k:02d}{j:02d}.html"
                items.append((path, site.add_report(path, agency, year, named=named, code=code)))
        if k == 3:  # a report robots.txt forbids, listed like the others
            items.append((f"{base}private/202302/t20230201_3999.html", title(agency, 2019)))
            portal.pages[items[-1][0]] = report(agency, 2019)
            site.forbidden.append(items[-1][0])
        if shape == "trs":
            start = column_trs(portal, col, items)
        elif shape == "ucap":
            start = column_js_call(portal, col, items, func="createPage", stem="list", ext="shtml")
        elif shape == "other_call":
            start = column_js_call(portal, col, items, func="showPageNav", stem="index", ext="htm")
        elif shape == "query":
            start = column_query(portal, col, items)
        elif shape == "next":
            start = column_next_chain(portal, col, items)
        elif shape == "down":
            start = column_numbered_down(portal, col, [(h.removeprefix(col), t) for h, t in items])
        elif shape == "hanweb":
            start = column_hanweb(portal, col, items, column_id=1800 + k)
        elif shape == "json":
            start = column_json(site, col, [(agency, y, named) for y in years])
            for path in site.reports:
                if path.startswith(col):
                    site.regions[path] = code
        elif shape == "years":
            # Per-year sub-columns whose records name only the agency.
            subs = []
            for year in years:
                sub = f"{col}{year}/"
                path = f"{sub}{year + 1}02/t{year + 1}0202_{k:02d}{year}.html"
                site.add_report(path, agency, year, named=False, code=code)
                portal.pages[sub + "index.html"] = page(f"{year}年度", links([(path, agency)]))
                subs.append((sub, f"{year}年度"))
            portal.pages[col + "index.html"] = page("政府信息公开年报", links(subs))
            start = col
        elif shape == "archive":
            # The column shows the latest report; the older ones are on a 历年年报 page.
            portal.pages[col + "index.html"] = page("政府信息公开年报", links(items[-1:] + [(col + "lnnb/", "历年年报")]))
            portal.pages[col + "lnnb/index.html"] = page("历年年报", links(items[:-1]))
            start = col
        elif shape == "count_var":
            start = column_count_var(portal, col, items)
        else:
            start = column_record_count(site, col, items)
        distract = site.add_distractors(base)
        portal.pages[base + "xxgk/index.html"] = page(
            f"{agency}政府信息公开", nav([(start, "政府信息公开年报"), (base + "xxgk/gkzn/", "政府信息公开指南")])
            + links(distract))
    portal.pages["/dir/index.html"] = page("县区政府信息公开", links(directory_links))
    portal.pages["/index.html"] = page(
        "河南省政府网站群", nav([("/dir/", "县区政府信息公开"), ("/qynb/", "企业年报公示")]) + links(home_links)
        + '<select onchange="window.open(this.value)"><option value="">友情链接</option>'
          '<option value="http://www.gov.cn/">中国政府网</option></select>')
    portal.pages["/qynb/index.html"] = page("企业年报公示", "<p>企业年报公示</p>")
    portal.pages["/robots.txt"] = b"User-agent: *\nDisallow: /city03/private/\n"
    site.distractors.append("/qynb/")
    return site


# -- a city's cluster: its host, its subdomains, departments and counties -------------------------------

LUOHE_HOSTS = ("www.luohe.gov.cn", "jyj.luohe.gov.cn", "yhq.luohe.gov.cn")


def build_subdomain_cluster() -> Site:
    """漯河市: `www.luohe.gov.cn` (its own column, a directory of departments, one of townships and
    counties), `jyj.luohe.gov.cn` (a department's own site) and `yhq.luohe.gov.cn` (a district's
    site, with a directory of its own departments), served from one local server."""
    portal = Portal()
    site = Site(portal)
    portal.hosts = {"jyj.luohe.gov.cn": "/_jyj", "yhq.luohe.gov.cn": "/_yhq"}
    city = "漯河市人民政府"
    items = [(f"/xxgk/nb/{y + 1}02/t{y + 1}0203_1{y}.html", site.add_report(f"/xxgk/nb/{y + 1}02/t{y + 1}0203_1{y}.html", city, y))
             for y in YEARS]
    column_trs(portal, "/xxgk/nb/", items)
    portal.pages["/index.html"] = page(city, nav([("/xxgk/", "政府信息公开"), ("http://www.henan.gov.cn/", "河南省人民政府")]))
    portal.pages["/xxgk/index.html"] = page("漯河市政府信息公开平台", nav([
        ("/xxgk/nb/", "政府信息公开年报"), ("/xxgk/bmxxgk/", "部门信息公开"), ("/xxgk/xzjd/", "乡镇（街道）信息公开"),
        ("/xxgk/gkzn/", "政府信息公开指南"), ("/xxgk/bmys/", "部门预算")]))
    site.distractors += ["/xxgk/gkzn/", "/xxgk/bmys/"]
    portal.pages["/xxgk/gkzn/index.html"] = page("政府信息公开指南", "<p>指南</p>")
    portal.pages["/xxgk/bmys/index.html"] = page("部门预算", "<p>预算</p>")
    # Departments: one on this host (UCAP pager), one on its own subdomain (?pageNo= pager), one
    # whose reports name no agency.
    port = "{port}"  # filled in by the test: subdomain links need the server's port
    portal.pages["/xxgk/bmxxgk/index.html"] = page("部门信息公开", links([
        ("/bm/czj/", "漯河市财政局"), (f"http://jyj.luohe.gov.cn:{port}/", "漯河市教育局"), ("/bm/wjw/", "漯河市卫生健康委员会")]))
    portal.pages["/bm/czj/index.html"] = page("漯河市财政局", nav([("/bm/czj/nb/list.shtml", "年报")]))
    items = [(f"/bm/czj/nb/{y + 1}02/{y}a2b3c4d5e6f708192a3b4c5d6e7f80{y % 100:02d}.shtml",
              site.add_report(f"/bm/czj/nb/{y + 1}02/{y}a2b3c4d5e6f708192a3b4c5d6e7f80{y % 100:02d}.shtml", "漯河市财政局", y))
             for y in YEARS]
    column_js_call(portal, "/bm/czj/nb/", items, func="createPage", stem="list", ext="shtml")
    portal.pages["/_jyj/index.html"] = page("漯河市教育局", nav([("/xxgk/", "信息公开")]))
    portal.pages["/_jyj/xxgk/index.html"] = page("漯河市教育局信息公开", nav([("/xxgk/nb/list.jsp?cid=7", "年报")]))
    items = [(f"/xxgk/nb/{y + 1}02/t{y + 1}0204_2{y}.html", title("漯河市教育局", y)) for y in YEARS[1:]]
    for (path, _), y in zip(items, YEARS[1:]):
        portal.pages["/_jyj" + path] = report("漯河市教育局", y)
        site.reports["//jyj.luohe.gov.cn" + path] = ("漯河市教育局", y)
    column_query(portal, "/_jyj/xxgk/nb/", items)
    portal.pages["/bm/wjw/index.html"] = page("漯河市卫生健康委员会", nav([("/bm/wjw/zfxxgknb/", "政府信息公开年报")]))
    items = [(f"/bm/wjw/zfxxgknb/{y + 1}02/t{y + 1}0205_3{y}.html",
              site.add_report(f"/bm/wjw/zfxxgknb/{y + 1}02/t{y + 1}0205_3{y}.html", "漯河市卫生健康委员会", y, named=False))
             for y in YEARS[1:]]
    column_trs(portal, "/bm/wjw/zfxxgknb/", items)
    # Townships and counties: a street office on this host (a per-year sub-column of records
    # naming only the office), a district on its own subdomain with its own departments.
    portal.pages["/xxgk/xzjd/index.html"] = page("乡镇（街道）信息公开", links([
        ("/jd/shjd/", "顺河街道办事处"), (f"http://yhq.luohe.gov.cn:{port}/", "源汇区人民政府")]))
    portal.pages["/jd/shjd/index.html"] = page("顺河街道办事处", nav([("/jd/shjd/nb/", "政府信息公开年报")]))
    portal.pages["/jd/shjd/nb/index.html"] = page("政府信息公开年报", links([("/jd/shjd/nb/2022/", "2022年度")]))
    path = "/jd/shjd/nb/2022/202302/t20230206_4022.html"
    site.add_report(path, "顺河街道办事处", 2022, named=False)
    portal.pages["/jd/shjd/nb/2022/index.html"] = page("2022年度", links([(path, "顺河街道办事处")]))
    portal.pages["/_yhq/index.html"] = page("源汇区人民政府", nav([("/zfxxgk/", "政府信息公开")]))
    portal.pages["/_yhq/zfxxgk/index.html"] = page("源汇区政府信息公开", nav([("/zfxxgk/bm/", "部门信息公开")]))
    portal.pages["/_yhq/zfxxgk/bm/index.html"] = page("部门信息公开", links([("/bm/czj/", "源汇区财政局")]))
    portal.pages["/_yhq/bm/czj/index.html"] = page("源汇区财政局", nav([("/bm/czj/nb/", "政府信息公开年报")]))
    items = [(f"/bm/czj/nb/{y + 1}02/t{y + 1}0207_5{y}.html", title("源汇区财政局", y)) for y in YEARS[1:]]
    for (path, _), y in zip(items, YEARS[1:]):
        portal.pages["/_yhq" + path] = report("源汇区财政局", y)
        site.reports["//yhq.luohe.gov.cn" + path] = ("源汇区财政局", y)
    items.append(("/private/202302/t20230208_5999.html", title("源汇区财政局", 2020)))
    portal.pages["/_yhq/private/202302/t20230208_5999.html"] = report("源汇区财政局", 2020)
    site.forbidden.append("//yhq.luohe.gov.cn/private/202302/t20230208_5999.html")
    portal.pages["/_yhq/bm/czj/nb/index.html"] = page("政府信息公开年报", links(items))
    portal.pages["/_yhq/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    portal.pages["/robots.txt"] = b"User-agent: *\nDisallow: /admin/\n"
    portal.pages["/_jyj/robots.txt"] = b"User-agent: *\nAllow: /\n"
    return site


def fill_port(portal: Portal) -> None:
    """Write the server's port into the links that name a subdomain (known once it started)."""
    port = str(portal._server.server_address[1])
    for key, body in list(portal.pages.items()):
        if b"{port}" in body:
            portal.pages[key] = body.replace(b"{port}", port.encode())
