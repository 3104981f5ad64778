"""Cost of a parameterization: steps/s of each problem's training step, parameterizations back to back.

    pinnrwf bench param-speed [--problems dr,darcy,burgers-operator] [--preset paper|quick|smoke]
                              [--param plain,rwf] [--rounds 3] [--steps 300] [--chunk 100] [--seeds 1]

For every problem, the parameterizations are timed in alternation (A B A B …, ``--rounds``
rounds) through the real engine (``pinnrwf.runner.train_all``: the compiled ``lax.scan`` chunks,
the problem's preset network and batch); the first chunk of every run holds the compilation and
is not timed. The machine is shared and noisy, so the result is the median over rounds of each
round's ratio to the first parameterization (Plain), beside the medians of the rates. The paper's
claim (rwf_paper Table 7) is that RWF costs almost nothing over Plain.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import time

import jax
import numpy as np

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark
from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import registry
from pinnrwf.runner import train_all


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--problems",
        default="dr,darcy,burgers-operator",
        help="comma list of registered problems (default: %(default)s)",
    )
    p.add_argument(
        "--preset",
        choices=("paper", "quick", "smoke"),
        default="paper",
        help="whose network and batch are timed (default: %(default)s)",
    )
    p.add_argument(
        "--param", default="plain,rwf", help="parameterizations; ratios are to the first (default: %(default)s)"
    )
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="alternating rounds (default: %(default)s)")
    p.add_argument("--steps", type=positive_int_arg, default=300, help="steps per run (default: %(default)s)")
    p.add_argument(
        "--chunk",
        type=positive_int_arg,
        default=100,
        help="steps per compiled chunk; the first chunk is not timed (default: %(default)s)",
    )
    p.add_argument("--seeds", type=positive_int_arg, default=1, help="ensemble size (default: %(default)s)")
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="what times the engine's chunks: wall seconds, or this process's CPU seconds (with one "
        "compute thread, the work done, less disturbed by other processes on a loaded machine) "
        "(default: %(default)s)",
    )
    add_out_argument(p)


def main_from_args(args) -> int:
    known = registry()
    names = [n.strip() for n in args.problems.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(
            f"--problems must be a comma list of registered problems ({', '.join(sorted(known))}); "
            f"got {args.problems!r}"
        )
    if args.steps < 2 * args.chunk:
        raise ValueError(
            f"--steps ({args.steps}) must be at least 2 x --chunk ({args.chunk}): the first chunk "
            "is compilation and is not timed"
        )
    params = list(parse_parameterizations(args.param))
    out = check_out(args, "param-speed", args.preset)
    for name in names:  # every problem's data is there before any timing starts
        preset = known[name].presets[args.preset]
        known[name].objective(preset.config, preset.train)
    rows = {}
    for name in names:
        problem = known[name]
        preset = problem.presets[args.preset]
        train = dataclasses.replace(
            preset.train,
            steps=args.steps,
            chunk_steps=args.chunk,
            seeds=args.seeds,
            eval_every=None,
            progress=False,
            checkpoint_dir=None,
        )
        parameterizations = parse_parameterizations(args.param, rwf=problem.rwf)
        rates = {p: [] for p in params}
        loads = []  # 1-minute load average before each round (the machine may be shared)
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for p in params:
                with _clock(args.clock):
                    result = train_all(
                        problem,
                        preset.config,
                        train,
                        {p: parameterizations[p]},
                        optimizer=preset.optimizer,
                        log=lambda s: None,
                    )[p]
                rates[p].append(result.steps_per_second)
                print(
                    f"param-speed: {name} round {r + 1} {p}: {result.steps_per_second:.2f} steps/s "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        ratios = {p: [a / b for a, b in zip(rates[p], rates[params[0]])] for p in params[1:]}
        rows[name] = {
            "rates": rates,
            "load1_per_round": loads,
            "median_rate": {p: float(np.median(v)) for p, v in rates.items()},
            "ratios_to_first": ratios,
            "median_ratio": {p: float(np.median(v)) for p, v in ratios.items()},
        }
        _write(args, params, rows, out)  # after every problem, so a stopped run keeps what it measured
    return 0


@contextlib.contextmanager
def _clock(kind: str):
    """With ``kind == "cpu"``, the engine's chunk timer (``pinnrwf.train._fit``'s ``time.perf_counter``)
    reads this process's CPU seconds instead, so its steps/s are steps per CPU second."""
    if kind == "wall":
        yield
        return
    from pinnrwf.train import _fit

    class _CpuTime:
        perf_counter = staticmethod(time.process_time)

        def __getattr__(self, name):
            return getattr(time, name)

    saved, _fit.time = _fit.time, _CpuTime()
    try:
        yield
    finally:
        _fit.time = saved


def _write(args, params: list[str], rows: dict, out) -> None:
    platform = jax.devices()[0].platform
    lines = [
        f"# Steps per second by parameterization ({args.preset} preset networks, {platform})",
        "",
        f"{args.rounds} alternating rounds of {args.steps} steps ({args.seeds} seed(s), first chunk of "
        f"{args.chunk} steps untimed; {'process CPU seconds' if args.clock == 'cpu' else 'wall seconds'}). "
        f"Ratio: median over rounds of each round's rate / {params[0]}'s.",
        "",
        "| problem | "
        + " | ".join(f"{p} (steps/s)" for p in params)
        + " | "
        + " | ".join(f"{p} / {params[0]}" for p in params[1:])
        + " | per-round ratios | load per round |",
        "|---|" + "---|" * (2 * len(params) + 1),
    ]
    for name, row in rows.items():
        per_round = "; ".join(", ".join(f"{x:.3f}" for x in row["ratios_to_first"][p]) for p in params[1:])
        loads = ", ".join(f"{x:.1f}" for x in row.get("load1_per_round", []))
        lines.append(
            f"| {name} | "
            + " | ".join(f"{row['median_rate'][p]:.2f}" for p in params)
            + " | "
            + " | ".join(f"{row['median_ratio'][p]:.3f}" for p in params[1:])
            + f" | {per_round} | {loads} |"
        )
    md = "\n".join(lines) + "\n"
    return publish_benchmark(
        f"param_speed_{args.preset}_{platform}",
        {
            "preset": args.preset,
            "params": params,
            "clock": args.clock,
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "rounds": args.rounds,
            "steps": args.steps,
            "chunk": args.chunk,
            "seeds": args.seeds,
            "problems": rows,
        },
        md,
        out,
    )
