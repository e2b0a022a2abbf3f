"""A crawl and `ogi reextract` writing one archive at the same time (issue: writes that wait
instead of failing). Two processes: one stores a night of reports the way the crawler does,
the other re-reads the archive again and again. Every write must wait its turn (BEGIN
IMMEDIATE + busy timeout), nothing may be dropped, and no version may be written twice."""
import multiprocessing
import sqlite3
from pathlib import Path

import extract
from archive import Archive, reextract

SEED = Path(__file__).parent / "fixtures" / "archive" / "luohe_commerce_2022.txt"
N_REPORTS = 24
OLD = "0.0.0-old"


def url(n: int) -> str:
    return f"http://www.example.gov.cn/xxgk/{n}.txt"


def night(path: str, n_night: int, conn) -> None:
    """Store every report of one night: new bytes each night (a visit counter in the page)."""
    raw = SEED.read_bytes()
    stored = 0
    try:
        with Archive(path) as archive:
            for n in range(N_REPORTS):
                data = raw + f"\n浏览次数：{n_night * 1000 + n}\n".encode()
                report = extract.extract_report(data, url=url(n), content_type="text/plain")
                archive.store(url(n), data, report=report, content_type="text/plain",
                              fetched_at=f"2024-03-0{n_night}T00:00:{n:02d}Z")
                stored += 1
        conn.send(("ok", stored))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def reextractor(path: str, rounds: int, conn) -> None:
    try:
        results = []
        for _ in range(rounds):
            with Archive(path) as archive:
                results.append(reextract.run(archive, workers=1).as_dict())
        conn.send(("ok", results))
    except Exception as exc:  # noqa: BLE001
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def run(target, *args):
    # Fresh interpreters, as a crawl and `ogi reextract` are: nothing inherited from pytest's
    # process (its extraction fork server among them).
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=target, args=(*args, child))
    process.start()
    return process, parent


def test_a_night_and_reextract_together_lose_nothing_and_duplicate_nothing(tmp_path):
    path = str(tmp_path / "archive.db")
    raw = SEED.read_bytes()
    report = extract.extract_report(raw, url=url(0), content_type="text/plain")
    report.figures["applications"]["new_received"]["total"] += 10  # an older extractor's misreading
    with Archive(path) as archive:  # the first night, read by that older extractor
        for n in range(N_REPORTS):
            archive.store(url(n), raw + f"\n浏览次数：{n}\n".encode(), report=report,
                          content_type="text/plain", fetched_at=f"2024-03-01T00:00:{n:02d}Z",
                          extractor_version=OLD)
    for n_night in (2, 3):
        crawl, crawl_pipe = run(night, path, n_night)
        again, again_pipe = run(reextractor, path, 3)
        crawl.join(120)
        again.join(120)
        crawl_result, again_result = crawl_pipe.recv(), again_pipe.recv()
        assert crawl_result == ("ok", N_REPORTS), crawl_result
        assert again_result[0] == "ok", again_result
    conn = sqlite3.connect(path)
    # Only page chrome changed between nights: one version per report, however the two
    # processes interleaved, and every report re-read by the current extractor exactly once
    # (by whichever process came first), never taken for a change by the agency.
    failed = conn.execute("SELECT detail FROM reextractions WHERE result = 'failed'").fetchall()
    assert not failed, failed[:3]
    assert conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == N_REPORTS
    assert conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'changed'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'reread'").fetchone()[0] == N_REPORTS
    assert conn.execute("SELECT COUNT(*) FROM readings WHERE extractor_version = ?",
                        [extract.EXTRACTOR_VERSION]).fetchone()[0] == N_REPORTS
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE latest_reading_id IN"
                        " (SELECT id FROM readings WHERE extractor_version = ?)",
                        [extract.EXTRACTOR_VERSION]).fetchone()[0] == N_REPORTS
    assert conn.execute("SELECT COUNT(*) FROM raw_blobs").fetchone()[0] == 3 * N_REPORTS
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
