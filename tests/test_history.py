"""History cannot be rewritten: every append-only table refuses UPDATE, DELETE and an INSERT that
reuses an existing key (INSERT OR REPLACE), from any connection; raw blobs are checked against
their sha256 when read and when served."""
import sqlite3

import pytest

from archive import Archive, blobs, labels, schema
from archive.errors import BlobCorrupt
from report_factory import make_report

URL = "http://www.example.gov.cn/xxgk/2023/t20230131_1.html"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.record_fetch(URL, status=200, sha256="x")
        archive.store(URL, b"<p>1</p>", report=make_report(new_received__total=4))
        archive.store(URL, b"<p>2</p>", report=make_report(new_received__total=5))
        archive.store(URL, b"<p>2</p>", report=make_report(new_received__total=6), extractor_version="newer")
        # A page whose table is a picture, stored with it (capture_resources).
        archive.store(URL, b'<p>3</p><img src="t.png">', report=make_report(new_received__total=7),
                      resources={"http://www.example.gov.cn/xxgk/2023/t.png": b"\x89PNG\r\n\x1a\n picture"})
    return path


def protected_tables() -> list[str]:
    return [*schema.PROTECTED_TABLES, *(schema.wide_table(t) for t in labels.TABLES)]


@pytest.mark.parametrize("table", protected_tables())
def test_replace_update_and_delete_are_refused_from_a_plain_connection(path, table):
    # A researcher's own sqlite3 session, without sqlite-utils' recursive triggers.
    conn = sqlite3.connect(path)
    cursor = conn.execute(f"SELECT * FROM {table} LIMIT 1")
    columns = [d[0] for d in cursor.description]
    values = cursor.fetchone()
    assert values is not None, f"{table} has no row to attack"
    names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
    attacks = [(f"UPDATE {table} SET {columns[-1]} = {columns[-1]}", []), (f"DELETE FROM {table}", [])]
    if schema.PROTECTED_TABLES.get(table) == ("rowid",):
        # No key of its own: a plain INSERT only appends; REPLACE can only aim at a rowid.
        rowid = conn.execute(f"SELECT rowid FROM {table} LIMIT 1").fetchone()[0]
        attacks.append((f"REPLACE INTO {table} (rowid, {names}) VALUES (?, {marks})", [rowid, *values]))
    else:
        attacks.append((f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", list(values)))
    before = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    for sql, params in attacks:
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute(sql, params)
    assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == before
    conn.close()


def test_every_append_only_table_is_covered():
    assert set(schema.PROTECTED_TABLES) >= {"versions", "readings", "reading_texts", "figure_values",
                                            "reading_checks", "figure_changes", "events", "raw_blobs",
                                            "fetches", "reextractions", "extractors"}


def test_a_forged_blob_is_refused_when_read(path):
    conn = sqlite3.connect(path)
    digest = blobs.sha256(b"<p>1</p>")
    forged = blobs.zstandard.ZstdCompressor().compress(b"<p>forged</p>")
    # Only possible by dropping the guard first, as someone editing the file by hand would.
    conn.execute("DROP TRIGGER raw_blobs_no_update")
    conn.execute("UPDATE raw_blobs SET content = ? WHERE sha256 = ?", [forged, digest])
    conn.commit()
    conn.close()
    with Archive(path) as archive:
        with pytest.raises(BlobCorrupt, match="does not match its sha256"):
            archive.raw(digest)
        assert archive.raw(blobs.sha256(b"<p>2</p>")) == b"<p>2</p>"


def _get(ds, path: str):
    import asyncio

    return asyncio.new_event_loop().run_until_complete(ds.client.get(path))


def test_serve_refuses_a_forged_blob_and_a_query_that_builds_a_huge_value(path):
    from ogi.datasette.app import make_datasette

    digest = blobs.sha256(b"<p>1</p>")
    ds = make_datasette(path)
    assert _get(ds, f"/-/ogi/raw/{digest}").content == b"<p>1</p>"
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER raw_blobs_no_update")
    conn.execute("UPDATE raw_blobs SET content = ? WHERE sha256 = ?",
                 [blobs.zstandard.ZstdCompressor().compress(b"<p>forged</p>"), digest])
    conn.commit()
    conn.close()
    ds = make_datasette(path)
    response = _get(ds, f"/-/ogi/raw/{digest}")
    assert response.status_code == 409 and b"forged" not in response.content
    # One anonymous query cannot make the server build a 300 MB value.
    response = _get(ds, "/archive.json?sql=select+length(zeroblob(300000000))")
    assert response.status_code == 400 and "too big" in response.text


def test_version_page_shows_where_pre2019_figures_come_from(tmp_path):
    """A pre-2019 report's figures come from sentences or the old 统计表: the page quotes them."""
    from pathlib import Path

    import extract
    from ogi.datasette.app import make_datasette

    source = Path(__file__).parent / "fixtures" / "narrative" / "pingtan_2017.txt"
    report = extract.extract_report(source.read_bytes(), url="http://www.pingtan.gov.cn/2017.htm",
                                    content_type="text/plain")
    assert report.template == "pre2019" and report.evidence
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.store("http://www.pingtan.gov.cn/2017.htm", source.read_bytes(), report=report)
    html = _get(make_datasette(path), "/-/ogi/versions/1").text
    assert "ogi-evidence" in html
    for key, sentence in report.evidence.items():
        assert key in html and sentence[:20] in html
