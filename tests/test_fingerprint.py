"""The extractor's identity is computed (extract.fingerprint), so it cannot be forgotten.

The gate at the end holds the fingerprint to its promise over every labelled fixture: while the
fingerprint's source digest is the one recorded, each fixture's output must be the one recorded
(output that moves without the identity moving would be archived under the old identity). When
extract/ changes, the gate asks for the outputs to be recorded again, so the change of output
is looked at and committed with the change of code:

    OGI_RECORD_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_fingerprint.py
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib import metadata
from pathlib import Path

import pytest

import extract
from extract import fingerprint

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = FIXTURES / "extractor_snapshot.json"
# Read through system tools whose version is the machine's, not pinned by constraints.txt: their
# output may differ on another machine with the same fingerprint source.
SYSTEM_FORMATS = {".doc", ".wps", ".xls", ".et"}


@pytest.fixture
def fresh(monkeypatch):
    """Clear the per-process caches so a test can compute the identity again."""
    fingerprint.components.cache_clear()
    fingerprint.extractor_version.cache_clear()
    yield
    fingerprint.components.cache_clear()
    fingerprint.extractor_version.cache_clear()


def test_identity_is_stable_within_a_process(fresh):
    assert extract.EXTRACTOR_VERSION == fingerprint.extractor_version() == fingerprint.extractor_version()
    assert extract.EXTRACTOR_VERSION.startswith(metadata.version("ogi-archive") + "+")


def test_any_edit_of_the_package_changes_the_identity(fresh, monkeypatch, tmp_path):
    copy = tmp_path / "extract"
    shutil.copytree(fingerprint.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", copy)
    before = fingerprint.extractor_version()
    template = copy / "template.py"
    template.write_text(template.read_text(encoding="utf-8") + "\n# one more label variant\n", encoding="utf-8")
    fingerprint.components.cache_clear()
    fingerprint.extractor_version.cache_clear()
    assert fingerprint.extractor_version() != before


@pytest.mark.parametrize("part", ["pdfplumber", "lxml", "trafilatura"])
def test_a_reading_library_upgrade_changes_the_identity(fresh, monkeypatch, part):
    before = fingerprint.extractor_version()
    real = metadata.version
    monkeypatch.setattr(fingerprint.metadata, "version", lambda name: "999" if name == part else real(name))
    fingerprint.components.cache_clear()
    fingerprint.extractor_version.cache_clear()
    assert fingerprint.extractor_version() != before


def test_a_system_tool_upgrade_changes_the_identity(fresh, monkeypatch):
    before = fingerprint.extractor_version()
    monkeypatch.setitem(fingerprint.SYSTEM_TOOLS, "libreoffice", lambda: "another build")
    fingerprint.components.cache_clear()
    fingerprint.extractor_version.cache_clear()
    assert fingerprint.extractor_version() != before


def _fixtures() -> list[Path]:
    out = []
    for label in sorted(FIXTURES.rglob("*.expected.json")):
        stem = label.name[: -len(".expected.json")]
        docs = [p for p in label.parent.glob(stem + ".*") if p != label and not p.name.endswith(".json")]
        out += [d for d in docs if d.suffix.lower() not in SYSTEM_FORMATS]
    return out


def _output(path: Path) -> str:
    label = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text(encoding="utf-8"))
    fetch = label.get("_fetch") or label.get("meta") or {}
    try:
        result = extract.extract_report(path.read_bytes(), url=fetch.get("url", ""),
                                        content_type=fetch.get("content_type")).to_dict(with_text=True)
    except extract.ExtractError as exc:
        result = {"error": type(exc).__name__, "reason": exc.reason}
    blob = json.dumps(result, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def test_output_never_moves_without_the_identity_moving():
    current = {"source": fingerprint.source_digest(),
               "libraries": fingerprint.library_versions(),
               "outputs": {p.relative_to(FIXTURES).as_posix(): _output(p) for p in _fixtures()}}
    if os.environ.get("OGI_RECORD_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert recorded["source"] == current["source"], (
        "extract/ changed since the outputs were recorded: look at what moved, then record them "
        "again with OGI_RECORD_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_fingerprint.py")
    if recorded["libraries"] != current["libraries"]:
        pytest.skip("reading libraries differ from the recording machine's: outputs may differ, "
                    "and so does the fingerprint")
    moved = sorted(name for name, digest in current["outputs"].items()
                   if name in recorded["outputs"] and recorded["outputs"][name] != digest)
    assert not moved, f"output changed while the extractor's identity did not: {moved[:10]}"
    assert current["outputs"].keys() == recorded["outputs"].keys(), (
        "labelled fixtures were added or removed: record the outputs again with "
        "OGI_RECORD_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_fingerprint.py")
