"""The extractor's identity: a fingerprint of everything that determines extraction output.

    extractor_version()  ->  "0.1.0+3f9a0c1b2d4e"

An archive keeps, for every reading of a report, which extractor produced it, and re-reads old
captures when the extractor changes. A hand-bumped constant depends on someone remembering to
bump it (ours stayed at 0.1.0 through every change), so the identity is computed instead, once
per process, from:

- the source and data files of the `extract` package (any edit changes it);
- the versions of the libraries that read documents (an lxml or pdfplumber upgrade can move
  figures) and of the Python runtime's Unicode tables (NFKC folds labels);
- the system tools a reader calls (LibreOffice for .doc/.wps/.xls, the OCR engine), through
  `SYSTEM_TOOLS`: each a function returning a version string, or None when the tool is absent.

`components()` lists every part, so the archive can record what went into an identity.
"""
from __future__ import annotations

import hashlib
import platform
import unicodedata
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

PACKAGE_DIR = Path(__file__).resolve().parent
# What the package's behaviour is made of: code and the data it reads.
SOURCE_SUFFIXES = (".py", ".json", ".csv", ".txt", ".toml", ".yaml")

# Distributions whose code reads documents on extraction's path (names as pip knows them).
READING_LIBRARIES = (
    "lxml", "lxml_html_clean", "trafilatura", "htmldate", "justext", "courlan", "dateparser",
    "charset-normalizer", "w3lib", "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx",
    "openpyxl", "xlrd", "regex",
    # OCR of scans (extract/ocr.py): the engine and its models (in the wheel), its runtime, and
    # the image library that deskews and finds ruling lines.
    "rapidocr-onnxruntime", "onnxruntime", "opencv-python", "numpy",
)


def _libreoffice() -> str | None:
    # The version file beside the binary is read rather than running `soffice --version`,
    # which takes about a second: this runs in every process that extracts.
    from extract.libreoffice import soffice_path

    exe = soffice_path()
    if not exe:
        return None
    versionrc = Path(exe).resolve().parent / "versionrc"
    try:
        return hashlib.sha256(versionrc.read_bytes()).hexdigest()[:16]
    except OSError:
        return "present"


# name -> version probe. A reader that calls another system tool adds its probe here.
SYSTEM_TOOLS: dict[str, Callable[[], str | None]] = {"libreoffice": _libreoffice}


def source_digest() -> str:
    """sha256 over the package's source and data files (relative path and bytes of each)."""
    h = hashlib.sha256()
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in SOURCE_SUFFIXES
                       and "__pycache__" not in p.parts):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in READING_LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["python"] = platform.python_version()
    out["unicodedata"] = unicodedata.unidata_version
    return out


def tool_versions() -> dict[str, str | None]:
    return {name: probe() for name, probe in SYSTEM_TOOLS.items()}


@lru_cache(maxsize=1)
def components() -> dict:
    return {"source": source_digest(), "libraries": library_versions(), "tools": tool_versions()}


def _package_version() -> str:
    try:
        return metadata.version("ogi-archive")
    except metadata.PackageNotFoundError:
        return "0"


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """"<package version>+<12 hex digits of the fingerprint>", computed once per process."""
    parts = components()
    h = hashlib.sha256(parts["source"].encode())
    for group in ("libraries", "tools"):
        for name, version in sorted(parts[group].items()):
            h.update(f"\0{group}:{name}={version}".encode())
    return f"{_package_version()}+{h.hexdigest()[:12]}"
