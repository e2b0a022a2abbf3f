"""Crawl throughput and memory against a bare Scrapy spider on the same local portal, same run.

    python -m bench.crawl [--listings 100] [--per-listing 20] [--concurrency 16] [--latency 0.2]
                          [--out bench/RESULTS_crawl.md]
    python -m bench.crawl --portal cluster [--agencies 20] [--listings 3] [--per-listing 5]
                          [--out bench/RESULTS_crawl_cluster.md]

Builds a TRS-style portal on disk: one report column of N listing pages joined by a JavaScript
pager (`createPageHTML`), each listing K report pages (copies of the demo's report pages, ~47 KB
each, at their own URLs) — N×K+N pages. With `--portal cluster`, a site cluster instead: a home
page, a directory of A agencies' sites linked by name (…县人民政府), each site a home, a 政府信息公开
page and its own report column of N listing pages × K reports, paged alternately by a TRS and a
UCAP-style script call; the crawl starts at the cluster's home (discovery walks the directory).
Either portal is served from a separate process on 127.0.0.1
(http.server, which answers If-Modified-Since with 304), each answer after `--latency` seconds:
a government portal takes 0.1–0.5 s to answer a page, while a loopback server answers in a
millisecond and would make any crawl that reads what it fetches look slow next to one that does
not. At 0.2 s a bare spider does ≈ 70 pages/s at concurrency 16, the reference SPEC.md states;
`--latency 0` measures against the loopback floor.

Runs, each in its own process (Twisted's reactor does not restart), politeness delays off and the
same concurrency for all:
- bare:  a Scrapy spider with default settings that GETs the very URLs ours fetched, parses nothing.
- cold:  `reports` into an empty archive, the first crawl of a portal: discovery, fetch log,
         extraction of every report (in `extract.isolation` workers, one per core), archive.
- warm:  `reports` again into that archive: the nightly case, reports answer 304 Not Modified.
Prints pages/s, the ratio of time per page to bare (targets: cold ≤ 2.5×, warm ≤ 1.5×), CPU
seconds of the crawl process and of its extraction workers, peak RSS of the crawl process, and writes them to
RESULTS_crawl.md. bare/warm are repeated (--repeat, interleaved) and medians kept; nothing is
asserted: machines are noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_REPORTS = sorted(p for p in (ROOT / "demo" / "site").rglob("*.html")
                      if ("/t20" in p.as_posix() or "/art_" in p.as_posix()) and "gzyd" not in p.as_posix())


# -- the portal ----------------------------------------------------------------------------------

def build_portal(root: Path, listings: int, per_listing: int) -> list[str]:
    """Write the portal; return the paths of every page ours should fetch (robots.txt excluded)."""
    bodies = [p.read_bytes() for p in DEMO_REPORTS if b"<table" in p.read_bytes()]
    column = root / "xxgk" / "zfxxgknb"
    column.mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n")
    paths = []
    n = 0
    for page in range(listings):
        items = []
        for _ in range(per_listing):
            n += 1
            month = f"2023{1 + n % 12:02d}"
            rel = f"{month}/t{month}{1 + n % 28:02d}_{100000 + n}.html"
            (column / month).mkdir(exist_ok=True)
            (column / rel).write_bytes(bodies[n % len(bodies)])
            title = f"第{n}号单位2022年政府信息公开工作年度报告"
            items.append(f'<li><a href="./{rel}" target="_blank" title="{title}">{title}</a><span>2023-01-31</span></li>')
            paths.append(f"/xxgk/zfxxgknb/{rel}")
        name = "index.html" if page == 0 else f"index_{page}.html"
        (column / name).write_text(
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
            "<title>政府信息公开年报</title></head><body><ul class=\"list\">" + "\n".join(items) + "</ul>"
            f'<div class="page"><script>createPageHTML({listings}, {page}, "index", "html");</script></div>'
            "</body></html>", encoding="utf-8")
        paths.append(f"/xxgk/zfxxgknb/{name}")
    return paths


_NAMES = "东西南北中新安平和兴永宁昌德丰泰华阳"


def build_cluster(root: Path, agencies: int, listings: int, per_listing: int) -> list[str]:
    """A cluster home → a directory of agencies → each agency's site → its column: every path."""
    bodies = [p.read_bytes() for p in DEMO_REPORTS if b"<table" in p.read_bytes()]
    (root / "dir").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n")
    paths, names = ["/", "/dir/"], []
    page = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>')
    n = 0
    for a in range(agencies):
        name = _NAMES[a % len(_NAMES)] + _NAMES[(a // len(_NAMES) + 3 * a + 1) % len(_NAMES)] + "县人民政府"
        site = f"/site{a:02d}/"
        names.append((site, name))
        col = root / f"site{a:02d}" / "xxgk" / "nb"
        col.mkdir(parents=True)
        (root / f"site{a:02d}" / "index.html").write_text(page.format(
            title=name, body=f'<a href="{site}xxgk/">政府信息公开</a>'), encoding="utf-8")
        ucap = a % 2 == 1  # every other site pages like UCAP: list.html, list_2.html …, counted from 1
        first = "list.html" if ucap else ""
        (root / f"site{a:02d}" / "xxgk" / "index.html").write_text(page.format(
            title=name + "政府信息公开", body=f'<a href="{site}xxgk/nb/{first}">政府信息公开年报</a>'), encoding="utf-8")
        paths += [site, site + "xxgk/", site + "xxgk/nb/" + first]
        for i in range(listings):
            items = []
            for _ in range(per_listing):
                n += 1
                month = f"2023{1 + n % 12:02d}"
                rel = f"{month}/t{month}{1 + n % 28:02d}_{200000 + n}.html"
                (col / month).mkdir(exist_ok=True)
                (col / rel).write_bytes(bodies[n % len(bodies)])
                title = f"{name}第{n}号单位2022年政府信息公开工作年度报告"
                items.append(f'<li><a href="./{rel}" title="{title}">{title}</a><span>2023-01-31</span></li>')
                paths.append(f"{site}xxgk/nb/{rel}")
            if ucap:
                file = "list.html" if i == 0 else f"list_{i + 1}.html"
                pager = f"createPage({listings}, {i + 1}, 'list', 'html');"
            else:
                file = "index.html" if i == 0 else f"index_{i}.html"
                pager = f'createPageHTML({listings}, {i}, "index", "html");'
            (col / file).write_text(page.format(title="政府信息公开年报", body="<ul>" + "".join(items) + "</ul>"
                                                + f"<script>{pager}</script>"), encoding="utf-8")
            if i:
                paths.append(f"{site}xxgk/nb/{file}")
    (root / "dir" / "index.html").write_text(page.format(title="县区政府信息公开", body="<ul>" + "".join(
        f'<li><a href="{h}">{t}</a></li>' for h, t in names) + "</ul>"), encoding="utf-8")
    (root / "index.html").write_text(page.format(title="某某市政府网站群", body='<a href="/dir/">县区政府信息公开</a>'),
                                     encoding="utf-8")
    return paths


def serve(root: Path, latency: float) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.crawl", "--child", "serve", "--root", str(root),
                             "--latency", str(latency)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def serve_child(root: str, latency: float) -> None:
    """The demo's quiet file server, each answer after `latency` seconds (threads: concurrent)."""
    import functools
    import importlib.util
    from http.server import ThreadingHTTPServer

    spec = importlib.util.spec_from_file_location("demo_serve", ROOT / "demo" / "serve.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)

    class Slow(demo.QuietHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            time.sleep(latency)
            super().do_GET()

    ThreadingHTTPServer.daemon_threads = True
    with ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Slow, directory=root)) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()


# -- one measured crawl (child process) ----------------------------------------------------------

def child(args) -> None:
    from scrapy import Spider
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    common = {"CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
              "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "ERROR",
              "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False}
    if args.child == "bare":
        urls = [f"http://127.0.0.1:{args.port}{p}" for p in json.loads(Path(args.urls).read_text())]

        class Bare(Spider):
            name = "bare"
            start_urls = urls

            def parse(self, response):
                return None

        process = CrawlerProcess(common)
        crawler = process.create_crawler(Bare)
        process.crawl(crawler)
    else:
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        settings.setdict({**common, "ARCHIVE_DB": args.db, "OGI_PRINT_SUMMARY": False,
                          "OGI_ALLOW_PRIVATE_HOSTS": True,  # the bench portal is on loopback
                          **json.loads(os.environ.get("OGI_BENCH_SETTINGS", "{}"))}, priority="cmdline")
        if args.workers:
            settings.set("OGI_EXTRACT_WORKERS", args.workers, priority="cmdline")
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("reports")
        process.crawl(crawler, start_urls=[f"http://127.0.0.1:{args.port}{args.start}"])
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "elapsed": stats["elapsed_time_seconds"],
        "responses": stats.get("response_received_count", 0),
        "statuses": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")},
        "items": stats.get("item_scraped_count", 0),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_s": (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF)),
        "extract_cpu_s": stats.get("ogi/extract/cpu_seconds", 0.0),  # the extraction workers
    }))


