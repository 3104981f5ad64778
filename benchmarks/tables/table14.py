"""Table 14 of the RWF paper: operator learning (DR, Darcy, Burgers) × parameterization × seeds.

    pinnrwf bench table14 [--preset paper|quick] [--problems dr,darcy,burgers-operator] [--param LIST]
                          [--seeds N] [--steps N]

Each problem trains every parameterization as a seed ensemble through ``pinnrwf.runner.train_all``
with the problem's own preset. Table 14 reports, per case, the mean ± standard deviation of the
relative L² error **over the test set**; a problem whose objective reports ``rel_l2`` (test-set
mean) and ``rel_l2_std`` (test-set std) per seed gets the same statistic pooled over all
(seed, test function) pairs, σ² = mean_seeds(std² + mean²) − mean², and the spread of ``rel_l2``
over seeds alongside. The JSON and Markdown put our numbers beside the paper's (rwf_paper App. L,
Table 14; WC is not in the paper). Problems that are not registered are skipped with a message.
"""

from __future__ import annotations

import argparse
import dataclasses
import math

import jax
import numpy as np

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark
from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import registry
from pinnrwf.runner import jsonable, summarize, train_all

# Published test-set means ± stds (percent), rwf_paper Table 14, by problem name.
PAPER = {
    "dr": {"plain": (1.09, 0.53), "aa": (0.95, 0.46), "wn": (0.97, 0.46), "rwf": (0.50, 0.26)},
    "darcy": {"plain": (2.03, 1.54), "aa": (2.06, 1.70), "wn": (2.05, 2.00), "rwf": (1.67, 1.70)},
    "burgers-operator": {"plain": (5.11, 3.79), "aa": (4.71, 3.39), "wn": (4.37, 2.63), "rwf": (2.46, 2.05)},
}
CASES = {"dr": "DR", "darcy": "Darcy", "burgers-operator": "Burgers"}
DEFAULT_PARAM = "plain,aa,wn,rwf,wc-row"


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        choices=("paper", "quick", "smoke"),
        default="paper",
        help="paper: the paper's settings, 10 seeds (GPU); quick: the CPU presets (default: %(default)s)",
    )
    p.add_argument(
        "--problems", default=",".join(PAPER), help="comma list of the Table 14 problems to run (default: %(default)s)"
    )
    p.add_argument("--param", default=DEFAULT_PARAM, help="parameterizations (default: %(default)s)")
    p.add_argument("--seeds", type=positive_int_arg, help="override the presets' ensemble size")
    p.add_argument("--steps", type=positive_int_arg, help="override the presets' steps")
    p.add_argument("--precision", default="highest", choices=("default", "high", "highest"))
    add_out_argument(p)


def pooled(means, stds) -> tuple[float, float]:
    """Mean and std over all (seed, test function) pairs from per-seed test-set means and stds
    (equal test sets per seed)."""
    means, stds = np.asarray(means, float), np.asarray(stds, float)
    mean = float(means.mean())
    return mean, math.sqrt(max(float(np.mean(stds**2 + means**2)) - mean**2, 0.0))


def cell(problem_name: str, name: str, result, train) -> dict:
    """One (problem, parameterization) cell of the table, as JSON."""
    metrics = result.final_metrics
    if "rel_l2" not in metrics:
        raise ValueError(f"problem {problem_name!r} does not report 'rel_l2' (it has {sorted(metrics)})")
    over_seeds = summarize(metrics["rel_l2"])
    test_set = pooled(metrics["rel_l2"], metrics["rel_l2_std"]) if "rel_l2_std" in metrics else None
    paper = PAPER[problem_name].get(name)
    return {
        "problem": problem_name,
        "parameterization": name,
        "seeds": train.seeds,
        "steps": train.steps,
        "rel_l2_per_seed": metrics["rel_l2"],
        "rel_l2_std_per_seed": metrics.get("rel_l2_std"),
        "test_set_mean": over_seeds["mean"],
        "test_set_std": None if test_set is None else test_set[1],
        "seed_mean_std": over_seeds["std"],
        "paper_mean_percent": None if paper is None else paper[0],
        "paper_std_percent": None if paper is None else paper[1],
        "steps_per_second": result.steps_per_second,
        "wall_seconds": result.wall_seconds,
    }


