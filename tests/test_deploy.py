"""deploy/: the systemd units and the crontab call `ogi` with options that exist, crawl and check
the same archive, and leave the verdict to `ogi status` as deploy/README.md says."""
from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

from ogi.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def ogi_calls(command_line: str) -> list[list[str]]:
    """Every `…/ogi ARGS` in a shell or ExecStart line, as argv for the ogi parser."""
    calls, words = [], shlex.split(command_line)
    for i, word in enumerate(words):
        if word.endswith("/ogi") or word == "ogi":
            argv = []
            for arg in words[i + 1:]:
                if arg in (">>", ">", "2>&1", "||", "&&", ";") or arg.endswith(";"):
                    if arg.endswith(";") and arg != ";":
                        argv.append(arg[:-1])
                    break
                argv.append(arg)
            calls.append(argv)
    return calls


def service() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "ogi-crawl.service")
    return unit


def test_service_crawls_then_checks_the_same_archive():
    svc = service()["Service"]
    crawl, = ogi_calls(svc["ExecStart"])
    status, = ogi_calls(svc["ExecStartPost"])
    parser = build_parser()
    crawl_args, status_args = parser.parse_args(crawl), parser.parse_args(status)
    assert (crawl_args.command, status_args.command) == ("crawl", "status")
    assert crawl_args.db == status_args.db
    # Exit status 1 of `ogi crawl` (some sources failed tonight) is an ordinary night.
    assert svc["SuccessExitStatus"].split() == ["1"]


def test_crontab_crawls_then_checks_the_same_archive():
    lines = [line for line in (DEPLOY / "crontab").read_text().splitlines()
             if line.strip() and not line.startswith("#") and not re.match(r"^\w+=", line)]
    assert len(lines) == 1
    schedule, command = lines[0].split(None, 5)[:5], lines[0].split(None, 5)[5]
    assert len(schedule) == 5 and "%" not in command  # cron would cut the line at a %
    calls = ogi_calls(command)
    parser = build_parser()
    parsed = [parser.parse_args(argv) for argv in calls]
    assert [p.command for p in parsed] == ["crawl", "status"]
    assert parsed[0].db == parsed[1].db
    assert command.rstrip().split("||")[-1].strip().startswith("echo")  # one line mailed on trouble


def test_readme_documents_the_exit_statuses_the_units_rely_on():
    text = (DEPLOY / "README.md").read_text()
    for phrase in ("SuccessExitStatus=1", "ogi status", "source_health", "OGI_SOURCE_TIME_BUDGET",
                   "flagged"):
        assert phrase in text
