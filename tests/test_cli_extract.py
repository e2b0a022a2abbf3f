import json
import shutil
import subprocess
import sys
from pathlib import Path

from ogi.cli import main

SEED = Path(__file__).parent / "fixtures" / "seed" / "luohe_swj_2022.txt"


def test_single_file_prints_the_spec_json(capsys):
    assert main(["extract", str(SEED), "--url", "http://example.gov.cn/r.html"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["agency"] == "漯河市商务局" and out["year"] == 2022 and out["template"] == "2021"
    assert out["source_url"] == "http://example.gov.cn/r.html"
    assert out["figures"]["applications"]["new_received"]["total"] == 4
    assert {"rule": "applications.balance.total", "ok": True, "detail": "4+0 = 4+0"} in out["checks"]


def test_folder_gives_json_lines_and_the_worst_exit_code(tmp_path, capsys):
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / "b.html").write_text("<html><head><title>某局2023年部门预算</title></head><body>预算</body></html>", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4 truncated")
    code = main(["extract", str(tmp_path)])
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["a.txt", "b.html", "c.pdf"]
    assert lines[0]["figures"] and lines[1]["status"] == "not_a_report" and lines[2]["status"] == "unreadable"
    assert code == 3
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 2


def test_bad_input_is_one_line_and_a_nonzero_exit(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    for args, code in ([str(tmp_path / "missing.html")], 2), ([str(empty)], 3):
        proc = subprocess.run([sys.executable, "-m", "ogi", "extract", *args], capture_output=True, text=True)
        assert proc.returncode == code, proc.stderr
        assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_help_for_every_command():
    proc = subprocess.run([sys.executable, "-m", "ogi", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "extract" in proc.stdout


def test_format_is_sniffed_from_the_bytes_first():
    from extract import sniff_format
    html = "\ufeff<html><body>报告</body></html>".encode()
    assert sniff_format(html, "http://x.gov.cn/P020230131.doc", "application/msword") == "html"
    assert sniff_format(b"%PDF-1.7 ...", "http://x.gov.cn/download?id=3", "application/octet-stream") == "pdf"
    assert sniff_format("一、总体情况".encode(), "http://x.gov.cn/a.txt", None) == "txt"


def test_extract_a_url_from_a_local_server(httpserver, capsys):
    page = (Path(__file__).parent / "fixtures" / "reports" / "26_vsb_gbk_nodecl_vertical_t4_ningxiang_jyj_2022.htm").read_bytes()
    httpserver.expect_request("/info/1050/64208.htm").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/gone.htm").respond_with_data("not found", status=404)
    url = httpserver.url_for("/info/1050/64208.htm")
    assert main(["extract", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source_url"] == url and out["figures"]["applications"]
    assert main(["extract", httpserver.url_for("/gone.htm")]) == 2
    assert "404" in capsys.readouterr().err
