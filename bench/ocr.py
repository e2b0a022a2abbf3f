"""Scanned reports: cells right, and seconds per page against the same pages' text layer.

    python -m bench.ocr [PDF ...] [--dpi 200] [--seed 1] [--max-angle 1.5] [--noise 10]

Each real text-layer report PDF (default: every PDF under /work/realdata/pdf, outside the
repository, as fetched material is never committed; without any, the generated ruled fixtures)
is rendered page by page, turned ±0.5–1.5°, given scanner noise and saved as an image-only PDF
(`bench.scans`). Both are extracted in the same run:

- text layer: `extract_report` on the original PDF (the truth for the cells: its own figures;
  where a labelled `NAME.expected.json` lies beside the PDF, its figures instead);
- scan: `extract_report` on the image-only PDF (OCR by the chosen engine).

Printed per document: cells right / wrong / missing / extra against the truth, title, agency and
year right, seconds per page (wall clock, and process CPU), and the ratio scan / text layer.
The machine is shared: wall seconds move with its load (shown), CPU seconds much less.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.scans import image_pdf, scanned
from extract import ExtractError, extract_report

DEFAULT_DIRS = [Path("/work/realdata/pdf")]
# Without real PDFs at hand (a fresh machine): the generated, labelled ruled-table fixtures.
FALLBACK = [Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "attachments" / name
            for name in ("pdf_ruled_continued.pdf", "pdf_ruled_repeat_header.pdf")]


def _cells(figures: dict) -> dict[tuple[str, str, str], float]:
    return {(t, r, c): v for t, rows in figures.items() for r, cols in rows.items() for c, v in cols.items()}


def _truth(path: Path, report) -> tuple[dict, dict]:
    label = path.with_suffix("").with_suffix(".expected.json")
    if not label.exists():
        label = path.parent / (path.stem + ".expected.json")
    if label.exists():
        expected = json.loads(label.read_text(encoding="utf-8"))
        meta = expected.get("meta", expected)
        return _cells(expected.get("figures", {})), {k: meta.get(k) for k in ("title", "agency", "year")}
    return _cells(report.figures), {"title": report.title, "agency": report.agency, "year": report.year}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-angle", type=float, default=1.5)
    parser.add_argument("--noise", type=float, default=10.0)
    args = parser.parse_args(argv)
    pdfs = args.pdfs or sorted(p for d in DEFAULT_DIRS if d.is_dir() for p in d.glob("*.pdf"))
    if not pdfs:
        print("no real PDFs under /work/realdata/pdf: measuring the generated ruled fixtures", file=sys.stderr)
        pdfs = FALLBACK
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{args.dpi} dpi, turned up to ±{args.max_angle}°, noise σ={args.noise}, JPEG")
    print(f"{'document':34} {'pages':>5} {'right':>6} {'wrong':>5} {'miss':>5} {'extra':>5} {'meta':>5} "
          f"{'text s/p':>8} {'ocr s/p':>8} {'ocr cpu/p':>9} {'ratio':>7}")
    totals = {"right": 0, "wrong": 0, "missing": 0, "extra": 0, "pages": 0, "text": 0.0, "ocr": 0.0, "cpu": 0.0,
              "meta": 0, "meta_total": 0}
    for path in pdfs:
        data = path.read_bytes()
        try:
            t0 = time.perf_counter()
            text_report = extract_report(data, url=path.name)
            text_seconds = time.perf_counter() - t0
        except ExtractError as exc:
            print(f"{path.name[:34]:34} skipped: the text layer does not extract ({exc.reason})")
            continue
        truth, meta = _truth(path, text_report)
        images = scanned(data, dpi=args.dpi, seed=args.seed, max_angle=args.max_angle, noise=args.noise)
        scan = image_pdf(images, args.dpi)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            report = extract_report(scan, url=path.name)
        except ExtractError as exc:
            print(f"{path.name[:34]:34} scan failed: {exc.reason}")
            continue
        ocr_seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        got = _cells(report.figures)
        right = sum(1 for k, v in truth.items() if got.get(k) == v)
        wrong = sum(1 for k, v in truth.items() if k in got and got[k] != v)
        missing = sum(1 for k in truth if k not in got)
        extra = sum(1 for k in got if k not in truth)
        meta_ok = sum(1 for k, v in meta.items() if getattr(report, k) == v)
        n = len(images)
        for k, v in (("right", right), ("wrong", wrong), ("missing", missing), ("extra", extra), ("pages", n),
                     ("text", text_seconds), ("ocr", ocr_seconds), ("cpu", cpu), ("meta", meta_ok),
                     ("meta_total", len(meta))):
            totals[k] += v
        print(f"{path.name[:34]:34} {n:5d} {right:6d} {wrong:5d} {missing:5d} {extra:5d} {meta_ok}/{len(meta):<3} "
              f"{text_seconds / n:8.3f} {ocr_seconds / n:8.2f} {cpu / n:9.2f} {ocr_seconds / max(text_seconds, 1e-9):6.0f}×")
        for k, v in sorted(truth.items()):
            if got.get(k) != v:
                print(f"    {'.'.join(k)}: {v} → {got.get(k, 'absent')}")
    cells = totals["right"] + totals["wrong"] + totals["missing"]
    if not cells:
        return 1
    p = max(totals["pages"], 1)
    print(f"\nall: {totals['right']}/{cells} cells right ({100 * totals['right'] / cells:.2f}%), "
          f"{totals['wrong']} wrong, {totals['missing']} missing, {totals['extra']} extra; "
          f"title/agency/year {totals['meta']}/{totals['meta_total']}; "
          f"{totals['ocr'] / p:.2f} s/page OCR (CPU {totals['cpu'] / p:.2f}) against {totals['text'] / p:.3f} "
          f"s/page text layer: {totals['ocr'] / max(totals['text'], 1e-9):.0f}×; "
          f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
