"""The `ogi` command line: a thin layer over `extract/`, `archive/` and `crawler/`.

Each sub-command lives in its own module under `ogi/commands/` and exposes
`register(subparsers)`; they are discovered here so adding a command never edits this file.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from ogi import commands
from ogi.errors import exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="Archive of 政府信息公开工作年度报告: extract, crawl, store, export, serve.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"ogi.commands.{info.name}").register(sub)
    return parser


# Libraries that log every oddity of a malformed file as a warning; on the command line a bad
# document gets our one-line error instead.
_NOISY_LOGGERS = ("pdfminer", "pdfplumber", "trafilatura", "htmldate", "charset_normalizer")


def main(argv: list[str] | None = None) -> int:
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except KeyboardInterrupt:
        print(f"ogi {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract is "never a traceback" for users
        known = exit_code(exc)
        if known is not None:  # an error of ours, from any layer: its message is the line
            print(f"ogi {args.command}: {exc}", file=sys.stderr)
            return known
        if os.environ.get("OGI_DEBUG"):
            raise
        print(f"ogi {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(set OGI_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
