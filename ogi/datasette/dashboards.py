"""Charts: datasette-dashboards configuration (Vega-Lite specs over SQL).

Every mark links to the rows behind it: a bar or point opens the canned query listing each
agency's figure with its source URL and version, so no number on a chart is without provenance.
Dashboard filters (region, year, agency) are `[[ … ]]` blocks that the plugin drops when the
filter is empty; `:param` outside them is "" when unset (Datasette's rule for named parameters).
Charts render as SVG (not the default canvas) so marks are real elements: links, accessibility
and the browser test can see them.
"""
from __future__ import annotations

from urllib.parse import quote

from ogi.datasette.layout import outcome_groups, row_headings

SLUG = "overview"

_SVG = {"embedOptions": {"renderer": "svg", "actions": {"export": True, "source": False,
                                                        "compiled": False, "editor": False}}}

_COUNT_AXIS = {"tickMinStep": 1}

# One colour per template in every chart that spans them.
_TEMPLATE_COLOR = {"field": "template", "type": "nominal", "title": "模板 template",
                   "scale": {"domain": ["pre2019", "2019", "2021", "unknown"]}}


def _region(col: str = "region") -> str:
    return f"[[ AND ({col} = :region OR {col} LIKE :region || '/%') ]]"


def _agency(col: str = "agency") -> str:
    return f"[[ AND {col} = :agency ]]"


def _year(col: str = "year") -> str:
    return f"[[ AND {col} = CAST(:year AS INTEGER) ]]"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _link(base: str, query: str, fixed: dict[str, str], sql_params: dict[str, str]) -> str:
    """SQL expression building `/<db>/<query>?…` from fixed values and SQL expressions."""
    parts = [_sql_text(f"{k}={quote(v, safe='')}") for k, v in fixed.items()]
    parts += [f"'{k}=' || COALESCE({expr}, '')" for k, expr in sql_params.items()]
    return _sql_text(f"{base}{query}?") + " || " + " || '&' || ".join(parts)


def _outcome_cte() -> str:
    rows = []
    for position, (key, label, row_keys) in enumerate(outcome_groups()):
        rows += [f"({_sql_text(row)}, {_sql_text(key)}, {_sql_text(label)}, {position})"
                 for row in row_keys]
    return "outcome(row_key, grp, label, position) AS (VALUES " + ", ".join(rows) + ")"


def _denial_heading() -> str:
    # Refusal rows' labels all start with their group heading ("三、本年度办理结果（三）不予公开");
    # the chart shows only the reason ("1.属于国家秘密") so the bars stay readable.
    return _sql_text("".join(row_headings("applications", "denied_state_secret")))


