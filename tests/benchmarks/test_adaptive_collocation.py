"""The adaptive-collocation cost benchmark: alternating cases, per-round ratios, JSON + Markdown."""

import json

import pytest

from pinnrwf.benchmarks._common import result_dir
from pinnrwf.cli import main


@pytest.mark.slow
def test_adaptive_collocation_benchmark_runs_and_reports_ratios(tmp_path):
    argv = [
        "bench",
        "adaptive-collocation",
        "--every",
        "5",
        "--pool",
        "64",
        "--points",
        "16",
        "--width",
        "8",
        "--depth",
        "1",
        "--steps",
        "10",
        "--chunk",
        "5",
        "--rounds",
        "1",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    out = result_dir(tmp_path, "adaptive-collocation", "default")
    payload = json.loads(next(out.glob("adaptive_collocation_*.json")).read_text())
    (row,) = payload["rounds"]
    assert set(row["steps_per_second"]) == {"uniform", "rad-5"}
    assert row["slowdown_vs_uniform"]["rad-5"] == pytest.approx(
        row["steps_per_second"]["uniform"] / row["steps_per_second"]["rad-5"]
    )
    assert "rad-5" in next(out.glob("adaptive_collocation_*.md")).read_text()


def test_adaptive_collocation_benchmark_times_whole_periods(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["bench", "adaptive-collocation", "--every", "300", "--steps", "1000", "--out", str(tmp_path)])
    assert "--steps must be a multiple of every --every period" in capsys.readouterr().err
