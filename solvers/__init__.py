"""Reference numerical solvers, installed as :mod:`pinnrwf.solvers`.

Solvers depend on NumPy/SciPy/JAX only (never on :mod:`pinnrwf.nn`) and compute in float64.

Errors: bad arguments raise ``ValueError`` naming the parameter, before any work (including runs
of more than ``max_steps`` time steps, 10⁷ by default); a run that cannot give a trustworthy
solution (Newton not converging, a blow-up, a broken maximum principle) raises
:class:`~pinnrwf.solvers.base.SolverError` saying what failed, the value behind it and what to try.

Modules
-------
- :mod:`~pinnrwf.solvers.random_fields`       seeded GRFs (squared-exponential, spectral 1D/2D, Darcy a)
- :mod:`~pinnrwf.solvers.base`                the time-stepper interface (init/step/observe), rollout,
                                               the stepper registry ``steppers()``, ``SolverError``
- :mod:`~pinnrwf.solvers.advection`           exact periodic transport
- :mod:`~pinnrwf.solvers.diffusion_reaction`  Crank–Nicolson/Newton (+ diffrax method-of-lines check)
- :mod:`~pinnrwf.solvers.darcy`               conservative five-point scheme, sparse direct solve
- :mod:`~pinnrwf.solvers.burgers`             Fourier pseudo-spectral + ETDRK4
- :mod:`~pinnrwf.solvers.allen_cahn`          Fourier pseudo-spectral + ETDRK4 (stiff reaction–diffusion)
- :mod:`~pinnrwf.solvers.spectral_jax`        the ETDRK4 rollout compiled with JAX (``backend="jax"``)
- :mod:`~pinnrwf.solvers.ldc`                 steady lid-driven cavity (ψ–ω, Newton)
- :mod:`~pinnrwf.solvers.fem`                 finite elements on any 2D geometry (Triangle + scikit-fem; the
                                               ``fem`` extra; imported on its own: ``from pinnrwf.solvers import fem``)
"""

from . import advection, allen_cahn, base, burgers, darcy, diffusion_reaction, ldc, random_fields, spectral_jax

__all__ = [
    "advection",
    "allen_cahn",
    "base",
    "burgers",
    "darcy",
    "diffusion_reaction",
    "ldc",
    "random_fields",
    "spectral_jax",
]
