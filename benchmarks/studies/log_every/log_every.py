"""What recording every N-th step (``TrainConfig.log_every``, ``--log-every N``) costs.

Workload: the 1D regression of rwf_paper §3 (MLP 3 × 128 ReLU, 256 points, full batch, Adam),
2 seeds, chunks of 100 steps: a step of well under a millisecond, so host work per chunk weighs
as much as it ever will. Each case is timed through ``pinnrwf.train.fit`` right after the default
(A B A B …, ``--rounds`` rounds; the machine is shared and noisy), and its cost is
1 − rate(case) / rate(default) of that pair. The rate is that of the fastest chunk of the run
(the time between two ``on_chunk`` calls: the compiled chunk, its transfer, and the host's
recording and logging of it), the least disturbed by other jobs on a shared machine; the
compiled program is the same for every case, so it is compiled once. Cases: ``log_every`` = 1,
10, 100, and 1 with a CSV logger.

Because the machine's noise is larger than the effect, the host's own work is also timed alone,
without training: recording one chunk of the workload's shape into the history
(``pinnrwf.train._fit.record_chunk``) and, for the logger case, turning each recorded row into
named scalars and writing them as CSV (best of 20 repetitions, microseconds per chunk).

    pinnrwf bench log-every [--steps 2000] [--rounds 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import jax

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark
from pinnrwf.loggers import CSVLogger, scalars_of
from pinnrwf.nn import RWF
from pinnrwf.problems.regression1d import Regression1D, Regression1DConfig
from pinnrwf.train import Adam, TrainConfig, fit
from pinnrwf.train._fit import record_chunk

CASES = {"N=1": (1, False), "N=10": (10, False), "N=100": (100, False), "N=1 + CSV logger": (1, True)}


def rate(steps: int, chunk: int, log_every: int | None, csv: bool) -> float:
    problem, config = Regression1D(), Regression1DConfig()
    train = TrainConfig(steps=steps, seeds=2, chunk_steps=chunk, progress=False, log_every=log_every)
    with tempfile.TemporaryDirectory() as folder:
        loggers = [CSVLogger(folder)] if csv else []
        stamps = []
        fit(
            problem.init_model(config, RWF()),
            problem.objective(config, train),
            train,
            optimizer=Adam(decay_steps=5000),
            monitor=problem.monitor,
            loggers=loggers,
            on_chunk=lambda step, record: stamps.append(time.perf_counter()),
        )
    return chunk / min(b - a for a, b in zip(stamps, stamps[1:]))


def host_seconds(chunk: int, log_every: int | None, csv: bool, seeds: int = 2) -> float:
    """Seconds the host spends recording one chunk (and logging it as CSV), best of 20."""
    import numpy as np

    rng = np.random.default_rng(0)
    totals, terms = rng.random((chunk, seeds)), {"mse": rng.random((chunk, seeds))}
    best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        logger = CSVLogger(folder)
        logger.start("run", {})
        for _ in range(20):
            history = {"step": [], "loss": [], "terms": {}, "diagnostics": {}}
            t0 = time.perf_counter()
            rows = record_chunk(history, "adam", 0, chunk, log_every, totals, terms, {})
            if csv:
                for row in rows:
                    logger.scalars(row["step"], scalars_of({**row, "learning_rate": 1e-3}, list(range(seeds))))
            best = min(best, time.perf_counter() - t0)
        logger.end()
    return best


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", type=positive_int_arg, default=2000, help="steps per run (default: %(default)s)")
    p.add_argument(
        "--chunk", type=positive_int_arg, default=100, help="steps per compiled chunk (default: %(default)s)"
    )
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="A B rounds (default: %(default)s)")
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "log-every", "default")
    rate(2 * args.chunk, args.chunk, None, False)  # compile once, outside the timings
    rounds = []
    for r in range(args.rounds):
        row = {"round": r + 1}
        for name, (every, csv) in CASES.items():
            base = rate(args.steps, args.chunk, None, False)
            case = rate(args.steps, args.chunk, every, csv)
            row[name] = {"default_steps_per_second": base, "steps_per_second": case, "cost_fraction": 1 - case / base}
        rounds.append(row)
        print(row, flush=True)
    median = {name: statistics.median(x[name]["cost_fraction"] for x in rounds) for name in CASES}
    host = {
        "default": host_seconds(args.chunk, None, False),
        **{name: host_seconds(args.chunk, every, csv) for name, (every, csv) in CASES.items()},
    }
    chunk_seconds = args.chunk / statistics.median(x[n]["default_steps_per_second"] for x in rounds for n in CASES)
    payload = {
        "workload": {
            "problem": "regression1d (quick config: 256 points, MLP 3 x 128 ReLU)",
            "parameterization": "rwf",
            "seeds": 2,
            "steps": args.steps,
            "chunk_steps": args.chunk,
            "optimizer": "Adam",
        },
        "rounds": rounds,
        "median_cost_fraction": median,
        "host_seconds_per_chunk": host,
        "default_chunk_seconds_median": chunk_seconds,
        "load_average_1min": os.getloadavg()[0],
    }
    platform = jax.devices()[0].platform
    lines = [
        f"# Cost of --log-every N, 1D regression workload ({platform}, {args.steps} steps, chunks of "
        f"{args.chunk}, 2 seeds)",
        "",
        "| round | " + " | ".join(CASES) + " |",
        "|---|" + "---|" * len(CASES),
    ]
    for x in rounds:
        lines.append(
            f"| {x['round']} | "
            + " | ".join(
                f"{x[n]['steps_per_second']:.0f} vs {x[n]['default_steps_per_second']:.0f} steps/s "
                f"({100 * x[n]['cost_fraction']:+.1f} %)"
                for n in CASES
            )
            + " |"
        )
    lines += [
        "",
        "Median cost (1 − rate / rate of the default run just before it): "
        + ", ".join(f"{n}: **{100 * median[n]:+.1f} %**" for n in CASES)
        + f". 1-minute load average at the end: "
        f"{os.getloadavg()[0]:.1f} ({os.cpu_count()} cores; on a shared, noisy machine differences of a few % are "
        "noise).",
    ]
    lines += [
        "",
        f"Host work alone per chunk of {args.chunk} steps (recording, and CSV where named), against the "
        f"default's median chunk time of {1e3 * chunk_seconds:.0f} ms:",
        "",
        "| case | host µs per chunk | share of the chunk |",
        "|---|---|---|",
    ]
    lines += [f"| {n} | {1e6 * t:.0f} | {100 * t / chunk_seconds:.2f} % |" for n, t in host.items()]
    md = "\n".join(lines) + "\n"
    return publish_benchmark(f"log_every_{platform}", payload, md, out)
