"""The 1D regression problem and the CLI around it."""

import json
from types import SimpleNamespace

import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.cli import main
from pinnrwf.problems.regression1d import (
    Regression1D,
    Regression1DConfig,
    distribution_grid,
    make_objective,
    mu_sigma_grid,
    seed_comparison,
)


def test_objective_is_zero_on_the_target():
    obj = make_objective(Regression1DConfig(n_points=32))

    class Exact:
        def __call__(self, x):
            return jnp.interp(x, obj.x, obj.y)

    terms, _ = obj.loss_terms(Exact(), (), 0)
    assert float(terms["mse"]) < 1e-12
    assert obj.x.shape == (32,) and float(obj.x[0]) == 0.0 and float(obj.x[-1]) == 1.0


def test_target_is_reproducible_and_seeded():
    a = make_objective(Regression1DConfig(n_points=64, data_seed=1)).y
    b = make_objective(Regression1DConfig(n_points=64, data_seed=1)).y
    c = make_objective(Regression1DConfig(n_points=64, data_seed=2)).y
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_studies_cover_the_paper_grids():
    assert len(mu_sigma_grid()) == 28
    assert len(distribution_grid()) == 5


def test_presets_quick_is_an_eight_seed_ensemble_and_paper_is_the_papers():
    presets = Regression1D.presets
    assert (presets["quick"].train.seeds, presets["quick"].train.steps) == (8, 6000)
    assert (presets["paper"].train.seeds, presets["paper"].train.steps) == (10, 100_000)
    assert presets["quick"].optimizer.decay_steps == presets["paper"].optimizer.decay_steps == 5000


def test_seed_comparison_pairs_the_seeds_with_plain():
    runs = {
        "plain": SimpleNamespace(final_metrics={"mse": [0.5, 0.4, 0.3, 0.6]}),
        "rwf": SimpleNamespace(final_metrics={"mse": [0.1, 0.5, 0.2, 0.7]}),
    }
    c = seed_comparison(runs)
    assert c["baseline"] == "plain" and "below_plain" not in c["rows"]["plain"]
    assert c["rows"]["rwf"] == {"median": 0.35, "min": 0.1, "max": 0.7, "seeds": 4, "below_plain": 2}
    assert "| rwf | 3.500e-01 | 1.000e-01 | 7.000e-01 | 2 of 4 |" in c["markdown"]
    assert "| plain | 4.500e-01 | 3.000e-01 | 6.000e-01 | — |" in c["markdown"]
    alone = seed_comparison({"rwf": runs["rwf"]})  # no plain run (e.g. a study): no paired column
    assert alone["baseline"] is None and "below" not in alone["markdown"]


def test_cli_run_writes_results_and_figure(tmp_path, capsys):
    code = main(
        [
            "run",
            "regression1d",
            "--param",
            "plain,rwf",
            "--steps",
            "40",
            "--chunk",
            "20",
            "--seeds",
            "2",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "| rwf |" in out and "| plain |" in out
    assert "below plain (same seed)" in out and " of 2 |" in out
    table = (tmp_path / "table.md").read_text()
    assert table.startswith("| parameterization | mse |") and "below plain (same seed)" in table
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["report"]["seed_comparison"]["rows"]["rwf"]["below_plain"] in (0, 1, 2)
    assert res["problem"] == "regression1d" and res["seeds"] == [0, 1]
    assert set(res["runs"]) == {"plain", "rwf"}
    run = res["runs"]["rwf"]
    assert len(run["final_metrics"]["mse"]) == 2 and len(run["history"]["metric_step"]) == 2
    assert res["device"]["platform"] == "cpu" and res["pinnrwf_version"]
    assert len(res["report"]["ntk_eigenvalues_seed0"]["rwf"]) == 256
    assert (tmp_path / "regression1d.png").stat().st_size > 10_000
    assert (
        res["command"] == "pinnrwf run regression1d --param plain,rwf --steps 40 --chunk 20 --seeds 2 --out "
        f"{tmp_path} --no-progress"
    )


def test_cli_without_ntk_and_single_chunk_still_writes_the_figure(tmp_path):
    """Issue 8, defect 2: --no-ntk crashed the figure (KeyError) after training."""
    assert (
        main(
            [
                "run",
                "regression1d",
                "--param",
                "plain",
                "--steps",
                "2",
                "--chunk",
                "1",
                "--no-ntk",
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 0
    )
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["report"]["ntk_eigenvalues_seed0"] == {}
    assert (tmp_path / "regression1d.png").exists()


def test_checkpointing_without_out_uses_the_default_directory(tmp_path, monkeypatch):
    """Issue 8, defect 1: --checkpoint-every without --out crashed with a TypeError."""
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--param",
                "plain",
                "--checkpoint-every",
                "20",
                "--no-progress",
            ]
        )
        == 0
    )
    assert (tmp_path / "runs" / "regression1d" / "checkpoints" / "plain" / "checkpoint.json").exists()


def test_cli_rejects_unknown_parameterization(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "regression1d", "--param", "plain,foo", "--steps", "10", "--out", str(tmp_path)])
    assert e.value.code == 2
    assert "unknown parameterization 'foo'" in capsys.readouterr().err
