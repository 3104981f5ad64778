"""The ``pinnrwf`` command: ``run`` a problem, ``bench`` a paper table or the engine, ``generate`` data."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
from pathlib import Path

from pinnrwf import __version__
from pinnrwf.datasets.cli import add_generate_command


def add_run_arguments(p: argparse.ArgumentParser, *, default_param: str = "all") -> None:
    """Options shared by every ``pinnrwf run PROBLEM``."""
    p.add_argument("--param", default=default_param,
                   help="'all' or a comma list of plain, aa, wn, rwf, wc-row, wc-col, wc-both (default: %(default)s)")
    p.add_argument("--preset", default="quick", choices=("quick", "paper"),
                   help="quick: minutes on a CPU; paper: the paper's steps and 10 seeds (default: %(default)s)")
    p.add_argument("--seeds", type=int, help="ensemble size, trained in one compiled program (overrides the preset)")
    p.add_argument("--seed", type=int, default=0, help="base seed; member i uses seed+i (default: %(default)s)")
    p.add_argument("--steps", type=int, help="training steps (overrides the preset)")
    p.add_argument("--chunk", type=int, help="steps per compiled lax.scan chunk (overrides the preset)")
    p.add_argument("--precision", choices=("default", "high", "highest"), default="highest",
                   help="matmul precision (default: %(default)s = full float32)")
    p.add_argument("--out", type=Path, help="output directory (default: runs/PROBLEM)")
    p.add_argument("--checkpoint-every", type=int,
                   help="save an atomic checkpoint every N steps under OUT/checkpoints and resume from it if present")
    p.add_argument("--grad-norm-every", type=int, metavar="N",
                   help="balance the loss terms by gradient norms, updated every N steps (GradNormWeighting)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--distributed", action="store_true",
                   help="call jax.distributed.initialize() first (multi-host runs)")


def train_config_from_args(args: argparse.Namespace, preset):
    """Apply the command-line overrides to a preset ``TrainConfig``."""
    out = args.out
    changes = {"seed": args.seed, "precision": args.precision, "progress": not args.no_progress}
    if args.seeds is not None:
        changes["seeds"] = args.seeds
    if args.steps is not None:
        changes["steps"] = args.steps
    chunk = args.chunk if args.chunk is not None else preset.chunk_steps
    steps = changes.get("steps", preset.steps)
    changes["chunk_steps"] = min(chunk, steps)
    if args.grad_norm_every is not None:
        from pinnrwf.train import GradNormWeighting

        changes["loss_weighting"] = GradNormWeighting(update_every=args.grad_norm_every)
    if args.checkpoint_every is not None:
        changes["checkpoint_every"] = args.checkpoint_every
        changes["checkpoint_dir"] = Path(out) / "checkpoints"
    return dataclasses.replace(preset, **changes)


def _bench_parser(sub) -> None:
    from pinnrwf.benchmarks import BENCHMARKS

    p = sub.add_parser("bench", help="run a benchmark (paper tables, engine speed); writes benchmarks/results/")
    bsub = p.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    for name, (module_name, help_text) in BENCHMARKS.items():
        bp = bsub.add_parser(name, help=help_text)
        bp.set_defaults(handler=_lazy_handler(module_name, "main_from_args"), module=module_name)
        importlib.import_module(module_name).configure_parser(bp)


def _lazy_handler(module_name: str, attr: str):
    def handler(args):
        return getattr(importlib.import_module(module_name), attr)(args)

    return handler


def build_parser() -> argparse.ArgumentParser:
    from pinnrwf.problems import RUNNABLE

    parser = argparse.ArgumentParser(
        prog="pinnrwf",
        description="PINNs and DeepONets in JAX with pluggable weight parameterizations "
        "(random weight factorization, weight normalization, adaptive activations, weight conditioning).",
    )
    parser.add_argument("--version", action="version", version=f"pinnrwf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="train a problem with one or more parameterizations and compare them")
    rsub = run.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for name, module_name in RUNNABLE.items():
        module = importlib.import_module(module_name)
        rp = rsub.add_parser(name, help=module.__doc__.strip().splitlines()[0])
        add_run_arguments(rp, default_param=getattr(module, "DEFAULT_PARAM", "all"))
        module.configure_parser(rp)
        rp.set_defaults(handler=module.run)
    _bench_parser(sub)
    add_generate_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "distributed", False):
        import jax

        jax.distributed.initialize()
    try:
        return int(args.handler(args) or 0)
    except ValueError as e:
        parser.exit(2, f"pinnrwf: error: {e}\n")


if __name__ == "__main__":
    sys.exit(main())