def measure(kind: str, port: int, concurrency: int, workers: int, db: Path, urls: Path, start: str) -> dict:
    cmd = [sys.executable, "-m", "bench.crawl", "--child", kind, "--port", str(port), "--workers", str(workers),
           "--concurrency", str(concurrency), "--db", str(db), "--urls", str(urls), "--start", start]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["pages_per_s"] = result["responses"] / result["elapsed"]
    result["load"] = os.getloadavg()[0]
    return result


# -- main ------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", choices=("column", "cluster"), default="column",
                        help="one long report column, or a site cluster whose home links its agencies' sites")
    parser.add_argument("--agencies", type=int, default=20, help="agencies' sites of the cluster portal")
    parser.add_argument("--listings", type=int, default=None, help="listing pages per column (100; cluster: 3)")
    parser.add_argument("--per-listing", type=int, default=None, help="reports per listing page (20; cluster: 5)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core, the default)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the portal takes to answer a page")
    parser.add_argument("--repeat", type=int, default=3, help="runs of bare/warm (medians reported)")
    parser.add_argument("--out", default=None, help="results file (RESULTS_crawl.md; cluster: RESULTS_crawl_cluster.md)")
    parser.add_argument("--child", choices=("bare", "cold", "warm", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--start", default="/xxgk/zfxxgknb/", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cluster = args.portal == "cluster"
    args.listings = args.listings or (3 if cluster else 100)
    args.per_listing = args.per_listing or (5 if cluster else 20)
    args.out = args.out or str(ROOT / "bench" / ("RESULTS_crawl_cluster.md" if cluster else "RESULTS_crawl.md"))
    if args.child == "serve":
        serve_child(args.root, args.latency)
        return 0
    if args.child:
        child(args)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="ogi-bench-crawl-"))
    server = None
    try:
        if cluster:
            paths = build_cluster(tmp / "site", args.agencies, args.listings, args.per_listing)
            start, what = "/", (f"a cluster home, a directory of {args.agencies} agencies' sites, each "
                                f"{args.listings} listings × {args.per_listing} reports")
        else:
            paths = build_portal(tmp / "site", args.listings, args.per_listing)
            start, what = "/xxgk/zfxxgknb/", f"{args.listings} listings × {args.per_listing} reports"
        urls = tmp / "urls.json"
        urls.write_text(json.dumps(paths))
        server, port = serve(tmp / "site", args.latency)
        print(f"portal: {len(paths)} pages ({what}), "
              f"concurrency {args.concurrency}, answers after {args.latency:g} s, served on 127.0.0.1:{port}",
              flush=True)
        # The machine is shared (2 cores, other work): runs are interleaved and repeated, medians kept.
        # The cold crawls (minutes) run once; the first fills the archive the warm runs re-crawl.
        samples: dict[str, list[dict]] = {"bare": [], "cold": [], "warm": []}
        plan = [("cold", tmp / "a.db")] + [(kind, db) for _ in range(args.repeat) for kind, db in
                                           (("bare", None), ("warm", tmp / "a.db"))]
        for kind, db in plan:
            r = measure(kind, port, args.concurrency, args.workers, db or tmp / "unused.db", urls, start)
            samples[kind].append(r)
            print(f"{kind:5}  {r['responses']:5d} responses in {r['elapsed']:6.2f} s = {r['pages_per_s']:6.1f} pages/s"
                  f"  CPU {r['cpu_s']:6.1f} s + workers {r.get('extract_cpu_s', 0):6.1f} s  peak RSS {r['maxrss_mb']:6.1f} MB"
                  f"  statuses {r['statuses']}  load {os.getloadavg()[0]:.1f}", flush=True)
        runs = {kind: median_run(rs) for kind, rs in samples.items()}
        for kind, r in runs.items():
            print(f"median {kind:5} {r['pages_per_s']:6.1f} pages/s = {runs['bare']['pages_per_s'] / r['pages_per_s']:.2f}× "
                  "the time per page of bare")
        write_results(Path(args.out), args, len(paths), runs)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def median_run(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["elapsed"])
    out = dict(ordered[len(ordered) // 2])
    out["samples_s"] = [round(r["elapsed"], 2) for r in runs]
    return out


def write_results(path: Path, args, pages: int, runs: dict) -> None:
    bare = runs["bare"]["pages_per_s"]
    lines = [
        "# Crawl benchmark (`python -m bench.crawl`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{min(r['load'] for r in runs.values()):.1f}–{max(r['load'] for r in runs.values()):.1f}. Portal: {pages} "
        + (f"pages (a site cluster started at its home: a directory of {args.agencies} agencies' sites linked by "
           f"name, each a home, a 政府信息公开 page and a report column of {args.listings} listing pages (TRS- or "
           f"UCAP-style script pagers) × {args.per_listing} report pages of ~47 KB)"
           if args.portal == "cluster" else
           f"pages ({args.listings} TRS listing pages joined by a JavaScript pager × {args.per_listing} report pages of "
           "~47 KB)")
        + f", served by http.server in its own process on 127.0.0.1, each answer after {args.latency:g} s; "
        f"concurrency {args.concurrency} for every run, AutoThrottle and download delay off. Each run is its own "
        "process.",
        "",
        "| run | responses | seconds (median) | pages/s | time per page vs bare (target) | CPU s: crawl process + extraction workers | peak RSS MB (crawl process) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label, target in (("bare", "bare Scrapy spider, same URLs", "—"),
                                ("cold", "`reports`, first crawl (extracts every report)", "≤ 2.5×"),
                                ("warm", "`reports`, nightly re-crawl (304 Not Modified)", "≤ 1.5×")):
        r = runs[kind]
        lines.append(f"| {label} | {r['responses']} | {r['elapsed']:.2f} | {r['pages_per_s']:.1f} | "
                     f"{bare / r['pages_per_s']:.2f}× ({target}) | {r['cpu_s']:.1f} + {r.get('extract_cpu_s', 0):.1f} | "
                     f"{r['maxrss_mb']:.0f} |")
    lines += ["", "Raw numbers (JSON):", "", "```json", json.dumps(runs, indent=1, sort_keys=True), "```", ""]
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = existing.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in existing else ""
    path.write_text("\n".join(lines) + "<!-- notes -->" + notes, encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main())
