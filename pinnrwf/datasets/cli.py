"""The ``pinnrwf generate <problem> ...`` sub-command (argparse).

``add_generate_command(subparsers)`` registers ``generate`` with one sub-command per dataset;
each sets ``handler`` so the main CLI can call ``args.handler(args) -> exit code``.
Option strings are parsed here, at the edge, into the frozen config dataclasses of
:mod:`pinnrwf.datasets.generate`.
"""

from __future__ import annotations

import argparse
import dataclasses
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


# Help and choices of the problem options; names, types and defaults come from the config
# dataclasses of pinnrwf.datasets.generate (one source of truth for the defaults).
_OPTION_HELP = {
    "c": "advection speed", "nx": "grid points in x", "nt": "output times", "t_final": "final time",
    "ic": "initial data: GRF samples or the paper's sin(x)", "tau": "GRF amplitude τ", "kappa": "GRF κ",
    "alpha": "GRF exponent α", "diffusivity": "D", "reaction": "k", "length_scale": "GRF length scale of a(x)",
    "substeps": "Crank-Nicolson steps per output interval", "n": "grid size (Darcy: nodes per side incl. "
    "boundary; ldc: cells per side, output has n + 1 nodes)", "coefficient": "Darcy coefficient map of the GRF",
    "high": "a where the GRF >= 0", "low": "a where the GRF < 0", "nu": "viscosity ν", "dt": "ETDRK4 time step",
    "n_internal": "internal Fourier resolution", "re": "Reynolds numbers (one sample each)",
}
_CHOICES = {"ic": ("grf", "sin"), "coefficient": ("threshold", "lognormal")}


def _add_config_options(p: argparse.ArgumentParser, config_cls) -> None:
    for f in dataclasses.fields(config_cls):
        default = f.default
        kw = {"default": default, "help": f"{_OPTION_HELP.get(f.name, f.name)} (default: {default})"}
        if isinstance(default, tuple):
            kw.update(type=float, nargs="+", default=list(default))
        elif f.name in _CHOICES:
            kw["choices"] = _CHOICES[f.name]
        else:
            kw["type"] = type(default)
        p.add_argument("--" + f.name.replace("_", "-"), dest=f.name, **kw)


def add_generate_command(subparsers) -> None:
    """Register ``generate`` (with one sub-command per dataset) on an argparse sub-parser set."""
    from .generate import CONFIGS

    gen = subparsers.add_parser("generate", help="generate a reference dataset (HDF5)",
                                description="Generate a reference dataset and write it atomically to HDF5.")
    problems = gen.add_subparsers(dest="problem", metavar="PROBLEM", required=True)
    for name, config_cls in CONFIGS.items():
        p = problems.add_parser(name, help=PROBLEM_HELP[name], description=config_cls.__doc__)
        _common(p, n_samples_required=name != "ldc")
        _add_config_options(p, config_cls)
    gen.set_defaults(handler=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Handler of ``pinnrwf generate``: returns 0 on success, 2 on invalid options or files."""
    import time

    from .generate import CONFIGS, generate, make_config

    options = {f.name: getattr(args, f.name) for f in dataclasses.fields(CONFIGS[args.problem])}
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
