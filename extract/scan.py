"""Scanned reports: where the page images come from, OCR within limits, and which figures to trust.

Sources of images: the pages of an image-only PDF (and the picture pages of a PDF whose tables
were pasted in as images), the pictures of a DOCX, and the `<img>`s of an HTML report page whose
bytes the caller fetched with the page (`resources`: absolute URL → bytes).

The words OCR gives are assembled into table rows by the PDF reader's own geometry (ruled grids
from the ruling lines, text lines split at wide gaps, tables joined over page breaks), so a scan
and a text PDF share one table reader. Figures read by OCR are kept only where the template's
arithmetic proves them or the engine read them with high confidence (`trusted_figures`).

Cost is bounded per document: at most `OcrLimits.max_pages` pages and `OcrLimits.time_budget`
seconds of OCR (settable by environment: OGI_OCR_MAX_PAGES, OGI_OCR_TIME_BUDGET; OGI_OCR=0
turns OCR off). Pages beyond either limit are not read, and the Report says so.
"""
from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from extract.document import Block, Cell, Document
from extract.words import Rule, Word

# Ratio of a scanned character's height to the 10.5 pt of report body text: images of unknown
# physical size (DOCX, HTML) are brought to PDF points by it, so the PDF reader's tolerances fit.
_BODY_POINTS = 10.5
# A figure read with at least this confidence stands on its own; below it, only the template's
# arithmetic can vouch for it.
HIGH_CONFIDENCE = 0.9
# Sentinels for the figure gate (never output): a low-confidence number in the "masked" reading,
# and ink in a table cell that could not be read at all.
_MASKED = 987654321
_UNREADABLE = 987654320
# Pictures smaller than this (pixels, shorter side) are icons, buttons and logos, not pages.
_MIN_PICTURE_SIDE = 200
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class OcrLimits:
    max_pages: int = 40
    time_budget: float = 300.0  # seconds of OCR per document
    enabled: bool = True

    @classmethod
    def from_env(cls) -> OcrLimits:
        return cls(max_pages=int(os.environ.get("OGI_OCR_MAX_PAGES", cls.max_pages)),
                   time_budget=float(os.environ.get("OGI_OCR_TIME_BUDGET", cls.time_budget)),
                   enabled=os.environ.get("OGI_OCR", "1") not in ("0", "false", "no", "off"))


@dataclass
class ScanReading:
    """The OCR of one document's images: a Document as any reader gives, plus what the figure
    gate needs (the same rows with low-confidence numbers masked)."""

    document: Document
    masked_blocks: list[Block]
    info: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Where images come from
# --------------------------------------------------------------------------------------------

