"""Every bad command line fails fast, in one line naming the option and what was expected, with a
non-zero exit (2 for usage errors) and no traceback. One row per case: add a row for a new option."""

import os

import pytest

from pinnrwf.cli import main

OUT = "{tmp}/out"

CASES = [
    # (argv, expected exit code, fragment of the one-line message)
    (["run", "regression1d", "--steps", "0"], 2, "argument --steps: expected a positive integer, got '0'"),
    (["run", "regression1d", "--steps", "-5"], 2, "argument --steps: expected a positive integer"),
    (["run", "regression1d", "--steps", "abc"], 2, "argument --steps: expected a positive integer, got 'abc'"),
    (["run", "regression1d", "--steps", "1e3"], 2, "argument --steps: expected a positive integer"),
    (["run", "regression1d", "--seeds", "0"], 2, "argument --seeds: expected a positive integer"),
    (["run", "regression1d", "--chunk", "0"], 2, "argument --chunk: expected a positive integer"),
    (["run", "regression1d", "--seed", "-1"], 2, "argument --seed: expected a seed, an integer in [0, 4294967295]"),
    (["run", "regression1d", "--seed", "10**23"], 2, "argument --seed: expected a seed"),
    (["run", "regression1d", "--seed", str(2**70)], 2, "argument --seed: expected a seed"),
    (["run", "regression1d", "--grad-norm-every", "0"], 2, "argument --grad-norm-every: expected a positive integer"),
    (["run", "regression1d", "--checkpoint-every", "0"], 2, "argument --checkpoint-every: expected a positive integer"),
    (
        ["run", "regression1d", "--checkpoint-every", "7", "--out", OUT],
        2,
        "--checkpoint-every must be a multiple of the chunk (500 steps; set --chunk), got 7",
    ),
    (["run", "regression1d", "--eval-every", "0"], 2, "argument --eval-every: expected a positive integer"),
    (
        ["run", "regression1d", "--eval-every", "7", "--out", OUT],
        2,
        "--eval-every must be a multiple of the chunk (500 steps; set --chunk), got 7",
    ),
    (["run", "regression1d", "--preset", "nosuch"], 2, "argument --preset: invalid choice: 'nosuch'"),
    (["run", "regression1d", "--precision", "fp8"], 2, "argument --precision: invalid choice: 'fp8'"),
    (["run", "regression1d", "--param", "bogus", "--out", OUT], 2, "unknown parameterization 'bogus' in --param"),
    (["run", "regression1d", "--param", ",", "--out", OUT], 2, "--param must name at least one parameterization"),
    (["run", "regression1d", "--param", "rwf,rwf", "--out", OUT], 2, "--param lists a parameterization twice"),
    (
        ["run", "regression1d", "--study", "distributions", "--param", "bogus", "--out", OUT],
        2,
        "--param does not apply to --study distributions",
    ),
    (["run", "regression1d", "--study", "nosuch"], 2, "argument --study: invalid choice: 'nosuch'"),
    (["run", "regression1d", "--data-seed", "-1", "--out", OUT], 2, "data_seed must be ≥ 0, got -1"),
    (["run", "regression1d", "--data-seed", "x"], 2, "argument --data-seed: invalid int value: 'x'"),
    (["run", "regression1d", "--out", "{tmp}/afile"], 2, "--out: {tmp}/afile exists and is not a directory"),
    (["run", "regression1d", "--out", "{tmp}/afile/sub"], 2, "--out: {tmp}/afile exists and is not a directory"),
    (["run", "advection", "--strategy", "bogus"], 2, "argument --strategy: invalid choice: 'bogus'"),
    (["run", "ldc", "--strategy", "causal"], 2, "argument --strategy: invalid choice: 'causal'"),
    (
        ["run", "ldc", "--reference", "{tmp}/missing.h5", "--out", OUT],
        2,
        "does not exist; make it with `pinnrwf generate ldc --re 1000 --n 128 --out {tmp}/missing.h5`",
    ),
    (["run", "ldc", "--reference", "{tmp}/afile", "--out", OUT], 2, "is not a readable HDF5 file"),
    (["run", "nosuch"], 2, "argument PROBLEM: invalid choice: 'nosuch'"),
    # sizes that cannot fit on this machine: refused before any work (PINNRWF_NO_SIZE_CHECK=1 skips the check)
    (
        ["run", "occupancy", "--preset", "smoke", "--pool-size", str(10**12), "--out", OUT],
        2,
        "pool_size (--pool-size) 1,000,000,000,000 (the labelled pool",
    ),
    (
        ["run", "nerf", "--preset", "smoke", "--batch-rays", str(10**10), "--out", OUT],
        2,
        "batch_rays (--batch-rays) 10,000,000,000 (a batch of 10,000,000,000 rays × 16 samples) needs at least",
    ),
    (
        [
            "run",
            "advection",
            "--preset",
            "smoke",
            "--lbfgs-steps",
            "2",
            "--lbfgs-points",
            str(64 * 10**10),
            "--out",
            OUT,
        ],
        2,
        "the L-BFGS fixed set (--lbfgs-points 640000000000: 10000000000 batches",
    ),
    (
        ["run", "ct", "--preset", "smoke", "--width", str(10**7), "--out", OUT],
        2,
        "training ct (1 seed(s) × the network's parameters (364 TiB)) needs at least 364 TiB of",
    ),
    # adaptive collocation (--collocation): its settings, and problems it does not suit
    (["run", "advection", "--collocation", "bogus"], 2, "argument --collocation: invalid choice: 'bogus'"),
    (
        ["run", "advection", "--collocation", "rad", "--resample-every", "0"],
        2,
        "argument --resample-every: expected a positive integer",
    ),
    (
        ["run", "advection", "--collocation", "rad", "--collocation-k", "-1", "--out", OUT],
        2,
        "k (--collocation-k) must be ≥ 0, got -1.0",
    ),
    (
        ["run", "advection", "--collocation", "rar-d", "--collocation-c", "-0.5", "--out", OUT],
        2,
        "c (--collocation-c) must be ≥ 0, got -0.5",
    ),
    (
        ["run", "advection", "--resample-every", "5", "--out", OUT],
        2,
        "--resample-every needs --collocation rad or rar-d",
    ),
    (
        ["run", "advection", "--collocation", "rad", "--collocation-added", "3", "--out", OUT],
        2,
        "--collocation-added applies to --collocation rar-d",
    ),
    (
        ["run", "advection", "--preset", "smoke", "--collocation", "rad", "--collocation-pool", "10", "--out", OUT],
        2,
        "pool (--collocation-pool) must be ≥ the 64 points of the residual term 'r', got 10",
    ),
    (
        [
            "run",
            "advection",
            "--preset",
            "smoke",
            "--collocation",
            "rar-d",
            "--resample-every",
            "1",
            "--collocation-capacity",
            "70",
            "--out",
            OUT,
        ],
        2,
        "capacity (--collocation-capacity) must hold the 64 points",
    ),
    (
        ["run", "regression1d", "--preset", "smoke", "--collocation", "rad", "--out", OUT],
        2,
        "collocation (RAD, --collocation): adaptive collocation redraws a PINN's interior residual points",
    ),
    (["bench", "table12", "--steps", "0"], 2, "argument --steps: expected a positive integer"),
    (
        ["bench", "table12", "--rows", "nosuch", "--out", OUT],
        2,
        "--rows must be a comma list of regular, curriculum, causal; got 'nosuch'",
    ),
    (["bench", "table13", "--param", "bogus", "--out", OUT], 2, "unknown parameterization 'bogus'"),
    (
        ["bench", "engine", "--seeds", "a,b"],
        2,
        "argument --seeds: expected a comma list of positive integers, got 'a,b'",
    ),
    (["bench", "engine", "--out", "{tmp}/afile"], 2, "--out: {tmp}/afile exists and is not a directory"),
    (
        ["bench", "data-sampling", "--steps", "30", "--chunk", "20", "--out", OUT],
        2,
        "--steps must be a multiple of --chunk (20), got 30",
    ),
    (["bench", "datasets-generation", "--only", "nosuch", "--out", OUT], 2, "--only must name sets among"),
]


@pytest.mark.parametrize("argv, code, fragment", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_command_line_fails_in_one_clear_line(argv, code, fragment, tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as e:
        main(argv)
    err = capsys.readouterr().err
    assert e.value.code == code, err
    assert fragment.replace("{tmp}", str(tmp_path)) in err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("pinnrwf") and fragment.split(":")[0].replace("{tmp}", str(tmp_path)) in last
    assert not (tmp_path / "out" / "results.json").exists()  # failed before any work


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(ValueError, match="data_seed must be ≥ 0"):
        main(["run", "regression1d", "--data-seed", "-1", "--out", str(tmp_path), "--debug"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output_directory(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(SystemExit) as e:
        main(["run", "regression1d", "--out", str(locked / "x")])
    assert e.value.code == 2 and "--out: cannot create the output directory" in capsys.readouterr().err
