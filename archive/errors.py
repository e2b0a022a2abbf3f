"""The archive's own errors; `ogi/` turns them into one-line messages and exit codes."""


class ArchiveError(Exception):
    """The archive could not do what was asked (busy past the timeout, disk full, damaged)."""


class SchemaError(ArchiveError):
    """The database is not an archive this program can use (e.g. written by a newer ogi)."""


class BlobCorrupt(ArchiveError):
    """A stored raw document no longer matches its sha256: never serve or re-read it."""