def pdf_picture_pages(data: bytes, max_chars: int = 50) -> list[int]:
    """Pages of a PDF that are pictures: an image object and (almost) no text layer."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            try:
                text = page.get_textpage()
                chars = text.count_chars()
                text.close()
                if chars <= max_chars and any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)):
                    out.append(i)
            finally:
                page.close()
        return out
    finally:
        doc.close()


def render_pdf_page(doc, index: int, max_side: int = 2000):
    """One PDF page as a grey image, at most `max_side` pixels on its longer side (about 170 dpi
    for A4), with its scale (pixels per PDF point)."""
    page = doc[index]
    try:
        width, height = page.get_size()
        scale = min(200 / 72, max_side / max(width, height, 1))
        return page.render(scale=scale, grayscale=True).to_pil(), scale
    finally:
        page.close()


def docx_pictures(data: bytes) -> list[bytes]:
    """The pictures of a DOCX in document order (each once)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "word/document.xml" not in names:
            return []
        rels = {}
        if "word/_rels/document.xml.rels" in names:
            for rel in etree.fromstring(z.read("word/_rels/document.xml.rels")):
                target = rel.get("Target", "")
                rels[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "word/" + target
        out, seen = [], set()
        r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        for el in etree.fromstring(z.read("word/document.xml")).iter():
            rid = el.get(f"{{{r_ns}}}embed") or (el.get(f"{{{r_ns}}}id") if str(el.tag).endswith("imagedata") else None)
            path = rels.get(rid) if rid else None
            if path and path in names and path not in seen:
                seen.add(path)
                out.append(z.read(path))
        return out


# Candidate pictures of an HTML page: at most this many (a 图片版 report is one picture per printed
# page, rarely more than a dozen), so a gallery page cannot make the crawl fetch hundreds.
MAX_HTML_PICTURES = 12
# Displayed smaller than this (width or height attribute, CSS pixels), a picture is an icon, a
# button or a badge: a table page shown that small could not be read by anyone.
_MIN_SHOWN_SIDE = 100
# Page chrome around the report: pictures inside these elements are the site's, not the report's.
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
# ... or inside an element whose class or id names such a part (one whole class name or id:
# `header`, `foot_box`, `navbar`, `top`; never a part of a longer name such as `article-head`).
_CHROME_NAME = re.compile(
    r"^(?:site[-_]?|page[-_]?)?(?:header|head|top|footer|foot|bottom|nav|navbar|navigation|menu|banner|"
    r"logo|sidebar|side|share|copyright|breadcrumbs?|crumbs?|toolbar)(?:[-_]?(?:box|wrap|wrapper|bar|area|"
    r"nav|main|con|container|\d+))?$", re.I)
# Words in a picture's path that mark it as chrome (logos, icons, buttons, badges, QR codes),
# matched as whole runs of letters: `site_logo.png`, `/images/icon/print.gif`, `jiucuo.png`
# (纠错 badge), `dzjg.png` (党政机关 badge), `ewm.jpg` (二维码); never inside a longer word.
_CHROME_WORDS = frozenset({
    "logo", "logos", "icon", "icons", "ico", "btn", "button", "buttons", "banner", "arrow", "bullet",
    "qr", "qrcode", "ewm", "erweima", "weixin", "weibo", "wechat", "share", "jiucuo", "dzjg",
    "conac", "beian", "gongan", "police", "print", "close", "search", "spacer", "blank", "pixel",
    "loading", "nav", "menu", "dot", "favicon", "avatar", "badge", "emoji"})
# Lazy loading keeps the real picture in a data attribute and a placeholder in `src`.
_SOURCE_ATTRIBUTES = ("data-src", "data-original", "src")
# Raster formats OCR reads, by their magic bytes (servers label pictures as they please). Nothing
# else is opened as a picture: Pillow would hand EPS to Ghostscript.
PICTURE_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "JPEG", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "PNG", "image/png"),
    (b"GIF87a", "GIF", "image/gif"), (b"GIF89a", "GIF", "image/gif"), (b"BM", "BMP", "image/bmp"),
    (b"II*\x00", "TIFF", "image/tiff"), (b"MM\x00*", "TIFF", "image/tiff"),
)
_PICTURE_FORMATS = tuple(dict.fromkeys(name for _, name, _ in PICTURE_MAGIC)) + ("WEBP",)


def picture_type(body: bytes) -> str | None:
    """The media type of a raster picture OCR can read, from its first bytes; None otherwise."""
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, _, mime in PICTURE_MAGIC if body.startswith(magic)), None)


def _candidate_pictures(tree, url: str):
    """Absolute URLs of the `<img>`s of a parsed page that may show the report, in document order
    (each once, at most MAX_HTML_PICTURES): not `data:` URIs, not inside the page's chrome, not
    shown tiny, not named as a logo or an icon."""
    base = url
    for b in tree.iter("base"):
        if b.get("href"):
            base = urljoin(url, b.get("href").strip())
            break
    seen: set[str] = set()
    for img in tree.iter("img"):
        src = next((v.strip() for v in (img.get(a) for a in _SOURCE_ATTRIBUTES) if v and v.strip()), "")
        if not src or src.lower().startswith(("data:", "javascript:")):
            continue
        absolute = urljoin(base, src)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or absolute in seen:
            continue
        if _shown_tiny(img) or _named_chrome(parts.path) or _in_chrome(img):
            continue
        seen.add(absolute)
        yield absolute
        if len(seen) >= MAX_HTML_PICTURES:
            return


