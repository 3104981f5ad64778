"""solved_samples: a deterministic dataset's samples read from its file, else solved in memory."""

import numpy as np
import pytest

from pinnrwf.datasets.generate import AdvectionConfig, CavityConfig, generate, solved_samples


@pytest.fixture(scope="module")
def cavity_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cavity") / "ldc.h5"
    generate(CavityConfig(re=(100.0, 200.0), n=8), path, progress=False)
    return path


def test_file_samples_are_picked_by_their_inputs_and_equal_the_solve(cavity_file, capsys):
    wanted = CavityConfig(re=(200.0,), n=8)
    coords, fields = solved_samples("ldc", wanted, cavity_file, ("Vx", "Vy"), solve_missing=False)
    solved_coords, solved = solved_samples(
        "ldc", wanted, cavity_file.with_name("none.h5"), ("Vx", "Vy"), solve_missing=True
    )
    assert "none.h5 not found: solving ldc --re 200 --n 8 in memory" in capsys.readouterr().out
    assert fields["Vx"].shape == (1, 9, 9) and fields["Vx"].dtype == np.float64
    for name in ("Vx", "Vy"):
        np.testing.assert_array_equal(fields[name], solved[name])
    for axis in ("x", "y"):
        np.testing.assert_array_equal(coords[axis], solved_coords[axis])
    both = solved_samples("ldc", CavityConfig(re=(200.0, 100.0), n=8), cavity_file, ("Vx",), solve_missing=False)[1]
    np.testing.assert_array_equal(both["Vx"][0], fields["Vx"][0])  # in the order asked for


def test_missing_samples_and_files_are_errors_that_say_what_to_do(cavity_file, tmp_path):
    with pytest.raises(ValueError, match=r"has no sample with re = 400.0 \(it has re = \[100.0, 200.0\]\)"):
        solved_samples("ldc", CavityConfig(re=(400.0,), n=8), cavity_file, ("Vx",), solve_missing=False)
    missing = tmp_path / "missing.h5"
    with pytest.raises(
        ValueError,
        match=f"does not exist; make it with `pinnrwf generate ldc --re 400 --n 8 --out "
        f"{missing}` or pass --generate-reference",
    ):
        solved_samples("ldc", CavityConfig(re=(400.0,), n=8), missing, ("Vx",), solve_missing=False)
    assert not missing.exists()
    other = generate(AdvectionConfig(nx=8, nt=2, ic="sin"), tmp_path / "advection.h5", n_samples=1, progress=False)
    with pytest.raises(ValueError, match="holds a 'advection' dataset, expected a 'ldc' dataset"):
        solved_samples("ldc", CavityConfig(re=(400.0,), n=8), other, ("Vx",), solve_missing=False)
    with pytest.raises(ValueError, match="whose options give its inputs"):
        solved_samples("advection", AdvectionConfig(), missing, ("tensor",), solve_missing=True)
