"""Timestamps as the archive stores them: UTC ISO-8601 with a trailing `Z`, to the second."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_iso(value: datetime | str | float | int | None = None) -> str:
    """Now, or `value` (datetime, epoch seconds, or an ISO string), as `YYYY-MM-DDTHH:MM:SSZ`.

    Naive datetimes and offset-less strings are taken to be UTC already (Scrapy and HTTP dates
    are), so the stored text always sorts chronologically.
    """
    if value is None:
        dt = datetime.now(timezone.utc)
    elif isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(value, timezone.utc)
    else:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