def _shown_tiny(img) -> bool:
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().lower().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SHOWN_SIDE:
            return True
    style = img.get("style") or ""
    return any(int(px) < _MIN_SHOWN_SIDE for px in re.findall(r"(?<![-\w])(?:width|height)\s*:\s*(\d+)px", style))


def _named_chrome(path: str) -> bool:
    return any(word in _CHROME_WORDS for word in re.findall(r"[a-z]+", unquote(path).lower()))


def _in_chrome(img) -> bool:
    for el in img.iterancestors():
        if not isinstance(el.tag, str):
            continue
        if el.tag.lower() in _CHROME_TAGS:
            return True
        names = (el.get("class") or "").split() + [el.get("id") or ""]
        if any(_CHROME_NAME.match(n) for n in names if n):
            return True
    return False


def html_picture_urls(data: bytes, url: str, content_type: str | None = None) -> list[str]:
    """The absolute URLs of an HTML page's candidate picture tables, in document order: what a
    crawler fetches with the page (its `resources` for `extract_report`)."""
    from extract.html import parse

    return list(_candidate_pictures(parse(data, content_type), url))


def html_pictures(data: bytes, url: str, resources: Mapping[str, bytes], content_type: str | None = None
                  ) -> list[bytes]:
    """The bytes the caller supplied (`resources`: absolute URL → bytes) for the page's candidate
    pictures (`html_picture_urls`), in document order."""
    return [resources[u] for u in html_picture_urls(data, url, content_type) if resources.get(u)]


def _open_picture(body: bytes):
    """Bytes → PIL image, or None for what is not a usable raster picture (EMF, SVG, icons)."""
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(body), formats=_PICTURE_FORMATS)
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if min(img.size) < _MIN_PICTURE_SIDE:
        return None
    return img


# --------------------------------------------------------------------------------------------
# OCR within limits
# --------------------------------------------------------------------------------------------

def scan_pdf(data: bytes, pages: list[int] | None, limits: OcrLimits, fmt: str = "pdf") -> ScanReading | None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        wanted = list(range(len(doc))) if pages is None else pages

        def images():
            for i in wanted:
                yield render_pdf_page(doc, i)

        return _scan(images(), len(wanted), limits, fmt)
    finally:
        doc.close()


def scan_pictures(bodies: list[bytes], limits: OcrLimits, fmt: str) -> ScanReading | None:
    pictures = [im for im in (_open_picture(b) for b in bodies) if im is not None]
    if not pictures:
        return None
    return _scan(((im, None) for im in pictures), len(pictures), limits, fmt)


def _scan(images, total: int, limits: OcrLimits, fmt: str) -> ScanReading | None:
    from extract import ocr

    if not limits.enabled or not ocr.available():
        return None
    started = time.monotonic()
    scans: list[tuple[ocr.PageScan, float | None]] = []
    truncated = None
    for n, (image, scale) in enumerate(images):
        if n >= limits.max_pages:
            truncated = f"page limit ({limits.max_pages})"
            break
        if time.monotonic() - started > limits.time_budget:
            truncated = f"time budget ({limits.time_budget:g} s)"
            break
        scans.append((ocr.read_page(image, page=n), scale))
    pages = [_ScanPage(scan, scale) for scan, scale in scans]
    document, masked = _assemble(pages, fmt)
    confs = [w.conf for p in pages for w in p.scan.words if w.conf is not None]
    # No timing here: the same bytes give the same Report (only a time budget, when hit, can
    # make two readings differ, and then `truncated` says so).
    info = {
        "engine": ocr.engine_version(),
        "pages": len(scans),
        "pages_total": total,
        "mean_confidence": round(sum(confs) / len(confs), 3) if confs else None,
        "skew_degrees": [round(s.skew, 2) for s, _ in scans],
    }
    if truncated:
        info["truncated"] = truncated
    document.ocr = info
    return ScanReading(document, masked, info)


