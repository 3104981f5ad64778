"""A trained run is an artefact: its ensembles are saved in --out and load back bit-identical."""

import errno
import hashlib
import json
import os
import re
import shutil

import jax
import numpy as np
import pytest

from pinnrwf import load_run, runner, saved
from pinnrwf.cli import main
from pinnrwf.problems import get
from pinnrwf.saved import verify_run, write_run


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
    assert (
        main(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--study",
                "distributions",
                "--steps",
                "4",
                "--chunk",
                "2",
                "--no-ntk",
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
        == 0
    )
    run = load_run(tmp_path)
    assert "LogUniform(0.8, 1.2)" in run.ensembles
    assert run.model("Normal(1, 0.1), no exp")(np.zeros(1)).shape == (1,)


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """One complete saved run (regression1d, plain, a few steps), copied by the tests that alter it."""
    out = tmp_path_factory.mktemp("saved") / "run"
    assert (
        main(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--param",
                "plain",
                "--steps",
                "4",
                "--chunk",
                "2",
                "--no-ntk",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    return out


def _copy(saved_run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(saved_run, out)
    return out


def test_a_saved_run_records_the_sha256_of_its_files_and_is_marked_complete_last(saved_run):
    marker = json.loads((saved_run / "complete.json").read_text())
    assert sorted(marker["sha256"]) == ["models/plain.eqx", "models/run.json", "results.json", "table.md"]
    model_bytes = (saved_run / "models" / "plain.eqx").read_bytes()
    assert marker["sha256"]["models/plain.eqx"] == hashlib.sha256(model_bytes).hexdigest()
    newest = max((p for p in saved_run.rglob("*") if p.is_file()), key=lambda p: p.stat().st_mtime_ns)
    assert newest.name == "complete.json"
    verify_run(saved_run)


def test_a_changed_file_is_named(saved_run, tmp_path):
    out = _copy(saved_run, tmp_path)
    model = out / "models" / "plain.eqx"
    data = bytearray(model.read_bytes())
    data[-100:-36] = bytes(64)  # 64 bytes altered, same size: the arrays still deserialise
    model.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"plain.eqx does not match the sha256 recorded when the run was saved"):
        load_run(out)
    model.unlink()
    with pytest.raises(ValueError, match=r"plain.eqx is missing"):
        load_run(out)


@pytest.mark.parametrize("remove", ["complete.json", "models"])
def test_an_incomplete_run_is_refused(saved_run, tmp_path, remove):
    out = _copy(saved_run, tmp_path)
    shutil.rmtree(out / remove) if remove == "models" else (out / remove).unlink()
    with pytest.raises(ValueError, match=f"incomplete run: {re.escape(str(out))}"):
        load_run(out)


def test_a_failing_write_never_looks_finished(saved_run, tmp_path):
    out = _copy(saved_run, tmp_path)

    def fails():  # e.g. a report that raises after the results were written
        (out / "results.json").write_text("{}")
        raise RuntimeError("the report failed")

    with pytest.raises(RuntimeError, match="the report failed"):
        write_run(out, fails)
    assert not (out / "complete.json").exists()
    with pytest.raises(ValueError, match="incomplete run"):
        load_run(out)


def test_a_full_disk_is_one_line_naming_the_file_and_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    def full(f, tree):
        f.write(b"half a file")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(saved.eqx, "tree_serialise_leaves", full)
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--param",
                "plain",
                "--steps",
                "2",
                "--chunk",
                "2",
                "--no-ntk",
                "--out",
                str(tmp_path),
                "--no-progress",
            ]
        )
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 1
    assert err[-1] == f"pinnrwf: error: no space left on device while writing {tmp_path / 'models' / 'plain.eqx'}"
    assert not list(tmp_path.rglob("*.tmp")) and not (tmp_path / "models" / "plain.eqx").exists()
    assert not (tmp_path / "complete.json").exists()


def test_mismatched_or_foreign_files_are_clear_errors(saved_run, tmp_path):
    with pytest.raises(ValueError, match="holds no saved models"):
        load_run(tmp_path)
    out = _copy(saved_run, tmp_path)
    meta_path = out / "models" / "run.json"
    meta = json.loads(meta_path.read_text())
    meta["config"]["width"] = 7  # another network than the one saved
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"run.json does not match the sha256"):
        load_run(out)
    meta["format_version"] = 1  # unchecked, as a run of pinnrwf 0.1.0
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="does not match the network that 'regression1d' builds for 'plain'"):
        load_run(out)
    meta["config"]["width"], meta["format_version"] = 32, 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"is not a pinnrwf run of format version 2 \(or 1\)"):
        load_run(out)
    meta["format_version"] = 1
    meta["config"]["nosuch"] = 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"fields \['nosuch'\] that Regression1DConfig does not have"):
        load_run(out)
