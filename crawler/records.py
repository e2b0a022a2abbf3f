"""The typed records that cross the archive seam (crawler.seam): what the crawl tells the archive.

On one machine they are plain arguments of `LocalArchive` methods; on a distributed worker the
`RedisSender` encodes each as JSON (crawler.wire) on the run's Redis list, and the archive writer
decodes and validates it here (`decode`) before handing it to the same `LocalArchive` method. A
record that is not one of these, or has a field of the wrong type, is refused (`BadRecord`):
nothing in Redis can run code in the writer or write something the crawl did not.

    Hello       a worker joins: the sources it crawls
    Fetched     one HTTP exchange (a `fetches` row)
    NotModified a 304 for a document we hold
    Document    a fetched document with its extraction outcome (a Report or an ExtractError),
                and the pictures fetched with it (`resources`, bytes as tagged base64 on the wire)
    Gone        a 404/410: a report taken down, or a dead link
    Bye         a worker is done: its finish reason and ledger

`Document` is also the item the spider yields to the pipeline.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from crawler import wire
from crawler.errors import BadRecord
from crawler.ledger import Ledger
from crawler.summary import SourceTally
from extract.report import ERRORS, Check, ExtractError, Report
from extract.scan import MAX_HTML_PICTURES

Outcome = Report | ExtractError


@dataclass(frozen=True)
class SourceInfo:
    """What the archive needs of a source (health rows, documents): not the whole sources row."""

    id: str
    agency: str | None = None
    region: str | None = None
    division_code: str | None = None

    @classmethod
    def of(cls, source) -> "SourceInfo":
        return cls(source.id, getattr(source, "agency", None), getattr(source, "region", None),
                   getattr(source, "division_code", None))


@dataclass(frozen=True)
class Hello:
    sources: list[SourceInfo]


@dataclass(frozen=True)
class Fetched:
    url: str
    fetched_at: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    nbytes: int | None = None
    elapsed_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class NotModified:
    source: str
    url: str
    fetched_at: str


@dataclass(frozen=True)
class Document:
    source: str
    url: str  # canonical: the final URL after redirects
    body: bytes
    content_type: str | None
    fetched_at: str  # UTC ISO-8601
    outcome: Outcome
    agency: str | None = None  # the source's agency, or the text of an agency-only link
    region: str | None = None
    division_code: str | None = None
    parent_url: str | None = None  # the report page an attachment was linked from
    # The pictures an HTML page shows, fetched with it (absolute URL → bytes; extract.scan): its
    # tables when they are pictures. Stored with the capture, so re-reading it stays offline.
    resources: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Gone:
    source: str
    url: str
    status: int
    referer: str
    at: str


@dataclass(frozen=True)
class Bye:
    reason: str
    ledger: Ledger = field(default_factory=Ledger)


KINDS = {"hello": Hello, "fetched": Fetched, "not_modified": NotModified, "document": Document,
         "gone": Gone, "bye": Bye}
_KIND_OF = {cls: kind for kind, cls in KINDS.items()}


# -- encoding ------------------------------------------------------------------------------------

def encode(worker: str, record) -> bytes:
    kind = _KIND_OF[type(record)]
    if isinstance(record, Bye):
        data = {"reason": record.reason, "ledger": record.ledger.to_data()}
    elif isinstance(record, Document):
        data = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        data["outcome"] = _outcome_data(record.outcome)
    else:
        data = dataclasses.asdict(record)
    return wire.dumps({"kind": kind, "worker": worker, "data": data})


def _outcome_data(outcome: Outcome) -> dict:
    if isinstance(outcome, ExtractError):
        return {"error": {"status": outcome.status, "reason": outcome.reason}}
    return {"report": outcome.to_dict(with_text=True)}


# -- decoding, with validation -------------------------------------------------------------------

def decode(payload: bytes) -> tuple[str, object]:
    """(worker, record) from one payload of the run's list; BadRecord if it is not a record."""
    try:
        message = wire.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRecord(f"not JSON: {exc}") from None
    _expect(message, dict, "record")
    kind, worker, data = message.get("kind"), message.get("worker"), message.get("data")
    if kind not in KINDS:
        raise BadRecord(f"unknown record kind {kind!r}")
    _expect(worker, str, "worker")
    _expect(data, dict, f"{kind} data")
    try:
        return worker, _DECODERS[kind](data)
    except BadRecord:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise BadRecord(f"malformed {kind} record: {type(exc).__name__}: {exc}") from None


_OPT_STR = (str, type(None))
_OPT_INT = (int, type(None))
_OPT_NUM = (int, float, type(None))


def _expect(value, types, what: str):
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise BadRecord(f"{what}: a boolean where {types} was expected")
    if not isinstance(value, types):
        raise BadRecord(f"{what}: {type(value).__name__} where {types} was expected")
    return value


def _fields(data: dict, spec: dict, what: str) -> dict:
    unknown = set(data) - set(spec)
    if unknown:
        raise BadRecord(f"{what}: unknown field(s) {sorted(unknown)}")
    return {name: _expect(data.get(name), types, f"{what}.{name}") for name, types in spec.items()}


_SOURCE = {"id": str, "agency": _OPT_STR, "region": _OPT_STR, "division_code": _OPT_STR}
_FETCHED = {"url": str, "fetched_at": str, "status": _OPT_INT, "etag": _OPT_STR, "last_modified": _OPT_STR,
            "sha256": _OPT_STR, "nbytes": _OPT_INT, "elapsed_ms": _OPT_NUM, "error": _OPT_STR}