# --------------------------------------------------------------------------------------------
# Words → rows, by the PDF reader's geometry
# --------------------------------------------------------------------------------------------

class _ScanPage:
    """A scanned page dressed as the pdfplumber page the PDF reader expects: characters in PDF
    points, ruled tables from the ruling lines found in the image, no pictures."""

    def __init__(self, scan, scale: float | None):
        from extract import ocr

        self.scan = scan
        if scale is None:  # a picture of unknown print size: body text taken as 10.5 pt
            scale = (scan.char_height / _BODY_POINTS) if scan.char_height else 1.0
        self.scale = scale
        self.height = scan.height / scale
        self.width = scan.width / scale
        self._tables = _grids(scan.rules, scale, self.width, self.height)
        # Table cells with ink but no word: the detector passed over it; read it again alone.
        page = scan.words[0].page if scan.words else 0
        extra = []
        for cells in self._tables:
            for x0, top, x1, bottom in cells:
                if not any(x0 * scale <= (w.x0 + w.x1) / 2 <= x1 * scale and top * scale <= (w.top + w.bottom) / 2 <= bottom * scale
                           for w in scan.words):
                    inset = max(4.0, 0.08 * min(x1 - x0, bottom - top) * scale)
                    extra.extend(ocr.read_region(scan.image, (x0 * scale + inset, top * scale + inset,
                                                              x1 * scale - inset, bottom * scale - inset),
                                                 page, scan.char_height))
        scan.words.extend(extra)

    def chars(self, masked: bool) -> list[dict]:
        out = []
        s = self.scale
        sizes = _snapped_sizes([_type_size(w) / s if w.text != "?" else _BODY_POINTS
                                for w in self.scan.words])
        cells = [c for table in self._tables for c in table]
        for w, size in zip(self.scan.words, sizes):
            text = _gate_text(w, masked)
            left, right, top, bottom = w.x0 / s, w.x1 / s, w.top / s, w.bottom / s
            # A detector's box reaches past the ruling lines around its text; the characters
            # spread over it must stay inside the cell that holds the word's centre, or the
            # grid would hand a digit to the neighbouring cell.
            cx, cy = (left + right) / 2, (top + bottom) / 2
            cell = next((c for c in cells if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]), None)
            if cell is not None:
                inset = min(1.0, (cell[2] - cell[0]) / 8)
                left, right = max(left, cell[0] + inset), min(right, cell[2] - inset)
                top, bottom = max(top, cell[1] + inset), min(bottom, cell[3] - inset)
            step = (right - left) / max(1, len(text))
            for i, c in enumerate(text):
                x0 = left + i * step
                out.append({"text": c, "x0": x0, "x1": x0 + step, "top": top, "bottom": bottom,
                            "doctop": top, "size": size, "upright": True,
                            "matrix": (size, 0, 0, size, x0, self.height - bottom)})
        return out

    def find_tables(self, _settings=None):
        return [_Found(cells) for cells in self._tables]

    def words(self, masked: bool, page: int) -> list[Word]:
        """The words in PDF points, on page `page` of the document (for `extract.layout`)."""
        s = self.scale
        return [Word(_gate_text(w, masked), w.x0 / s, w.x1 / s, w.top / s, w.bottom / s, page, w.conf)
                for w in self.scan.words]

    def rules(self, page: int) -> list[Rule]:
        s = self.scale
        return [Rule(r.x0 / s, r.x1 / s, r.top / s, r.bottom / s, page) for r in self.scan.rules]


def _gate_text(word: Word, masked: bool) -> str:
    """A word's text for the figure gate: unreadable ink and (in the masked reading) numbers
    read with low confidence become sentinels, which take a cell's place but are never output."""
    if word.text == "?":
        return str(_UNREADABLE)
    if masked and _NUMBER.match(word.text) and (word.conf or 0.0) < HIGH_CONFIDENCE:
        return str(_MASKED)
    return word.text


_CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\u3001\uff0c\u3002]")


