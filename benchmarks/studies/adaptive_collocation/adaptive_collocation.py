"""What residual-based adaptive collocation (RAD) costs per training step, against uniform points.

Workload: the advection problem (``pinnrwf run advection``) at a CPU size, ``--width`` × ``--depth``
tanh MLP (Plain), ``--points`` residual points, Adam. The same objective is trained through
``pinnrwf.train.fit`` with uniform points every step (today's default), and with
``pde.RAD(every=N, pool=--pool)`` for each N of ``--every``, alternating (uniform, RAD N₁, RAD N₂,
uniform, …, ``--rounds`` rounds; the machine is shared and noisy).

A RAD step every N steps evaluates the residual on the pool of M candidates (forward only) and
draws n of them; its cost is spread over N steps, so each rate is taken over all timed chunks
(after the first, which compiles): ``--steps`` must be a multiple of every N, so that the timed
steps hold whole periods. The ratio is uniform rate / case rate per round (> 1: slower); its
median is reported.

    python -m pinnrwf.benchmarks.studies.adaptive_collocation.adaptive_collocation [--steps 1000] [--rounds 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time

import jax

from pinnrwf import pde
from pinnrwf._cli_types import int_list_arg, positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark, ratio_rounds_table
from pinnrwf.nn import Plain
from pinnrwf.problems import registry
from pinnrwf.train import Adam, TrainConfig, fit


def time_fit(problem, config, collocation, steps: int, chunk: int) -> float:
    """Steps/s over the chunks after the first (which compiles)."""
    stamps = []
    # evaluated once, at the end: the timed chunks are training only
    train = TrainConfig(
        steps=steps + chunk, chunk_steps=chunk, eval_every=steps + chunk, progress=False, collocation=collocation
    )
    fit(
        problem.init_model(config, Plain()),
        problem.objective(config, train),
        train,
        optimizer=Adam(decay_steps=None),
        on_chunk=lambda step, record: stamps.append(time.perf_counter()),
    )
    return steps / (stamps[-1] - stamps[0])


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--every", type=int_list_arg, default=[100, 1000], help="comma list of RAD periods N (default: 100,1000)"
    )
    p.add_argument(
        "--pool", type=positive_int_arg, default=100_000, help="RAD's candidate pool M (default: %(default)s)"
    )
    p.add_argument(
        "--points", type=positive_int_arg, default=512, help="residual points per step (default: %(default)s)"
    )
    p.add_argument("--width", type=positive_int_arg, default=64, help="hidden width (default: %(default)s)")
    p.add_argument("--depth", type=positive_int_arg, default=3, help="hidden layers (default: %(default)s)")
    p.add_argument(
        "--steps",
        type=positive_int_arg,
        default=1000,
        help="timed steps per case, a multiple of every N (default: %(default)s)",
    )
    p.add_argument(
        "--chunk", type=positive_int_arg, default=100, help="steps per compiled chunk (default: %(default)s)"
    )
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="rounds of all cases (default: %(default)s)")
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "adaptive-collocation", "default")
    if args.steps % args.chunk:
        raise ValueError(f"--steps must be a multiple of --chunk ({args.chunk}), got {args.steps}")
    bad = [n for n in args.every if args.steps % n]
    if bad:
        raise ValueError(
            f"--steps must be a multiple of every --every period (it holds whole periods), got "
            f"{args.steps} and {bad[0]}"
        )
    problem = registry()["advection"]
    config = dataclasses.replace(
        problem.presets["quick"].config,
        width=args.width,
        depth=args.depth,
        n_residual=args.points,
        eval_nx=32,
        eval_nt=11,
    )
    cases = {"uniform": None, **{f"rad-{n}": pde.RAD(every=n, pool=args.pool) for n in args.every}}
    rounds = []
    for r in range(args.rounds):
        rates = {name: time_fit(problem, config, c, args.steps, args.chunk) for name, c in cases.items()}
        rounds.append(
            {
                "round": r + 1,
                "steps_per_second": rates,
                "slowdown_vs_uniform": {k: rates["uniform"] / v for k, v in rates.items() if k != "uniform"},
            }
        )
        print(rounds[-1], flush=True)
    names = [k for k in cases if k != "uniform"]
    median = {k: statistics.median(x["slowdown_vs_uniform"][k] for x in rounds) for k in names}
    payload = {
        "workload": {
            "problem": "advection",
            "points": args.points,
            "pool": args.pool,
            "network": f"MLP {args.depth} hidden x {args.width} tanh (periodic embedding), Plain",
            "optimizer": "Adam",
            "steps": args.steps,
            "chunk": args.chunk,
        },
        "rounds": rounds,
        "median_slowdown_vs_uniform": median,
        "load_average_1min": os.getloadavg()[0],
    }
    platform = jax.devices()[0].platform
    lines = ratio_rounds_table(
        f"# RAD cost per step vs uniform points ({platform}, advection, {args.points} points, pool {args.pool})",
        rounds,
        "uniform",
        names,
        "slowdown_vs_uniform",
    )
    lines += [
        "",
        "Median step-time ratio to uniform (> 1: slower): "
        + ", ".join(f"{k} **×{median[k]:.3f}**" for k in names)
        + ".",
        f"1-minute load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores, shared).",
    ]
    md = "\n".join(lines) + "\n"
    return publish_benchmark(f"adaptive_collocation_{platform}", payload, md, out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_parser(p)
    return main_from_args(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
