"""`ogi reextract`: the current extractor re-reads stored raw bytes offline; old readings stay."""
import copy
import sqlite3
from pathlib import Path

import pytest

import extract
from archive import Archive, reextract
from extract import NotAReport
from ogi.cli import main

SEED = Path(__file__).parent / "fixtures" / "archive" / "luohe_commerce_2022.txt"
URL = "http://swj.luohe.gov.cn/xxgk/2023/luohe_commerce_2022.txt"
OLD = "0.0.0-old"


@pytest.fixture(scope="module")
def raw():
    return SEED.read_bytes()


@pytest.fixture(scope="module")
def current(raw):
    """What the current extractor reads from the seed."""
    return extract.extract_report(raw, url=URL, content_type="text/plain")


def misread(report):
    """The same report as an older, buggier extractor read it: one figure wrong."""
    old = copy.deepcopy(report)
    old.figures["applications"]["new_received"]["total"] += 10
    return old


@pytest.fixture
def db(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    yield archive
    archive.close()


def rows(db, sql, params=()):
    return list(db.db.query(sql, list(params)))


def test_reextract_records_a_new_reading_and_keeps_the_old_one(db, raw, current):
    assert db.store(URL, raw, report=misread(current), content_type="text/plain",
                    fetched_at="2024-03-01T00:00:00Z", extractor_version=OLD) == "new"
    version = rows(db, "SELECT * FROM versions")[0]
    old_figures = rows(db, "SELECT * FROM reading_figures ORDER BY table_name, row_key, col_key")

    summary = reextract.run(db, workers=1)
    assert (summary.reextracted, summary.changed, summary.reports_figures_changed) == (1, 1, 1)

    assert rows(db, "SELECT * FROM versions") == [version]  # a reading is not a version
    old, new = rows(db, "SELECT * FROM readings ORDER BY id")
    assert (old["extractor_version"], new["extractor_version"]) == (OLD, extract.EXTRACTOR_VERSION)
    assert (new["version_id"], new["origin"]) == (version["id"], "reextract")
    assert rows(db, "SELECT * FROM reading_figures WHERE reading_id = ? ORDER BY table_name, row_key, col_key",
                [old["id"]]) == old_figures  # the old reading is kept
    total = current.figures["applications"]["new_received"]["total"]
    latest = rows(db, "SELECT value, extractor_version FROM latest_figures WHERE row_key='new_received' AND col_key='total'")
    assert latest == [{"value": total, "extractor_version": extract.EXTRACTOR_VERSION}]
    assert rows(db, "SELECT value FROM figures WHERE row_key='new_received' AND col_key='total'") == [{"value": total}]
    change = rows(db, "SELECT old_value, new_value, version_id FROM figure_changes WHERE reading_id = ?", [new["id"]])
    assert change == [{"old_value": total + 10, "new_value": total, "version_id": version["id"]}]
    # Re-reading is ours, not the agency's: a 'reread' event naming the figure that moved.
    events = rows(db, "SELECT kind, detail FROM events ORDER BY id")
    assert [e["kind"] for e in events] == ["new", "reread"]
    assert "applications.new_received.total" in events[1]["detail"]

    again = reextract.run(db, workers=1)  # idempotent: nothing left for this extractor
    assert (again.reextracted, again.skipped) == (0, 1)
    assert len(rows(db, "SELECT id FROM readings")) == 2 and len(rows(db, "SELECT id FROM events")) == 2


def test_an_identical_reading_writes_no_version_and_is_not_redone(db, raw, current):
    db.store(URL, raw, report=current, content_type="text/plain", extractor_version=OLD)
    summary = reextract.run(db, workers=1)
    assert (summary.reextracted, summary.same, summary.changed, summary.reports_figures_changed) == (1, 1, 0, 0)
    assert len(rows(db, "SELECT id FROM versions")) == 1 and len(rows(db, "SELECT id FROM readings")) == 1
    assert rows(db, "SELECT result, extractor_version FROM reextractions") == \
        [{"result": "same", "extractor_version": extract.EXTRACTOR_VERSION}]
    assert reextract.run(db, workers=1).reextracted == 0
    assert reextract.run(db, workers=1, force=True).reextracted == 1


def test_a_stored_failure_is_recovered_when_the_extractor_can_read_it(db, raw):
    assert db.store(URL, raw, failure=NotAReport("no template tables found"), content_type="text/plain",
                    agency="漯河市商务局", fetched_at="2024-03-01T00:00:00Z", extractor_version=OLD) == "failed"
    summary = reextract.run(db, workers=1)
    assert summary.recovered == 1
    doc = rows(db, "SELECT * FROM documents")[0]
    assert doc["url"] == URL and doc["first_seen"] == "2024-03-01T00:00:00Z" and doc["year"] == 2022
    assert rows(db, "SELECT status FROM failures") == [{"status": "recovered"}]
    assert [e["kind"] for e in rows(db, "SELECT kind FROM events")] == ["new"]
    assert reextract.run(db, workers=1).reextracted == 0


def _night(db, data, report, when, **kw):
    return db.store(URL, data, report=report, content_type="text/plain", fetched_at=when, **kw)


def test_same_bytes_with_a_new_extractor_is_a_reading_not_a_version(db, raw, current):
    _night(db, raw, misread(current), "2024-03-01T00:00:00Z", extractor_version=OLD)
    assert _night(db, raw, current, "2024-03-02T00:00:00Z") == "unchanged"
    assert len(rows(db, "SELECT id FROM versions")) == 1
    assert [(r["extractor_version"], r["origin"]) for r in rows(db, "SELECT * FROM readings ORDER BY id")] == \
        [(OLD, "fetch"), (extract.EXTRACTOR_VERSION, "reread")]
    assert [e["kind"] for e in rows(db, "SELECT kind FROM events ORDER BY id")] == ["new", "reread"]
    assert db.stale_latest() == 0
    # Whatever a buggy extractor says about the same bytes, they never make a version.
    assert _night(db, raw, misread(misread(current)), "2024-03-03T00:00:00Z", extractor_version="other") == "unchanged"
    assert len(rows(db, "SELECT id FROM versions")) == 1


def test_chrome_only_change_with_a_new_extractor_rereads_the_old_capture(db, raw, current):
    _night(db, raw, misread(current), "2024-03-01T00:00:00Z", extractor_version=OLD)
    noisy = raw + "\n浏览次数：12345\n".encode()  # next night: only the page chrome differs
    assert _night(db, noisy, current, "2024-03-02T00:00:00Z") == "unchanged"
    assert len(rows(db, "SELECT id FROM versions")) == 1
    assert [e["kind"] for e in rows(db, "SELECT kind FROM events ORDER BY id")] == ["new", "reread"]
    total = current.figures["applications"]["new_received"]["total"]
    assert rows(db, "SELECT value FROM latest_figures WHERE row_key='new_received' AND col_key='total'") == [{"value": total}]


def test_real_change_with_a_new_extractor_is_one_change_against_the_same_extractors_reading(db, raw, current):
    _night(db, raw, misread(current), "2024-03-01T00:00:00Z", extractor_version=OLD)
    corrected = copy.deepcopy(current)
    corrected.figures["applications"]["granted"]["total"] += 1
    changed = raw + "\n（更正）\n".encode()
    assert _night(db, changed, corrected, "2024-03-02T00:00:00Z") == "changed"
    assert len(rows(db, "SELECT id FROM versions")) == 2
    events = rows(db, "SELECT kind, detail FROM events ORDER BY id")
    assert [e["kind"] for e in events] == ["new", "reread", "changed"]
    # The change is described against the current extractor's reading of the old capture: only
    # the agency's correction, not the figure the old extractor misread.
    assert events[2]["detail"] == "1 figure(s) changed: applications.granted.total " \
        f"{current.figures['applications']['granted']['total']}→{corrected.figures['applications']['granted']['total']}"


def test_identical_content_can_never_become_two_consecutive_versions(db, raw, current):
    _night(db, raw, current, "2024-03-01T00:00:00Z")
    version = rows(db, "SELECT * FROM versions")[0]
    duplicate = {k: v for k, v in version.items() if k != "id"}
    with pytest.raises(sqlite3.IntegrityError, match="same content"):
        db.db["versions"].insert(duplicate)  # e.g. a race between two writers on stale snapshots


def test_process_pool_gives_the_same_results(tmp_path, raw, current):
    path = tmp_path / "pool.db"
    db = Archive(path)
    urls = [URL.replace(".txt", f"_{i}.txt") for i in range(6)]
    for i, url in enumerate(urls):
        report = misread(current) if i % 2 else current
        db.store(url, raw + f"\n浏览次数：{i}".encode(), report=report, content_type="text/plain", extractor_version=OLD)
    summary = reextract.run(db, workers=2)
    assert (summary.reextracted, summary.same, summary.changed, summary.reports_figures_changed) == (6, 3, 3, 3)
    assert len(rows(db, "SELECT id FROM versions")) == 6
    total = current.figures["applications"]["new_received"]["total"]
    assert {r["value"] for r in rows(db, "SELECT value FROM latest_figures WHERE row_key='new_received' AND col_key='total'")} == {total}
    db.close()


def test_cli_prints_counts(tmp_path, raw, current, capsys):
    path = tmp_path / "cli.db"
    db = Archive(path)
    db.store(URL, raw, report=misread(current), content_type="text/plain", extractor_version=OLD)
    db.close()
    assert main(["reextract", "--db", str(path), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "re-extracted 1 stored documents" in out and "figures changed in 1 reports" in out
    assert main(["reextract", "--db", str(tmp_path / "missing.db")]) == 1
    assert "no archive" in capsys.readouterr().err