def _type_size(word: Word) -> float:
    """A word's type size in pixels. Chinese type is set on a square body, so a run of Chinese
    characters measures its size by its advance (width per character), which varies far less
    than the height of the box the detector drew; other words go by their height. (Ink that
    could not be read says nothing about size: the caller counts it as body text.)"""
    cjk = len(_CJK.findall(word.text))
    if cjk >= 3:
        return (word.x1 - word.x0) / (cjk + 0.55 * (len(word.text) - cjk))
    if len(word.text) >= 2 and _NUMBER.match(word.text):
        # Digits are half an em wide. (A size taken from the box height would make two equal
        # digits side by side look like one glyph printed twice, as fake bold is, to the PDF
        # reader, which then drops one: "32.5669" read as "32.569".)
        return min(word.bottom - word.top, 2 * (word.x1 - word.x0) / len(word.text))
    return word.bottom - word.top


def _snapped_sizes(heights: list[float]) -> list[float]:
    """OCR boxes of one type size differ by a pixel or two; the PDF reader compares font sizes
    (a title over two lines, a paragraph's lines) to half a point. Heights within 12% of the
    smallest of their group are one size, the group's median (groups never chain upwards)."""
    order = sorted(range(len(heights)), key=heights.__getitem__)
    out = list(heights)
    group: list[int] = []
    for i in [*order, None]:
        if i is not None and (not group or heights[i] <= heights[group[0]] * 1.12):
            group.append(i)
            continue
        if group:
            mid = sorted(heights[j] for j in group)[len(group) // 2]
            for j in group:
                out[j] = mid
        group = [i] if i is not None else []
    return out


@dataclass
class _Found:
    cells: list[tuple[float, float, float, float]]


@dataclass
class _CharsView:
    """The page as `pdf._read_page` reads it, with one choice of character text."""

    base: _ScanPage
    chars: list[dict]

    @property
    def images(self):
        return []

    @property
    def curves(self):
        return []

    @property
    def height(self):
        return self.base.height

    @property
    def edges(self):
        return [_edge(r, self.base.scale) for r in self.base.scan.rules]

    def find_tables(self, settings=None):
        return self.base.find_tables(settings)


def _grids(rules: list[Rule], scale: float, width: float, height: float) -> list[list[tuple]]:
    """Ruled tables (cell boxes in PDF points) from the ruling lines, by pdfplumber's own
    intersection-and-cell finder (explicit lines)."""
    from pdfplumber.table import TableFinder

    h = [_edge(r, scale) for r in rules if r.top == r.bottom]
    v = [_edge(r, scale) for r in rules if r.x0 == r.x1]
    if len(h) < 2 or len(v) < 2:
        return []
    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": v, "explicit_horizontal_lines": h,
                "snap_tolerance": 4, "join_tolerance": 6, "intersection_tolerance": 5, "edge_min_length": 8}
    finder = TableFinder(_Bounds(width, height), settings)
    return [t.cells for t in finder.tables if len(t.cells) >= 2]


@dataclass
class _Bounds:
    width: float
    height: float

    @property
    def bbox(self):
        return (0, 0, self.width, self.height)


def _edge(rule: Rule, scale: float) -> dict:
    x0, x1, top, bottom = rule.x0 / scale, rule.x1 / scale, rule.top / scale, rule.bottom / scale
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top}


