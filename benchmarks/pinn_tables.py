"""Tables 12 and 13 of the RWF paper: every parameterization × strategy (or architecture) × seed.

    pinnrwf bench table12 [--preset paper|quick] [--seeds N] [--steps N] [--param LIST]
    pinnrwf bench table13 [--preset paper|quick] [--seeds N] [--steps N] [--param LIST]

Each (row, parameterization) cell trains a seed ensemble in one compiled program through the
same engine as ``pinnrwf run``; the JSON and Markdown results put our mean ± std of the relative
L² error beside the paper's published numbers (rwf_paper App. K, Tables 12–13).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import jax

from pinnrwf.benchmarks._common import RESULTS_DIR, write_benchmark
from pinnrwf.experiment import compare, summarize
from pinnrwf.nn import RWF, parse_parameterizations

# Published means ± stds (percent), rwf_paper Tables 12 and 13.
PAPER = {
    "table12": {
        "regular": {"plain": (25.94, 8.18), "aa": (36.27, 16.12), "wn": (67.40, 1.72), "rwf": (3.10, 0.63)},
        "curriculum": {"plain": (47.13, 20.40), "aa": (23.79, 25.86), "wn": (24.10, 18.85), "rwf": (2.75, 1.74)},
        "causal": {"plain": (5.92, 2.85), "aa": (10.22, 13.50), "wn": (37.38, 15.94), "rwf": (2.08, 0.29)},
    },
    "table13": {
        "mlp": {"plain": (11.93, 4.59), "aa": (10.95, 2.76), "wn": (14.62, 4.04), "rwf": (6.79, 1.25)},
        "modified": {"plain": (3.66, 0.51), "aa": (3.97, 0.42), "wn": (3.80, 3.97), "rwf": (2.61, 1.92)},
    },
}


def _rows(table: str, preset: str):
    """(row name, build, train config) for every row of the table."""
    if table == "table12":
        from pinnrwf.problems import advection as problem

        base, train = problem.PRESETS[preset]
        for strategy in problem.STRATEGIES:
            cfg = dataclasses.replace(base, strategy=strategy)
            yield strategy, cfg, problem, train
    else:
        from pinnrwf.problems import ldc as problem

        base, train = problem.PRESETS[preset]
        for arch in problem.ARCHITECTURES:
            yield arch, dataclasses.replace(base, architecture=arch), problem, train


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", choices=("paper", "quick"), default="paper",
                   help="paper: the paper's settings, 10 seeds (GPU); quick: the CPU preset (default: %(default)s)")
    p.add_argument("--seeds", type=int, help="override the preset's ensemble size")
    p.add_argument("--steps", type=int, help="override the preset's steps")
    p.add_argument("--param", default="plain,aa,wn,rwf", help="parameterizations (default: %(default)s)")
    p.add_argument("--rows", help="comma list of rows to run (default: all)")
    p.add_argument("--precision", default="highest", choices=("default", "high", "highest"))
    p.add_argument("--out", type=Path, default=RESULTS_DIR)


def main_from_args(args) -> int:
    table = args.benchmark
    rwf = RWF(mean=1.0, std=0.1) if table == "table12" else RWF(mean=0.5, std=0.1)
    params = parse_parameterizations(args.param, rwf=rwf)
    wanted = None if not args.rows else {r.strip() for r in args.rows.split(",")}
    cells, md_rows = [], []
    for row, cfg, problem, train in _rows(table, args.preset):
        if wanted is not None and row not in wanted:
            continue
        changes = {"precision": args.precision, "eval_every": None}
        if args.seeds:
            changes["seeds"] = args.seeds
        if args.steps:
            changes["steps"] = args.steps
            changes["chunk_steps"] = min(train.chunk_steps, args.steps)
        train = dataclasses.replace(train, **changes)
        if table == "table12":
            cfg = dataclasses.replace(cfg, curriculum_steps=max(1, train.steps // 2))
        results = compare(problem.builder(cfg), params, train)
        for name, r in results.items():
            s = summarize(r.final_metrics["rel_l2"])
            paper = PAPER[table][row].get(name)
            cells.append({
                "row": row, "parameterization": name, "seeds": train.seeds, "steps": train.steps,
                "rel_l2_per_seed": r.final_metrics["rel_l2"], "rel_l2_mean": s["mean"], "rel_l2_std": s["std"],
                "paper_mean_percent": None if paper is None else paper[0],
                "paper_std_percent": None if paper is None else paper[1],
                "steps_per_second": r.steps_per_second, "problem_config": dataclasses.asdict(cfg),
            })
            paper_txt = "—" if paper is None else f"{paper[0]:.2f} ± {paper[1]:.2f} %"
            md_rows.append(f"| {row} | {name} | {100 * s['mean']:.2f} ± {100 * s['std']:.2f} % | {paper_txt} | "
                           f"{train.seeds} | {train.steps} | {r.steps_per_second:.1f} |")
            print(md_rows[-1], flush=True)
    platform = jax.devices()[0].platform
    header = (f"# {table} ({args.preset} preset, {platform})\n\n"
              "| row | parameterization | ours: rel. L² (mean ± std) | paper | seeds | steps | steps/s |\n"
              "|---|---|---|---|---|---|---|\n")
    md = header + "\n".join(md_rows) + "\n"
    paths = write_benchmark(f"{table}_{args.preset}_{platform}", {"table": table, "preset": args.preset, "cells": cells}, md, args.out)
    print(md)
    print("wrote", *paths)
    return 0