_NOT_MODIFIED = {"source": str, "url": str, "fetched_at": str}
_DOCUMENT = {"source": str, "url": str, "body": bytes, "content_type": _OPT_STR, "fetched_at": str,
             "outcome": dict, "agency": _OPT_STR, "region": _OPT_STR, "division_code": _OPT_STR,
             "parent_url": _OPT_STR, "resources": (dict, type(None))}
_GONE = {"source": str, "url": str, "status": int, "referer": str, "at": str}
_COLUMN = {"agency": _OPT_STR, "region": _OPT_STR, "code": _OPT_STR, "listed": int}
_TALLY = {f.name: (list if f.name == "messages" else dict if f.name == "columns" else _OPT_STR if f.name == "incomplete"
                   else _OPT_NUM if f.name in ("started", "ended") else int)
          for f in dataclasses.fields(SourceTally)}


def _hello(data: dict) -> Hello:
    sources = _expect(_fields(data, {"sources": list}, "hello")["sources"], list, "hello.sources")
    return Hello([SourceInfo(**_fields(_expect(s, dict, "source"), _SOURCE, "source")) for s in sources])


def _document(data: dict) -> Document:
    values = _fields(data, _DOCUMENT, "document")
    values["outcome"] = _outcome(values["outcome"])
    values["resources"] = _resources(values["resources"] or {})
    return Document(**values)


def _resources(data: dict) -> dict[str, bytes]:
    """Pictures of a page: at most as many as a crawler fetches, each an http(s) URL → bytes."""
    if len(data) > MAX_HTML_PICTURES:
        raise BadRecord(f"document.resources: {len(data)} pictures, over {MAX_HTML_PICTURES}")
    for url, body in data.items():
        _expect(url, str, "document.resources url")
        if not url.startswith(("http://", "https://")):
            raise BadRecord(f"document.resources: {url[:100]!r} is not an http(s) URL")
        _expect(body, bytes, f"document.resources[{url[:100]}]")
    return data


def _outcome(data: dict) -> Outcome:
    if set(data) == {"error"}:
        error = _fields(_expect(data["error"], dict, "error"), {"status": str, "reason": str}, "error")
        if error["status"] not in ERRORS:
            raise BadRecord(f"unknown failure status {error['status']!r}")
        return ERRORS[error["status"]](error["reason"])
    if set(data) == {"report"}:
        return _report(_expect(data["report"], dict, "report"))
    raise BadRecord("an outcome is a report or an error")


# Report fields whose types the writer checks; fields added to Report later pass as JSON values.
_REPORT = {"title": _OPT_STR, "agency": _OPT_STR, "year": _OPT_INT, "published": _OPT_STR,
           "source_url": _OPT_STR, "format": str, "template": str, "figures": dict, "checks": list,
           "text": str}


def _report(data: dict) -> Report:
    known = {f.name for f in dataclasses.fields(Report)}
    unknown = set(data) - known
    if unknown:
        raise BadRecord(f"report: unknown field(s) {sorted(unknown)}")
    for name, types in _REPORT.items():
        if name in data:
            _expect(data[name], types, f"report.{name}")
    for table, rows in data.get("figures", {}).items():
        for row, cols in _expect(rows, dict, f"figures.{table}").items():
            for col, value in _expect(cols, dict, f"figures.{table}.{row}").items():
                _expect(value, (int, float), f"figures.{table}.{row}.{col}")
    checks = [Check(**_fields(_expect(c, dict, "check"), {"rule": str, "ok": bool, "detail": str}, "check"))
              for c in data.get("checks", [])]
    return Report(**{**data, "checks": checks})


def _bye(data: dict) -> Bye:
    values = _fields(data, {"reason": str, "ledger": dict}, "bye")
    return Bye(values["reason"], ledger_from_data(values["ledger"]))


def ledger_from_data(data: dict) -> Ledger:
    """A worker's ledger (its goodbye, or its last heartbeat), validated."""
    values = _fields(_expect(data, dict, "ledger"), {"tallies": dict, "seen": dict, "faults": (dict, type(None)),
                                                     "fault_messages": (list, type(None))}, "ledger")
    for kind, n in (values["faults"] or {}).items():
        _expect(n, int, f"faults.{kind}")
    for message in values["fault_messages"] or []:
        _expect(message, str, "fault message")
    for sid, tally in values["tallies"].items():
        _fields(_expect(tally, dict, f"tally {sid}"), _TALLY, f"tally {sid}")
        for message in tally.get("messages", []):
            _expect(message, str, f"tally {sid} message")
        for url, column in tally.get("columns", {}).items():
            _fields(_expect(column, dict, f"tally {sid} column"), _COLUMN, f"tally {sid} column {url}")
    for sid, urls in values["seen"].items():
        for url in _expect(urls, list, f"seen {sid}"):
            _expect(url, str, f"seen {sid}")
    return Ledger.from_data(values)


_DECODERS = {
    "hello": _hello,
    "fetched": lambda d: Fetched(**_fields(d, _FETCHED, "fetched")),
    "not_modified": lambda d: NotModified(**_fields(d, _NOT_MODIFIED, "not_modified")),
    "document": _document,
    "gone": lambda d: Gone(**_fields(d, _GONE, "gone")),
    "bye": _bye,
}
