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

import jax

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark
from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import get
from pinnrwf.runner import jsonable, summarize, train_all

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
# Each table: the problem, and the config field its rows vary (the row names are the field's values).
TABLES = {"table12": ("advection", "strategy"), "table13": ("ldc", "architecture")}


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        choices=("paper", "quick", "smoke"),
        default="paper",
        help="paper: the paper's settings, 10 seeds (GPU); quick: the CPU preset (default: %(default)s)",
    )
    p.add_argument("--seeds", type=positive_int_arg, help="override the preset's ensemble size")
    p.add_argument("--steps", type=positive_int_arg, help="override the preset's steps")
    p.add_argument("--param", default="plain,aa,wn,rwf", help="parameterizations (default: %(default)s)")
    p.add_argument("--rows", help="comma list of rows to run (default: all of the table's rows)")
    p.add_argument("--precision", default="highest", choices=("default", "high", "highest"))
    add_out_argument(p)


def main_from_args(args) -> int:
    table = args.benchmark
    problem_name, row_field = TABLES[table]
    problem = get(problem_name)
    params = parse_parameterizations(args.param, rwf=problem.rwf)
    all_rows = list(PAPER[table])
    rows = all_rows if not args.rows else [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in rows if r not in all_rows]
    if unknown or not rows:
        raise ValueError(f"--rows must be a comma list of {', '.join(all_rows)}; got {args.rows!r}")
    out = check_out(args, table, args.preset)
    preset = problem.presets[args.preset]
    changes = {"precision": args.precision, "eval_every": None, "progress": False}
    if args.seeds:
        changes["seeds"] = args.seeds
    if args.steps:
        changes["steps"] = args.steps
        changes["chunk_steps"] = min(preset.train.chunk_steps, args.steps)
    train = dataclasses.replace(preset.train, **changes)
    cells, md_rows = [], []
    for row in rows:
        config = dataclasses.replace(preset.config, **{row_field: row})
        results = train_all(problem, config, train, params, optimizer=preset.optimizer)
        for name, r in results.items():
            s = summarize(r.final_metrics["rel_l2"])
            paper = PAPER[table][row].get(name)
            cells.append(
                {
                    "row": row,
                    "parameterization": name,
                    "seeds": train.seeds,
                    "steps": train.steps,
                    "rel_l2_per_seed": r.final_metrics["rel_l2"],
                    "rel_l2_mean": s["mean"],
                    "rel_l2_std": s["std"],
                    "paper_mean_percent": None if paper is None else paper[0],
                    "paper_std_percent": None if paper is None else paper[1],
                    "steps_per_second": r.steps_per_second,
                    "problem_config": jsonable(config),
                }
            )
            paper_txt = "—" if paper is None else f"{paper[0]:.2f} ± {paper[1]:.2f} %"
            md_rows.append(
                f"| {row} | {name} | {100 * s['mean']:.2f} ± {100 * s['std']:.2f} % | {paper_txt} | "
                f"{train.seeds} | {train.steps} | {r.steps_per_second:.1f} |"
            )
            print(md_rows[-1], flush=True)
    platform = jax.devices()[0].platform
    header = (
        f"# {table} ({args.preset} preset, {platform})\n\n"
        "| row | parameterization | ours: rel. L² (mean ± std) | paper | seeds | steps | steps/s |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    md = header + "\n".join(md_rows) + "\n"
    return publish_benchmark(
        f"{table}_{args.preset}_{platform}",
        {"table": table, "preset": args.preset, "optimizer": preset.optimizer.to_json(), "cells": cells},
        md,
        out,
    )