def _cell_text(c: dict) -> str:
    mean, seed_std = 100 * c["test_set_mean"], 100 * c["seed_mean_std"]
    if c["test_set_std"] is None:  # the problem reports only the test-set mean
        return f"{mean:.2f} ± {seed_std:.2f} % (over seeds)"
    text = f"{mean:.2f} ± {100 * c['test_set_std']:.2f} %"
    return text + (f" [seeds ± {seed_std:.2f}]" if c["seeds"] > 1 else "")


def markdown(cells: list[dict], params: list[str], preset: str, platform: str, skipped: dict[str, str]) -> str:
    lines = [
        f"# Table 14 ({preset} preset, {platform})",
        "",
        "Relative L² test error, mean ± std over the test functions (pooled over seeds); "
        "[seeds ± s]: std of the test-set mean over seeds. Paper: rwf_paper Table 14 (10 seeds, GPU).",
        "",
        "| case | " + " | ".join(params) + " |",
        "|---|" + "---|" * len(params),
    ]
    by_problem: dict[str, dict[str, dict]] = {}
    for c in cells:
        by_problem.setdefault(c["problem"], {})[c["parameterization"]] = c
    for problem_name, row in by_problem.items():
        first = next(iter(row.values()))
        seeds = f"{first['seeds']} seed" + ("s" if first["seeds"] > 1 else "")
        label = f"{CASES[problem_name]} (ours, {seeds} × {first['steps']} steps)"
        lines.append(f"| {label} | " + " | ".join(_cell_text(row[p]) if p in row else "—" for p in params) + " |")
        paper = PAPER[problem_name]
        lines.append(
            f"| {CASES[problem_name]} (paper) | "
            + " | ".join(f"{paper[p][0]:.2f} ± {paper[p][1]:.2f} %" if p in paper else "—" for p in params)
            + " |"
        )
    lines += [
        "",
        "Steps per second (seed ensemble in one program):",
        "",
        "| case | " + " | ".join(params) + " |",
        "|---|" + "---|" * len(params),
    ]
    for problem_name, row in by_problem.items():
        lines.append(
            f"| {CASES[problem_name]} | "
            + " | ".join(f"{row[p]['steps_per_second']:.1f}" if p in row else "—" for p in params)
            + " |"
        )
    for problem_name, why in skipped.items():
        lines.append(f"\nSkipped {problem_name}: {why}")
    return "\n".join(lines) + "\n"


def main_from_args(args) -> int:
    wanted = [p.strip() for p in args.problems.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PAPER]
    if unknown or not wanted:
        raise ValueError(f"--problems must be a comma list of {', '.join(PAPER)}; got {args.problems!r}")
    out = check_out(args, "table14", args.preset)
    names = list(parse_parameterizations(args.param))  # validate before any work
    known = registry()
    skipped = {p: "not a registered problem (no module in problems/ defines it yet)" for p in wanted if p not in known}
    for problem_name, why in skipped.items():
        print(f"table14: skipping {problem_name!r}: {why}", flush=True)
    cells = []
    for problem_name in (p for p in wanted if p in known):
        problem = known[problem_name]
        preset = problem.presets[args.preset]
        changes = {"precision": args.precision, "progress": False}
        if args.seeds:
            changes["seeds"] = args.seeds
        if args.steps:
            changes["steps"] = args.steps
            changes["chunk_steps"] = min(preset.train.chunk_steps, args.steps)
            changes["eval_every"] = None
        train = dataclasses.replace(preset.train, **changes)
        params = parse_parameterizations(args.param, rwf=problem.rwf)
        print(
            f"table14: {problem_name} ({args.preset} preset): {', '.join(params)} × {train.seeds} seed(s) × "
            f"{train.steps} steps",
            flush=True,
        )
        results = train_all(problem, preset.config, train, params, optimizer=preset.optimizer)
        for name, r in results.items():
            cells.append(
                {
                    **cell(problem_name, name, r, train),
                    "problem_config": jsonable(preset.config),
                    "optimizer": preset.optimizer.to_json(),
                }
            )
            print(f"  {problem_name} {name}: {_cell_text(cells[-1])}, {r.steps_per_second:.1f} steps/s", flush=True)
    platform = jax.devices()[0].platform
    md = markdown(cells, names, args.preset, platform, skipped)
    return publish_benchmark(
        f"table14_{args.preset}_{platform}",
        {"table": "table14", "preset": args.preset, "skipped": skipped, "cells": cells},
        md,
        out,
    )
