"""Properties shared by every solver: JAX inputs, float64 outputs, no global x64, no NN imports."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np

from pinnrwf.solvers import advection, burgers, darcy, diffusion_reaction


def test_accept_jax_arrays_and_return_float64():
    x = np.arange(16) / 16
    outs = [
        burgers.solve(jnp.asarray(np.sin(2 * np.pi * x), dtype=jnp.float32), nu=0.01, t_eval=[0.0, 0.01], dt=1e-3,
                      n_internal=None),
        advection.solve_samples(jnp.ones(8), c=1.0, t_eval=jnp.linspace(0, 1, 3)),
        diffusion_reaction.solve(jnp.ones(11), nt=3),
        darcy.solve(jnp.ones((9, 9))),
    ]
    for out in outs:
        assert isinstance(out, np.ndarray) and out.dtype == np.float64


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
