"""Extraction speed and memory against bare baselines on the same bytes, in one process.

    python -m bench.extract [--repeat N] [FILES...]

Baselines: `lxml.html.fromstring` (the floor: parsing alone) and
`trafilatura.extract(..., include_tables=True)` (text alone). Ours: `extract_report` (figures,
metadata, checks, main text). Prints per-document medians and the ratio ours / trafilatura; the
target is ≤ 1.5×. Times are never asserted (machines are noisy); ratios are what we track.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from pathlib import Path

import lxml.html
import trafilatura

from extract import ExtractError, extract_report

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOBS = ("tests/fixtures/reports/*.htm*", "tests/fixtures/reports/*.shtml", "demo/site/**/*.htm*")


def _ours(data: bytes, name: str) -> None:
    try:
        extract_report(data, url=name)
    except ExtractError:
        pass


BASELINES = {
    "lxml.fromstring": lambda data, name: lxml.html.fromstring(data),
    "trafilatura": lambda data, name: trafilatura.extract(data, include_tables=True),
    "ours": _ours,
}


def _time(fn, data, name, repeat) -> float:
    fn(data, name)  # warm caches and lazy imports
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(data, name)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def _peak(fn, data, name) -> int:
    gc.collect()
    tracemalloc.start()
    fn(data, name)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _short(path: Path) -> str:
    try:
        path = path.resolve().relative_to(ROOT)
    except ValueError:
        pass
    return str(path)[-48:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    files = [Path(f) for f in args.files] or sorted({p for g in DEFAULT_GLOBS for p in ROOT.glob(g)})
    if not files:
        raise SystemExit("no HTML documents to measure")
    totals = dict.fromkeys(BASELINES, 0.0)
    peaks = dict.fromkeys(BASELINES, 0)
    print(f"{'document':48s} {'KB':>5s} " + " ".join(f"{k:>16s}" for k in BASELINES) + "   ours/traf")
    for path in files:
        data = path.read_bytes()
        times = {k: _time(fn, data, path.name, args.repeat) for k, fn in BASELINES.items()}
        for k, fn in BASELINES.items():
            totals[k] += times[k]
            peaks[k] = max(peaks[k], _peak(fn, data, path.name))
        print(f"{_short(path):48s} {len(data) / 1024:5.0f} "
              + " ".join(f"{times[k] * 1000:13.2f} ms" for k in BASELINES)
              + f"   {times['ours'] / times['trafilatura']:.2f}x")
    n = len(files)
    print(f"\nmean over {n} documents: " + ", ".join(f"{k} {totals[k] / n * 1000:.2f} ms" for k in BASELINES))
    print(f"ratio ours / trafilatura = {totals['ours'] / totals['trafilatura']:.2f}x (target <= 1.5x); "
          f"ours / lxml parse = {totals['ours'] / totals['lxml.fromstring']:.1f}x")
    print("peak traced memory: " + ", ".join(f"{k} {peaks[k] / 1e6:.1f} MB" for k in BASELINES))


if __name__ == "__main__":
    main()
