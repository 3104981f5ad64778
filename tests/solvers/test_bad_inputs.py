"""Bad arguments to the solvers raise ValueError naming the parameter before any work; a run that
cannot give a trustworthy solution raises SolverError saying what failed, the value that caused
it and what to try.

One table: (description, call, expected exception, fragment of its message). A new option gets
a case by adding a row.
"""

import numpy as np
import pytest

from pinnrwf.solvers import advection, base, burgers, darcy, diffusion_reaction, ldc
from pinnrwf.solvers import random_fields as rf
from pinnrwf.solvers.base import SolverError

T = [0.0, 0.1]
U0 = np.zeros(16)
GRF = rf.burgers_initial_conditions(100, n_samples=2, seed=[0, 0])
SE_GRID = np.linspace(0, 1, 50)

CASES = [
    # Burgers
    ("burgers zero viscosity", lambda: burgers.solve(U0, nu=0.0, t_eval=T), ValueError, "nu must be > 0, got 0.0"),
    ("burgers negative viscosity", lambda: burgers.solve(U0, nu=-1e-3, t_eval=T), ValueError, "nu must be > 0"),
    (
        "burgers decreasing times",
        lambda: burgers.solve(U0, t_eval=[0.2, 0.1]),
        ValueError,
        "t_eval must be non-negative and strictly increasing",
    ),
    ("burgers nan step", lambda: burgers.solve(U0, t_eval=T, dt=np.nan), ValueError, "dt must be a finite number"),
    (
        "burgers coarse internal grid",
        lambda: burgers.solve(U0, t_eval=T, n_internal=8),
        ValueError,
        "n_internal must be >= the input grid size 16, got 8",
    ),
    (
        "burgers fractional internal grid",
        lambda: burgers.solve(U0, t_eval=T, n_internal=32.5),
        ValueError,
        "n_internal must be an integer",
    ),
    (
        "burgers infinite data",
        lambda: burgers.solve(np.full(16, np.inf), t_eval=T),
        ValueError,
        "u0 must contain only finite values",
    ),
    (
        "burgers 3-D data",
        lambda: burgers.solve(np.zeros((2, 2, 16)), t_eval=T),
        ValueError,
        "u0 must have 1 or 2 dimensions",
    ),
    ("burgers zero max_steps", lambda: burgers.solve(U0, t_eval=T, max_steps=0), ValueError, "max_steps must be ≥ 1"),
    (
        "burgers progress not callable",
        lambda: burgers.solve(U0, t_eval=T, progress=True),
        ValueError,
        "progress must be a callable",
    ),
    (
        "burgers 1e9 steps",
        lambda: burgers.solve(U0, t_eval=[0.0, 1.0], dt=1e-9),
        ValueError,
        "dt = 1e-09 up to t = 1 needs 1e+09 time steps",
    ),
    (
        "burgers unstable step",
        lambda: burgers.solve(GRF, nu=1e-3, t_eval=[0.0, 1.0], dt=0.5),
        SolverError,
        "the step dt = 0.5 is unstable for this data",
    ),
    ("burgers stepper tiny grid", lambda: burgers.BurgersETDRK4(2, 0.01, 0.1), ValueError, "n must be ≥ 4"),
    # advection
    (
        "advection infinite speed",
        lambda: advection.solve_samples(np.zeros(8), c=np.inf, t_eval=[0.0]),
        ValueError,
        "c must be a finite number",
    ),
    (
        "advection nan data",
        lambda: advection.solve_samples(np.full(8, np.nan), c=1.0, t_eval=[0.0]),
        ValueError,
        "u0 must contain only finite values",
    ),
    (
        "advection decreasing times",
        lambda: advection.solve_samples(np.zeros(8), c=1.0, t_eval=[0.5, 0.1]),
        ValueError,
        "t_eval must be non-negative",
    ),
    (
        "advection g not callable",
        lambda: advection.solve("sin", x=np.zeros(3), t=np.zeros(2)),
        ValueError,
        "g must be a callable",
    ),
    ("advection empty grid", lambda: advection.grid(0), ValueError, "n must be ≥ 1, got 0"),
    # diffusion-reaction
    (
        "dr zero diffusivity",
        lambda: diffusion_reaction.solve(np.zeros(10), diffusivity=0.0),
        ValueError,
        "diffusivity must be > 0",
    ),
    (
        "dr nan reaction",
        lambda: diffusion_reaction.solve(np.zeros(10), reaction=np.nan),
        ValueError,
        "reaction must be a finite number",
    ),
    ("dr one output time", lambda: diffusion_reaction.solve(np.zeros(10), nt=1), ValueError, "nt must be ≥ 2, got 1"),
    (
        "dr nan source",
        lambda: diffusion_reaction.solve(np.full(10, np.nan)),
        ValueError,
        "a must contain only finite values",
    ),
    (
        "dr two-point source",
        lambda: diffusion_reaction.solve(np.zeros(2)),
        ValueError,
        "a must be sampled on nx >= 3 grid points",
    ),
    (
        "dr zero substeps",
        lambda: diffusion_reaction.solve(np.zeros(10), substeps=0),
        ValueError,
        "substeps must be ≥ 1, got 0",
    ),
    (
        "dr fractional substeps",
        lambda: diffusion_reaction.solve(np.zeros(10), substeps=2.5),
        ValueError,
        "substeps must be an integer",
    ),
    (
        "dr 1e8 steps",
        lambda: diffusion_reaction.solve(np.zeros(10), substeps=10**6),
        ValueError,
        "needs 9.9e+07 time steps, more than the limit of 1e+07",
    ),
    (
        "dr blow-up",
        lambda: diffusion_reaction.solve(np.ones(100), reaction=1000.0),
        SolverError,
        "Newton did not converge in 30 iterations",
    ),
    (
        "dr source not callable",
        lambda: diffusion_reaction.integrate(np.zeros(8)),
        ValueError,
        "source must be a callable",
    ),
    (
        "dr zero batch",
        lambda: diffusion_reaction.integrate(lambda t, x: 0 * x, batch=0),
        ValueError,
        "batch must be ≥ 1",
    ),
    (
        "dr stepper non-uniform grid",
        lambda: diffusion_reaction.DiffusionReactionCN(
            [0.0, 0.1, 1.0], 0.1, diffusivity=1.0, reaction=0.0, source=lambda t: 0.0
        ),
        ValueError,
        "x must be a uniform increasing grid",
    ),
    # Darcy
    ("darcy negative coefficient", lambda: darcy.solve(-np.ones((8, 8))), ValueError, "a must be strictly positive"),
    ("darcy non-square grid", lambda: darcy.solve(np.ones((8, 9))), ValueError, "square n × n grid"),
    ("darcy 1-D coefficient", lambda: darcy.solve(np.ones(8)), ValueError, "a must have 2 or 3 dimensions"),
    (
        "darcy forcing shape",
        lambda: darcy.solve(np.ones((8, 8)), f=np.ones((3, 3))),
        ValueError,
        "f must be a scalar or broadcastable",
    ),
    (
        "darcy nan coefficient",
        lambda: darcy.solve(np.full((8, 8), np.nan)),
        ValueError,
        "a must contain only finite values",
    ),
    (
        "darcy progress not callable",
        lambda: darcy.solve(np.ones((8, 8)), progress="bar"),
        ValueError,
        "progress must be a callable",
    ),
    ("darcy two-point grid", lambda: darcy.grid(2), ValueError, "n must be ≥ 3, got 2"),
    # lid-driven cavity
    ("ldc zero Reynolds number", lambda: ldc.solve(re=0, n=16), ValueError, "re must be > 0"),
    ("ldc nan Reynolds number", lambda: ldc.solve(re=np.nan, n=16), ValueError, "re must be a finite number"),
    ("ldc odd grid", lambda: ldc.solve(re=100, n=33), ValueError, "n must be even"),
    ("ldc tiny grid", lambda: ldc.solve(re=100, n=2), ValueError, "n must be ≥ 4, got 2"),
    ("ldc negative lid", lambda: ldc.solve(re=100, n=16, lid_velocity=-1), ValueError, "lid_velocity must be > 0"),
    ("ldc zero continuation start", lambda: ldc.solve(re=100, n=16, re_start=0.0), ValueError, "re_start must be > 0"),
    (
        "ldc initial not a solution",
        lambda: ldc.solve(re=100, n=16, initial=np.zeros((17, 17))),
        ValueError,
        "initial must be a CavitySolution",
    ),
    ("ldc no steady solution", lambda: ldc.solve(re=1e5, n=8), SolverError, "the Newton continuation stalled at Re ="),
    # random fields
    ("grf one point", lambda: rf.spectral_grf_1d(1, tau=1, kappa=1, alpha=1), ValueError, "n must be ≥ 2, got 1"),
    ("grf negative tau", lambda: rf.spectral_grf_1d(8, tau=-1, kappa=1, alpha=1), ValueError, "tau must be > 0"),
    (
        "grf nan kappa",
        lambda: rf.spectral_grf_2d(8, tau=1, kappa=np.nan, alpha=1),
        ValueError,
        "kappa must be a finite number",
    ),
    (
        "grf zero samples",
        lambda: rf.spectral_grf_1d(8, tau=1, kappa=1, alpha=1, n_samples=0),
        ValueError,
        "n_samples must be ≥ 1",
    ),
    (
        "grf negative seed",
        lambda: rf.spectral_grf_1d(8, tau=1, kappa=1, alpha=1, seed=-1),
        ValueError,
        "seed must be ≥ 0, got -1",
    ),
    (
        "grf 64-bit seed",
        lambda: rf.spectral_grf_1d(8, tau=1, kappa=1, alpha=1, seed=2**40),
        ValueError,
        "seed must be ≤ 4294967295",
    ),
    (
        "grf fractional seed",
        lambda: rf.spectral_grf_1d(8, tau=1, kappa=1, alpha=1, seed=1.5),
        ValueError,
        "seed must be an integer",
    ),
    ("grf bad child seed", lambda: rf.burgers_initial_conditions(8, seed=[1, -2]), ValueError, "seed[1] must be ≥ 0"),
    (
        "grf 2-D bad length",
        lambda: rf.spectral_grf_2d(8, tau=1, kappa=1, alpha=1, length=(1.0, -1.0)),
        ValueError,
        "length[1] must be > 0",
    ),
    (
        "darcy coefficients unknown kind",
        lambda: rf.darcy_coefficients(16, kind="binary"),
        ValueError,
        "kind must be one of 'threshold', 'lognormal'",
    ),
    (
        "darcy coefficients levels with lognormal",
        lambda: rf.darcy_coefficients(16, kind="lognormal", high=5.0),
        ValueError,
        "high and low apply only to kind='threshold'",
    ),
    (
        "squared exponential 2-D grid",
        lambda: rf.squared_exponential_1d(np.zeros((2, 2)), length_scale=1.0),
        ValueError,
        "x must be a non-empty 1D grid",
    ),
    (
        "squared exponential zero length",
        lambda: rf.squared_exponential_1d(SE_GRID, length_scale=0.0),
        ValueError,
        "length_scale must be > 0",
    ),
    # shared
    (
        "rollout negative steps",
        lambda: base.rollout(burgers.BurgersETDRK4(8, 0.1, 0.1), np.zeros((1, 5)), -1),
        ValueError,
        "n_steps must be ≥ 0",
    ),
]


@pytest.mark.parametrize("description, call, error, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_a_clear_message(description, call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value), str(info.value)
