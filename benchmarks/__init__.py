"""Benchmarks, installed as :mod:`pinnrwf.benchmarks` (results go to benchmarks/results/).

``BENCHMARKS`` maps ``pinnrwf bench NAME`` to (module, help). Each module has
``configure_parser(parser)`` and ``main_from_args(args) -> int``.
"""

BENCHMARKS: dict[str, tuple[str, str]] = {
    "engine": ("pinnrwf.benchmarks.engine_speed", "steps/s of the advection-sized PINN step (Plain vs RWF, 1 and 10 seeds)"),
    "table12": ("pinnrwf.benchmarks.pinn_tables", "RWF paper Table 12: advection, parameterization x strategy x seeds"),
    "table13": ("pinnrwf.benchmarks.pinn_tables", "RWF paper Table 13: lid-driven cavity, parameterization x architecture x seeds"),
    "table14": ("pinnrwf.benchmarks.table14", "RWF paper Table 14: operator learning (DR, Darcy, Burgers), parameterization x seeds"),
    "data-sampling": ("pinnrwf.benchmarks.data_sampling", "cost of drawing minibatches on device (diffusion–reaction DeepONet workload)"),
    "solvers-convergence": ("pinnrwf.benchmarks.solvers_convergence", "reference-solver convergence studies (Burgers N, cavity grids, FD orders)"),
    "datasets-generation": ("pinnrwf.benchmarks.datasets_generation", "wall times of generating the paper's datasets"),
    "multiprocess": ("pinnrwf.benchmarks.multiprocess", "1 process x 2 cores vs 2 distributed processes x 1 core on one CPU machine"),
}
