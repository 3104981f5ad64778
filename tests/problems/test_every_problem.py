"""Every registered problem, drawn from the registry: its smoke preset runs through the generic
runner and the CLI, and writes valid results.json and its figures (a new problem is tested
without editing this file)."""

import dataclasses
import json
import math

import jax.numpy as jnp
import pytest

from pinnrwf.cli import main
from pinnrwf.problem import REQUIRED_PRESETS, check_problem
from pinnrwf.problems import get, registry

PROBLEMS = sorted(registry())


def test_registry_is_derived_from_the_modules():
    assert {"regression1d", "advection", "ldc"} <= set(PROBLEMS)
    with pytest.raises(ValueError, match="unknown problem 'nosuch'; known problems: "):
        get("nosuch")


def test_importing_the_problems_and_building_the_command_line_starts_no_jax_backend():
    """``--distributed`` must call jax.distributed.initialize() before JAX starts its backend, so no
    problem module may compute with JAX at import (e.g. a geometry set operation's measure)."""
    import subprocess
    import sys

    code = (
        "from pinnrwf.cli import build_parser; build_parser(); from jax._src import xla_bridge; "
        "assert not xla_bridge._backends, 'a JAX backend was started while building the command line'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("name", PROBLEMS)
def test_problem_declares_what_the_runner_needs(name):
    problem = check_problem(get(name))
    assert set(REQUIRED_PRESETS) <= set(problem.presets)
    assert problem.description and "\n" not in problem.description
    for preset in problem.presets.values():
        assert dataclasses.is_dataclass(preset.config)
        with pytest.raises(dataclasses.FrozenInstanceError):
            preset.config.__setattr__(dataclasses.fields(preset.config)[0].name, None)


@pytest.mark.parametrize("name", PROBLEMS)
def test_smoke_preset_runs_through_the_cli_and_writes_results_and_figures(name, tmp_path, capsys):
    problem = get(name)
    params = ",".join(problem.default_parameterizations.split(",")[:2])
    argv = ["run", name, "--preset", "smoke", "--param", params, "--out", str(tmp_path), "--no-progress"]
    assert main(argv) == 0
    text = (tmp_path / "results.json").read_text()
    res = json.loads(text, parse_constant=lambda c: pytest.fail(f"results.json holds {c}"))
    assert res["problem"] == name and res["preset"] == "smoke"
    assert res["dtype"] == ("float64" if problem.float64 else "float32")
    assert jnp.result_type(float) == jnp.float32  # a float64 problem's x64 mode ends with its run
    assert res["command"] == "pinnrwf " + " ".join(argv)
    assert list(res["runs"]) == params.split(",")
    for run in res["runs"].values():
        for metric in problem.metrics:
            assert len(run["final_metrics"][metric]) == problem.presets["smoke"].train.seeds
    figures = res["report"]["figures"]
    assert figures and all((tmp_path / f).exists() or __import__("pathlib").Path(f).exists() for f in figures)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png")
    assert (tmp_path / "table.md").read_text().startswith("| parameterization |")
    assert "Traceback" not in capsys.readouterr().err


def test_results_json_is_valid_even_with_a_non_finite_metric(tmp_path):
    from pinnrwf.train import write_results

    path = write_results(tmp_path / "results.json", {"runs": {"plain": {"rel_l2": [0.1, math.nan]}}, "rate": math.inf})
    res = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))
    assert res["runs"]["plain"]["rel_l2"] == [0.1, None] and res["rate"] is None
    assert res["non_finite"] == ["runs.plain.rel_l2[1] = nan", "rate = inf"]