def _assemble(pages: list[_ScanPage], fmt: str) -> tuple[Document, list[Block]]:
    """The PDF reader's geometry turns the scanned words into rows, as for a text layer.

    `extract.pdf`'s page and table steps (ruled grids from the ruling lines, text lines split at
    wide gaps, running headers, tables over page breaks, wrapped labels) run on the scanned pages
    exactly as `read_pdf` runs them. INTEGRATION(layout): where `extract.layout.read_tables`
    (words → template tables by geometry, branch pdf) is present, the words and rules go to it
    too, and the reading that satisfies more of the template's arithmetic comes first, as in
    `read_pdf`; the figure gate then sees the same order for the masked reading.
    """
    from extract import pdf

    try:
        from extract.layout import read_tables
    except ImportError:  # until branch pdf lands on main
        read_tables = None
    by_arithmetic = getattr(pdf, "_by_arithmetic", None)

    def read(masked: bool, order: list[int] | None):
        parsed = [pdf._read_page(_CharsView(p, p.chars(masked)), i) for i, p in enumerate(pages)]
        placed: list[Block] = []
        if read_tables is not None:
            placed = read_tables([w for i, p in enumerate(pages) for w in p.words(masked, i)],
                                 [r for i, p in enumerate(pages) for r in p.rules(i)],
                                 {i: p.height for i, p in enumerate(pages)})
        pdf._drop_running_lines(parsed)
        grids = [Block(rows=rows) for rows in (pdf._rows(t) for t in pdf._join_page_breaks(parsed)) if rows]
        both = grids + placed
        if order is None:
            chosen = by_arithmetic(placed, grids) if placed and by_arithmetic else both
            order = [next(i for i, b in enumerate(both) if b is c) for c in chosen]
        blocks = [both[i] for i in order] if len(order) == len(both) else both
        rows = [[Cell(seg) for seg in line.segments] for line in pdf._unwrap(pdf._all_lines(parsed))]
        if rows:
            blocks.append(Block(rows=rows))
        return parsed, blocks, order

    parsed, blocks, order = read(False, None)
    _parsed, masked, _order = read(True, order)
    return Document(format=fmt, text=pdf._text(parsed), blocks=blocks), masked


# --------------------------------------------------------------------------------------------
# Which figures to trust
# --------------------------------------------------------------------------------------------

def check_terms(rule: str, figures: dict | None = None) -> list[tuple[str, str, str]]:
    """The figures one check adds up (table, row, column), from `extract.checks.identities`
    (the same identities `evaluate` checks and the solver splits by)."""
    from extract.checks import identities

    table = rule.split(".", 1)[0]
    rows = (figures or {}).get(table, {})
    for name, left, right in identities(table, None, rows):
        if name == rule:
            return [(table, row, col) for row, col in (*left, *right)]
    return []


def trusted_figures(figures: dict, masked: dict, checks, given: dict | None = None) -> tuple[dict, dict]:
    """Keep an OCR figure where a check that holds adds it up, or where the engine read it with
    high confidence; leave the rest out (never guess).

    A failing check whose figures were all read confidently is the agency's own inconsistency
    (their figures stay, the check shows it); an unsure figure in it is the likelier culprit and
    is left out. (Measured: OCR's misreads — a slash read as 7, a 1 as 4 — come with confidences
    of 0.3–0.6, digits read right with 0.98 and more.)

    `masked`: the figures of the same reading with every low-confidence number masked, so a
    figure equal in both was read confidently. `given`: figures a text layer gave (trusted as
    any reader's). Returns (kept figures, {"kept": n, "dropped": n, "proven": n})."""
    proven: set[tuple[str, str, str]] = set()
    for check in checks:
        if check.ok:
            proven.update(check_terms(check.rule, figures))
    kept: dict = {}
    counts = {"kept": 0, "dropped": 0, "proven": 0}
    for table, rows in figures.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                key = (table, row, col)
                from_text = given is not None and given.get(table, {}).get(row, {}).get(col) == value
                confident = masked.get(table, {}).get(row, {}).get(col) == value
                if value not in (_MASKED, _UNREADABLE) and (from_text or key in proven or confident):
                    kept.setdefault(table, {}).setdefault(row, {})[col] = value
                    counts["kept"] += 1
                    counts["proven"] += key in proven
                else:
                    counts["dropped"] += 1
    return kept, counts


__all__ = ["HIGH_CONFIDENCE", "MAX_HTML_PICTURES", "OcrLimits", "PICTURE_MAGIC", "ScanReading", "docx_pictures",
           "html_picture_urls", "html_pictures", "pdf_picture_pages", "picture_type", "scan_pdf", "scan_pictures", "trusted_figures"]