def config(db: str, base: str = "/") -> dict:
    prefix = f"{base}{db}/"
    filters_link = {"region": ":region", "agency": ":agency"}

    # Each figure query starts from the few cells it needs and probes every report's value by
    # primary key (CROSS JOIN fixes that order), instead of scanning all figures.
    # Every template counts (pre-2019 reports state 收到申请 as new_received.total too); the bars
    # are split by template so a break in 2019 or 2021 is visibly a change of form.
    applications_sql = f"""
SELECT d.year, r.template, SUM(fv.value) AS applications, COUNT(*) AS reports,
       {_link(prefix, "figure_by_agency", {"cell": "new_received__total"},
              {"year": "d.year", **filters_link})} AS link
FROM cells c
CROSS JOIN documents d
CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
JOIN readings r ON r.id = d.latest_reading_id
WHERE c.table_name = 'applications' AND c.row_key = 'new_received' AND c.col_key = 'total'
  AND d.year IS NOT NULL {_region("d.region")} {_agency("d.agency")}
GROUP BY d.year, r.template ORDER BY d.year, r.template"""

    templates_sql = f"""
SELECT d.year, r.template, COUNT(*) AS reports,
       {_link(prefix, "agency_reports_by_year", {},
              {"year": "d.year", "template": "r.template", **filters_link})} AS link
FROM documents d JOIN readings r ON r.id = d.latest_reading_id
WHERE d.year IS NOT NULL {_region("d.region")} {_agency("d.agency")}
GROUP BY d.year, r.template ORDER BY d.year, r.template"""

    outcomes_sql = f"""
WITH {_outcome_cte()}
SELECT d.year, o.label AS outcome, o.position, SUM(fv.value) AS requests,
       {_link(prefix, "figure_by_agency", {},
              {"cell": "o.grp || '%25__total'", "year": "d.year", **filters_link})} AS link
FROM outcome o
CROSS JOIN cells c ON c.table_name = 'applications' AND c.row_key = o.row_key AND c.col_key = 'total'
CROSS JOIN documents d
CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
WHERE d.year IS NOT NULL {_region("d.region")} {_agency("d.agency")}
GROUP BY d.year, o.grp ORDER BY d.year, o.position"""

    denials_sql = f"""
SELECT c.row_key, replace(c.row_label, {_denial_heading()}, '') AS reason,
       SUM(fv.value) AS refused,
       {_link(prefix, "figure_by_agency", {},
              {"cell": "c.row_key || '__total'", "year": ":year", **filters_link})} AS link
FROM cells c
CROSS JOIN documents d
CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
WHERE c.table_name = 'applications' AND c.col_key = 'total' AND c.row_key LIKE 'denied%'
  {_year("d.year")} {_region("d.region")} {_agency("d.agency")}
GROUP BY c.row_key, reason ORDER BY refused DESC"""

    family = ("CASE WHEN instr(substr(rule, instr(rule, '.') + 1), '.') = 0 THEN rule "
              "ELSE substr(rule, 1, instr(rule, '.') + instr(substr(rule, instr(rule, '.') + 1), '.') - 1) END")
    checks_sql = f"""
SELECT {family} AS rule_family, COUNT(DISTINCT k.version_id) AS reports,
       {_link(prefix, "failed_checks", {},
              {"rule": family, "year": ":year", **filters_link})} AS link
FROM all_checks k JOIN latest_versions USING (version_id)
WHERE k.ok = 0 {_year()} {_region()} {_agency()}
GROUP BY rule_family ORDER BY reports DESC"""

    return {
        SLUG: {
            "title": "OGI annual reports · 政府信息公开工作年度报告概览",
            "description": "Latest version of every archived report. Click a bar for the "
                           "agencies, figures, source URLs and versions behind it. "
                           "点击图形查看对应的机关、数据、来源网址和版本。",
            "settings": {"allow_fullscreen": True},
            "layout": [
                ["reports", "agencies", "links"],
                ["applications", "applications", "outcomes"],
                ["denials", "denials", "checks"],
                ["templates", "templates", "templates"],
            ],
            "filters": {
                "region": {"name": "地区 region (prefix)", "type": "select", "db": db,
                           "query": "SELECT DISTINCT region FROM documents "
                                    "WHERE region IS NOT NULL ORDER BY region"},
                "year": {"name": "报告年度 year", "type": "select", "db": db,
                         "query": "SELECT DISTINCT year FROM documents "
                                  "WHERE year IS NOT NULL ORDER BY year DESC"},
                "agency": {"name": "机关 agency", "type": "select", "db": db,
                           "query": "SELECT DISTINCT agency FROM documents WHERE agency IS NOT NULL "
                                    f"{_region()} "
                                    "ORDER BY agency"},
            },
            "charts": {
                "reports": {
                    "title": "报告 reports", "db": db, "library": "metric",
                    "query": f"SELECT COUNT(*) AS n FROM latest_versions WHERE 1 = 1 "
                             f"{_year()} {_region()} {_agency()}",
                    "display": {"field": "n"},
                },
                "agencies": {
                    "title": "机关 agencies", "db": db, "library": "metric",
                    "query": f"SELECT COUNT(DISTINCT agency) AS n FROM latest_versions WHERE 1 = 1 "
                             f"{_year()} {_region()} {_agency()}",
                    "display": {"field": "n"},
                },
                "links": {
                    "title": "Questions", "library": "markdown",
                    "display": "\n".join(
                        f"- [{title}]({prefix}{name})" for name, title in (
                            ("changed_after_publication", "发布后被修改 changed after publication"),
                            ("removed_reports", "已下架 disappeared"),
                            ("failed_checks", "勾稽不符 failing checks"),
                            ("denial_reasons_ranking", "不予公开理由 refusal reasons"),
                            ("search_text", "全文检索 full-text search"),
                            ("agency_reports_by_year", "某机关历年报告 one agency, 2008 →"),
                            ("headline_figures_by_template", "历年主要数据 headline figures by template"),
                        )),
                },
                "applications": {
                    "title": "本年新收申请 applications received, per report year",
                    "db": db, "library": "vega-lite", "query": applications_sql,
                    "display": {
                        "usermeta": _SVG,
                        "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "报告年度 year"},
                            "y": {"field": "applications", "type": "quantitative",
                                  "title": "申请数 requests", "axis": _COUNT_AXIS},
                            "color": _TEMPLATE_COLOR,
                            "href": {"field": "link"},
                            "tooltip": [
                                {"field": "year", "title": "year"},
                                {"field": "template", "title": "template"},
                                {"field": "applications", "title": "requests"},
                                {"field": "reports", "title": "reports"},
                            ],
                        },
                    },
                },
                "templates": {
                    "title": "报告模板 reports per year, by template (pre2019 / 2019 / 2021)",
                    "db": db, "library": "vega-lite", "query": templates_sql,
                    "display": {
                        "usermeta": _SVG,
                        "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "报告年度 year"},
                            "y": {"field": "reports", "type": "quantitative", "title": "reports",
                                  "axis": _COUNT_AXIS},
                            "color": _TEMPLATE_COLOR,
                            "href": {"field": "link"},
                            "tooltip": [{"field": "year"}, {"field": "template"}, {"field": "reports"}],
                        },
                    },
                },
                "outcomes": {
                    "title": "办理结果 outcomes, per report year",
                    "db": db, "library": "vega-lite", "query": outcomes_sql,
                    "display": {
                        "usermeta": _SVG,
                        "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
                        "encoding": {
                            "x": {"field": "year", "type": "ordinal", "title": "报告年度 year"},
                            "y": {"field": "requests", "type": "quantitative", "stack": "normalize",
                                  "title": "share of requests processed"},
                            "color": {"field": "outcome", "type": "nominal", "title": "办理结果",
                                      "sort": {"field": "position"}},
                            "order": {"field": "position"},
                            "href": {"field": "link"},
                            "tooltip": [{"field": "year"}, {"field": "outcome"},
                                        {"field": "requests"}],
                        },
                    },
                },
                "denials": {
                    "title": "不予公开理由 refusal reasons (总计)",
                    "db": db, "library": "vega-lite", "query": denials_sql,
                    "display": {
                        "usermeta": _SVG,
                        "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
                        "encoding": {
                            "y": {"field": "reason", "type": "nominal", "title": None,
                                  "sort": "-x"},
                            "x": {"field": "refused", "type": "quantitative",
                                  "title": "不予公开 refused requests", "axis": _COUNT_AXIS},
                            "href": {"field": "link"},
                            "tooltip": [{"field": "row_key"}, {"field": "reason"},
                                        {"field": "refused"}],
                        },
                    },
                },
                "checks": {
                    "title": "勾稽不符 reports failing checks",
                    "db": db, "library": "vega-lite", "query": checks_sql,
                    "display": {
                        "usermeta": _SVG,
                        "mark": {"type": "bar", "tooltip": True, "cursor": "pointer"},
                        "encoding": {
                            "y": {"field": "rule_family", "type": "nominal", "title": None,
                                  "sort": "-x"},
                            "x": {"field": "reports", "type": "quantitative", "title": "reports",
                                  "axis": _COUNT_AXIS},
                            "href": {"field": "link"},
                            "tooltip": [{"field": "rule_family"}, {"field": "reports"}],
                        },
                    },
                },
            },
        }
    }
