"""pinnrwf: physics-informed neural networks and DeepONets in JAX.

Sub-packages
------------
- :mod:`pinnrwf.nn`        network modules and weight parameterizations (RWF, WN, AA, ...).
- :mod:`pinnrwf.train`     the compiled, seed-ensembled training engine.
- :mod:`pinnrwf.pde`       the residual DSL (derivatives, terms, samplers, causal weights).
- :mod:`pinnrwf.solvers`   reference numerical solvers (float64, NumPy/SciPy/JAX only).
- :mod:`pinnrwf.datasets`  HDF5 dataset layout, atomic writers and validating readers.
- :mod:`pinnrwf.problem`   the problem interface; :mod:`pinnrwf.runner` the one runner.
- :mod:`pinnrwf.problems`  benchmark problems built on the above (regression1d, advection, ...).
- :mod:`pinnrwf.saved`     trained runs saved in --out, ``pinnrwf.load_run(out_dir)``.
"""

from pinnrwf._version import __version__  # noqa: F401 - the package's version


def load_run(out_dir, *, problem=None):
    """The trained ensembles a ``pinnrwf run ... --out OUT_DIR`` saved (see :mod:`pinnrwf.saved`)."""
    from pinnrwf.saved import load_run as _load_run

    return _load_run(out_dir, problem=problem)
