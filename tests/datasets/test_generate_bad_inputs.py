"""``pinnrwf generate`` as a user calls it (``pinnrwf.cli.main``): bad options and run-time failures
end in one line on stderr, never a traceback, with exit code 2 (usage) or 1 (run time), and no
file is left behind.

One table: (description, argv after ``generate``, expected exit code, fragment of the message).
``{out}`` is a fresh path, ``{dir}`` an existing folder, ``{file}`` an existing file. A new option
gets a case by adding a row.
"""

import errno
import os

import pytest

from pinnrwf.cli import main

FAST = ["--no-progress"]

CASES = [
    # counts, seeds, batches
    (
        "zero batch size",
        ["darcy", "--n-samples", "2", "--n", "9", "--batch-size", "0"],
        2,
        "--batch-size must be ≥ 1, got 0",
    ),
    ("zero samples", ["darcy", "--n-samples", "0", "--n", "9"], 2, "--n-samples must be ≥ 1, got 0"),
    ("negative seed", ["darcy", "--n-samples", "1", "--seed", "-1"], 2, "--seed must be ≥ 0, got -1"),
    ("seed beyond 32 bits", ["darcy", "--n-samples", "1", "--seed", str(2**40)], 2, "--seed must be ≤ 4294967295"),
    # the output path, checked before any solving
    ("output is a folder", ["darcy", "--n-samples", "1", "--out", "{dir}"], 2, "is a directory; give a file path"),
    (
        "output is a folder, overwrite",
        ["darcy", "--n-samples", "1", "--out", "{dir}", "--overwrite"],
        2,
        "is a directory",
    ),
    ("output exists", ["darcy", "--n-samples", "1", "--out", "{file}"], 2, "exists (use --overwrite to replace it)"),
    (
        "output folder is a file",
        ["darcy", "--n-samples", "1", "--out", "{file}/x.h5"],
        2,
        "exists and is not a directory",
    ),
    # option values
    ("grid too small", ["burgers", "--n-samples", "1", "--nx", "2"], 2, "--nx must be ≥ 4, got 2"),
    ("zero viscosity", ["burgers", "--n-samples", "1", "--nu", "0"], 2, "--nu must be > 0"),
    ("nan viscosity", ["burgers", "--n-samples", "1", "--nu", "nan"], 2, "--nu must be a finite number"),
    (
        "internal grid below the output grid",
        ["burgers", "--n-samples", "1", "--n-internal", "64"],
        2,
        "--n-internal must be ≥ --nx = 100",
    ),
    ("odd cavity grid", ["ldc", "--n", "33"], 2, "--n must be even"),
    ("zero Reynolds number", ["ldc", "--re", "0", "100"], 2, "--re[0] must be > 0"),
    ("cavity sample count", ["ldc", "--re", "100", "--n-samples", "2"], 2, "--n-samples must equal"),
    ("unknown choice", ["advection", "--n-samples", "1", "--ic", "cos"], 2, "invalid choice: 'cos'"),
    ("fractional integer", ["advection", "--n-samples", "1", "--nx", "2.5"], 2, "invalid int value: '2.5'"),
    # options that do not apply are errors, not ignored
    ("option of another problem", ["darcy", "--n-samples", "1", "--nu", "0.1"], 2, "unrecognized arguments: --nu"),
    (
        "GRF option with sin data",
        ["advection", "--n-samples", "1", "--ic", "sin", "--tau", "2"],
        2,
        "--tau does not apply to advection with --ic sin",
    ),
    (
        "seed with sin data",
        ["advection", "--n-samples", "1", "--ic", "sin", "--seed", "3"],
        2,
        "--seed does not apply to advection",
    ),
    (
        "threshold level with lognormal",
        ["darcy", "--n-samples", "1", "--coefficient", "lognormal", "--high", "5"],
        2,
        "--high does not apply to darcy with --coefficient lognormal",
    ),
    ("seed for the cavity", ["ldc", "--seed", "3"], 2, "unrecognized arguments: --seed"),
    # cost limits (lifted by --force)
    (
        "a billion time steps",
        ["burgers", "--n-samples", "1", "--dt", "1e-9"],
        2,
        "--dt 1e-09 up to --t-final 1 needs 1e+09 time steps",
    ),
    (
        "a hundred million substeps",
        ["diffusion-reaction", "--n-samples", "1", "--substeps", "1000000"],
        2,
        "needs 9.9e+07 time steps",
    ),
    (
        "a 745 GiB batch",
        ["diffusion-reaction", "--n-samples", "1000", "--nt", "100000", "--nx", "1000"],
        2,
        "beyond the 2 GiB limit; choose --batch-size ≤ 2, or force it (--force)",
    ),
    # sizes that cannot fit on this machine (PINNRWF_NO_SIZE_CHECK=1 or --force skips the check)
    (
        "ten billion samples",
        ["advection", "--n-samples", "10000000000"],
        2,
        "--n-samples 10000000000 of advection (their inputs, drawn at once, and a batch of 256 solutions) needs at least",
    ),
    # run-time failures: exit 1, what failed, the value, what to try
    (
        "unstable Burgers step",
        ["burgers", "--n-samples", "2", "--nt", "2", "--dt", "0.5"],
        1,
        "max|u| grew from 0.2393 to 0.6949 (×2.9) by t = 1",
    ),
    (
        "diffusion-reaction blow-up",
        ["diffusion-reaction", "--n-samples", "2", "--reaction", "1000"],
        1,
        "Newton did not converge in 30 iterations in the step from t = 0.0202 (reaction k = 1000",
    ),
    ("no steady cavity flow", ["ldc", "--re", "1e5", "--n", "8"], 1, "no steady solution was found"),
]


