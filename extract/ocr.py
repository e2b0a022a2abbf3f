"""Page images → positioned `Word`s (with the engine's confidence) and ruling lines (`Rule`s).

The engine is RapidOCR (PP-OCRv4 Chinese detection and recognition on onnxruntime); its wheel
ships the models, so nothing is downloaded at run time. It was chosen by measurement against
Tesseract's chi_sim on rendered, turned and noisy real report pages (bench/RESULTS.md, "OCR").

Per page: the skew is measured and undone first (scanners turn pages by a degree or two, and a
turned table's rows run into each other), ruling lines are found by morphology (OpenCV, which
RapidOCR brings), the engine reads the page, and ink the engine's detector passed over (a lone
`0` in a table cell is the usual case) is read again by the recogniser alone, so that a figure
is never taken for a blank cell. Digits that OCR typically confuses with letters (`O`/`o` for
`0`, `l`/`I` for `1`) are mended only inside tokens that are otherwise numbers.

Everything here is per call: the engine is cached per process (re-created after a fork), holds
no thread of its own after a call returns, so a worker can be killed at any time.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

import numpy as np

from extract.words import Rule, Word

ENGINE_NAME = "rapidocr-onnxruntime"
# Below this the recogniser's reading of a text line is noise (punctuation read into specks).
MIN_TEXT_SCORE = 0.3
# Largest side the detector sees; RapidOCR's own default (larger pages are scaled down).
MAX_SIDE = 2000
# Angles searched for skew, in degrees: scanners turn pages a little, never by 5°.
_MAX_SKEW = 4.0

_CJK = re.compile(r"[\u3400-\u9fff]")
# A token that is a number but for letters OCR mistakes for digits ("1O5", "l2", "2o", "D"),
# and for specks of scanner noise read as punctuation at its ends ("105.", "0°", ".0").
_NUMBERISH = re.compile(r"^(?P<lead>[.,·°'`:]*)(?P<core>[\dOoDIl|]*\d[\dOoDIl|]*(?:\.\d+)?|[OoD])(?P<trail>[.,·°'`:。\-_~]*)$")
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1"})


def engine_version() -> str:
    """"rapidocr-onnxruntime 1.4.4 (onnxruntime 1.x)": what a Report's `ocr.engine` says."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{ENGINE_NAME} {version('rapidocr-onnxruntime')} (PP-OCRv4, onnxruntime {version('onnxruntime')})"
    except PackageNotFoundError:
        return ENGINE_NAME


def available() -> bool:
    from importlib import import_module

    try:
        import_module("rapidocr_onnxruntime")
    except Exception:  # noqa: BLE001 - missing package or a broken native library: no OCR
        return False
    return True


_ENGINE: tuple[int, object] | None = None


def _engine():
    """One engine per process: loading the models costs half a second, but an onnxruntime
    session must not cross a fork, so a child process makes its own."""
    global _ENGINE
    if _ENGINE is None or _ENGINE[0] != os.getpid():
        from rapidocr_onnxruntime import RapidOCR

        # One thread per process by default: extraction runs in a pool of worker processes, and
        # onnxruntime's spinning threads cost more CPU than they save on a busy machine
        # (measured: 7.0 s/page with 1 thread, 8.6 s with 2, on 2 shared cores).
        threads = int(os.environ.get("OGI_OCR_THREADS", "1"))
        _ENGINE = (os.getpid(), RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1,
                                         print_verbose=False))
    return _ENGINE[1]


