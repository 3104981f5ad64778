"""Files written by pinnrwf 0.1.0 before the problems were declared anew (checkpoints and a saved
run, made by that version's ``pinnrwf run NAME --preset smoke --param plain,rwf --steps 10
--checkpoint-every 10``) still serve: a checkpoint resumes and the run continues exactly as an
uninterrupted run of today's code; a saved run loads."""

import json
import shutil
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import pinnrwf
from pinnrwf.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run(out: Path, *extra: str, name: str) -> dict:
    assert (
        main(["run", name, "--preset", "smoke", "--param", "plain,rwf", "--no-progress", "--out", str(out), *extra])
        == 0
    )
    return json.loads((out / "results.json").read_text())["runs"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["advection", "ldc", "dr"])
def test_a_checkpoint_of_0_1_0_resumes_exactly(tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)  # data a smoke preset generates stays here
    resumed_out = tmp_path / "resumed"
    shutil.copytree(FIXTURES / "checkpoints_0.1.0" / name, resumed_out / "checkpoints")
    resumed = _run(resumed_out, "--checkpoint-every", "10", name=name)
    uninterrupted = _run(tmp_path / "uninterrupted", name=name)
    for parameterization in ("plain", "rwf"):
        assert resumed[parameterization]["history"]["step"][0] == 10  # the first chunk came from the file
        history, expected = resumed[parameterization]["history"], uninterrupted[parameterization]["history"]
        # a metric added since 0.1.0 (the cavity's speed error) is NaN (null in JSON) where the old file has none
        for name in set(expected["metrics"]) - {"rel_l2", "rel_l2_u", "rel_l2_v", "rel_l2_std"}:
            old, new = history["metrics"].pop(name), expected["metrics"].pop(name)
            assert len(old) == len(history["metric_step"]) and old[1:] == new[1:]
            assert all(v is None or v != v for v in old[0])  # NaN (written as null)
        assert history == expected
        assert resumed[parameterization]["final_metrics"] == uninterrupted[parameterization]["final_metrics"]


def test_a_saved_run_of_0_1_0_loads():
    run = pinnrwf.load_run(FIXTURES / "saved_run_0.1.0" / "advection")
    assert run.problem.name == "advection" and sorted(run.ensembles) == ["plain", "rwf"]
    u = run.model("rwf", member=0)(jnp.array([1.0, 0.5]))
    assert u.shape == (1,) and np.isfinite(np.asarray(u)).all()


def test_a_saved_run_too_large_for_this_machine_is_refused_before_it_is_built(tmp_path):
    out = tmp_path / "advection"
    shutil.copytree(FIXTURES / "saved_run_0.1.0" / "advection", out)
    meta = json.loads((out / "models" / "run.json").read_text())
    meta["config"]["width"] = 10**8
    (out / "models" / "run.json").write_text(json.dumps(meta))
    with pytest.raises(
        ValueError,
        match=r"'plain' network\(s\) of its config \(width=100000000\) needs at least "
        r"[0-9.]+ PiB of (device )?memory",
    ):
        pinnrwf.load_run(out)
