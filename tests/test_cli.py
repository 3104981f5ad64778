"""The ``pinnrwf`` command as a user calls it: every sub-command is wired into ``pinnrwf.cli.main``."""

import pytest

from pinnrwf.cli import main
from pinnrwf.datasets import read_dataset


def _help(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    return capsys.readouterr().out


def test_help_lists_every_command(capsys):
    out = _help(["--help"], capsys)
    assert all(c in out for c in ("run", "bench", "generate"))
    assert all(p in _help(["run", "--help"], capsys) for p in ("regression1d", "advection", "ldc"))
    assert all(b in _help(["bench", "--help"], capsys) for b in ("engine", "table12", "table13"))


def test_generate_through_the_main_command(tmp_path, capsys):
    out = tmp_path / "dr.h5"
    assert (
        main(
            [
                "generate",
                "diffusion-reaction",
                "--n-samples",
                "3",
                "--seed",
                "1",
                "--nx",
                "11",
                "--nt",
                "6",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    ds = read_dataset(out)
    assert ds.n_samples == 3 and ds["tensor"].shape == (3, 6, 11)
