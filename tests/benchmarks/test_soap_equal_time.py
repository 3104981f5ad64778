"""The SOAP-vs-Adam equal-CPU-time study: its report on made-up runs (finished and stopped early), and
the harness on Allen–Cahn's smoke preset."""

import json

import pytest

from pinnrwf.benchmarks.studies.soap_equal_time import soap_equal_time as study


def _records(errors, dt):
    return [
        {"step": 100 * (i + 1), "cpu": dt * (i + 1), "wall": 3 * dt * (i + 1), "loss": [1.0, 1.0], "metrics": m}
        for i, m in enumerate({"rel_l2": [e, 2 * e]} if e is not None else None for e in errors)
    ]


def test_report_compares_at_the_cpu_time_both_reached(tmp_path):
    adam = {
        "optimizer": "adam",
        "preset": "quick",
        "param": "rwf",
        "seeds": 2,
        "loss_weighting": "GradNormWeighting(update_every=500)",
        "budget_cpu_seconds": 100.0,
        "command": "python ... run adam --budget 100",
        "xla_flags": "",
        "records": _records([0.8, None, 0.4, None, 0.2], 20.0),
    }
    (tmp_path / "runs.jsonl").write_text(json.dumps(adam) + "\n")
    # soap stopped at 60 CPU s (its chunks only, as the progress file holds them)
    progress = [{"optimizer": "soap", **r} for r in _records([0.5, 0.3, 0.1], 20.0)]
    (tmp_path / "runs.progress.jsonl").write_text("".join(json.dumps(r) + "\n" for r in progress))
    out = tmp_path / "out"
    study.main(["report", str(tmp_path / "runs.jsonl"), str(tmp_path / "runs.progress.jsonl"), "--dir", str(out)])
    results = json.loads((out / "results.json").read_text())
    assert results["budget_cpu_seconds"] == 60.0  # the time both reached
    assert results["runs"]["soap"]["stopped_early"] and results["instruction_set"] == "AVX2"
    assert [p["rel_l2"] for p in results["error_vs_cpu"]["adam"]] == [[0.8, 1.6], [0.4, 0.8], [0.2, 0.4]]
    table = (out / "table.md").read_text()
    # at 60 s: adam's last evaluation within it (step 300, 0.4 / 0.8), soap's (step 300, 0.1 / 0.2)
    assert "| adam | 60 (≤ 60) | 300 | 40.00 / 80.00 % (60.00 %) |" in table
    assert "| soap | 60 (≤ 60) | 300 | 10.00 / 20.00 % (15.00 %) |" in table


@pytest.mark.slow
def test_harness_on_the_smoke_preset(tmp_path):
    runs = tmp_path / "runs.jsonl"
    for name in ("adam", "soap"):
        study.main(
            [
                "run",
                name,
                "--preset",
                "smoke",
                "--budget",
                "0",
                "--chunk",
                "10",
                "--eval-every",
                "10",
                "--eval-stride",
                "2",
                "--out",
                str(runs),
            ]
        )
    lines = [json.loads(line) for line in runs.read_text().splitlines()]
    assert [r["optimizer"] for r in lines] == ["adam", "soap"]
    assert lines[1]["optimizer_config"]["b1"] == 0.95 and lines[0]["final_step"] == 10
    assert len(lines[0]["final_rel_l2"]) == 1
    progress = runs.with_suffix(".progress.jsonl").read_text().splitlines()
    assert len(progress) == 2
