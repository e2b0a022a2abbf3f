"""Errors the CLI turns into one line on stderr and an exit code."""


class OgiError(Exception):
    exit_code = 1


class UsageError(OgiError):
    exit_code = 2
