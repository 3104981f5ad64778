"""Properties shared by every solver: JAX inputs, float64 outputs, no global x64, no NN imports.

"Every solver" is every dataset problem of the registry (``pinnrwf.datasets.generate.CONFIGS``,
collected from the config classes): each runs its solver on a seconds-long instance (``smoke``).
"""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf.datasets.generate import CONFIGS
from pinnrwf.solvers import diffusion_reaction


@pytest.mark.parametrize("problem", sorted(CONFIGS))
def test_every_solver_accepts_jax_arrays_and_returns_finite_float64(problem):
    config = CONFIGS[problem].from_options(CONFIGS[problem].smoke)
    inputs = config.sample_inputs(2, 0)
    solved = config.solve({k: jnp.asarray(v) for k, v in inputs.items()})  # float32 JAX arrays in
    for name in set(solved) - set(inputs):  # the inputs are passed through as given
        out = solved[name]
        assert isinstance(out, np.ndarray) and out.dtype == np.float64 and np.all(np.isfinite(out)), name
        assert out.shape[0] == 2, name


@pytest.mark.slow
def test_method_of_lines_keeps_x64_local():
    before = jax.config.jax_enable_x64
    u = diffusion_reaction.solve_method_of_lines(np.ones(11), nt=3)
    assert u.dtype == np.float64 and np.all(np.isfinite(u))
    assert jax.config.jax_enable_x64 == before
    assert jnp.ones(1).dtype == (jnp.float64 if before else jnp.float32)


def test_solvers_do_not_import_the_network_code():
    code = "import sys, pinnrwf.solvers; print(any(m.startswith(('pinnrwf.nn', 'pinnrwf.train')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
