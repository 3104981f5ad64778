"""The time-to-accuracy study (pinnrwf vs DeepXDE on Burgers and on the L-shape): the harness on its
smoke settings (pinnrwf side), the L-shape's shared points, and the summary's time-to-target and
median rules on made-up records."""

import json

import numpy as np
import pytest

from pinnrwf.benchmarks._common import result_dir
from pinnrwf.benchmarks.studies.time_to_accuracy import time_to_accuracy as tta
from pinnrwf.cli import main


def _run(library, seed, errors, dt=1.0):
    records = [
        {"step": 10 * (i + 1), "stage": "adam", "wall": dt * (i + 1), "cpu": 0.5 * dt * (i + 1), "rel_l2": e}
        for i, e in enumerate(errors)
    ]
    return {"library": library, "width": 20, "depth": 3, "seed": seed, "records": records}


def test_time_to_target_is_the_first_record_at_or_below_it():
    records = _run("pinnrwf", 0, [0.5, 0.009, 0.02, 0.0009])["records"]
    assert tta.time_to(records, 1e-2) == 2.0
    assert tta.time_to(records, 1e-3, "cpu") == 2.0
    assert tta.time_to(records, 1e-4) is None


def test_summary_medians_rank_unreached_seeds_last_and_give_ratios():
    runs = [
        _run("pinnrwf", 0, [0.1, 0.005]),
        _run("pinnrwf", 1, [0.005]),
        _run("pinnrwf", 2, [0.1, 0.1, 0.1]),
        _run("deepxde", 0, [0.1, 0.1, 0.1, 0.005], dt=2.0),
        _run("deepxde", 1, [0.1, 0.1, 0.1]),
        _run("deepxde", 2, [0.1, 0.1, 0.1]),
    ]
    s = tta.summarize(runs)["20x3"]
    assert s["pinnrwf"]["wall_to_0.01"] == [2.0, 1.0, None]
    assert s["pinnrwf"]["median_wall_to_0.01"] == 2.0  # of 1, 2, never
    assert s["deepxde"]["median_wall_to_0.01"] is None  # two seeds of three never got there
    assert s["speedup"]["wall_to_0.01"] is None
    runs[4] = _run("deepxde", 1, [0.1, 0.005], dt=2.0)
    assert tta.summarize(runs)["20x3"]["speedup"]["wall_to_0.01"] == pytest.approx(8.0 / 2.0)


def test_error_at_equal_time_is_read_where_the_faster_library_ends():
    runs = [
        _run("pinnrwf", 0, [0.1, 0.01]),
        _run("pinnrwf", 1, [0.2, 0.02, 0.002]),
        _run("deepxde", 0, [0.3, 0.2, 0.1, 0.05], dt=2.0),
        _run("deepxde", 1, [0.4, 0.3, 0.2, 0.1], dt=2.0),
    ]
    assert tta.error_at(runs[0]["records"], 1.5) == 0.1 and tta.error_at(runs[0]["records"], 0.5) is None
    eq = tta.summarize(runs)["20x3"]["at_equal_time"]["wall"]
    assert eq["seconds"] == 2.5  # the median of pinnrwf's end times 2 and 3; DeepXDE's is 8
    assert eq["pinnrwf"] == pytest.approx((0.01 + 0.02) / 2) and eq["deepxde"] == pytest.approx((0.3 + 0.4) / 2)


@pytest.mark.slow  # ~20 s CPU: compiles an Adam and an L-BFGS chunk
def test_harness_runs_the_smoke_setting_and_writes_its_json(tmp_path):
    assert main(["bench", "time-to-accuracy", "--preset", "smoke", "--in-process", "--out", str(tmp_path)]) == 0
    out = result_dir(tmp_path, "time-to-accuracy", "smoke")
    result = json.loads((out / "results.json").read_text())
    setting = tta.PRESETS["smoke"]
    (run,) = result["runs"]
    assert run["library"] == "pinnrwf" and run["lbfgs_steps_run"] == setting.lbfgs_steps
    records = json.loads((out / "runs.jsonl").read_text())["records"]
    assert [r["step"] for r in records] == list(
        range(setting.record_every, setting.adam_steps + setting.lbfgs_steps + 1, setting.record_every)
    )
    assert [r["stage"] for r in records][-1] == "lbfgs"
    walls = [r["wall"] for r in records]
    assert walls == sorted(walls) and all(0 < r["rel_l2"] < 10 for r in records)
    assert set(result["summary"]["8x2"]["pinnrwf"]) >= {"median_wall_to_0.01", "median_cpu_to_0.001"}
    assert (out / "README.md").read_text().startswith("# Time to accuracy")
    assert (out / "error_vs_time.png").stat().st_size > 0
    assert "cpu" in result["provenance"] and result["provenance"]["cores"] >= 1


def test_presets_belong_to_their_problem():
    assert tta.preset_name("burgers", "quick") == "quick" and tta.preset_name("lshape", "quick") == "lshape-quick"
    with pytest.raises(SystemExit, match="not a preset of --problem lshape"):
        tta.preset_name("lshape", "long")


@pytest.mark.slow  # ~10 s CPU: compiles one Adam chunk
def test_harness_runs_the_lshape_smoke_setting_on_points_in_the_shape(tmp_path):
    from pinnrwf.problems.poisson_lshape import exact

    assert (
        main(
            [
                "bench",
                "time-to-accuracy",
                "--problem",
                "lshape",
                "--preset",
                "smoke",
                "--in-process",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    out = result_dir(tmp_path, "time-to-accuracy", "lshape-smoke")
    result = json.loads((out / "results.json").read_text())
    setting = tta.PRESETS["lshape-smoke"]
    (run,) = result["runs"]
    assert run["library"] == "pinnrwf" and run["points"]["domain"] == setting.n_domain
    assert result["setting"]["problem"] == "lshape" and "nu" not in result
    records = json.loads((out / "runs.jsonl").read_text())["records"]
    assert [r["step"] for r in records] == list(
        range(setting.record_every, setting.adam_steps + 1, setting.record_every)
    )
    assert all(0 < r["rel_l2"] < 10 for r in records)
    assert (out / "README.md").read_text().startswith("# Time to accuracy: pinnrwf vs DeepXDE, Laplace on the L-shape")

    # the points both libraries read: inside the L-shape, on its edges, exact values there
    ref = tta.CASES["lshape"].reference(setting)
    interior, boundary = ref["interior"], ref["boundary"]
    assert interior.shape == (setting.n_domain, 2) and boundary.shape == (setting.n_boundary, 2)
    assert np.all(np.abs(interior) < 1) and not np.any((interior[:, 0] >= 0) & (interior[:, 1] <= 0))
    x, y = boundary[:, 0], boundary[:, 1]
    tol = 1e-6
    on_edge = (
        (np.abs(np.abs(boundary).max(axis=1) - 1) < tol)
        | ((np.abs(x) < tol) & (y <= tol))
        | ((np.abs(y) < tol) & (x >= -tol))
    )
    assert on_edge.all()
    np.testing.assert_allclose(ref["u_boundary"], exact(x, y))
    assert ref["points"].shape[0] == ref["u"].shape[0] > 0
