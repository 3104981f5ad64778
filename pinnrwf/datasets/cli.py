"""The ``pinnrwf generate <problem> ...`` sub-command (argparse).

``add_generate_command(subparsers, datasets)`` registers ``generate`` with one sub-command per
dataset config class, by the name given (``pinnrwf generate``: the problem that uses it; alone, as
``python -m pinnrwf.datasets.cli``: the dataset's own name, :data:`pinnrwf.datasets.generate.CONFIGS`);
each sets ``handler`` so the main CLI can call ``args.handler(args) -> exit code``. Option strings
are parsed here, at the edge, into the frozen config dataclasses of :mod:`pinnrwf.datasets.generate`.

Errors never reach the user as tracebacks (``--debug`` shows them): the handler prints one line,
``pinnrwf generate PROBLEM: error: ...``, on stderr and returns 2 for bad options or paths
(checked before any solving starts; argparse's own usage errors also exit 2), 1 for run-time
failures (a solver that cannot produce a trustworthy solution, a file that cannot be written,
memory) and 130 on Ctrl-C. No file is written in any of these cases.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import traceback
from collections.abc import Mapping

PROBLEM_HELP = {
    "advection": "u_t + c u_x = 0 on (0, 2pi), exact solution of GRF (or sin) initial data",
    "diffusion-reaction": "u_t = D u_xx + k u^2 + a(x), a ~ GRF(l = 0.2), Crank-Nicolson/Newton on 100 x 100",
    "darcy": "-div(a grad u) = 1 on (0,1)^2, thresholded-GRF coefficients, 64 x 64",
    "burgers": "u_t + u u_x = nu u_xx periodic, GRF initial data, spectral + ETDRK4, 100 x 101 output",
    "ldc": "steady lid-driven cavity, one sample per Reynolds number",
    "allen-cahn": "u_t = eps u_xx + 5u - 5u^3 periodic, u0 = x^2 cos(pi x), spectral + ETDRK4, 512 x 201 output",
}


def _option(field: str) -> str:
    """The command-line spelling of a config field or generate() argument (``n_internal`` -> ``--n-internal``)."""
    return "--" + field.replace("_", "-")


def _common(p: argparse.ArgumentParser, config_cls) -> None:
    if config_cls.deterministic:  # the inputs are the options: no seed, the count follows from them
        p.add_argument(
            "--n-samples",
            type=int,
            default=None,
            help="number of samples; must equal the number the options give (default: that number)",
        )
    else:
        p.add_argument("--n-samples", type=int, required=True, help="number of samples (input functions) to generate")
        p.add_argument(
            "--seed",
            type=int,
            default=None,
            help="seed of the input functions in [0, 2**32 - 1] (same seed -> same data; default: 0)",
        )
    p.add_argument("--out", required=True, help="output HDF5 file, e.g. data/burgers_train.h5")
    p.add_argument(
        "--batch-size", type=int, default=None, help=f"samples solved per batch (default: {config_cls.default_batch})"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.add_argument(
        "--force",
        action="store_true",
        help="run even beyond the cost limits (more than 1e7 time steps, batches over 2 GiB) and the "
        "memory and disk this machine has",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")


# Help and choices of the problem options; names, types and defaults come from the config
# dataclasses of pinnrwf.datasets.generate (one source of truth for the defaults).
_OPTION_HELP = {
    "c": "advection speed",
    "nx": "grid points in x",
    "nt": "output times",
    "t_final": "final time",
    "ic": "initial data: GRF samples or the paper's sin(x)",
    "tau": "GRF amplitude τ",
    "kappa": "GRF κ",
    "alpha": "GRF exponent α",
    "diffusivity": "D",
    "reaction": "k",
    "length_scale": "GRF length scale of a(x)",
    "substeps": "Crank-Nicolson steps per output interval",
    "n": "grid size (Darcy: nodes per side incl. boundary; ldc: cells per side, output has n + 1 nodes)",
    "coefficient": "Darcy coefficient map of the GRF",
    "high": "a where the GRF >= 0",
    "low": "a where the GRF < 0",
    "nu": "viscosity ν",
    "dt": "ETDRK4 time step",
    "n_internal": "internal Fourier resolution",
    "re": "Reynolds numbers (one sample each)",
    "epsilon": "diffusion ε values (one sample each)",
}
_CHOICES = {"ic": ("grf", "sin"), "coefficient": ("threshold", "lognormal")}


_TYPES = {"n_internal": int}  # options whose default (None) does not tell their type
_DEFAULT_TEXT = {"n_internal": "the larger of 1024 and --nx"}  # where the default is None


def _add_config_options(p: argparse.ArgumentParser, config_cls) -> None:
    # Options the user does not give are absent from the namespace (SUPPRESS), so that the
    # config can tell given options from defaults (an option that does not apply is an error).
    for f in dataclasses.fields(config_cls):
        default = f.default
        shown = (
            _DEFAULT_TEXT.get(f.name)
            if default is None
            else " ".join(map(str, default))
            if isinstance(default, tuple)
            else default
        )
        kw = {"default": argparse.SUPPRESS, "help": f"{_OPTION_HELP.get(f.name, f.name)} (default: {shown})"}
        if isinstance(default, tuple):
            kw.update(type=float, nargs="+")
        elif f.name in _CHOICES:
            kw["choices"] = _CHOICES[f.name]
        else:
            kw["type"] = _TYPES.get(f.name, type(default))
        p.add_argument(_option(f.name), dest=f.name, **kw)


def add_generate_command(
    subparsers, datasets: Mapping[str, type] | None = None, fem_references: Mapping | None = None
) -> None:
    """Register ``generate`` on an argparse sub-parser set, with one sub-command per entry of
    ``datasets`` (``{name: dataset config class}``; default: :data:`~pinnrwf.datasets.generate.CONFIGS`
    by dataset name). A dataset reached by another name also answers to its own (``diffusion-reaction``
    for ``dr``): an alias, listed in the help."""
    from .generate import CONFIGS

    datasets = dict(CONFIGS if datasets is None else datasets)
    gen = subparsers.add_parser(
        "generate",
        help="generate a reference dataset (HDF5)",
        description="Generate a reference dataset and write it atomically to HDF5.",
    )
    problems = gen.add_subparsers(dest="problem", metavar="PROBLEM", required=True)
    taken = set(datasets)
    for name, config_cls in datasets.items():
        aliases = [] if config_cls.problem in taken else [config_cls.problem]
        taken.update(aliases)
        summary = PROBLEM_HELP.get(config_cls.problem) or config_cls.__doc__.strip().splitlines()[0]
        p = problems.add_parser(name, aliases=aliases, help=summary, description=config_cls.__doc__)
        _common(p, config_cls)
        _add_config_options(p, config_cls)
        p.set_defaults(dataset_config_class=config_cls)
    add_fem_commands(problems, fem_references)  # finite-element references (each sets its own handler)
    gen.set_defaults(handler=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    """Handler of ``pinnrwf generate``: 0 on success, 2 on bad options or paths, 1 on run-time
    failures, 130 on Ctrl-C; errors are one line on stderr (``--debug``: with the traceback)."""
    from pinnrwf._atomic import disk_full_message
    from pinnrwf._validation import output_file
    from pinnrwf.solvers.base import SolverError

    from .generate import check_request, generate

    config_cls = args.dataset_config_class
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(config_cls) if hasattr(args, f.name)}
    if "re" in given:
        given["re"] = tuple(given["re"])
    t0 = time.perf_counter()
    try:
        config = config_cls.from_options(given, label=_option)
        n_samples, seed, batch = check_request(
            config,
            n_samples=args.n_samples,
            seed=getattr(args, "seed", None),
            batch_size=args.batch_size,
            force=args.force,
            label=_option,
            out=args.out,
        )
        out = output_file("--out", args.out, overwrite=args.overwrite)
        generate(
            config,
            out,
            n_samples=n_samples,
            seed=seed,
            batch_size=batch,
            progress=not args.no_progress,
            overwrite=args.overwrite,
            force=args.force,
        )
    except ValueError as err:
        return _fail(args, err, 2)
    except SolverError as err:
        return _fail(args, err, 1)
    except MemoryError as err:
        return _fail(args, f"out of memory ({err}); lower --batch-size or the grid sizes", 1)
    except OSError as err:
        return _fail(args, disk_full_message(err) or f"cannot write {args.out}: {err.strerror or err}", 1)
    except KeyboardInterrupt:
        print(f"pinnrwf generate {args.problem}: interrupted; no file was written", file=sys.stderr)
        return 130
    print(f"wrote {out} ({n_samples} samples, {time.perf_counter() - t0:.1f} s)")
    return 0


def add_fem_commands(problems, references: Mapping | None = None) -> None:
    """Register one ``pinnrwf generate`` sub-command per finite-element reference: ``references``
    ({name: :class:`~pinnrwf.datasets.fem.FEMReferenceMaker`}, e.g. the problems' own) and
    :data:`pinnrwf.datasets.fem.FEM_REFERENCES`."""
    from .fem import FEM_REFERENCES

    for name, maker in {**FEM_REFERENCES, **(references or {})}.items():
        p = problems.add_parser(name, help=maker.summary, description=maker.summary)
        p.add_argument("--out", required=True, help=f"output HDF5 file, e.g. data/{name.replace('-', '_')}.h5")
        p.add_argument("--h", type=float, default=None, help=maker.h_help)
        p.add_argument(
            "--h-boundary", "--h-cylinder", dest="h_boundary", type=float, default=None, help=maker.h_boundary_help
        )
        p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
        p.add_argument("--no-progress", action="store_true", help="do not print Newton's iterations")
        p.add_argument("--debug", action="store_true", help="show the traceback of an error")
        p.set_defaults(handler=run_fem_generate, fem_reference=maker.make, fem_name=name)


def run_fem_generate(args) -> int:
    """Handler of ``pinnrwf generate fem-...``: 0 on success, 2 on bad options, 1 on failures."""
    from pinnrwf._validation import output_file
    from pinnrwf.solvers.base import SolverError

    from .fem import write_reference

    t0 = time.perf_counter()
    try:
        out = output_file("--out", args.out, overwrite=args.overwrite)
        for option in ("h", "h_boundary"):
            value = getattr(args, option)
            if value is not None and not value > 0:
                raise ValueError(f"--{option.replace('_', '-')} must be > 0, got {value}")
        try:
            ref, resolution = args.fem_reference(args.h, args.h_boundary, not args.no_progress)
        except ImportError as err:
            return _fail(args, err, 2)
        write_reference(
            out,
            ref,
            problem=args.fem_name,
            resolution=resolution,
            generation_seconds=time.perf_counter() - t0,
            overwrite=args.overwrite,
        )
    except ValueError as err:
        return _fail(args, err, 2)
    except SolverError as err:
        return _fail(args, err, 1)
    except OSError as err:
        return _fail(args, f"cannot write {args.out}: {err.strerror or err}", 1)
    summary = ", ".join(f"{k} = {ref.report[k]:.6g}" for k in ("c_D", "c_L", "delta_p") if k in ref.report)
    print(
        f"wrote {out} ({ref.mesh.p.shape[1]} vertices, {time.perf_counter() - t0:.1f} s)"
        + (f": {summary}" if summary else "")
    )
    return 0


def _fail(args: argparse.Namespace, err, code: int) -> int:
    if args.debug:
        traceback.print_exc()
    message = " ".join(str(err).split())  # one line, whatever the exception's text
    print(f"pinnrwf generate {args.problem}: error: {message}", file=sys.stderr)
    return code


def _main(argv=None) -> int:  # the library's own entry point, by dataset name (no problems)
    parser = argparse.ArgumentParser(prog="pinnrwf")
    add_generate_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(_main())
