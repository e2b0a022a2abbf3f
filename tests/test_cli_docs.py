"""Every `ogi` command has --help and a row in the README's command table."""
import subprocess
import sys
from pathlib import Path

import pytest

from ogi.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def test_the_expected_commands_exist():
    assert {"extract", "crawl", "reextract", "export", "serve", "status", "sources"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_documented_and_has_help(command):
    assert f"| `ogi {command}" in README, f"README's command table has no row for ogi {command}"
    proc = subprocess.run([sys.executable, "-m", "ogi", command, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and f"usage: ogi {command}" in proc.stdout
