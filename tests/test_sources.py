"""crawler/sources.csv and its validator (`crawler.sources`, `ogi sources check|list`)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from w3lib.url import canonicalize_url

from crawler import sources as src
from ogi.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
REAL_PORTALS = Path(__file__).resolve().parents[2] / "shared" / "real-portals.tsv"

# fixture -> (line, words the message must contain); each is valid.csv plus one bad line
BAD = {
    "dup_id.csv": (9, ["duplicate id", "henan-gov", "line 3"]),
    "dup_url.csv": (9, ["duplicate start_url", "line 8"]),
    "bad_scheme.csv": (9, ["start_url", "scheme", "ftp"]),
    "no_host.csv": (9, ["start_url", "host"]),
    "space_url.csv": (9, ["start_url", "whitespace"]),
    "unknown_region.csv": (9, ["unknown region", "火星市"]),
    "unknown_level.csv": (9, ["unknown level", "city"]),
    "unknown_cms.csv": (9, ["unknown cms", "wordpress"]),
    "level_mismatch.csv": (9, ["level 'province'", "河南省/漯河市"]),
    "bad_slug.csv": (9, ["not a slug", "Henan_Bad"]),
    "empty_found.csv": (9, ["found_at"]),
    "short_row.csv": (9, ["fields"]),
    "bad_header.csv": (1, ["header", "start_url"]),
}


@pytest.fixture(scope="module")
def regions() -> src.RegionTable:
    return src.RegionTable.load()


# -- the validator on small files --------------------------------------------------------------

def test_valid_fixture_loads_with_normalised_regions():
    sources = src.load_sources(FIXTURES / "valid.csv")
    by_id = {s.id: s for s in sources}
    assert [s.id for s in sources] == ["cn-mva", "henan-gov", "henan-luohe-swj",
                                       "sichuan-liangshan-gov", "beijing-daxing-gov",
                                       "henan-jiyuan-gov"]
    assert by_id["henan-gov"].region == "河南省"
    assert by_id["henan-luohe-swj"].region == "河南省/漯河市"
    assert by_id["henan-luohe-swj"].region_code == "411100"
    assert by_id["sichuan-liangshan-gov"].region == "四川省/凉山彝族自治州"
    assert by_id["sichuan-liangshan-gov"].notes == '州 short form, comma, "quotes"'
    assert by_id["beijing-daxing-gov"].region == "北京市/大兴区"
    assert by_id["henan-jiyuan-gov"].province == "河南省"
    assert by_id["cn-mva"].region == "全国" and by_id["cn-mva"].province == ""
    assert by_id["henan-jiyuan-gov"].line == 8  # the blank line 6 still counts


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_problem_kind_is_reported_on_its_line(name):
    line, words = BAD[name]
    sources, problems = src.check_sources(FIXTURES / name)
    assert len(problems) == 1, problems
    assert problems[0].line == line
    for word in words:
        assert word in problems[0].message
    if line != 1:  # the good rows around a bad one are still read
        assert len(sources) == 6


@pytest.mark.parametrize("name", sorted(BAD))
def test_check_command_prints_file_line_problem_and_fails(name, capsys):
    assert main(["sources", "check", "--sources", str(FIXTURES / name)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [line for line in out if re.match(rf"^{re.escape(name)}:{BAD[name][0]}: \S", line)]
    assert len(out) == 1


def test_check_command_summarises_a_valid_file(capsys):
    assert main(["sources", "check", "--sources", str(FIXTURES / "valid.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 sources, 3 of 31 provinces covered")
    assert "national 1, province 1, prefecture 1, county 2, department 1" in out


def test_load_sources_refuses_a_file_with_problems():
    with pytest.raises(src.SourcesError, match=r"1 problem.*dup_id\.csv:9: duplicate id"):
        src.load_sources(FIXTURES / "dup_id.csv")


def test_missing_file_is_one_clear_error(tmp_path, capsys):
    assert main(["sources", "check", "--sources", str(tmp_path / "nope.csv")]) == 1
    err = capsys.readouterr().err
    assert "cannot read sources file" in err and "Traceback" not in err


def test_several_problems_are_all_reported(tmp_path):
    bad = tmp_path / "sources.csv"
    bad.write_text(
        "id,agency,region,level,start_url,cms,found_at,notes\n"
        "a,局,河南,province,http://a.gov.cn/,trs,http://a.gov.cn/,\n"
        "a,局,火星,county,gopher://a.gov.cn/,foo,,\n", encoding="utf-8")
    _, problems = src.check_sources(bad)
    messages = " | ".join(p.message for p in problems)
    assert all(p.line == 3 for p in problems)
    for word in ("duplicate id", "unknown region", "scheme", "unknown cms", "found_at"):
        assert word in messages


# -- division codes and kinds --------------------------------------------------------------------

# fixture -> (words the message must contain); each is coded.csv plus one bad line 9
BAD_CODES = {
    "code_format.csv": ["division_code", "'41112'", "not 6 digits"],
    "code_unknown.csv": ["division_code 411199", "not in regions.csv"],
    "code_prefix.csv": ["division_code 511100", "四川省", "河南省", "province prefix mismatch"],
    "code_other_division.csv": ["division_code 411122", "临颍县", "舞阳县"],
    "code_empty.csv": ["division_code is empty", "411121"],
    "code_national.csv": ["division_code '100000'", "全国"],
    "dup_code_agency.csv": ["duplicate division_code+agency", "411100", "漯河市商务局", "line 5"],
    "unknown_kind.csv": ["unknown kind", "portal"],
}


def test_coded_file_carries_division_codes_and_kinds():
    by_id = {s.id: s for s in src.load_sources(FIXTURES / "coded.csv")}
    assert len(by_id) == 7
    assert by_id["henan-luohe-swj"].division_code == "411100" == by_id["henan-luohe-swj"].region_code
    assert by_id["henan-luohe-swj"].region == "河南省/漯河市"  # short names still normalised
    assert by_id["henan-jiyuan-gov"].division_code == "419001"
    assert by_id["cn-mva"].division_code == ""
    assert {s.id: s.kind for s in by_id.values() if s.kind != "column"} == {
        "henan-gov": "home", "henan-luohe-gov": "platform", "sichuan-liangshan-gov": "cluster",
        "henan-jiyuan-gov": "home"}


def test_a_file_without_the_new_columns_derives_code_and_kind():
    by_id = {s.id: s for s in src.load_sources(FIXTURES / "valid.csv")}
    assert by_id["henan-luohe-swj"].division_code == "411100"
    assert by_id["sichuan-liangshan-gov"].division_code == "513400"
    assert by_id["cn-mva"].division_code == ""
    assert {s.kind for s in by_id.values()} == {"column"}


@pytest.mark.parametrize("name", sorted(BAD_CODES))
def test_each_code_problem_is_reported_on_its_line(name, capsys):
    sources, problems = src.check_sources(FIXTURES / name)
    assert [p.line for p in problems] == [9], problems
    for word in BAD_CODES[name]:
        assert word in problems[0].message
    assert len(sources) == 7  # the good rows are still read
    assert main(["sources", "check", "--sources", str(FIXTURES / name)]) == 1
    assert capsys.readouterr().out.startswith(f"{name}:9: ")


def test_header_may_not_repeat_or_invent_columns(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(",".join(src.COLUMNS) + ",kind\n", encoding="utf-8")
    assert "repeated kind" in src.check_sources(path)[1][0].message
    path.write_text(",".join(src.COLUMNS) + ",scope\n", encoding="utf-8")
    assert "unknown scope" in src.check_sources(path)[1][0].message


# -- coverage ------------------------------------------------------------------------------------

TINY_REGIONS = [
    {"code": "410000", "name": "河南省", "level": "province", "parent": ""},
    {"code": "410400", "name": "平顶山市", "level": "prefecture", "parent": "410000"},
    {"code": "411100", "name": "漯河市", "level": "prefecture", "parent": "410000"},
    {"code": "411121", "name": "舞阳县", "level": "county", "parent": "411100"},
    {"code": "419001", "name": "济源市", "level": "county", "parent": "410000"},
    {"code": "510000", "name": "四川省", "level": "province", "parent": ""},
    {"code": "513400", "name": "凉山彝族自治州", "level": "prefecture", "parent": "510000"},
    {"code": "513300", "name": "甘孜藏族自治州", "level": "prefecture", "parent": "510000"},
    {"code": "130000", "name": "河北省", "level": "province", "parent": ""},
    {"code": "133100", "name": "雄安新区", "level": "prefecture", "parent": "130000"},
]


def test_coverage_counts_governments_with_a_row_of_their_own():
    regions = src.RegionTable(TINY_REGIONS)
    sources, problems = src.check_sources(FIXTURES / "coded.csv", regions)
    assert not problems
    province, prefecture = src.coverage(sources, regions, {"513300": "portal unreachable"})
    assert (province.covered, province.total) == (1, 3)
    assert [(g.code, g.path) for g in province.missing] == [("130000", "河北省"), ("510000", "四川省")]
    # 雄安新区 is filed at prefecture level but is not one of the 333; a department row (漯河市商务局)
    # does not cover its government, the prefecture's own row does.
    assert (prefecture.covered, prefecture.total) == (3, 4)
    assert prefecture.kinds == {"column": 1, "platform": 1, "cluster": 1}
    assert prefecture.missing == [src.Gap("513300", "四川省/甘孜藏族自治州", "portal unreachable")]


def test_coverage_takes_the_best_kind_among_a_governments_rows():
    regions = src.RegionTable(TINY_REGIONS)
    sources, _ = src.check_sources(FIXTURES / "coded.csv", regions)
    home = [s for s in sources if s.id == "henan-gov"][0]
    column = src.Source(**{**home.__dict__, "id": "henan-gov-nb", "kind": "column"})
    province = src.coverage(sources + [column], regions, {})[0]
    assert province.kinds == {"column": 1}


def test_coverage_lines_name_the_missing_and_why():
    regions = src.RegionTable(TINY_REGIONS)
    sources, _ = src.check_sources(FIXTURES / "coded.csv", regions)
    lines = src.coverage_lines(sources, regions, {"510000": "no portal found"})
    assert lines[0] == "provinces 1/3 with their own column or home (home 1)"
    assert "  missing 510000 四川省: no portal found" in lines
    assert "  missing 130000 河北省: no source row and no reason recorded" in lines
    assert "prefecture-level 3/4 with their own column or home (column 1, platform 1, cluster 1)" in lines


def test_check_command_prints_coverage(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    missing.write_text("code,name,why\n513300,甘孜藏族自治州,portal answers nothing\n", encoding="utf-8")
    assert main(["sources", "check", "--sources", str(FIXTURES / "coded.csv"),
                 "--missing", str(missing)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("7 sources, 2 of 31 provinces covered")
    assert "kinds: column 3, platform 1, cluster 1, home 2" in out[0]
    assert out[1].startswith("provinces 1/31 with their own column or home")
    prefecture = [line for line in out if line.startswith("prefecture-level")]
    assert prefecture == ["prefecture-level 3/333 with their own column or home "
                          "(column 1, platform 1, cluster 1)"]
    assert "  missing 513300 四川省/甘孜藏族自治州: portal answers nothing" in out


def test_regions_have_333_prefecture_level_divisions(regions):
    prefectures = regions.divisions("prefecture")
    assert len(prefectures) == 333
    assert "雄安新区" not in {row["name"] for row in prefectures}
    assert regions.path("411121") == "河南省/漯河市/舞阳县"


# -- --only --------------------------------------------------------------------------------------

@pytest.mark.parametrize("only, expected", [
    ("河南", ["henan-gov", "henan-luohe-swj", "henan-jiyuan-gov"]),
    ("河南省/漯河市", ["henan-luohe-swj"]),
    ("河南/漯河", ["henan-luohe-swj"]),
    ("凉山州", []),  # a prefecture name alone is not a region path, nor part of an agency
    ("商务局", ["henan-luohe-swj"]),
    ("退役军人", ["cn-mva"]),
    ("北京", ["beijing-daxing-gov"]),
    ("henan-gov", ["henan-gov"]),  # an id
    (["cn-mva", "凉山彝族自治州人民政府"], ["cn-mva", "sichuan-liangshan-gov"]),  # what the crawler passes
    ([], ["cn-mva", "henan-gov", "henan-luohe-swj", "sichuan-liangshan-gov", "beijing-daxing-gov",
          "henan-jiyuan-gov"]),
])
def test_only_matches_region_prefix_or_agency(only, expected):
    assert [s.id for s in src.load_sources(FIXTURES / "valid.csv", only=only)] == expected


def test_list_command(capsys):
    assert main(["sources", "list", "--sources", str(FIXTURES / "valid.csv"), "--only", "河南/漯河"]) == 0
    assert capsys.readouterr().out.split("\t") == [
        "henan-luohe-swj", "department", "column", "411100", "河南省/漯河市", "漯河市商务局",
        "http://swj.luohe.gov.cn/zfxxgk/zfxxgknb/\n"]
    assert main(["sources", "list", "--sources", str(FIXTURES / "valid.csv"), "--only", "火星"]) == 1
    assert "no source matches" in capsys.readouterr().err


# -- regions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, path, level", [
    ("广西", "广西壮族自治区", "province"),
    ("内蒙古/阿拉善/阿拉善右旗", "内蒙古自治区/阿拉善盟/阿拉善右旗", "county"),
    ("贵州/黔东南州/黄平", "贵州省/黔东南苗族侗族自治州/黄平县", "county"),
    ("湖北 / 神农架", "湖北省/神农架林区", "county"),
    ("海南省/儋州市", "海南省/儋州市", "prefecture"),
    ("重庆/渝中区", "重庆市/渝中区", "county"),
])
def test_region_suffix_variants_resolve(regions, text, path, level):
    region = regions.resolve(text)
    assert (region.path, region.level) == (path, level)


@pytest.mark.parametrize("text, words", [
    ("漯河", ["unknown region"]),  # not a province
    ("河南省/漯河市/源汇区/某镇", ["more than 3"]),
    ("", ["empty"]),
])
def test_region_errors(regions, text, words):
    with pytest.raises(ValueError) as exc:
        regions.resolve(text)
    assert all(word in str(exc.value) for word in words)


def test_ambiguous_short_name_is_reported():
    table = src.RegionTable([
        {"code": "990000", "name": "某省", "level": "province", "parent": ""},
        {"code": "990100", "name": "东山市", "level": "prefecture", "parent": "990000"},
        {"code": "990200", "name": "东山县", "level": "county", "parent": "990000"},
    ])
    assert table.resolve("某省/东山县").code == "990200"
    with pytest.raises(ValueError, match="ambiguous"):
        table.resolve("某省/东山")


def test_region_table_has_the_31_provinces(regions):
    provinces = regions.provinces()
    assert len(provinces) == 31
    assert "台湾省" not in provinces and "新疆维吾尔自治区" in provinces


# -- the real list -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> list[src.Source]:
    return src.load_sources()  # raises with the first problem if the shipped file is invalid


def test_real_sources_pass_validation(capsys):
    assert main(["sources", "check"]) == 0
    out = capsys.readouterr().out
    assert "31 of 31 provinces covered" in out
    assert "\nprovinces 31/31 with their own column or home" in out
    covered = int(re.search(r"\nprefecture-level (\d+)/333 ", out).group(1))
    assert covered >= 300


def test_real_sources_carry_valid_codes_and_kinds(real, regions):
    for s in real:
        assert (s.division_code == "") == (s.level == "national"), s.id
        if s.division_code:
            assert s.division_code in regions.by_code and s.division_code[:2] == s.region_code[:2]
    assert {s.kind for s in real} >= {"column", "home"}


def test_real_missing_reasons_name_real_divisions(regions):
    for code, why in src.load_missing().items():
        assert code in regions.by_code and why, code


def test_real_sources_are_many_and_span_every_province(real, regions):
    assert len(real) >= 150
    assert {s.province for s in real if s.province} == set(regions.provinces())
    levels = {s.level for s in real}
    assert levels == set(src.LEVELS)


def test_real_sources_say_where_they_were_found(real):
    for s in real:
        assert s.found_at, s.id
        derived = s.found_at.startswith("http") and canonicalize_url(s.found_at) != canonicalize_url(s.start_url)
        if derived and "/" in s.found_at.split("://", 1)[1].rstrip("/"):
            # a start URL that differs from the page that proves it must say how it was obtained
            assert "start_url" in s.notes or "derived" in s.notes or "listed" in s.notes, s.id


@pytest.mark.skipif(not REAL_PORTALS.exists(), reason="shared/real-portals.tsv not beside the repo")
def test_real_sources_include_every_shared_real_portal(real):
    with open(REAL_PORTALS, encoding="utf-8") as handle:
        urls = [row["url"] for row in csv.DictReader(handle, delimiter="\t")]
    assert len(urls) == 30
    text = "\n".join(f"{s.start_url} {s.notes}" for s in real)
    missing = [url for url in urls if url not in text]
    assert not missing
