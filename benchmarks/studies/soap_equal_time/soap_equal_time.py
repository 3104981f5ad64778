"""SOAP against Adam at equal CPU time on Allen–Cahn: the script behind README.md here.

For each optimizer (``adam``, ``soap``: :class:`pinnrwf.train.Adam` / :class:`pinnrwf.train.Soap` with the
preset's learning-rate schedule, as ``pinnrwf run allen-cahn --optimizer soap`` builds them) one process
trains the preset's ensemble of 2 seeds until it has used ``--budget`` CPU seconds; the relative L² error is
read at each evaluation, so the report gives the error at equal CPU time and the error against CPU time.

The clock is the process's CPU time (user + sys) from the call of ``fit``, compilation included, the
evaluations of the error on the reference grid excluded (they are timed apart; the reference solution is
solved before the clock starts), with XLA single-threaded, so a CPU second is a second of one core whatever
else the machine runs.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        python benchmarks/studies/soap_equal_time/soap_equal_time.py run adam --budget 480 --out runs/ac.jsonl
    ... soap_equal_time.py run soap --budget 480 --out runs/ac.jsonl
    python benchmarks/studies/soap_equal_time/soap_equal_time.py report runs/ac.jsonl --dir DIR  # table.md, results.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository
# the committed results: benchmarks/results/soap-vs-adam/<device>/quick (written by ``report``)
BENCHMARK, PRESET = "soap-vs-adam", "quick"
OPTIMIZERS = ("adam", "soap")


class OutOfBudget(Exception):
    pass


def run(args) -> dict:
    import dataclasses
    import importlib

    import equinox as eqx
    import jax

    from pinnrwf import pde
    from pinnrwf.nn import parse_parameterizations
    from pinnrwf.problems import get
    from pinnrwf.train import Adam, Soap, fit

    if args.out is not None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    problem = get("allen-cahn")
    preset = problem.presets[args.preset]
    config = preset.config
    train = dataclasses.replace(
        preset.train, steps=args.max_steps, chunk_steps=args.chunk, eval_every=args.eval_every, progress=False
    )
    optimizer = {"adam": Adam, "soap": Soap}[args.optimizer].with_schedule_of(preset.optimizer)  # as --optimizer
    parameterization = parse_parameterizations(args.param, rwf=problem.rwf)[args.param]
    objective = problem.objective(config, train)  # solves the reference: before the clock starts
    if args.eval_stride > 1:  # the error on every n-th point of the reference grid: cheaper evaluations
        ref = objective.reference
        subset = pde.Reference(ref.points[:: args.eval_stride], ref.values[:: args.eval_stride], ref.fields)
        objective = eqx.tree_at(lambda o: o.reference, objective, subset)
    records = []
    evaluation = [0.0]  # CPU seconds spent in evaluations (the error on the reference grid)
    engine_module = importlib.import_module("pinnrwf.train._fit")
    metrics = engine_module._metrics

    def timed_metrics(*a):
        t = time.process_time()
        out = jax.block_until_ready(metrics(*a))
        evaluation[0] += time.process_time() - t
        return out

    engine_module._metrics = timed_metrics  # the host loop looks it up at each evaluation
    cpu0, wall0 = time.process_time(), time.perf_counter()

    def on_chunk(step, record):
        total, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        cpu = total - evaluation[0]
        records.append(
            {
                "step": step,
                "cpu": cpu,
                "cpu_with_evaluation": total,
                "wall": wall,
                "loss": record["loss"],
                "metrics": record.get("metrics"),
            }
        )
        if args.out is not None:  # each chunk as it comes: a run stopped early still leaves its curve
            with open(Path(args.out).with_suffix(".progress.jsonl"), "a") as f:
                f.write(json.dumps({"optimizer": args.optimizer, **records[-1]}) + "\n")
        if cpu >= args.budget:
            raise OutOfBudget

    try:
        fit(problem.init_model(config, parameterization), objective, train, optimizer=optimizer, on_chunk=on_chunk)
    except OutOfBudget:
        pass
    finally:
        engine_module._metrics = metrics
    cpu, wall = time.process_time() - cpu0 - evaluation[0], time.perf_counter() - wall0
    evaluated = [r for r in records if r["metrics"] is not None]
    final = evaluated[-1]
    out = {
        "optimizer": args.optimizer,
        "optimizer_config": dataclasses.asdict(optimizer),
        "preset": args.preset,
        "param": args.param,
        "seeds": train.seeds,
        "loss_weighting": repr(train.loss_weighting),
        "budget_cpu_seconds": args.budget,
        "cpu_seconds_used": cpu,
        "evaluation_cpu_seconds": evaluation[0],
        "wall_seconds": wall,
        "final_step": final["step"],
        "final_cpu": final["cpu"],
        "final_rel_l2": final["metrics"]["rel_l2"],
        "records": records,
        "command": " ".join(["python", "benchmarks/studies/soap_equal_time/soap_equal_time.py", *sys.argv[1:]]),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "eval_stride": args.eval_stride,
    }
    if args.out is not None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "a") as f:
            f.write(json.dumps(out) + "\n")
    print(
        f"{args.optimizer}: rel_l2 {final['metrics']['rel_l2']} at step {final['step']}, "
        f"cpu {final['cpu']:.0f} s (used {cpu:.0f} s), wall {wall:.0f} s"
    )
    return out


def error_at(run: dict, cpu: float) -> tuple[int, float, list[float]] | None:
    """(step, CPU s, errors per seed) of the last evaluation of ``run`` within ``cpu`` seconds."""
    ev = [r for r in run["records"] if r["metrics"] is not None and r["cpu"] <= cpu + 1e-9]
    return (ev[-1]["step"], ev[-1]["cpu"], ev[-1]["metrics"]["rel_l2"]) if ev else None


def report(args) -> None:
    import numpy as np

    from pinnrwf.benchmarks._common import cpu_model, device_slug
    from pinnrwf.train import write_results

    lines = [json.loads(line) for path in args.runs for line in Path(path).read_text().splitlines() if line.strip()]
    latest = {r["optimizer"]: r for r in lines if "records" in r}
    progress: dict[str, list] = {}
    for r in lines:
        if "records" not in r:
            progress.setdefault(r["optimizer"], []).append(r)
    for name, records in progress.items():  # a run stopped before its budget: its chunks as they came
        if name not in latest:
            latest[name] = {
                "optimizer": name,
                "stopped_early": True,
                "preset": PRESET,
                "param": "rwf",
                "seeds": 2,
                "loss_weighting": "the preset's",
                "xla_flags": os.environ.get("XLA_FLAGS", ""),
                "command": " ".join(
                    [
                        "python benchmarks/studies/soap_equal_time/soap_equal_time.py run",
                        name,
                        *(args.run_arguments or "").split(),
                    ]
                ),
                "steps_reached": max(x["step"] for x in records),
                "budget_cpu_seconds": max(x["cpu"] for x in records),
                "records": records,
            }
    # equal time: the budget, or the CPU time every run reached when one was stopped early
    budget = min(r["budget_cpu_seconds"] for r in latest.values())
    if args.budget is not None:
        budget = min(budget, args.budget)
    marks = sorted({*(budget * f for f in (0.25, 0.5, 0.75)), budget})
    rows = [
        "| optimizer | CPU s (budget) | steps reached | rel. L² error, seed 0 / seed 1 (mean) |",
        "|---|---|---|---|",
    ]
    curve = {}
    for name in OPTIMIZERS:
        r = latest.get(name)
        if r is None:
            continue
        curve[name] = [
            {"step": x["step"], "cpu": x["cpu"], "rel_l2": x["metrics"]["rel_l2"]}
            for x in r["records"]
            if x["metrics"] is not None
        ]
        for mark in marks:
            at = error_at(r, mark)
            if at is None:
                continue
            step, cpu, err = at
            errors = " / ".join(f"{100 * e:.2f}" for e in err) + f" % ({100 * np.mean(err):.2f} %)"
            rows.append(f"| {name} | {cpu:.0f} (≤ {mark:.0f}) | {step} | {errors} |")
    dir_ = Path(args.dir)
    dir_.mkdir(parents=True, exist_ok=True)
    table = "\n".join(rows)
    reading = (dir_ / "reading.md").read_text().strip() if (dir_ / "reading.md").exists() else ""
    (dir_ / "table.md").write_text(
        "# SOAP vs Adam at equal CPU time, Allen–Cahn (quick preset, 2 seeds)\n\n"
        + table
        + "\n\n"
        + (reading + "\n" if reading else "")
    )
    any_run = next(iter(latest.values()))
    write_results(
        dir_ / "results.json",
        {
            "benchmark": BENCHMARK,
            "problem": "allen-cahn",
            "preset": any_run["preset"],
            "param": any_run["param"],
            "seeds": any_run["seeds"],
            "loss_weighting": any_run["loss_weighting"],
            "clock": "process CPU seconds from the call of fit, compilation included, evaluations excluded, "
            "XLA single-threaded (" + any_run["xla_flags"] + ")",
            "cpu_model": cpu_model(),
            "device_slug": device_slug(),
            "instruction_set": "AVX2",
            "cores": os.cpu_count(),
            "budget_cpu_seconds": budget,
            "commands": {k: r["command"] for k, r in latest.items()},
            "report_command": " ".join(
                ["python", "benchmarks/studies/soap_equal_time/soap_equal_time.py", *sys.argv[1:]]
            ),
            "runs": {k: {kk: vv for kk, vv in r.items() if kk != "records"} for k, r in latest.items()},
            "error_vs_cpu": curve,
            "table_markdown": table,
        },
    )
    print(table)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("optimizer", choices=OPTIMIZERS)
    r.add_argument("--budget", type=float, required=True, help="CPU seconds")
    r.add_argument("--preset", default=PRESET, choices=("smoke", "quick"))
    r.add_argument("--param", default="rwf")
    r.add_argument("--max-steps", type=int, default=200_000, help="upper bound; the CPU budget stops it first")
    r.add_argument("--chunk", type=int, default=100)
    r.add_argument("--eval-every", type=int, default=200)
    r.add_argument(
        "--eval-stride", type=int, default=4, help="evaluate the error on every n-th point of the reference grid"
    )
    r.add_argument("--out", help="runs file (JSON lines) to append to; each chunk also goes to <out>.progress.jsonl")
    rep = sub.add_parser("report")
    rep.add_argument("runs", nargs="+", help="runs files (JSON lines)")
    rep.add_argument("--dir", required=True, help="folder for table.md and results.json")
    rep.add_argument("--budget", type=float, help="compare at this CPU time (default: the least any run reached)")
    rep.add_argument("--run-arguments", help="the arguments of runs stopped early, after the optimizer (provenance)")
    args = parser.parse_args(argv)
    (run if args.command == "run" else report)(args)


if __name__ == "__main__":
    main()
