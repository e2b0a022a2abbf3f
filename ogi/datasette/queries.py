"""Canned queries: one `.sql` file each under `queries/`, described by its leading comments.

    -- title: One agency's figures over the years · 某机关历年数据
    -- description: What it answers and what each parameter means.
    -- params: agency region cell

The file name (without `.sql`) is the query's URL: `/<database>/<name>`. Parameters listed in
`params` appear as form fields in that order; an empty field means "any" wherever the SQL says
`:param = '' OR …`. Keeping the SQL in plain files lets researchers copy it into sqlite3, DuckDB
or their own scripts unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_HEADER = re.compile(r"^--\s*(title|description|params)\s*:\s*(.*)$")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    params: tuple[str, ...]
    sql: str

    def metadata(self) -> dict:
        return {"title": self.title, "description": self.description,
                "params": list(self.params), "sql": self.sql}


def parse(name: str, text: str) -> CannedQuery:
    header: dict[str, str] = {}
    lines = text.splitlines()
    while lines and (match := _HEADER.match(lines[0].strip())):
        key, value = match.groups()
        header[key] = f"{header[key]} {value}".strip() if key in header else value.strip()
        lines.pop(0)
    if "title" not in header:
        raise ValueError(f"canned query {name}: missing '-- title:' header")
    # The header is shown as the page's title and description; the SQL shown is the query alone.
    return CannedQuery(name=name, title=header["title"], description=header.get("description", ""),
                       params=tuple(header.get("params", "").split()), sql="\n".join(lines).strip())


def load() -> dict[str, CannedQuery]:
    folder = resources.files(__package__) / "queries"
    return {
        entry.name[:-len(".sql")]: parse(entry.name[:-len(".sql")], entry.read_text("utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    }
