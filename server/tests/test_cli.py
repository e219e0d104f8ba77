"""The command line: ``dejpeg analyze [--json] PATH...`` (in-process, plus one real subprocess)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dejpeg.cli import main

CONTRACT_KEYS = {"source", "jpeg", "grid", "compression", "quality", "evidence", "timings_ms"}


@pytest.fixture(scope="module")
def files(tmp_path_factory, photo, encode) -> dict[str, Path]:
    """Good and bad inputs on disk (in a temporary directory, never in the repo)."""
    d = tmp_path_factory.mktemp("cli")
    q30 = encode(photo, quality=30)
    with Image.open(io.BytesIO(encode(photo, quality=50))) as im:
        resaved = np.asarray(im)
    paths = {
        "jpeg": d / "q30.jpg",
        "png": d / "resaved q50.png",
        "text": d / "notes.txt",
        "truncated": d / "cut.jpg",
        "missing": d / "does-not-exist.jpg",
    }
    paths["jpeg"].write_bytes(q30)
    paths["png"].write_bytes(encode(resaved, "PNG"))
    paths["text"].write_text("not an image\n" * 20)
    paths["truncated"].write_bytes(q30[: len(q30) // 2])
    return paths


def test_json_two_files(files, capsys):
    code = main(["analyze", "--json", str(files["jpeg"]), str(files["png"])])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in err
    lines = out.splitlines()
    assert len(lines) == 2
    reports = [json.loads(line) for line in lines]
    for report, key in zip(reports, ["jpeg", "png"]):
        assert report["path"] == str(files[key])
        assert set(report) >= CONTRACT_KEYS | {"path"}
        assert report["source"]["name"] == files[key].name
        assert report["compression"]["verdict"] == "single"
    assert reports[0]["jpeg"]["quality"] == 30
    assert abs(reports[0]["quality"]["estimate"] - 30) <= 3
    assert reports[1]["jpeg"] is None
    assert abs(reports[1]["quality"]["estimate"] - 50) <= 3


def test_readable_summary(files, capsys):
    code = main(["analyze", str(files["jpeg"])])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in out + err
    assert str(files["jpeg"]) in out
    assert "quality 30" in out  # the header quality
    # The verdict, as its word or its plain-language phrase.
    assert "single" in out or "compressed once" in out
    assert "{" not in out  # not JSON


def test_readable_summary_png_has_no_header_line(files, capsys):
    assert main(["analyze", str(files["png"])]) == 0
    out = capsys.readouterr().out
    assert "header:" not in out
    assert "single" in out or "compressed once" in out


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_bad_files_one_line_each_and_good_files_still_reported(files, capsys, json_flag):
    bad = [files["missing"], files["text"], files["truncated"]]
    args = ["analyze", *json_flag, str(bad[0]), str(files["jpeg"]), str(bad[1]), str(bad[2])]
    code = main(args)
    out, err = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in out and "Traceback" not in err
    err_lines = err.strip().splitlines()
    assert len(err_lines) == len(bad)
    for path, line in zip(bad, err_lines):
        assert line.startswith(str(path))
    assert str(files["jpeg"]) in out
    if json_flag:
        lines = out.splitlines()
        assert len(lines) == 1
        assert json.loads(lines[0])["path"] == str(files["jpeg"])


def test_directory_is_an_input_error(tmp_path, capsys):
    code = main(["analyze", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


@pytest.mark.parametrize("argv", [[], ["analyze"], ["frobnicate"], ["analyze", "--bogus", "x.jpg"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert "usage:" in err
    assert "Traceback" not in out + err


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as info:
        main(["analyze", "--help"])
    assert info.value.code == 0
    assert "--json" in capsys.readouterr().out


def test_console_script_entry_point(files):
    script = Path(sys.executable).parent / "dejpeg"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "dejpeg.cli"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    run = subprocess.run([*cmd, "analyze", "--json", str(files["jpeg"]), str(files["text"])],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["path"] == str(files["jpeg"])
    assert set(report) >= CONTRACT_KEYS
    assert report["jpeg"]["quality"] == 30
    err_lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(err_lines) == 1 and err_lines[0].startswith(str(files["text"])), run.stderr

    usage = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_maps_written_at_full_resolution_with_their_names(files, tmp_path, capsys):
    folder = tmp_path / "maps"
    assert main(["analyze", "--maps", str(folder), str(files["jpeg"]), str(files["png"])]) == 0
    out = capsys.readouterr().out
    assert out.count("  maps: ") == 2
    for stem in ("q30", "resaved q50"):
        with Image.open(folder / f"{stem}.qf.png") as qf, Image.open(folder / f"{stem}.flag.png") as flag:
            assert qf.mode == flag.mode == "L" and qf.size == flag.size == (512, 384)
            quality, flagged = np.asarray(qf), np.asarray(flag)
        assert set(np.unique(flagged)) <= {0, 255}
        assert np.all((quality == 0) == (flagged == 0))
        assert np.all(quality <= 100)


def test_maps_folder_that_cannot_be_made_is_one_line(files, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["analyze", "--maps", str(blocker / "maps"), str(files["jpeg"])]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error" in err[0]