@dataclass
class PageScan:
    """What OCR read on one page image (deskewed): words and ruling lines in pixels."""

    width: int
    height: int
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    skew: float = 0.0  # degrees the page was turned (counter-clockwise), undone before reading
    image: np.ndarray | None = None  # the deskewed grey image, for re-reading cells

    @property
    def char_height(self) -> float:
        heights = sorted(w.height for w in self.words if w.text)
        return heights[len(heights) // 2] if heights else 0.0


# --------------------------------------------------------------------------------------------
# Image preparation
# --------------------------------------------------------------------------------------------

def to_gray(image) -> np.ndarray:
    """PIL image or array → 8-bit grey array, scaled down so its longer side is at most MAX_SIDE
    (the detector would scale it anyway; recognising at that size keeps digits legible)."""
    import cv2

    a = np.asarray(image)
    if a.ndim == 3:
        a = cv2.cvtColor(a[:, :, :3].astype(np.uint8), cv2.COLOR_RGB2GRAY)
    a = a.astype(np.uint8)
    longest = max(a.shape)
    if longest > MAX_SIDE:
        f = MAX_SIDE / longest
        a = cv2.resize(a, (round(a.shape[1] * f), round(a.shape[0] * f)), interpolation=cv2.INTER_AREA)
    return a


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels (Otsu's threshold): text, lines, stamps."""
    import cv2

    _t, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


def estimate_skew(gray: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise) by which the page's lines are turned.

    Projection profiles: rows of text and ruling lines give the sharpest horizontal histogram of
    ink when projected at the page's own angle. Works on text pages and tables alike, needs no
    line to be detected first; a coarse search then a fine one around the best angle."""
    import cv2

    h, w = gray.shape
    f = min(1.0, 1000 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(_ink(small))
    if len(ys) < 200:
        return 0.0
    if len(ys) > 80_000:
        pick = np.random.default_rng(0).choice(len(ys), 80_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64) - small.shape[0] / 2
    xs = xs.astype(np.float64) - small.shape[1] / 2
    bins = int(small.shape[0] * 1.2)

    def sharpness(angle: float) -> float:
        t = math.radians(angle)
        proj = ys * math.cos(t) + xs * math.sin(t)
        hist, _ = np.histogram(proj, bins=bins, range=(-bins / 2, bins / 2))
        return float(np.sum(hist.astype(np.float64) ** 2))

    best = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(round(best, 2))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Turn the image by `angle` degrees counter-clockwise about its centre, white outside."""
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def find_rules(gray: np.ndarray, page: int = 0) -> list[Rule]:
    """Ruling lines: long thin runs of ink, kept by morphological opening with a line-shaped
    kernel longer than any character stroke."""
    import cv2

    bw = _ink(gray)
    h, w = gray.shape
    rules: list[Rule] = []
    for horizontal in (True, False):
        length = max(40, (w // 25) if horizontal else (h // 45))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        lines = cv2.morphologyEx(bw, cv2.MORPH_OPEN, kernel)
        # Noise and JPEG break a scanned line into pieces: close small gaps along it.
        bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1) if horizontal else (1, 9))
        lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, bridge)
        n, _labels, stats, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, bw_, bh, _area in stats[1:n]:
            if horizontal and bw_ >= length and bh <= max(12, h // 150):
                mid = y + bh / 2
                rules.append(Rule(float(x), float(x + bw_), mid, mid, page))
            elif not horizontal and bh >= length and bw_ <= max(12, w // 150):
                mid = x + bw_ / 2
                rules.append(Rule(mid, mid, float(y), float(y + bh), page))
    return rules


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def read_page(image, page: int = 0, deskew: bool = True) -> PageScan:
    """OCR one page image: deskew, rules, words (each with the engine's confidence)."""
    gray = to_gray(image)
    skew = estimate_skew(gray) if deskew else 0.0
    if abs(skew) >= 0.1:
        gray = rotate(gray, -skew)
    scan = PageScan(gray.shape[1], gray.shape[0], skew=skew, image=gray)
    scan.rules = find_rules(gray, page)
    scan.words = _verify_numbers(gray, _recognise(gray, page))
    return scan


def _recognise(gray: np.ndarray, page: int) -> list[Word]:
    import cv2

    rgb = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    # No angle classifier: the page is deskewed and upright, and on a lone digit the classifier
    # turns the crop over (6 → 9). box_thresh below RapidOCR's 0.5: lone small digits in table
    # cells score low as boxes.
    result, _ = _engine()(rgb, use_cls=False, text_score=MIN_TEXT_SCORE, box_thresh=0.3, return_word_box=True)
    words: list[Word] = []
    for item in result or []:
        quad, text, score = item[0], item[1], float(item[2])
        chars = item[3] if len(item) > 3 else None
        words.extend(_words_of(text, quad, score, chars, page))
    return words


_DIGITS = re.compile(r"^\d[\d.,]*\d$")
# What a figure read twice in disagreement is worth: below any "high confidence", so that only
# the template's arithmetic can keep it.
_DISPUTED = 0.5


def _verify_numbers(gray: np.ndarray, words: list[Word]) -> list[Word]:
    """Read every number of two or more digits a second time, from its own box stretched to
    twice its width. The recogniser (CTC) merges a repeated digit when the characters are
    narrow ("32.5669" → "32.569", "100" → "10") and does so confidently; given twice the
    width it separates them. A number the two readings disagree on keeps the page's reading
    with a low confidence: only a check that holds can then keep it."""
    import cv2

    picks, crops = [], []
    for i, w in enumerate(words):
        if not _DIGITS.match(w.text):
            continue
        pad = max(2, round(0.15 * (w.bottom - w.top)))
        top, bottom = max(0, round(w.top) - pad), min(gray.shape[0], round(w.bottom) + pad)
        x0, x1 = max(0, round(w.x0) - pad), min(gray.shape[1], round(w.x1) + pad)
        if bottom - top < 4 or x1 - x0 < 4:
            continue
        crop = cv2.resize(gray[top:bottom, x0:x1], None, fx=2.0, fy=1.0, interpolation=cv2.INTER_CUBIC)
        picks.append(i)
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB))
    if not crops:
        return words
    results, _ = _engine().text_rec(crops)
    out = list(words)
    for i, res in zip(picks, results):
        again = mend_number("".join(str(res[0]).split()))
        if again != words[i].text:
            out[i] = Word(words[i].text, words[i].x0, words[i].x1, words[i].top, words[i].bottom, words[i].page,
                          min(words[i].conf or 0.0, _DISPUTED))
    return out


def _words_of(text: str, quad, score: float, chars, page: int) -> list[Word]:
    """One recognised line → words, split where the gap between characters is wide (two cells
    the detector saw as one line), each character box from the recogniser's alignment."""
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    top, bottom = float(min(ys)), float(max(ys))
    stripped = [c for c in text if not c.isspace()]
    boxes = None
    if chars and len(chars) == len(stripped):
        boxes = [(float(min(p[0] for p in b)), float(max(p[0] for p in b))) for b in chars]
    elif chars and len(chars) == len(text):
        boxes = [(float(min(p[0] for p in b)), float(max(p[0] for p in b))) for c, b in zip(text, chars)
                 if not c.isspace()]
    if boxes is None:  # spread evenly: a Chinese character a full em, others half
        x0, x1 = float(min(xs)), float(max(xs))
        widths = [1.0 if _CJK.match(c) else 0.55 for c in stripped]
        total = sum(widths) or 1.0
        boxes, acc = [], x0
        for wdt in widths:
            step = (x1 - x0) * wdt / total
            boxes.append((acc, acc + step))
            acc += step
    height = bottom - top
    words: list[Word] = []
    current, start, end = "", 0.0, 0.0
    for c, (c0, c1) in zip(stripped, boxes):
        if current and c0 - end > 0.5 * height:
            words.append(_word(current, start, end, top, bottom, score, page))
            current = ""
        if not current:
            start = c0
        current += c
        end = max(end, c1) if current[:-1] else c1
    if current:
        words.append(_word(current, start, end, top, bottom, score, page))
    return words


# A cell's lone dash (meaning 0) comes out of OCR as the character 一 or another dash.
_DASHES = frozenset({"一", "—", "-", "－", "–", "ー", "_", "一一", "——", "--", "~"})
# A lone small circle in a table cell is a zero (〇, or a 0 read as the full stop).
_ZEROS = frozenset({"。", "〇", "○", "°"})
# A lone stroke that is a 1, a slash (zero) or a speck: unreadable, never guessed.
_UNSURE = frozenset({"!", "！", "|", "l", "I", "i", "丨", "'", "`"})


def mend_number(text: str) -> str:
    """A token that can only be a number (or a dash for zero), with OCR's usual confusions
    undone; any other text as it is. Applied to whole tokens: "一" alone is a table's dash,
    "一、" or "十一" are not touched."""
    if text in _DASHES:
        return "—"
    if text in _ZEROS:
        return "0"
    if text in _UNSURE:
        return "?"
    m = _NUMBERISH.match(text)
    return m.group("core").translate(_LOOKALIKES) if m else text


def _word(text: str, x0: float, x1: float, top: float, bottom: float, conf: float, page: int) -> Word:
    return Word(mend_number(text), x0, x1, top, bottom, page, round(conf, 3))


def read_region(gray: np.ndarray, box: tuple[float, float, float, float], page: int = 0,
                line_height: float = 0.0) -> list[Word]:
    """Read the ink inside `box` (x0, top, x1, bottom): for a table cell whose content the
    page's detector passed over. One line of ink goes to the recogniser alone; taller ink
    (a wrapped label, characters set one under another) to detection and recognition of the
    cell by itself. No words when there is no ink; a "?" word (confidence 0) when ink is there
    but does not read as text, so that the cell is never taken for a blank one."""
    import cv2

    x0, top, x1, bottom = (round(v) for v in box)
    crop = gray[max(0, top):max(0, bottom), max(0, x0):max(0, x1)]
    if crop.size == 0 or crop.min() >= 128:
        return []
    ys, xs = np.nonzero(_ink(crop))
    # Specks of scanner noise are not a figure: ink must cover a character-sized patch.
    if len(ys) < 12 or (ys.max() - ys.min()) < 6:
        return []
    pad = 4
    y0, y1 = max(0, ys.min() - pad), min(crop.shape[0], ys.max() + pad + 1)
    x0c, x1c = max(0, xs.min() - pad), min(crop.shape[1], xs.max() + pad + 1)
    piece = cv2.cvtColor(np.ascontiguousarray(crop[y0:y1, x0c:x1c]), cv2.COLOR_GRAY2RGB)
    left, up = x0 + x0c, top + y0
    if line_height and (y1 - y0) > 1.6 * line_height:
        words = []
        result, _ = _engine()(cv2.copyMakeBorder(piece, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=(255, 255, 255)),
                              use_cls=False, text_score=MIN_TEXT_SCORE, box_thresh=0.3, return_word_box=True)
        for item in result or []:
            quad = [(p[0] + left - 16, p[1] + up - 16) for p in item[0]]
            chars = [[(p[0] + left - 16, p[1] + up - 16) for p in b] for b in item[3]] if len(item) > 3 and item[3] else None
            words.extend(_words_of(item[1], quad, float(item[2]), chars, page))
        # Tall ink that does not read is not a figure (a figure is one line): no word.
        return words
    result, _ = _engine()(piece, use_det=False, use_cls=False, use_rec=True)
    text = "".join(result[0][0].split()) if result else ""
    if not text:
        return [Word("?", left, x0 + x1c, up, top + y1, page, 0.0)]
    return [_word(text, left, x0 + x1c, up, top + y1, float(result[0][1]), page)]
