"""Scans made from text documents, for the OCR benchmark and tests.

A text PDF's pages are rendered to images (pypdfium2, which pdfplumber ships with), turned a
little (±1–2°), given the noise of a cheap scanner and saved as JPEG, then wrapped back into the
containers agencies publish scans in: an image-only PDF, a DOCX of pictures, an HTML page whose
content is `<img>`s. The text layer of the original is the truth to compare with.
"""
from __future__ import annotations

import io
import random

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def render_pages(pdf: bytes, dpi: int = 200, pages: list[int] | None = None) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        wanted = range(len(doc)) if pages is None else pages
        return [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in wanted]
    finally:
        doc.close()


def degrade(image: Image.Image, angle: float = 0.0, noise: float = 0.0, seed: int = 0,
            jpeg_quality: int = 75) -> Image.Image:
    """Turn the page by `angle` degrees (counter-clockwise) about its centre, blur it as a scanner's
    optics do, add grey noise of standard deviation `noise` and specks, and pass it through JPEG."""
    img = image.convert("L")
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    if noise:
        rng = np.random.default_rng(seed)
        a = np.asarray(img, dtype=np.float32)
        a = a + rng.normal(0, noise, a.shape)
        specks = rng.random(a.shape) < 0.0008
        a[specks] = rng.uniform(0, 120, int(specks.sum()))
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=jpeg_quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def scanned(pdf: bytes, dpi: int = 200, seed: int = 0, max_angle: float = 1.5, noise: float = 10.0,
            pages: list[int] | None = None) -> list[Image.Image]:
    """Every page rendered and degraded; angles drawn in ±`max_angle` (at least a third of it)."""
    rng = random.Random(seed)
    out = []
    for i, page in enumerate(render_pages(pdf, dpi, pages)):
        angle = rng.uniform(max_angle / 3, max_angle) * rng.choice((-1, 1)) if max_angle else 0.0
        out.append(degrade(page, angle, noise, seed * 1000 + i))
    return out


def image_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """An image-only PDF: one JPEG picture per page, no text layer (what a scanner writes)."""
    buf = io.BytesIO()
    first, *rest = [im.convert("L") for im in images]
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=dpi)
    return buf.getvalue()


def jpeg_bytes(image: Image.Image, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    image.convert("L").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def image_docx(images: list[Image.Image], paragraphs: list[str] = ()) -> bytes:
    """A Word document whose report is pictures (pasted scans), after optional text paragraphs."""
    import docx
    from docx.shared import Mm

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for im in images:
        document.add_picture(io.BytesIO(jpeg_bytes(im)), width=Mm(170))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def image_html(images: list[Image.Image], base_url: str, title: str = "", paragraphs: list[str] = ()
               ) -> tuple[bytes, dict[str, bytes]]:
    """An HTML report page whose content is `<img>`s (图片版), and the images by absolute URL."""
    resources = {}
    tags = []
    for i, im in enumerate(images):
        name = f"W0{i + 1}.jpg"
        resources[base_url.rsplit("/", 1)[0] + "/" + name] = jpeg_bytes(im)
        tags.append(f'<p><img src="{name}" alt=""></p>')
    body = "".join(f"<p>{t}</p>" for t in paragraphs) + "".join(tags)
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><div class='article'>{body}</div></body></html>")
    return html.encode("utf-8"), resources
