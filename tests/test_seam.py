"""The archive seam (crawler.seam.RunArchive): both implementations hold to the Protocol, the Redis
path leaves the same archive as the local one, and the writer refuses anything that is not a
typed record (no pickles, no stray fields, no figure that is not a number)."""
from __future__ import annotations

import inspect
import pickle
import sqlite3

import pytest

from archive import Archive
from crawler import records, wire
from crawler.ledger import Ledger
from crawler.local import LocalArchive
from crawler.records import Bye, Document, Fetched, Gone, Hello, NotModified, SourceInfo
from crawler.seam import RunArchive
from crawler.sender import RedisSender
from crawler.writer import ArchiveWriter
from extract import NotAReport, Unsupported
from report_factory import make_report

PROTOCOL_METHODS = ["open_run", "validators", "fetched", "not_modified", "document", "gone", "close_run"]


class FakeRedisRun:
    """The part of crawler.protocol.RedisRun a sender and a writer use, in memory."""

    name = "test-run"

    def __init__(self):
        self.payloads: list[bytes] = []
        self.meta: dict = {}
        self.published: dict = {}

    def push_record(self, payload: bytes) -> bool:
        self.payloads.append(payload)
        return True

    def validators(self, url: str) -> dict:
        return self.published.get(url, {})

    def set_meta(self, field: str, value) -> None:
        self.meta[field] = value

    # The test hands every payload to the writer itself: a goodbye counts as received.
    def acked(self, worker: str) -> bool:
        return True

    def ack(self, worker: str) -> None:
        self.meta[f"ack:{worker}"] = True

    def writer_alive(self) -> bool:
        return True


@pytest.mark.parametrize("implementation", [LocalArchive, RedisSender])
def test_both_implementations_hold_to_the_protocol(implementation):
    for name in PROTOCOL_METHODS:
        declared = inspect.signature(getattr(RunArchive, name))
        actual = inspect.signature(getattr(implementation, name))
        assert list(actual.parameters) == list(declared.parameters), f"{implementation.__name__}.{name}"
    instance = (LocalArchive(Archive(":memory:"), Ledger()) if implementation is LocalArchive
                else RedisSender(FakeRedisRun(), "w1", Ledger()))
    assert isinstance(instance, RunArchive)


def the_night(seam: RunArchive) -> None:
    """One small run: a report, its 304 the next time, an unsupported attachment, a page that is
    not a report, a 404 of a report we hold and a dead link."""
    source = SourceInfo("src", "漯河市商务局", "河南省/漯河市")
    seam.open_run([source])
    at = "2024-02-01T00:00:00Z"
    report = make_report()
    seam.fetched(Fetched("http://x.gov.cn/a.html", at, status=200, etag='"e1"', sha256="ab" * 32, nbytes=5))
    seam.document(Document("src", "http://x.gov.cn/a.html", b"<html>report</html>", "text/html", at, report,
                           agency="漯河市商务局", region="河南省/漯河市",
                           resources={"http://x.gov.cn/W01.jpg": b"\xff\xd8\xff\x00 a table as a picture"}))
    seam.document(Document("src", "http://x.gov.cn/b.ofd", b"PK\x03\x04OFD.xml", None, at,
                           Unsupported("OFD documents are not supported yet"), parent_url="http://x.gov.cn/a.html"))
    seam.document(Document("src", "http://x.gov.cn/c.html", b"<html>news</html>", "text/html", at,
                           NotAReport("no report words")))
    seam.not_modified(NotModified("src", "http://x.gov.cn/a.html", "2024-02-02T00:00:00Z"))
    seam.gone(Gone("src", "http://x.gov.cn/a.html", 404, "http://x.gov.cn/", "2024-02-03T00:00:00Z"))
    seam.gone(Gone("src", "http://x.gov.cn/d.html", 410, "http://x.gov.cn/", "2024-02-03T00:00:00Z"))


