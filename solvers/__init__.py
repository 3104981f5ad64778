"""Reference numerical solvers, installed as :mod:`pinnrwf.solvers`.

Solvers depend on NumPy/SciPy/JAX only (never on :mod:`pinnrwf.nn`) and compute in float64.
"""
