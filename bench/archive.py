"""Archive ingest and researcher-query speed on synthetic reports.

    python -m bench.archive [--versions 10000] [--reextract 2000] [--db PATH] [--write-results]

Builds `--versions` report versions (agencies x years, plus corrections and chrome-only
re-fetches that must stay "unchanged") with full 2021-template figures, ~5 KB of Chinese text and
~25 KB of raw HTML each, through `Archive.store` (one transaction per version). Baseline in the
same run: bare sqlite3 `executemany` of the same figure rows into a plain table, the floor for
"store the figures". Then times the typical queries (median of repeated runs; target < 100 ms).

`--reextract N`: stores N real HTML reports (the labelled fixtures, cycled, each capture with
its own visit counter) as read by an "older" extractor, then times `ogi reextract`'s engine with
one worker per CPU against the bare baseline of calling `extract_report` on the same bytes in a
loop, and extrapolates to the SPEC's 50,000 reports. Times are printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from archive import Archive, labels
from archive.content import flatten
from extract.report import Check, Report
from extract.template import APPLICANT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "archive" / "luohe_commerce_2022.txt"
RESULTS = ROOT / "bench" / "RESULTS_archive.md"
REGIONS = ["北京市", "上海市", "广东省广州市", "河南省漯河市", "四川省成都市", "浙江省杭州市", "湖北省武汉市", "陕西省西安市"]
DEPTS = ["商务局", "财政局", "司法局", "教育局", "卫生健康委员会", "自然资源和规划局", "生态环境局", "市场监督管理局",
         "交通运输局", "人力资源和社会保障局", "住房和城乡建设局", "农业农村局", "文化和旅游局", "应急管理局", "统计局"]


def _text_corpus() -> str:
    text = SEED.read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines() if len(line) > 30)


def _figures(rng: random.Random) -> dict:
    figures: dict = {}
    for c in labels.CELLS:
        value = round(rng.random() * 2, 4) if c.col == "amount" else rng.choice((0, 0, 0, 1, 2, 3, rng.randint(0, 400)))
        figures.setdefault(c.table, {}).setdefault(c.row, {})[c.col] = value
    return figures


def _report(agency: str, year: int, rng: random.Random, corpus: str) -> Report:
    start = rng.randrange(0, max(1, len(corpus) - 1700))
    text = f"{agency}{year}年政府信息公开工作年度报告\n" + corpus[start:start + 1700] + f"\n本年度共主动公开信息{rng.randint(10, 9999)}条。"
    figures = _figures(rng)
    checks = [Check(f"applications.balance.{c}", rng.random() > 0.05, "x+y = z+w") for c, _, _ in APPLICANT_COLUMNS]
    return Report(title=f"{agency}{year}年政府信息公开工作年度报告", agency=agency, year=year,
                  published=f"{year + 1}-01-{rng.randint(10, 31)}", source_url=None, format="html",
                  template="2021", figures=figures, checks=checks, text=text)


def _html(report: Report, visit: int) -> bytes:
    rows = "".join(f"<tr><td>{t}</td><td>{r}</td><td>{c}</td><td>{v}</td></tr>"
                   for t, r, c, v in flatten(report.figures))
    nav = "".join(f"<li><a href='/col/col{i}/index.html'>栏目{i}</a></li>" for i in range(60))
    return (f"<html><head><title>{report.title}</title></head><body><ul class=nav>{nav}</ul>"
            f"<div class=article><h1>{report.title}</h1><p>{report.text}</p><table>{rows}</table></div>"
            f"<div class=info>浏览次数：{visit}</div></body></html>").encode("utf-8")


def plan(n_versions: int, seed: int = 7):
    """(url, agency, region, year, kind) in crawl order; kind: new | correction | refetch."""
    rng = random.Random(seed)
    n_docs = int(n_versions * 0.8)
    docs = []
    for i in range(n_docs):
        a = i // 6  # each agency publishes six years of reports
        region = REGIONS[a % len(REGIONS)]
        block = len(REGIONS) * len(DEPTS)
        agency = f"{region}{DEPTS[(a // len(REGIONS)) % len(DEPTS)]}{'' if a < block else a // block}"
        year = 2018 + (i % 6)
        docs.append((f"http://www.example{i % 50}.gov.cn/xxgk/{year}/t{year + 1}0131_{i}.html", agency, region, year))
    steps = [(d, "new") for d in docs]
    steps += [(rng.choice(docs), "correction") for _ in range(n_versions - n_docs)]
    steps += [(rng.choice(docs), "refetch") for _ in range(n_versions // 10)]
    return steps


def ingest(archive: Archive, n_versions: int) -> dict:
    rng = random.Random(1)
    corpus = _text_corpus()
    current: dict[str, Report] = {}
    statuses: dict[str, int] = {}
    raw_bytes = 0
    baseline_rows = []
    t0 = time.perf_counter()
    store_time = 0.0
    store_cpu = 0.0
    for step, ((url, agency, region, year), kind) in enumerate(plan(n_versions)):
        if kind == "new":
            report = _report(agency, year, rng, corpus)
        elif kind == "correction":
            report = Report(**{**current[url].__dict__})
            report.figures = {t: {r: dict(c) for r, c in rows.items()} for t, rows in current[url].figures.items()}
            report.figures["applications"]["granted"]["total"] += 1
        else:
            report = current[url]
        current[url] = report
        raw = _html(report, visit=step)
        raw_bytes += len(raw)
        t, c = time.perf_counter(), time.process_time()
        status = archive.store(url, raw, report=report, content_type="text/html", region=region,
                               fetched_at=1_700_000_000 + step, source=f"s{step % 20}")
        store_time += time.perf_counter() - t
        store_cpu += time.process_time() - c
        statuses[status] = statuses.get(status, 0) + 1
        if kind != "refetch":
            baseline_rows.append(report.figures)
    total = time.perf_counter() - t0
    return {"statuses": statuses, "store_s": store_time, "store_cpu_s": store_cpu, "total_s": total,
            "raw_bytes": raw_bytes,
            "baseline_figures": baseline_rows}


def baseline(figures_list: list, path: str) -> float:
    """Bare sqlite3: the same figure rows, executemany, one transaction per version."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE f (version_id INT, table_name TEXT, row_key TEXT, col_key TEXT, value)")
    t = time.perf_counter()
    for vid, figures in enumerate(figures_list):
        with conn:
            conn.executemany("INSERT INTO f VALUES (?,?,?,?,?)", ((vid, *row) for row in flatten(figures)))
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed


