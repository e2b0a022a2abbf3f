"""What the attachment readers (PDF, Word, WPS, Excel) share: converting legacy formats with
LibreOffice, and bringing cell text and document properties to the `Document` conventions.

Cell text convention: a cell's lines are joined with nothing between CJK characters and one
space between Latin/digit runs; spaces between two CJK characters are layout ("商 业 企 业"),
never content.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extract.report import Unreadable

# LibreOffice converts a report in 1-3 s; a minute means it is stuck on a hostile file.
SOFFICE_TIMEOUT = 60.0

# Ideographs, CJK punctuation and full-width punctuation; full-width digits and letters, and
# the dash agencies type for zero, are left out so that "１ ２" or "— —" (two figures) never fuse.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f" \
       "\uff01-\uff0e\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u00a0\u3000\r\n]+")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")

# Page furniture that lands inside tables and text: "- 3 -", "—3—", "第 3 页", "第3页 共5页".
_PAGE_MARK = re.compile(r"(?:(?<=\s)|^)(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)(?=\s|$)")

_DASH = re.compile(r"[-—–－]")

# Property titles that name the file or the template, not the report.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:新建|无标题|未命名|untitled|document\d*$|文档\d*$|工作簿\d*$|sheet\d*$|word\s*文档|microsoft|wps\s*文字|"
    r"powerpoint|excel|附件\s*\d*$|\d+$)", re.I)
_WRITER_PREFIX = re.compile(r"^(?:Microsoft\s+(?:Word|Excel)\s*-\s*)", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|wps|et|xlsx?|pdf|txt|rtf)$", re.I)


def collapse_cjk_spaces(text: str) -> str:
    """Runs of whitespace become one space; spaces between CJK characters go."""
    return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()


def join_lines(parts) -> str:
    """Join the lines of one cell (wrapped lines, paragraphs, one-character-per-line labels)."""
    out = ""
    for part in parts:
        part = collapse_cjk_spaces(part)
        if not part:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.match(part):
            out += " "
        out += part
    return collapse_cjk_spaces(out)


def drop_page_marks(text: str) -> str:
    """Remove page numbers ("- 3 -", "第 3 页") that fell into a cell or line."""
    if "页" not in text and not _DASH.search(text):
        return text
    return _SPACES.sub(" ", _PAGE_MARK.sub(" ", text)).strip()


def is_page_mark(text: str) -> bool:
    return bool(text.strip()) and not drop_page_marks(text)


def property_title(raw) -> str | None:
    """A document-properties title if it can be a report title, else None."""
    if not isinstance(raw, str):
        return None
    title = collapse_cjk_spaces(raw)
    title = _FILE_SUFFIX.sub("", _WRITER_PREFIX.sub("", title)).strip()
    if not title or _PLACEHOLDER_TITLE.match(title):
        return None
    # A report title is Chinese; an ASCII property is a file name or a user name.
    if len(re.findall(r"[\u4e00-\u9fff]", title)) < 4:
        return None
    return title


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------

def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(data: bytes, source_ext: str, target: str, what: str) -> bytes:
    """Convert `data` (a .doc, .wps, .xls... file) to `target` ("docx", "xlsx") with a headless
    LibreOffice, under a timeout, with a private profile so parallel conversions never share one.

    `what` names the format in error messages (".doc", ".wps").
    """
    exe = soffice_path()
    if not exe:
        raise Unreadable(f"LibreOffice (soffice) is not installed: cannot read {what}")
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-", ignore_cleanup_errors=True) as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / f"input.{source_ext}"
        src.write_bytes(data)
        outdir = tmpdir / "out"
        cmd = [exe, f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               "--convert-to", target, "--outdir", str(outdir), str(src)]
        env = dict(os.environ, HOME=tmp)  # LibreOffice writes caches under $HOME
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, cwd=tmp, start_new_session=True)
        except OSError as exc:
            raise Unreadable(f"cannot start LibreOffice to read {what}: {exc.strerror or exc}") from exc
        try:
            _out, err = proc.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise Unreadable(f"LibreOffice timed out after {SOFFICE_TIMEOUT:g} s converting {what}") from None
        finally:
            # soffice.bin may outlive the launcher it was started from; never leave it behind.
            _kill_group(proc)
        result = outdir / f"input.{target.split(':')[0]}"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = _first_line(err.decode("utf-8", "replace")) if err else ""
            raise Unreadable(f"LibreOffice could not convert the {what} file" + (f": {detail}" if detail else ""))
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines()
             if ln.strip() and "javaldx" not in ln and not ln.startswith("Warning")]
    return lines[0][:200] if lines else ""