@pytest.fixture
def paths(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "existing.h5").write_text("not a dataset")
    return {
        "out": str(tmp_path / "new" / "data.h5"),
        "dir": str(tmp_path / "folder"),
        "file": str(tmp_path / "existing.h5"),
    }


def _generate(argv, capsys):
    try:
        code = main(["generate", *argv])
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("description, argv, code, fragment", CASES, ids=[c[0] for c in CASES])
def test_generate_error_is_one_line_with_an_exit_code(description, argv, code, fragment, paths, capsys):
    if "--out" not in argv:
        argv = [*argv, "--out", "{out}"]
    argv = [a.format(**paths) for a in [*argv, *FAST]]
    got, err = _generate(argv, capsys)
    assert got == code, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and fragment in errors[0], err
    assert err.strip().splitlines()[-1] == errors[0], err  # at most argparse's usage before it
    assert not os.path.exists(paths["out"]), "a failed generation left a file"


def test_debug_shows_the_traceback(paths, capsys):
    got, err = _generate(
        ["diffusion-reaction", "--n-samples", "2", "--reaction", "1000", "--out", paths["out"], "--debug", *FAST],
        capsys,
    )
    assert got == 1 and "Traceback" in err and "SolverError" in err


def test_force_lifts_the_cost_limit(paths, capsys, monkeypatch):
    argv = [
        "burgers",
        "--n-samples",
        "1",
        "--nx",
        "16",
        "--nt",
        "2",
        "--t-final",
        "0.02",
        "--dt",
        "1e-9",
        "--n-internal",
        "16",
        "--out",
        paths["out"],
        *FAST,
    ]
    got, err = _generate(argv, capsys)
    assert got == 2 and "2e+07 time steps" in err

    # --force lifts the limit: the run starts (stopped at once here instead of taking 2·10⁷ steps)
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("pinnrwf.solvers.burgers.rollout", interrupt)  # the NumPy path
    monkeypatch.setattr("pinnrwf.solvers.spectral_jax.etdrk4_rollout", interrupt)  # the compiled one ("auto" here)
    got, err = _generate([*argv, "--force"], capsys)
    assert got == 130 and "interrupted; no file was written" in err
    assert not os.path.exists(paths["out"])


def test_a_file_larger_than_the_free_disk_is_refused_unless_overridden(paths, capsys, monkeypatch):
    monkeypatch.setattr("pinnrwf._resources.disk_available", lambda path: 1000)
    argv = ["advection", "--n-samples", "2", "--nx", "32", "--nt", "5", "--out", paths["out"], *FAST]
    got, err = _generate(argv, capsys)
    assert got == 2 and "--n-samples 2 of advection (the file, uncompressed) needs at least 3 KiB of disk space" in err
    assert "1000 B available on this machine; choose a smaller --n-samples, or set PINNRWF_NO_SIZE_CHECK=1" in err
    monkeypatch.setenv("PINNRWF_NO_SIZE_CHECK", "1")
    assert _generate(argv, capsys)[0] == 0 and os.path.exists(paths["out"])


def test_a_full_disk_is_one_line_naming_the_file(paths, capsys, monkeypatch):
    def full(self, start, arrays):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("pinnrwf.datasets.hdf5.DatasetWriter.write", full)
    got, err = _generate(
        ["advection", "--n-samples", "2", "--nx", "32", "--nt", "5", "--out", paths["out"], *FAST], capsys
    )
    assert got == 1
    assert err.strip().splitlines()[-1] == (
        f"pinnrwf generate advection: error: no space left on device while writing {paths['out']}"
    )
    assert not os.listdir(os.path.dirname(paths["out"]))  # neither the file nor its temporary
