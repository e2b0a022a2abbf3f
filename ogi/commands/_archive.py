"""Opening an existing archive for a command, with the failures said in one line."""
from __future__ import annotations

import os
import sqlite3

from ogi.errors import OgiError


def open_existing(path: str):
    from archive import Archive
    from archive.schema import SchemaError

    if not os.path.exists(path):
        raise OgiError(f"no archive at {path}")
    try:
        return Archive(path)
    except (SchemaError, sqlite3.DatabaseError) as exc:
        raise OgiError(f"cannot open archive {path}: {exc}") from exc
