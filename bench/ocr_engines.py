"""Which OCR engine reads report pages best: RapidOCR (onnxruntime) against Tesseract (chi_sim).

    python -m bench.ocr_engines [PDF ...] [--dpi 200] [--pages-per-pdf 3]

Real text-layer report PDFs (default: every PDF under /work/realdata/pdf, outside the
repository) are rendered, turned ±1–2° and given scanner noise (`bench.scans`), and
each engine's raw output is compared with the page's own text layer, word by word:

- label characters: every text-layer word with Chinese characters, 1 − edit distance / length of
  the OCR characters found inside its box (the box turned with the page);
- digit cells: every text-layer word made of digits only (table cells, mostly), exact match;
- seconds per page (wall clock; the machine is shared, so also the process CPU time).

Both engines read the page after our deskew (extract/ocr.py), before any of our table reading; `bench/ocr.py` measures the
chosen engine through `extract_report`.
"""
from __future__ import annotations

import argparse
import math
import re
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pdfplumber
from PIL import Image

from bench.scans import degrade, render_pages
from extract.ocr import estimate_skew, rotate

DEFAULT_DIRS = [Path("/work/realdata/pdf")]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGITS = re.compile(r"^\d+$")
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})


def rapidocr_engine():
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(print_verbose=False)

    def run(img):
        # As extract/ocr.py calls it: no angle classifier, small boxes kept, all scores returned.
        result, _ = engine(np.asarray(img.convert("RGB")), use_cls=False, box_thresh=0.3, text_score=0.3)
        return [(text, [tuple(p) for p in box], conf) for box, text, conf in (result or [])]

    return run


def tesseract_engine(psm: int = 3):
    """Debian's tesseract-ocr + tesseract-ocr-chi-sim (`apt-get install tesseract-ocr
    tesseract-ocr-chi-sim`), called directly for its TSV output (word boxes and confidences)."""
    import csv
    import io
    import subprocess

    def run(img):
        buf = io.BytesIO()
        img.save(buf, "PNG")
        tsv = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
                             input=buf.getvalue(), capture_output=True, check=True).stdout.decode("utf-8")
        out = []
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            text = (row.get("text") or "").strip()
            if row["level"] == "5" and text:
                x, y, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
                out.append((text, [(x, y), (x + w, y), (x + w, y + h), (x, y + h)], float(row["conf"]) / 100))
        return out

    return run


def _char_points(items):
    """Every recognised character with an estimated centre: the item's characters spread along
    its box by width (a Chinese character a full em, others half)."""
    points = []
    for text, quad, _conf in items:
        text = unicodedata.normalize("NFKC", text).replace(" ", "")
        if not text:
            continue
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad[:4]
        widths = [1.0 if _CJK.match(c) else 0.55 for c in text]
        total = sum(widths)
        acc = 0.0
        for c, w in zip(text, widths):
            f = (acc + w / 2) / total
            acc += w
            top = (x0 + f * (x1 - x0), y0 + f * (y1 - y0))
            bottom = (x3 + f * (x2 - x3), y3 + f * (y2 - y3))
            points.append((c, (top[0] + bottom[0]) / 2, (top[1] + bottom[1]) / 2))
    return points


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def score_page(words, points, scale, angle, size):
    """Compare OCR characters with the text layer's words on one page."""
    w, h = size
    cx, cy = w / 2, h / 2
    t = math.radians(angle)
    # Undo the page's turn: OCR points back into the unturned page, then into PDF points.
    back = []
    for c, x, y in points:
        dx, dy = x - cx, y - cy
        ux = cx + dx * math.cos(t) - dy * math.sin(t)
        uy = cy + dx * math.sin(t) + dy * math.cos(t)
        back.append((c, ux / scale, uy / scale))
    labels = []
    digits = []
    for word in words:
        text = unicodedata.normalize("NFKC", word["text"])
        pad = 0.3 * (word["bottom"] - word["top"])
        inside = sorted((x, c) for c, x, y in back
                        if word["x0"] - pad <= x <= word["x1"] + pad and word["top"] - pad <= y <= word["bottom"] + pad)
        got = "".join(c for _x, c in inside)
        if _DIGITS.match(text):
            digits.append(got.translate(_DIGIT_LOOKALIKES) == text)
        elif len(_CJK.findall(text)) >= 2:
            labels.append(max(0.0, 1 - _levenshtein(got, text) / len(text)))
    return labels, digits


def _cpu() -> float:
    """CPU seconds of this process and its children (Tesseract runs as a subprocess)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--pages-per-pdf", type=int, default=3, help="pages with the most digit cells")
    parser.add_argument("--engines", default="rapidocr,tesseract-psm3,tesseract-psm6")
    args = parser.parse_args(argv)
    pdfs = args.pdfs or sorted(p for d in DEFAULT_DIRS if d.is_dir() for p in d.glob("*.pdf"))
    if not pdfs:
        print("no PDFs given and none under /work/realdata", file=sys.stderr)
        return 2
    engines = {}
    for name in args.engines.split(","):
        engines[name] = rapidocr_engine() if name == "rapidocr" else tesseract_engine(int(name.rsplit("psm", 1)[1]))
    pages = []  # (label, words, image, angle)
    for n, path in enumerate(pdfs):
        data = path.read_bytes()
        with pdfplumber.open(path) as pdf:
            by_page = []
            for i, page in enumerate(pdf.pages):
                words = page.extract_words(x_tolerance=1.5, y_tolerance=3)
                by_page.append((sum(1 for wd in words if _DIGITS.match(wd["text"])), i, words))
        chosen = sorted(by_page, reverse=True)[:args.pages_per_pdf]
        for k, (_count, i, words) in enumerate(sorted(chosen, key=lambda x: x[1])):
            angle = (1.0 + (n + k) % 3 * 0.5) * (-1) ** (n + k)  # 1°, 1.5°, 2°, alternating sides
            image = degrade(render_pages(data, args.dpi, [i])[0], angle, noise=10.0, seed=n * 100 + i)
            # Both engines get the page deskewed as extract/ocr.py does it (the residual angle
            # is what the scoring undoes).
            gray = np.asarray(image.convert("L"))
            found = estimate_skew(gray)
            image = Image.fromarray(rotate(gray, -found))
            pages.append((f"{path.name}#{i + 1}", words, image, angle - found))
    print(f"{len(pages)} pages from {len(pdfs)} PDFs, {args.dpi} dpi, turned ±1–2°, noise σ=10, JPEG q75")
    print(f"{'engine':16} {'label chars':>12} {'digit cells':>16} {'s/page wall':>12} {'s/page CPU':>11}")
    for name, run in engines.items():
        labels, digits, walls, cpus = [], [], [], []
        for _label, words, image, angle in pages:
            t0, c0 = time.perf_counter(), _cpu()
            items = run(image)
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
            lab, dig = score_page(words, _char_points(items), args.dpi / 72, angle, image.size)
            labels += lab
            digits += dig
        print(f"{name:16} {100 * statistics.mean(labels):11.2f}% {sum(digits):6d}/{len(digits):<4d} "
              f"{100 * sum(digits) / len(digits):5.1f}% {statistics.mean(walls):12.2f} {statistics.mean(cpus):11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
