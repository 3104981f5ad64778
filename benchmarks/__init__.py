"""Benchmarks, installed as :mod:`pinnrwf.benchmarks` (results go to benchmarks/results/).

``BENCHMARKS`` maps ``pinnrwf bench NAME`` to (module, help). Each module has
``configure_parser(parser)`` and ``main_from_args(args) -> int``.
"""

BENCHMARKS: dict[str, tuple[str, str]] = {
    "engine": ("pinnrwf.benchmarks.engine_speed", "steps/s of the advection-sized PINN step (Plain vs RWF, 1 and 10 seeds)"),
    "table12": ("pinnrwf.benchmarks.pinn_tables", "RWF paper Table 12: advection, parameterization x strategy x seeds"),
    "table13": ("pinnrwf.benchmarks.pinn_tables", "RWF paper Table 13: lid-driven cavity, parameterization x architecture x seeds"),
    "table14": ("pinnrwf.benchmarks.table14", "RWF paper Table 14: operator learning (DR, Darcy, Burgers), parameterization x seeds"),
    "table8": ("pinnrwf.benchmarks.vision_tables", "RWF paper Table 8: image regression (Natural), mapping x parameterization x images"),
    "table9": ("pinnrwf.benchmarks.vision_tables", "RWF paper Table 9: image regression (Text), mapping x parameterization x images"),
    "table10": ("pinnrwf.benchmarks.vision_tables", "RWF paper Table 10: computed tomography (Shepp, ATLAS stand-in), mapping x parameterization x images"),
    "table11": ("pinnrwf.benchmarks.vision_tables", "RWF paper Table 11: occupancy networks (Dragon, Armadillo), mapping x parameterization x seeds"),
    "siren": ("pinnrwf.benchmarks.vision_tables", "RWF paper Fig. 11 and 16: SIREN against omega0 beside the plain MLP (images, CT), x images"),
    "nerf": ("pinnrwf.benchmarks.vision_tables", "RWF paper Table 1 Lego row: simplified NeRF (+ E-NeRF as wc-row), parameterization x seeds"),
    "param-speed": ("pinnrwf.benchmarks.param_speed", "steps/s of each problem's training step per parameterization, back to back (RWF vs Plain)"),
    "data-sampling": ("pinnrwf.benchmarks.data_sampling", "cost of drawing minibatches on device (diffusion–reaction DeepONet workload)"),
    "solvers-convergence": ("pinnrwf.benchmarks.solvers_convergence", "reference-solver convergence studies (Burgers N, cavity grids, FD orders)"),
    "datasets-generation": ("pinnrwf.benchmarks.datasets_generation", "wall times of generating the paper's datasets"),
    "burgers-fft-workers": ("pinnrwf.benchmarks.burgers_fft_workers", "Burgers solver: scipy.fft threads (1 vs all cores) by batch size, and vs exponax"),
    "multiprocess": ("pinnrwf.benchmarks.multiprocess", "1 process x 2 cores vs 2 distributed processes x 1 core on one CPU machine"),
}
