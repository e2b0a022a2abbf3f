"""The region an agency found on the way belongs to: learnt from the name a directory gives it.

A cluster of 漯河市 (411100) links "源汇区人民政府", "舞阳县", "漯河市财政局"; the first two are
governments of its counties (411102, 411121), the third a department of the city itself. A
report found under one of them keeps that region and its GB/T 2260 code, so the archive's
coverage matrix groups it under the county, not under the city whose cluster listed it.

Names are matched at the start of the agency's name against the official names and short forms
(crawler.sources.aliases) of the divisions under the current one, after the current division's
own name ("漯河市源汇区人民政府" → 源汇区), down to the county level.
"""
from __future__ import annotations

import collections
import functools
from dataclasses import dataclass

from crawler.sources import RegionTable, aliases


@dataclass(frozen=True)
class Place:
    region: str | None  # 省/市/区县 path of official names
    code: str | None  # GB/T 2260


class _Index:
    def __init__(self, table: RegionTable):
        self.table = table
        self.children: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        for code, row in table.by_code.items():
            for alias in aliases(row["name"]):
                if len(alias) >= 2:
                    self.children[row["parent"]].append((alias, code))
        for pairs in self.children.values():
            pairs.sort(key=lambda p: -len(p[0]))  # longest name first: 新华区 before 新华

    def own_names(self, code: str) -> list[str]:
        return sorted(aliases(self.table.by_code[code]["name"]), key=len, reverse=True) if code in self.table.by_code else []


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(RegionTable.load())


def learn(place: Place, agency: str | None) -> Place:
    """`place` narrowed to the division `agency`'s name starts with, if one lies under it."""
    if not agency:
        return place
    index = _index()
    # Without a known region (a start URL given on the command line), from the provinces down.
    start = place.code or ""
    code, text = start, _strip_name(index, start, agency)
    for _ in range(3):
        child = next((c for alias, c in index.children.get(code, ()) if text.startswith(alias)), None)
        if child is None:
            break
        code, text = child, _strip_name(index, child, text)
    if code == start:
        return place
    return Place(index.table.path(code), code)


def _strip_name(index: _Index, code: str, text: str) -> str:
    """`text` without the division's own name at its start ("漯河市源汇区…" → "源汇区…")."""
    for alias in index.own_names(code):
        if text.startswith(alias) and len(text) > len(alias):
            return text[len(alias):]
    return text
