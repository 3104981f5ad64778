"""pinnrwf: physics-informed neural networks and DeepONets in JAX.

Sub-packages
------------
- :mod:`pinnrwf.nn`        network modules and weight parameterizations (RWF, WN, AA, ...).
- :mod:`pinnrwf.train`     the compiled, seed-ensembled training engine.
- :mod:`pinnrwf.pde`       the residual DSL (derivatives, terms, samplers, causal weights).
- :mod:`pinnrwf.solvers`   reference numerical solvers (float64, NumPy/SciPy/JAX only).
- :mod:`pinnrwf.datasets`  HDF5 dataset layout, atomic writers and validating readers.
- :mod:`pinnrwf.problems`  benchmark problems built on the above (regression1d, advection, ...).
"""

__version__ = "0.1.0"
