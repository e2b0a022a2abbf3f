"""Turn one OGI annual report (bytes + URL + content type) into a `Report`. Pure: no network.

    >>> from extract import extract_report
    >>> report = extract_report(open("report.html", "rb").read(), url="http://...")
    >>> report.figures["applications"]["new_received"]["total"]
"""
from extract.pipeline import EXTRACTOR_VERSION, MAX_BYTES, extract_report, sniff_format
from extract.report import (Check, ExtractError, ImageOnly, MemoryLimit, NotAReport, Report, TimeLimit, Unreadable,
                            Unsupported)

__all__ = [
    "EXTRACTOR_VERSION", "MAX_BYTES", "extract_report", "sniff_format",
    "Check", "ExtractError", "ImageOnly", "MemoryLimit", "NotAReport", "Report", "TimeLimit", "Unreadable",
    "Unsupported",
]
