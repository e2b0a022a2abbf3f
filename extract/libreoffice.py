"""Legacy formats (.doc, .wps, .xls) converted with a headless LibreOffice, under a timeout."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extract.limits import check_legacy
from extract.report import Unreadable

# LibreOffice converts a report in 1-3 s; a minute means it is stuck on a hostile file.
SOFFICE_TIMEOUT = 60.0


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(data: bytes, source_ext: str, target: str, what: str) -> bytes:
    """Convert `data` (a .doc, .wps, .xls... file) to `target` ("docx", "xlsx") with a headless
    LibreOffice, under a timeout, with a private profile so parallel conversions never share one.

    `what` names the format in error messages (".doc", ".wps").
    """
    check_legacy(data, what)
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
