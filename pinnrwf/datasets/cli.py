"""The ``pinnrwf generate <problem> ...`` sub-command (argparse).

``add_generate_command(subparsers)`` registers ``generate`` with one sub-command per dataset;
each sets ``handler`` so the main CLI can call ``args.handler(args) -> exit code``.
Option strings are parsed here, at the edge, into the frozen config dataclasses of
:mod:`pinnrwf.datasets.generate`.
"""

from __future__ import annotations

import argparse
import sys

PROBLEM_HELP = {
    "advection": "u_t + c u_x = 0 on (0, 2pi), exact solution of GRF (or sin) initial data",
    "diffusion-reaction": "u_t = D u_xx + k u^2 + a(x), a ~ GRF(l = 0.2), Crank-Nicolson/Newton on 100 x 100",
    "darcy": "-div(a grad u) = 1 on (0,1)^2, thresholded-GRF coefficients, 64 x 64",
    "burgers": "u_t + u u_x = nu u_xx periodic, GRF initial data, spectral + ETDRK4, 100 x 101 output",
    "ldc": "steady lid-driven cavity, one sample per Reynolds number",
}


def _common(p: argparse.ArgumentParser, *, n_samples_required: bool = True) -> None:
    p.add_argument("--n-samples", type=int, required=n_samples_required, default=None,
                   help="number of samples (input functions) to generate")
    p.add_argument("--seed", type=int, default=0, help="seed of the input functions (same seed -> same data)")
    p.add_argument("--out", required=True, help="output HDF5 file, e.g. data/burgers_train.h5")
    p.add_argument("--batch-size", type=int, default=None, help="samples solved per batch")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_generate_command(subparsers) -> None:
    """Register ``generate`` (with one sub-command per dataset) on an argparse sub-parser set."""
    gen = subparsers.add_parser("generate", help="generate a reference dataset (HDF5)",
                                description="Generate a reference dataset and write it atomically to HDF5.")
    problems = gen.add_subparsers(dest="problem", metavar="PROBLEM", required=True)

    p = problems.add_parser("advection", help=PROBLEM_HELP["advection"])
    _common(p)
    p.add_argument("--c", type=float, default=50.0)
    p.add_argument("--nx", type=int, default=256)
    p.add_argument("--nt", type=int, default=101)
    p.add_argument("--t-final", type=float, default=1.0)
    p.add_argument("--ic", choices=("grf", "sin"), default="grf")
    p.add_argument("--tau", type=float, default=1.0)
    p.add_argument("--kappa", type=float, default=1.0)
    p.add_argument("--alpha", type=float, default=2.0)

    p = problems.add_parser("diffusion-reaction", help=PROBLEM_HELP["diffusion-reaction"])
    _common(p)
    p.add_argument("--nx", type=int, default=100)
    p.add_argument("--nt", type=int, default=100)
    p.add_argument("--t-final", type=float, default=1.0)
    p.add_argument("--diffusivity", type=float, default=0.01)
    p.add_argument("--reaction", type=float, default=0.01)
    p.add_argument("--length-scale", type=float, default=0.2)
    p.add_argument("--substeps", type=int, default=1, help="Crank-Nicolson steps per output interval")

    p = problems.add_parser("darcy", help=PROBLEM_HELP["darcy"])
    _common(p)
    p.add_argument("--n", type=int, default=64, help="nodes per side, boundary included")
    p.add_argument("--coefficient", choices=("threshold", "lognormal"), default="threshold")
    p.add_argument("--tau", type=float, default=1.0)
    p.add_argument("--kappa", type=float, default=3.0)
    p.add_argument("--alpha", type=float, default=2.0)
    p.add_argument("--high", type=float, default=12.0)
    p.add_argument("--low", type=float, default=3.0)

    p = problems.add_parser("burgers", help=PROBLEM_HELP["burgers"])
    _common(p)
    p.add_argument("--nu", type=float, default=0.001)
    p.add_argument("--nx", type=int, default=100)
    p.add_argument("--nt", type=int, default=101)
    p.add_argument("--t-final", type=float, default=1.0)
    p.add_argument("--dt", type=float, default=1e-4)
    p.add_argument("--n-internal", type=int, default=1024, help="internal Fourier resolution")

    p = problems.add_parser("ldc", help=PROBLEM_HELP["ldc"])
    _common(p, n_samples_required=False)
    p.add_argument("--re", type=float, nargs="+", default=[100.0, 400.0, 1000.0], help="Reynolds numbers")
    p.add_argument("--n", type=int, default=512, help="cells per side (output has n + 1 nodes)")

    gen.set_defaults(handler=run_generate)


_OPTIONS = {
    "advection": ("c", "nx", "nt", "t_final", "ic", "tau", "kappa", "alpha"),
    "diffusion-reaction": ("nx", "nt", "t_final", "diffusivity", "reaction", "length_scale", "substeps"),
    "darcy": ("n", "coefficient", "tau", "kappa", "alpha", "high", "low"),
    "burgers": ("nu", "nx", "nt", "t_final", "dt", "n_internal"),
    "ldc": ("re", "n"),
}


def run_generate(args: argparse.Namespace) -> int:
    """Handler of ``pinnrwf generate``: returns 0 on success, 2 on invalid options or files."""
    import time

    from .generate import generate, make_config

    options = {name: getattr(args, name) for name in _OPTIONS[args.problem]}
    if args.problem == "ldc":
        options["re"] = tuple(options["re"])
        n_samples = len(options["re"]) if args.n_samples is None else args.n_samples
    else:
        n_samples = args.n_samples
    t0 = time.perf_counter()
    try:
        config = make_config(args.problem, **options)
        out = generate(config, args.out, n_samples=n_samples, seed=args.seed, batch_size=args.batch_size,
                       progress=not args.no_progress, overwrite=args.overwrite)
    except (ValueError, FileExistsError) as err:
        print(f"pinnrwf generate {args.problem}: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({n_samples} samples, {time.perf_counter() - t0:.1f} s)")
    return 0


def _main(argv=None) -> int:  # a stand-alone harness until pinnrwf.cli exists
    parser = argparse.ArgumentParser(prog="pinnrwf")
    add_generate_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(_main())
