"""`ogi crawl` and `ogi reextract` together, N rounds (issue 18's done-when: 10), over the two-night
local portal of tests/concurrency_support.py (the scenario tests/test_crawl_with_reextract.py runs
three times). Prints one line per round and a verdict; `--out FILE` writes the result as markdown
(bench/RESULTS_concurrency.md).

    .venv/bin/python -m bench.concurrency [--rounds 10] [--out bench/RESULTS_concurrency.md]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the scenario is the test suite's own

from concurrency_support import EXTRA, REMOVED, one_round, prepare, problems  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    lines = []
    with tempfile.TemporaryDirectory(prefix="ogi-concurrency-") as tmp:
        scenario = prepare(Path(tmp))
        try:
            for n in range(1, args.rounds + 1):
                result = one_round(scenario, f"round{n}")
                found = problems(scenario, result)
                passes = len(result["reextracts"])
                first = result["reextracts"][0][1][0] if result["reextracts"][0][1] else ""
                line = (f"| {n} | {result['crawl'][0]} | {passes} (all exit 0: "
                        f"{all(c == 0 for c, _, _ in result['reextracts'])}) | {first} | "
                        f"{result['seconds']:.1f} | {'; '.join(found) or 'ok'} |")
                print(line, flush=True)
                lines.append((line, not found))
        finally:
            scenario.portal.stop()
    passed = sum(ok for _, ok in lines)
    verdict = f"{passed}/{len(lines)} rounds passed"
    print(verdict)
    if args.out:
        args.out.write_text("\n".join([
            "# `ogi crawl` and `ogi reextract` together (bench/concurrency.py)", "",
            f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} "
            f"at the end. Two nights over the local portal of tests/concurrency_support.py: night 1 "
            f"({9 + EXTRA} reports) read by an older extractor; night 2 (one report corrected, one added, "
            f"{REMOVED + 1} taken off their listings) crawled while `ogi reextract` re-reads the same "
            "archive in a loop. A round passes when both exit 0, no report is dropped, no version is "
            "duplicated, every removal is detected, every latest version is read by the current "
            "extractor, the run summary has no faults and `PRAGMA integrity_check` is ok.", "",
            "| round | crawl exit | reextract passes | first pass | seconds | problems |",
            "|---|---|---|---|---|---|", *[line for line, _ in lines], "", f"**{verdict}.**", ""]), encoding="utf-8")
    return 0 if passed == len(lines) else 1


if __name__ == "__main__":
    sys.exit(main())
