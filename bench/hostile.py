"""The hostile documents of issue 18 against the extractor: time, peak memory and outcome of each.

    .venv/bin/python -m bench.hostile [--repo PATH] [--timeout S] [--only NAME ...]

Each case runs `extract_report` in a fresh process (so peak memory is that document's alone),
stopped after --timeout seconds (and, with --memory, refused more address space). --repo runs another checkout's extractor (e.g. main before a
change) on the same documents. Results: bench/RESULTS_hostile.md (written by hand from runs).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile_docs as docs  # noqa: E402

MiB = docs.MiB
FIXTURE = ROOT / "tests" / "fixtures" / "reports"


def _fixture(name: str) -> bytes:
    return (FIXTURE / name).read_bytes()


# name -> (bytes factory, url, content type)
CASES = {
    "html_table_0.5MB": (lambda: docs.table_page(MiB // 2), "http://x.gov.cn/a.html", "text/html"),
    "html_table_1MB": (lambda: docs.table_page(MiB), "http://x.gov.cn/a.html", "text/html"),
    "html_table_2MB": (lambda: docs.table_page(2 * MiB), "http://x.gov.cn/a.html", "text/html"),
    "html_table_4MB": (lambda: docs.table_page(4 * MiB), "http://x.gov.cn/a.html", "text/html"),
    "html_table_49MB": (lambda: docs.table_page(49 * MiB), "http://x.gov.cn/a.html", "text/html"),
    "html_spans_100_20KB": (lambda: docs.span_page(20_000, 100), "http://x.gov.cn/a.html", "text/html"),
    "html_deep_fonts_600": (lambda: _fixture("31_trs_word_deep_fonts_yichang_nyj_2023.html"),
                            "http://www.yichang.gov.cn/zfxxgk/show.html?aid=2&id=231987", "text/html"),
    "html_deep_div_1500": (lambda: docs.deep_page(1500, "div", "<p>报告</p>"), "http://x.gov.cn/a.html", "text/html"),
    "html_gbk_as_latin1": (lambda: _fixture("04_hanweb_gbk_th_xihu_mzj_2023.html"),
                           "http://www.hzxh.gov.cn/a.html", "text/html; charset=iso-8859-1"),
    "pdf_content_1GiB": (lambda: docs.pdf_content_bomb(1024 * MiB), "http://x.gov.cn/a.pdf", "application/pdf"),
    "pdf_content_64MiB": (lambda: docs.pdf_content_bomb(64 * MiB), "http://x.gov.cn/a.pdf", "application/pdf"),
    "docx_bomb_1GiB": (lambda: docs.docx_bomb(1024 * MiB), "http://x.gov.cn/a.docx", None),
    "docx_bomb_150MiB": (lambda: docs.docx_bomb(150 * MiB), "http://x.gov.cn/a.docx", None),
    "docx_2M_paragraphs": (lambda: docs.docx_paragraphs(2_000_000), "http://x.gov.cn/a.docx", None),
    "docx_1.2M_elements": (lambda: docs.docx_numbered_paragraphs(400_000), "http://x.gov.cn/a.docx", None),
    "xlsx_150k_cells": (lambda: docs.xlsx_numbered_cells(15_000, 10), "http://x.gov.cn/a.xlsx", None),
    "xlsx_1M_cells": (lambda: docs.xlsx_cells(100_000, 10), "http://x.gov.cn/a.xlsx", None),
    "xlsx_merge_1M": (lambda: docs.xlsx_workbook(b"<row><c><v>1</v></c></row>", merges=["A1:J100000"]),
                      "http://x.gov.cn/a.xlsx", None),
}

_CHILD = """
import sys, json
sys.path.insert(0, sys.argv[1])
from extract import extract_report
from extract.report import ExtractError
data = open(sys.argv[2], "rb").read()
try:
    r = extract_report(data, url=sys.argv[3], content_type=sys.argv[4] or None)
    n = sum(len(cols) for rows in r.figures.values() for cols in rows.values())
    print(f"report, {n} figures")
except ExtractError as e:
    print(f"{type(e).__name__}: {e.reason}")
"""


def _limit(megabytes: int):
    def apply() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * MiB, megabytes * MiB))
    return apply if megabytes else None


def run(name: str, repo: Path, timeout: float, memory: int = 0) -> tuple[str, float, int, str]:
    make, url, ctype = CASES[name]
    data = make()
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        py = repo / ".venv" / "bin" / "python"
        started = time.monotonic()
        proc = subprocess.Popen([str(py if py.exists() else sys.executable), "-c", _CHILD, str(repo), f.name,
                                 url, ctype or ""], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=_limit(memory))
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        out = proc.stdout.read().decode().strip().splitlines()
        err = proc.stderr.read().decode().strip().splitlines()
        if elapsed > timeout:
            outcome = f"still running at {timeout:g} s (killed)"
        elif out:
            outcome = out[-1]
        else:
            outcome = "crashed: " + (err[-1] if err else f"status {status}")
    return name, elapsed, rusage.ru_maxrss // 1024, f"{len(data) / MiB:.2f} MB in: {outcome}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=ROOT, help="checkout whose extractor runs")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--memory", type=int, default=0, help="address-space limit of each run, in MB")
    args = ap.parse_args()
    for name in args.only or CASES:
        name, elapsed, peak, outcome = run(name, args.repo.resolve(), args.timeout, args.memory)
        print(f"{name:22} {elapsed:7.1f} s {peak:6d} MB  {outcome}", flush=True)


if __name__ == "__main__":
    main()
