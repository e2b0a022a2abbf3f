"""`ogi reextract`: the current extractor re-reads stored raw bytes offline; old readings stay."""
import copy
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
    old_version = rows(db, "SELECT * FROM versions")[0]
    old_figures = rows(db, "SELECT * FROM figures ORDER BY table_name, row_key, col_key")

    summary = reextract.run(db, workers=1)
    assert (summary.reextracted, summary.changed, summary.reports_figures_changed) == (1, 1, 1)

    versions = rows(db, "SELECT * FROM versions ORDER BY id")
    assert versions[0] == old_version  # untouched
    new = versions[1]
    assert (new["origin"], new["reextract_of"], new["raw_sha256"], new["fetched_at"], new["extractor_version"]) == \
        ("reextract", old_version["id"], old_version["raw_sha256"], "2024-03-01T00:00:00Z", extract.EXTRACTOR_VERSION)
    assert rows(db, "SELECT * FROM figures WHERE version_id = ? ORDER BY table_name, row_key, col_key",
                [old_version["id"]]) == old_figures
    total = current.figures["applications"]["new_received"]["total"]
    assert rows(db, "SELECT value FROM latest_figures WHERE row_key='new_received' AND col_key='total'") == [{"value": total}]
    change = rows(db, "SELECT old_value, new_value FROM figure_changes WHERE version_id = ?", [new["id"]])
    assert change == [{"old_value": total + 10, "new_value": total}]
    # Re-reading is ours, not the agency's: no 'changed' event.
    assert [e["kind"] for e in rows(db, "SELECT kind FROM events")] == ["new"]

    again = reextract.run(db, workers=1)  # incremental: nothing left for this extractor
    assert (again.reextracted, again.skipped) == (0, 1)
    assert len(rows(db, "SELECT id FROM versions")) == 2


def test_an_identical_reading_writes_no_version_and_is_not_redone(db, raw, current):
    db.store(URL, raw, report=current, content_type="text/plain", extractor_version=OLD)
    summary = reextract.run(db, workers=1)
    assert (summary.reextracted, summary.same, summary.changed, summary.reports_figures_changed) == (1, 1, 0, 0)
    assert len(rows(db, "SELECT id FROM versions")) == 1
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


def test_store_after_an_extractor_upgrade_is_not_mistaken_for_a_correction(db, raw, current):
    db.store(URL, raw, report=misread(current), content_type="text/plain", extractor_version=OLD,
             fetched_at="2024-03-01T00:00:00Z")
    # Next night: same report (the page chrome differs), read by the current extractor.
    noisy = raw + "\n浏览次数：12345\n".encode()
    assert db.store(URL, noisy, report=current, content_type="text/plain", fetched_at="2024-03-02T00:00:00Z") == "unchanged"
    assert [e["kind"] for e in rows(db, "SELECT kind FROM events")] == ["new"]
    # A real correction after that is still a change, described against the current reading.
    corrected = copy.deepcopy(current)
    corrected.figures["applications"]["granted"]["total"] += 1
    assert db.store(URL, noisy, report=corrected, content_type="text/plain", fetched_at="2024-03-03T00:00:00Z") == "changed"
    detail = rows(db, "SELECT detail FROM events WHERE kind='changed'")[0]["detail"]
    assert detail.startswith("1 figure(s) changed: applications.granted.total")


def test_process_pool_gives_the_same_results(tmp_path, raw, current):
    path = tmp_path / "pool.db"
    db = Archive(path)
    urls = [URL.replace(".txt", f"_{i}.txt") for i in range(6)]
    for i, url in enumerate(urls):
        report = misread(current) if i % 2 else current
        db.store(url, raw + f"\n浏览次数：{i}".encode(), report=report, content_type="text/plain", extractor_version=OLD)
    summary = reextract.run(db, workers=2)
    assert (summary.reextracted, summary.same, summary.changed, summary.reports_figures_changed) == (6, 3, 3, 3)
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
