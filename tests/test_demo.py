"""`make demo`'s script: serves the bundled portal on loopback, crawls it, says how to browse."""
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "ogi").exists(), reason="needs `make install` (.venv/bin/ogi)")
def test_demo_script_crawls_the_bundled_portal(tmp_path):
    db = tmp_path / "demo.db"
    proc = subprocess.run(["bash", "scripts/demo.sh"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DEMO_DB": str(db)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "TOTAL" in proc.stdout and f"ogi serve --db {db}" in proc.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT agency, region, year FROM documents").fetchall()
        figures = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert len(rows) >= 5 and all(region == "河南省/漯河市" for _, region, _ in rows)
    assert {year for *_, year in rows} >= {2021, 2022} and figures > 1000
