"""The ``pinnrwf`` command: ``run`` a problem, ``bench`` a paper table or the engine, ``generate`` data.

Every failure prints one line, ``pinnrwf: error: …``, and exits non-zero (2 for a usage error,
1 for a failure at run time); ``--debug`` shows the Python traceback instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import shlex
import sys
from pathlib import Path

from pinnrwf import __version__
from pinnrwf import _validation as check
from pinnrwf.datasets.cli import add_generate_command


# ------------------------------------------------------------------ argument types (one line each)
def _typed(convert, expected: str):
    def parse(text: str):
        try:
            return convert(text)
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None

    parse.__name__ = expected  # argparse names the type in some messages
    return parse


def _parse_int(text: str) -> int:
    value = int(text.replace("_", ""))
    return value


positive_int_arg = _typed(lambda t: check.positive_int("value", _parse_int(t)), "a positive integer")
seed_arg = _typed(lambda t: check.seed("value", _parse_int(t)), f"a seed, an integer in [0, {check.MAX_SEED}]")


def int_list_arg(text: str) -> list[int]:
    """A comma list of positive integers (``1,10``)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [check.positive_int("value", _parse_int(p)) for p in parts]
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"expected a comma list of positive integers, got {text!r}") from None
    return values


def add_debug_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--debug", action="store_true", help="show the Python traceback of a failure")


# ------------------------------------------------------------------------------------------ run
def add_run_arguments(p: argparse.ArgumentParser, problem) -> None:
    """Options shared by every ``pinnrwf run PROBLEM``, then the problem's own."""
    p.add_argument("--param", default=problem.default_parameterizations,
                   help="'all' or a comma list of plain, aa, wn, rwf, wc-row, wc-col, wc-both (default: %(default)s)")
    p.add_argument("--preset", default="quick", choices=tuple(problem.presets),
                   help="smoke: seconds; quick: minutes on a CPU; paper: the paper's settings (default: %(default)s)")
    p.add_argument("--seeds", type=positive_int_arg, help="ensemble size, trained in one compiled program "
                   "(overrides the preset)")
    p.add_argument("--seed", type=seed_arg, default=0, help="base seed; member i uses seed+i (default: %(default)s)")
    p.add_argument("--steps", type=positive_int_arg, help="training steps (overrides the preset)")
    p.add_argument("--chunk", type=positive_int_arg, help="steps per compiled lax.scan chunk (overrides the preset)")
    p.add_argument("--precision", choices=("default", "high", "highest"), default="highest",
                   help="matmul precision (default: %(default)s = full float32)")
    p.add_argument("--out", type=Path, help=f"output directory (default: runs/{problem.name})")
    p.add_argument("--checkpoint-every", type=positive_int_arg, metavar="N",
                   help="save an atomic checkpoint every N steps under OUT/checkpoints and resume from it if present "
                   "(N a multiple of the chunk)")
    p.add_argument("--grad-norm-every", type=positive_int_arg, metavar="N",
                   help="balance the loss terms by gradient norms, updated every N steps (GradNormWeighting)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--distributed", action="store_true",
                   help="call jax.distributed.initialize() first (multi-host runs)")
    add_debug_argument(p)
    if problem.studies:
        p.add_argument("--study", choices=("compare", *problem.studies), default="compare",
                       help="compare: the --param list; otherwise a named set of parameterizations "
                       "that replaces --param (default: %(default)s)")
    quick = problem.presets["quick"].config
    for option in problem.options:
        dest = f"option_{option.field}"
        if option.is_switch:
            p.add_argument(option.option_string, dest=dest, action="store_const", const=option.const,
                           help=option.help)
            continue
        value = getattr(quick, option.field)
        kind = option.type or type(value)
        kwargs = {"nargs": "+", "type": type(value[0])} if isinstance(value, tuple) and option.type is None else {
            "type": kind}
        p.add_argument(option.option_string, dest=dest, choices=option.choices, help=option.help, **kwargs)


