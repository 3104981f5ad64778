"""A trained run is an artefact: its ensembles are saved in --out and load back bit-identical."""

import json

import jax
import numpy as np
import pytest

from pinnrwf import load_run, runner
from pinnrwf.cli import main
from pinnrwf.problems import get


def test_saved_run_loads_bitwise_identical_models(tmp_path):
    problem = get("regression1d")
    results = runner.run(problem, preset="smoke", parameterizations="plain,rwf,aa", out_dir=tmp_path)
    run = load_run(tmp_path)
    assert run.seeds == [0, 1] and set(run.ensembles) == {"plain", "rwf", "aa"}
    x = jax.random.uniform(jax.random.PRNGKey(7), (50, 1))
    for name, result in results.items():
        for member in (0, 1):
            expected = np.asarray(jax.vmap(result.model(member))(x))
            np.testing.assert_array_equal(np.asarray(jax.vmap(run.model(name, member))(x)), expected)
    with pytest.raises(ValueError, match="name must be one of"):
        run.model("wn")
    with pytest.raises(ValueError, match=r"member must be in \[0, 2\)"):
        run.model("rwf", 2)


def test_a_study_run_from_the_cli_loads_too(tmp_path):
    assert main(["run", "regression1d", "--preset", "smoke", "--study", "distributions", "--steps", "4",
                 "--chunk", "2", "--no-ntk", "--out", str(tmp_path), "--no-progress"]) == 0
    run = load_run(tmp_path)
    assert "LogUniform(0.8, 1.2)" in run.ensembles
    assert run.model("Normal(1, 0.1), no exp")(np.zeros(1)).shape == (1,)


def test_mismatched_or_foreign_files_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="holds no saved models"):
        load_run(tmp_path)
    runner.run(get("regression1d"), preset="smoke", parameterizations="plain", out_dir=tmp_path)
    meta_path = tmp_path / "models" / "run.json"
    meta = json.loads(meta_path.read_text())
    meta["config"]["width"] = 7  # another network than the one saved
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="does not match the network that 'regression1d' builds for 'plain'"):
        load_run(tmp_path)
    meta["config"]["width"], meta["format_version"] = 32, 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="is not a pinnrwf run of format version 1"):
        load_run(tmp_path)
    meta["format_version"] = 1
    meta["config"]["nosuch"] = 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"fields \['nosuch'\] that Regression1DConfig does not have"):
        load_run(tmp_path)