QUERIES = {
    "one figure, all agencies, one year (latest_figures)":
        ("SELECT agency, region, value, source_url, fetched_at FROM latest_figures WHERE year = 2022"
         " AND table_name = 'applications' AND row_key = 'new_received' AND col_key = 'total'", ()),
    "one agency's time series (latest_figures)":
        ("SELECT year, value, source_url, fetched_at FROM latest_figures WHERE agency = ? AND region = ?"
         " AND table_name = 'applications' AND row_key = 'new_received' AND col_key = 'total' ORDER BY year",
         ("河南省漯河市商务局", "河南省漯河市")),
    "one agency, all versions, wide (wide_applications)":
        ("SELECT * FROM wide_applications WHERE agency = ? ORDER BY year, version_id", ("河南省漯河市商务局",)),
    "one year, latest, wide (wide_applications)":
        ("SELECT * FROM wide_applications WHERE year = 2022 AND is_latest = 1", ()),
    "corrections of one year (events + figure_changes)":
        ("SELECT e.url, e.at, c.table_name, c.row_key, c.col_key, c.old_value, c.new_value FROM events e"
         " JOIN figure_changes c ON c.reading_id = e.reading_id JOIN documents d ON d.id = e.document_id"
         " WHERE e.kind = 'changed' AND d.year = 2022", ()),
    "failed cross-year checks, one year (cross_year_checks)":
        ("SELECT * FROM cross_year_checks WHERE year = 2022 AND ok = 0", ()),
    "full-text search, Chinese (reading_texts_fts)":
        ("SELECT rowid FROM reading_texts_fts WHERE reading_texts_fts MATCH '\"政务新媒体\"' LIMIT 50", ()),
}


def time_query(conn, sql: str, params, repeat: int = 7) -> tuple[float, float, int]:
    t = time.perf_counter()
    n = len(conn.execute(sql, params).fetchall())
    first = time.perf_counter() - t
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        conn.execute(sql, params).fetchall()
        samples.append(time.perf_counter() - t)
    return first, statistics.median(samples), n


