import argparse

import numpy as np
import pytest

from pinnrwf.datasets import read_dataset
from pinnrwf.datasets.cli import add_generate_command


def _run(argv):
    parser = argparse.ArgumentParser(prog="pinnrwf")
    add_generate_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.mark.parametrize(
    "problem, options",
    [
        ("advection", ["--nx", "16", "--nt", "4"]),
        ("diffusion-reaction", ["--nx", "11", "--nt", "6"]),
        ("darcy", ["--n", "9"]),
        ("burgers", ["--nx", "16", "--nt", "2", "--t-final", "0.01", "--dt", "1e-3", "--n-internal", "32"]),
    ],
)
def test_generate_command_writes_a_readable_file(problem, options, tmp_path, capsys):
    out = tmp_path / "sub" / f"{problem}.h5"
    rc = _run(["generate", problem, "--n-samples", "2", "--seed", "4", "--out", str(out), "--no-progress", *options])
    assert rc == 0 and "wrote" in capsys.readouterr().out
    ds = read_dataset(out)
    assert ds.n_samples == 2 and ds.attrs["seed"] == 4 and ds.problem == problem


def test_advection_sin_initial_data_takes_no_seed(tmp_path, capsys):
    out = tmp_path / "sin.h5"
    argv = [
        "generate",
        "advection",
        "--n-samples",
        "1",
        "--ic",
        "sin",
        "--nx",
        "16",
        "--nt",
        "4",
        "--out",
        str(out),
        "--no-progress",
    ]
    assert _run([*argv, "--seed", "4"]) == 2 and "--seed does not apply" in capsys.readouterr().err
    assert _run(argv) == 0
    ds = read_dataset(out)
    np.testing.assert_allclose(ds["u0"][0], np.sin(ds["x"]))


def test_ldc_one_sample_per_reynolds_number(tmp_path):
    out = tmp_path / "ldc.h5"
    assert _run(["generate", "ldc", "--re", "100", "400", "--n", "16", "--out", str(out), "--no-progress"]) == 0
    ds = read_dataset(out)
    np.testing.assert_array_equal(ds["re"], [100.0, 400.0])
    assert ds["Vx"].shape == (2, 17, 17)
    assert (
        _run(
            [
                "generate",
                "ldc",
                "--re",
                "100",
                "--n-samples",
                "3",
                "--n",
                "16",
                "--out",
                str(tmp_path / "x.h5"),
                "--no-progress",
            ]
        )
        == 2
    )


def test_errors_return_exit_code_2(tmp_path, capsys):
    out = tmp_path / "b.h5"
    assert _run(["generate", "burgers", "--n-samples", "1", "--nu", "0", "--out", str(out), "--no-progress"]) == 2
    assert "nu must be" in capsys.readouterr().err and not out.exists()
    assert _run(["generate", "darcy", "--n-samples", "1", "--n", "9", "--out", str(out), "--no-progress"]) == 0
    assert _run(["generate", "darcy", "--n-samples", "1", "--n", "9", "--out", str(out), "--no-progress"]) == 2
    assert "exists" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(["generate", "heat", "--n-samples", "1", "--out", str(out)])


def test_pinnrwf_generate_takes_the_problem_names_and_the_dataset_names_as_aliases(tmp_path, capsys):
    """``pinnrwf generate NAME`` reaches every problem that declares a dataset by its registered name;
    the dataset's own name (the older spelling) is an alias that writes the same arrays."""
    from pinnrwf.cli import main
    from pinnrwf.problems import registry

    declared = {name: p.dataset for name, p in registry().items() if p.dataset is not None}
    assert {"dr", "darcy", "burgers-operator", "advection", "ldc"} <= set(declared)
    for name, config_cls in declared.items():
        options = [
            text
            for k, v in config_cls.smoke.items()
            for text in (f"--{k.replace('_', '-')}", *map(str, v if isinstance(v, tuple) else (v,)))
        ]
        files = []
        for spelling in dict.fromkeys([name, config_cls.problem]):
            files.append(tmp_path / f"{spelling}.h5")
            count = [] if config_cls.deterministic else ["--n-samples", "2", "--seed", "3"]  # the cavity: one per Re
            argv = ["generate", spelling, *count, "--out", str(files[-1]), "--no-progress"]
            assert main([*argv, *options]) == 0
        first = read_dataset(files[0])
        for other in map(read_dataset, files[1:]):
            for key in first.fields:
                np.testing.assert_array_equal(first[key], other[key])
    capsys.readouterr()