def archive_contents(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {
            "documents": conn.execute("SELECT url, agency, region, source, parent_url, removed_at IS NOT NULL"
                                      " FROM documents ORDER BY url").fetchall(),
            "versions": conn.execute("SELECT content_sha256, raw_sha256, format FROM versions ORDER BY id").fetchall(),
            "figures": conn.execute("SELECT table_name, row_key, col_key, value FROM figures ORDER BY 1, 2, 3").fetchall(),
            "failures": conn.execute("SELECT url, status, reason FROM failures ORDER BY url").fetchall(),
            "fetches": conn.execute("SELECT url, status, etag, sha256, bytes FROM fetches ORDER BY id").fetchall(),
            "events": conn.execute("SELECT kind FROM events ORDER BY id").fetchall(),
            "pictures": conn.execute("SELECT raw_sha256, url, blob_sha256, content_type FROM capture_resources"
                                     " ORDER BY url").fetchall(),
        }
    finally:
        conn.close()


def test_through_redis_records_the_archive_is_the_local_one(tmp_path):
    with Archive(tmp_path / "local.db") as archive:
        local = LocalArchive(archive, Ledger())
        the_night(local)
        local_result = local.close_run("finished")

    fake = FakeRedisRun()
    sender = RedisSender(fake, "worker-1", Ledger())
    the_night(sender)
    sender.close_run("finished")
    assert sender.sent == {"document": 3, "other": 6}
    with Archive(tmp_path / "writer.db") as archive:
        writer = ArchiveWriter(archive, fake)
        for payload in fake.payloads:
            writer.handle(payload)
        assert writer.rejected == 0 and writer.workers == {"worker-1": ("finished", writer.workers["worker-1"][1])}
        writer.local.ledger.absorb(writer.workers["worker-1"][1])
        writer_result = writer.local.close_run("finished")

    assert archive_contents(tmp_path / "writer.db") == archive_contents(tmp_path / "local.db")
    assert len(archive_contents(tmp_path / "writer.db")["pictures"]) == 1  # the page's picture, over Redis too
    assert writer_result.summary["totals"] == local_result.summary["totals"]
    totals = local_result.summary["totals"]
    assert (totals["new"], totals["failed"], totals["unchanged"], totals["removed"], totals["errors"]) == (1, 2, 1, 1, 1)
    failures = archive_contents(tmp_path / "local.db")["failures"]
    assert [(url, status) for url, status, _ in failures] == [("http://x.gov.cn/b.ofd", "unsupported"),
                                                              ("http://x.gov.cn/c.html", "not_a_report")]


def test_records_round_trip_exactly():
    report = make_report(new_received__total=4)
    for record in (Hello([SourceInfo("a", "局", "省/市", "410000")]),
                   Fetched("http://x/a", "2024-01-01T00:00:00Z", status=None, error="refused", elapsed_ms=1.5),
                   Document("a", "http://x/a", b"\x00\xffbytes", None, "2024-01-01T00:00:00Z", report),
                   Document("a", "http://x/b", b"", "text/html", "2024-01-01T00:00:00Z", Unsupported("OFD")),
                   NotModified("a", "http://x/a", "2024-01-01T00:00:00Z"),
                   Gone("a", "http://x/a", 404, "?", "2024-01-01T00:00:00Z")):
        worker, back = records.decode(records.encode("w", record))
        assert worker == "w"
        if isinstance(record, Document):
            # Exceptions compare by identity: compare the outcome by what it says.
            assert type(back.outcome) is type(record.outcome)
            assert _said(back.outcome) == _said(record.outcome)
            assert back == Document(**{**record.__dict__, "outcome": back.outcome})
        else:
            assert back == record
    ledger = Ledger()
    ledger.count("a", "pages", 3)
    ledger.saw("a", "http://x/a")
    _, bye = records.decode(records.encode("w", Bye("finished", ledger)))
    assert bye.ledger.tallies["a"].pages == 3 and bye.ledger.seen == {"a": {"http://x/a"}}


def _said(outcome):
    return outcome.to_dict(with_text=True) if hasattr(outcome, "to_dict") else (outcome.status, outcome.reason)


def _document_payload(**changes) -> bytes:
    data = {"source": "a", "url": "http://x/a", "body": b"x", "content_type": None,
            "fetched_at": "2024-01-01T00:00:00Z", "agency": None, "region": None, "division_code": None,
            "parent_url": None, "outcome": {"report": make_report().to_dict(with_text=True)}}
    data.update(changes)
    return wire.dumps({"kind": "document", "worker": "w", "data": data})


class Evil:
    def __reduce__(self):
        return (print, ("pickled code ran",))


@pytest.mark.parametrize("payload, why", [
    (pickle.dumps(("w", "store", (Evil(),), {})), "not JSON"),
    (b'{"kind": "exec", "worker": "w", "data": {}}', "unknown record kind"),
    (b'{"kind": "gone", "worker": "w", "data": {"source": "a", "url": "http://x", "status": "404",'
     b' "referer": "?", "at": "t"}}', "gone.status"),
    (b'{"kind": "fetched", "worker": "w", "data": {"url": "http://x", "fetched_at": "t", "sql": "DROP"}}',
     "unknown field"),
    (_document_payload(body="not bytes"), "document.body"),
    (_document_payload(outcome={"error": {"status": "rm -rf", "reason": "x"}}), "unknown failure status"),
    (_document_payload(outcome={"report": {**make_report().to_dict(with_text=True),
                                           "figures": {"applications": {"new_received": {"total": "4"}}}}}),
     "figures.applications.new_received.total"),
    (_document_payload(outcome={"report": {**make_report().to_dict(with_text=True), "__class__": "x"}}),
     "unknown field"),
])
def test_the_writer_refuses_what_is_not_a_typed_record(tmp_path, payload, why, capsys):
    with pytest.raises(records.BadRecord, match=why):
        records.decode(payload)
    with Archive(tmp_path / "w.db") as archive:
        writer = ArchiveWriter(archive, FakeRedisRun())
        assert writer.handle(payload) is False
        assert writer.rejected == 1
    assert "pickled code ran" not in capsys.readouterr().out
    contents = archive_contents(tmp_path / "w.db")
    assert not contents["documents"] and not contents["fetches"] and not contents["failures"]
