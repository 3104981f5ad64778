"""The parameterization speed benchmark: alternating runs, per-round ratios, JSON + Markdown."""

import json

import pytest

from pinnrwf.benchmarks._common import result_dir
from pinnrwf.cli import main


def test_param_speed_alternates_and_reports_ratios(tmp_path, capsys):
    argv = [
        "bench",
        "param-speed",
        "--problems",
        "regression1d",
        "--preset",
        "smoke",
        "--param",
        "plain,rwf",
        "--rounds",
        "2",
        "--steps",
        "20",
        "--chunk",
        "10",
        "--clock",
        "cpu",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    order = [
        line.split()[3] + line.split()[4].rstrip(":") for line in out.splitlines() if line.startswith("param-speed:")
    ]
    assert order == ["1plain", "1rwf", "2plain", "2rwf"]  # A B A B
    out = result_dir(tmp_path, "param-speed", "smoke")
    payload = json.loads((out / "param_speed_smoke_cpu.json").read_text())
    assert payload["clock"] == "cpu"
    row = payload["problems"]["regression1d"]
    assert all(r > 0 for r in row["rates"]["plain"] + row["rates"]["rwf"])
    assert len(row["rates"]["plain"]) == len(row["rates"]["rwf"]) == 2 == len(row["load1_per_round"])
    assert row["ratios_to_first"]["rwf"] == pytest.approx(
        [b / a for a, b in zip(row["rates"]["plain"], row["rates"]["rwf"])]
    )
    assert "| regression1d |" in (out / "param_speed_smoke_cpu.md").read_text()


def test_param_speed_needs_a_timed_chunk(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(
            [
                "bench",
                "param-speed",
                "--problems",
                "regression1d",
                "--steps",
                "10",
                "--chunk",
                "10",
                "--out",
                str(tmp_path),
            ]
        )
    assert "must be at least 2 x --chunk" in capsys.readouterr().err
