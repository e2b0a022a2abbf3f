"""Turn one OGI annual report (bytes + URL + content type) into a `Report`. Pure: no network.

    >>> from extract import extract_report
    >>> report = extract_report(open("report.html", "rb").read(), url="http://...")
    >>> report.figures["applications"]["new_received"]["total"]
"""
from extract.fingerprint import extractor_version
from extract.pipeline import MAX_BYTES, extract_report, sniff_format
from extract.report import (Check, ExtractError, ImageOnly, MemoryLimit, NotAReport, Report, TimeLimit, Unreadable,
                            Unsupported)

__all__ = [
    "EXTRACTOR_VERSION", "extractor_version", "MAX_BYTES", "extract_report", "sniff_format",
    "Check", "ExtractError", "ImageOnly", "MemoryLimit", "NotAReport", "Report", "TimeLimit", "Unreadable",
    "Unsupported",
]


def __getattr__(name: str):
    # The extractor's identity is computed (extract.fingerprint), on first use rather than at
    # import: a caller that never stores a reading never pays for hashing the package.
    if name == "EXTRACTOR_VERSION":
        return extractor_version()
    raise AttributeError(f"module 'extract' has no attribute {name!r}")
