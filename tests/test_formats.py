"""extract/formats.py is the one table of document formats: the sniffer, `ogi extract` on a folder,
the crawler's attachment links and Datasette's downloads all read it, and a format we know but
cannot read is answered as `unsupported`, never read as text."""
from __future__ import annotations

import json

import pytest

from crawler.cms import ATTACHMENT_EXTENSIONS
from extract import Unsupported, extract_report, formats, sniff_format
from ogi.cli import main
from ogi.errors import exit_code

OFD = b"PK\x03\x04\x14\x00\x00\x00OFD.xml<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>"
ET = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("data, url, name", [
    (OFD, "http://x.gov.cn/P020240101.ofd", "ofd"),
    (OFD, "http://x.gov.cn/download?id=7", "ofd"),  # told by its part names, not by its URL
    (ET, "http://x.gov.cn/table.et", "et"),
    (b"%PDF-1.7", "http://x.gov.cn/a.ofd", "pdf"),  # the bytes win over the name
])
def test_sniffer_reads_the_table(data, url, name):
    assert sniff_format(data, url) == name


@pytest.mark.parametrize("data, url", [(OFD, "http://x.gov.cn/r.ofd"), (ET, "http://x.gov.cn/t.et")])
def test_unsupported_formats_are_recorded_as_such(data, url):
    with pytest.raises(Unsupported) as err:
        extract_report(data, url)
    assert err.value.status == "unsupported" and exit_code(err.value) == 2


def test_every_consumer_derives_from_the_table():
    attachments = {f".{ext}" for ext in ATTACHMENT_EXTENSIONS}
    assert attachments == {ext for f in formats.FORMATS if f.attachment for ext in f.extensions}
    assert {".ofd", ".et", ".pdf", ".docx", ".wps"} <= attachments
    assert formats.file_extensions(readable_only=True) < formats.file_extensions()
    assert ".ofd" not in formats.file_extensions(readable_only=True)
    assert formats.content_type_of("docx") == formats.BY_NAME["docx"].content_types[0]
    for fmt in formats.FORMATS:
        assert formats.by_extension(f"http://x/a{fmt.extensions[0]}?download=1") is fmt
        assert formats.by_content_type(f"{fmt.content_types[0]}; charset=utf-8") is fmt


def test_ogi_extract_on_a_folder_answers_an_unsupported_file(tmp_path, capsys):
    (tmp_path / "report.ofd").write_bytes(OFD)
    (tmp_path / "notes.md").write_text("not a document format")
    (tmp_path / "page.html").write_text("<html><body>hello</body></html>", encoding="utf-8")
    assert main(["extract", str(tmp_path)]) == 3  # the worst: page.html is not a report
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_file = {line["path"].rsplit("/", 1)[1]: line for line in lines}
    assert set(by_file) == {"report.ofd", "page.html"}
    assert by_file["report.ofd"]["status"] == "unsupported"
    assert by_file["page.html"]["status"] == "not_a_report"
