"""The code checks CI runs with the tests (`make test` → pytest → here):

- import-linter: the layers point one way (ogi > crawler > archive > extract), no import cycle
  inside a package, the extractor and the archive import no Scrapy/Twisted/Redis, and the crawl's
  bookkeeping, archive seam, typed records and Redis protocol import nothing of Scrapy
  (contracts in pyproject.toml, [tool.importlinter]);
- ruff: the rule set in pyproject.toml, [tool.ruff].

Both tools are pinned in the test extras; their output is the failure message.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold():
    result = _run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " KEPT" in result.stdout and " BROKEN" not in result.stdout


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