def sizes(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        rows = []
    conn.close()
    groups: dict[str, int] = {}
    for name, size in rows:
        key = ("text full-text index" if name.startswith("reading_texts_fts") else
               "wide rows" if name.startswith("wide_rows") else
               "text" if "reading_texts" in name else
               "figures" if "figure_values" in name else
               "raw_blobs" if "raw_blobs" in name else
               "checks" if "checks" in name else
               "versions" if "versions" in name or "readings" in name else "other")
        groups[key] = groups.get(key, 0) + size
    return groups


def bench_reextract(n: int, tmp: str) -> list[str]:
    from archive import reextract
    from extract import ExtractError, extract_report

    files = sorted(p for g in ("*.html", "*.htm", "*.shtml") for p in (ROOT / "tests" / "fixtures" / "reports").glob(g))
    if not files:
        return ["reextract: no HTML fixtures found"]
    captures = []
    for i in range(n):
        path = files[i % len(files)]
        raw = path.read_bytes() + f"<!-- 浏览次数：{i} -->".encode()
        captures.append((f"http://bench.example.gov.cn/{i}/{path.name}", raw))
    readable = []
    for url, raw in captures:
        try:
            readable.append((url, raw, extract_report(raw, url=url, content_type="text/html")))
        except ExtractError:
            pass
    t, c = time.perf_counter(), time.process_time()
    for url, raw, _ in readable:
        extract_report(raw, url=url, content_type="text/html")
    bare, bare_cpu = time.perf_counter() - t, time.process_time() - c
    archive = Archive(os.path.join(tmp, "reextract.db"))
    for url, raw, report in readable:
        archive.store(url, raw, report=report, content_type="text/html", extractor_version="bench-old")
    workers = os.cpu_count() or 1
    before = os.times()
    t = time.perf_counter()
    summary = reextract.run(archive, workers=workers)
    ours = time.perf_counter() - t
    after = os.times()
    # CPU of this process and of the (reaped) workers: wall time is unreliable on a shared machine.
    ours_cpu = sum(after[i] - before[i] for i in range(4))
    archive.close()
    done = max(1, summary.reextracted)
    return [
        f"reextract: {summary.reextracted} stored HTML reports ({len(files)} real fixtures cycled), "
        f"{workers} workers: wall {ours:.1f} s = {ours / done * 1000:.1f} ms/report, CPU {ours_cpu / done * 1000:.1f} ms/report; "
        f"bare extract_report loop over the same reports (1 process): wall {bare / len(readable) * 1000:.1f} ms, "
        f"CPU {bare_cpu / len(readable) * 1000:.1f} ms/report; CPU ratio ours/bare {ours_cpu / done / (bare_cpu / len(readable)):.2f}x",
        f"  50,000 reports: {ours / done * 50_000 / 60:.1f} min at this run's wall rate; "
        f"{ours_cpu / done * 50_000 / 60 / 2:.1f} min from CPU time on 2 fully available cores (SPEC: < 10 min)",
        f"  result {summary.as_dict()}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--reextract", type=int, default=2000, metavar="N",
                        help="also time re-extraction of N stored HTML reports (0: skip)")
    parser.add_argument("--db", help="keep the archive at this path (default: a temporary file)")
    parser.add_argument("--write-results", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_archive_")
    path = args.db or os.path.join(tmp, "archive.db")
    if os.path.exists(path):
        raise SystemExit(f"{path} exists; give a new path")

    archive = Archive(path)
    got = ingest(archive, args.versions)
    n_versions = archive.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    n_docs = archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    n_figures = archive.db.execute("SELECT COUNT(*) FROM figures").fetchone()[0]
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    base = baseline(got["baseline_figures"], os.path.join(tmp, "baseline.db"))
    file_size = os.path.getsize(path)
    stores = sum(got["statuses"].values())

    lines = [
        f"Archive benchmark: {stores} store() calls → {n_versions} versions of {n_docs} documents "
        f"({n_figures} figure rows); statuses {got['statuses']}",
        f"ingest: {got['store_s']:.1f} s in store() = {got['store_s'] / stores * 1000:.2f} ms per call "
        f"({stores / got['store_s']:.0f} calls/s; CPU {got['store_cpu_s'] / stores * 1000:.2f} ms per call); "
        f"bare sqlite3 executemany of the same figures: {base:.1f} s "
        f"(ratio {got['store_s'] / base:.1f}x; ours also stores raw blobs, text + FTS, checks, events, wide rows)",
        f"file: {file_size / 1e6:.1f} MB = {file_size / n_versions / 1024:.1f} KB per version "
        f"(raw HTML fed: {got['raw_bytes'] / 1e6:.1f} MB)",
    ]
    by_part = sizes(path)
    if by_part:
        lines.append("  by part: " + ", ".join(f"{k} {v / n_versions / 1024:.1f} KB/version"
                                              for k, v in sorted(by_part.items(), key=lambda kv: -kv[1])))
    conn = sqlite3.connect(path)
    lines.append("queries (first run / median of 7, rows):")
    worst = 0.0
    for name, (sql, params) in QUERIES.items():
        first, median, n = time_query(conn, sql, params)
        worst = max(worst, median)
        lines.append(f"  {name}: {first * 1000:.1f} ms / {median * 1000:.1f} ms, {n} rows")
    conn.close()
    lines.append(f"slowest query median {worst * 1000:.1f} ms (target < 100 ms)")
    if args.reextract:
        lines += bench_reextract(args.reextract, tmp)
    print("\n".join(lines))
    if args.write_results:
        RESULTS.write_text(
            "## Archive (`python -m bench.archive`)\n\n"
            f"Machine: {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end: the machine "
            f"is shared, so CPU times are given beside wall times), SQLite {sqlite3.sqlite_version}. Synthetic reports: full "
            "2021-template figures, ~5 KB Chinese text, ~25 KB raw HTML with a visit counter.\n\n"
            "```\n" + "\n".join(lines) + "\n```\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