def train_config_from_args(args: argparse.Namespace, preset, out: Path):
    """Apply the command-line overrides to a preset's ``TrainConfig``."""
    changes = {"seed": args.seed, "precision": args.precision, "progress": not args.no_progress}
    if args.seeds is not None:
        changes["seeds"] = args.seeds
    if args.steps is not None:
        changes["steps"] = args.steps
    steps = changes.get("steps", preset.steps)
    chunk = args.chunk if args.chunk is not None else preset.chunk_steps
    changes["chunk_steps"] = min(chunk, steps)
    if preset.eval_every is not None and (args.chunk is not None or args.steps is not None):
        changes["eval_every"] = None if preset.eval_every % changes["chunk_steps"] else preset.eval_every
    if args.grad_norm_every is not None:
        from pinnrwf.train import GradNormWeighting

        changes["loss_weighting"] = GradNormWeighting(update_every=args.grad_norm_every)
    if args.checkpoint_every is not None:
        if args.checkpoint_every % changes["chunk_steps"]:
            raise ValueError(f"--checkpoint-every must be a multiple of the chunk ({changes['chunk_steps']} steps; "
                             f"set --chunk), got {args.checkpoint_every}")
        changes["checkpoint_every"] = args.checkpoint_every
        changes["checkpoint_dir"] = out / "checkpoints"
    return dataclasses.replace(preset, **changes)


def problem_config_from_args(problem, args: argparse.Namespace, preset_config):
    changes = {}
    for option in problem.options:
        value = getattr(args, f"option_{option.field}")
        if value is not None:
            changes[option.field] = tuple(value) if isinstance(value, list) else value
    return dataclasses.replace(preset_config, **changes)


def run_problem(problem, args: argparse.Namespace) -> int:
    from pinnrwf import runner
    from pinnrwf.nn import parse_parameterizations

    preset = problem.presets[args.preset]
    study = getattr(args, "study", "compare")
    if study != "compare":
        if args.param != problem.default_parameterizations:
            raise ValueError(f"--param does not apply to --study {study} (the study sets the parameterizations)")
        parameterizations = problem.studies[study]()
    else:
        parameterizations = parse_parameterizations(args.param, rwf=problem.rwf)
    out = check.output_directory("--out", args.out or Path("runs") / problem.name)  # before any work
    config = problem_config_from_args(problem, args, preset.config)
    train = train_config_from_args(args, preset.train, out)
    runner.run(problem, out_dir=out, preset=args.preset, config=config, train=train, optimizer=preset.optimizer,
               parameterizations=parameterizations, command=shlex.join(["pinnrwf", *args.argv]))
    return 0


# ---------------------------------------------------------------------------------------- bench
def _bench_parser(sub) -> None:
    from pinnrwf.benchmarks import BENCHMARKS

    p = sub.add_parser("bench", help="run a benchmark (paper tables, engine speed); writes JSON + Markdown")
    bsub = p.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    for name, (module_name, help_text) in BENCHMARKS.items():
        bp = bsub.add_parser(name, help=help_text)
        module = importlib.import_module(module_name)
        bp.set_defaults(handler=module.main_from_args)
        module.configure_parser(bp)
        add_debug_argument(bp)


def build_parser() -> argparse.ArgumentParser:
    from pinnrwf.problems import registry

    parser = argparse.ArgumentParser(
        prog="pinnrwf",
        description="PINNs and DeepONets in JAX with pluggable weight parameterizations "
        "(random weight factorization, weight normalization, adaptive activations, weight conditioning).",
    )
    parser.add_argument("--version", action="version", version=f"pinnrwf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="train a problem with one or more parameterizations and compare them")
    rsub = run.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for name, problem in registry().items():
        rp = rsub.add_parser(name, help=problem.description, description=problem.description)
        add_run_arguments(rp, problem)
        rp.set_defaults(handler=functools.partial(run_problem, problem))
    _bench_parser(sub)
    add_generate_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors: one line and exit 2 (argparse)
    args.argv = argv
    debug = getattr(args, "debug", False)
    try:
        if getattr(args, "distributed", False):
            import jax

            jax.distributed.initialize()
        return int(args.handler(args) or 0)
    except (ValueError, FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError) as e:
        if debug:
            raise
        parser.exit(2, f"pinnrwf: error: {_one_line(e)}\n")
    except KeyboardInterrupt:
        parser.exit(130, "pinnrwf: interrupted\n")
    except Exception as e:  # noqa: BLE001 - the command line reports every failure in one line
        if debug:
            raise
        parser.exit(1, f"pinnrwf: error: {type(e).__name__}: {_one_line(e)} (run with --debug for the traceback)\n")


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


if __name__ == "__main__":
    sys.exit(main())
