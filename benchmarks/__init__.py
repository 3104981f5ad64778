"""Benchmarks, installed as :mod:`pinnrwf.benchmarks`, in three kinds, one folder each:

- ``tables/``: the RWF paper's tables and figures (``pinnrwf bench table8`` … ``table14``, ``nerf``, ``siren``);
- ``peers/``: the same workloads in DeepXDE, exponax, bare JAX and PyTorch, timed against ours;
- ``studies/``: one question each, with a README stating the question, the command and the finding.

Results go to ``<out>/<benchmark>/<device>/<preset>/`` (:func:`._common.result_dir`); the committed
ones live in ``benchmarks/results/``, listed in its generated ``INDEX.md`` (:mod:`.index`).

``BENCHMARKS`` maps ``pinnrwf bench NAME`` to (module, help). Each module has
``configure_parser(parser)`` and ``main_from_args(args) -> int``.
"""

BENCHMARKS: dict[str, tuple[str, str]] = {
    "engine": (
        "pinnrwf.benchmarks.studies.engine_speed.engine_speed",
        "steps/s of the advection-sized PINN step (Plain vs RWF, 1 and 10 seeds)",
    ),
    "table12": (
        "pinnrwf.benchmarks.tables.pinn_tables",
        "RWF paper Table 12: advection, parameterization x strategy x seeds",
    ),
    "table13": (
        "pinnrwf.benchmarks.tables.pinn_tables",
        "RWF paper Table 13: lid-driven cavity, parameterization x architecture x seeds",
    ),
    "table14": (
        "pinnrwf.benchmarks.tables.table14",
        "RWF paper Table 14: operator learning (DR, Darcy, Burgers), parameterization x seeds",
    ),
    "table8": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Table 8: image regression (Natural), mapping x parameterization x images",
    ),
    "table9": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Table 9: image regression (Text), mapping x parameterization x images",
    ),
    "table10": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Table 10: computed tomography (Shepp, ATLAS stand-in), mapping x parameterization x images",
    ),
    "table11": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Table 11: occupancy networks (Dragon, Armadillo), mapping x parameterization x seeds",
    ),
    "siren": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Fig. 11 and 16: SIREN against omega0 beside the plain MLP (images, CT), x images",
    ),
    "nerf": (
        "pinnrwf.benchmarks.tables.vision_tables",
        "RWF paper Table 1 Lego row: simplified NeRF (+ E-NeRF as wc-row), parameterization x seeds",
    ),
    "param-speed": (
        "pinnrwf.benchmarks.studies.param_speed.param_speed",
        "steps/s of each problem's training step per parameterization, back to back (RWF vs Plain)",
    ),
    "data-sampling": (
        "pinnrwf.benchmarks.studies.data_sampling.data_sampling",
        "cost of drawing minibatches on device (diffusion–reaction DeepONet workload)",
    ),
    "solvers-convergence": (
        "pinnrwf.benchmarks.studies.solvers_convergence.solvers_convergence",
        "reference-solver convergence studies (Burgers N, cavity grids, FD orders)",
    ),
    "datasets-generation": (
        "pinnrwf.benchmarks.studies.datasets_generation.datasets_generation",
        "wall times of generating the paper's datasets",
    ),
    "spectral-backends": (
        "pinnrwf.benchmarks.studies.spectral_backends.spectral_backends",
        "ETDRK4 datasets' solves (Burgers, Allen–Cahn): NumPy vs JAX backend, back to back",
    ),
    "burgers-fft-workers": (
        "pinnrwf.benchmarks.studies.burgers_fft_workers.burgers_fft_workers",
        "Burgers solver: scipy.fft threads (1 vs all cores) by batch size, and vs exponax",
    ),
    "derivative-plans": (
        "pinnrwf.benchmarks.studies.derivative_plans.laplacian_plan_gain",
        "loss and gradient time of the forward-Laplacian plan vs nested jvps (heat-inverse, Burgers-inverse, Helmholtz)",
    ),
    "log-every": (
        "pinnrwf.benchmarks.studies.log_every.log_every",
        "cost of recording every N-th step (--log-every 1, 10, 100, and with a CSV logger) against the default",
    ),
    "geometry-sampling": (
        "pinnrwf.benchmarks.studies.geometry_sampling.geometry_sampling",
        "cost per step of sampling non-box domains (polygon, set difference, Sobol) against the box",
    ),
    "fem-dfg": (
        "pinnrwf.benchmarks.studies.fem.fem_dfg",
        "finite-element reference: DFG 2D-1 cylinder (c_D, c_L, delta p) on a sequence of meshes, with wall time and memory",
    ),
    "fem-convergence": (
        "pinnrwf.benchmarks.studies.fem.fem_convergence",
        "finite-element reference: P1/P2 orders in L2 and H1 on the L-shape (smooth, singular ungraded/graded) and the holed square",
    ),
    "time-to-accuracy": (
        "pinnrwf.benchmarks.studies.time_to_accuracy.time_to_accuracy",
        "wall time to reach 1e-2 and 1e-3 relative L² error on DeepXDE's Burgers example (or, --problem lshape, Laplace on the L-shape), pinnrwf vs DeepXDE",
    ),
    "adaptive-collocation": (
        "pinnrwf.benchmarks.studies.adaptive_collocation.adaptive_collocation",
        "cost per step of residual-based adaptive collocation (RAD, every 100 and 1000 steps) against uniform points",
    ),
    "index": (
        "pinnrwf.benchmarks.index",
        "rewrite benchmarks/results/INDEX.md from the committed results (--check: verify it)",
    ),
    "multiprocess": (
        "pinnrwf.benchmarks.studies.multiprocess.multiprocess",
        "1 process x 2 cores vs 2 distributed processes x 1 core on one CPU machine",
    ),
}
