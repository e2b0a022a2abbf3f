"""What the spider hands to the pipeline: one fetched candidate document with its crawl context."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DocumentItem:
    url: str  # canonical: the final URL after redirects
    body: bytes
    content_type: str | None
    fetched_at: str  # UTC ISO-8601
    source: str  # source id (crawler.sources) or the start URL of an ad-hoc crawl
    agency: str | None = None  # the source's agency, or the link text of an agency-only link
    region: str | None = None
    parent_url: str | None = None  # the report page an attachment was linked from
    link_text: str = ""
    # The link that led here names an OGI annual report: a failure to read it is worth keeping.
    named: bool = False
    encoding: str | None = None  # how the page was decoded (None: not a text page)

    @property
    def is_attachment(self) -> bool:
        return self.parent_url is not None
