"""Attachment readers against their bare libraries, on the same files (`python -m bench.attachments`).

PDF: our reader, and the whole `extract_report`, per page, next to bare pdfplumber opening the
file and running `extract_text()` on every page (SPEC: ≤ 1.5×). DOCX/XLSX: per file, next to
python-docx / openpyxl opening the file. DOC/WPS: LibreOffice conversion per file (no baseline:
it is a subprocess). Times are the best of `--repeat` runs, which is the least noisy figure on a
shared machine.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import docx
import openpyxl
import pdfplumber

from extract import ExtractError, extract_report
from extract.libreoffice import soffice_path
from extract.office import read_doc, read_docx, read_xlsx
from extract.pdf import read_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "attachments"


def _best(fns, files, repeat: int) -> list[float]:
    """Best total time of each function over the files; the functions take turns in every
    round so that load from other processes hits them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for data, url in files:
                fn(data, url)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def _load(pattern: str) -> list[tuple[bytes, str]]:
    out = []
    for path in sorted(FIXTURES.glob(pattern)):
        label = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
        meta = json.loads(label.read_text(encoding="utf-8")) if label.exists() else {}
        if "_expect_exit" in meta:
            continue
        out.append((path.read_bytes(), meta.get("_fetch", {}).get("url", path.name)))
    return out


def _bare_pdf(data: bytes, _url: str) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def _report(data: bytes, url: str) -> None:
    try:
        extract_report(data, url=url)
    except ExtractError:
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    pdfs = _load("*.pdf")
    pages = 0
    for data, _url in pdfs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages += len(pdf.pages)
    bare, reader, whole = _best([_bare_pdf, lambda d, u: read_pdf(d), _report], pdfs, args.repeat)
    print(f"PDF  {len(pdfs)} files, {pages} pages")
    print(f"  bare pdfplumber open+extract_text  {bare / pages * 1000:8.1f} ms/page")
    print(f"  read_pdf                           {reader / pages * 1000:8.1f} ms/page   {reader / bare:5.2f}x")
    print(f"  extract_report                     {whole / pages * 1000:8.1f} ms/page   {whole / bare:5.2f}x")

    docs = _load("docx_*.docx")
    bare, reader, whole = _best([lambda d, u: docx.Document(io.BytesIO(d)), lambda d, u: read_docx(d), _report],
                                docs, args.repeat)
    print(f"DOCX {len(docs)} files")
    print(f"  bare python-docx open              {bare / len(docs) * 1000:8.1f} ms/file")
    print(f"  read_docx                          {reader / len(docs) * 1000:8.1f} ms/file   {reader / bare:5.2f}x")
    print(f"  extract_report                     {whole / len(docs) * 1000:8.1f} ms/file   {whole / bare:5.2f}x")

    sheets = _load("xlsx_*.xlsx")
    bare, reader = _best([lambda d, u: openpyxl.load_workbook(io.BytesIO(d), data_only=True),
                          lambda d, u: read_xlsx(d)], sheets, args.repeat)
    print(f"XLSX {len(sheets)} files")
    print(f"  bare openpyxl load_workbook        {bare / len(sheets) * 1000:8.1f} ms/file")
    print(f"  read_xlsx                          {reader / len(sheets) * 1000:8.1f} ms/file   {reader / bare:5.2f}x")

    if soffice_path():
        legacy = _load("doc_*.doc")
        (seconds,) = _best([lambda d, u: read_doc(d)], legacy, 1)
        print(f"DOC  {len(legacy)} files through LibreOffice: {seconds / len(legacy):.2f} s/file")
    else:
        print("DOC  skipped: LibreOffice (soffice) is not installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
