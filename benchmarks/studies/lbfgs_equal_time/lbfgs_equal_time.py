"""Adam alone vs Adam + L-BFGS at equal cost, on CPU: the script behind README.md here.

For each problem and parameterization (2 seeds, one ensemble, one process per run):
  (a) ``adam``:   Adam for N steps;
  (b) ``hybrid``: Adam for N' < N steps, then L-BFGS (``pinnrwf.train.LBFGS``) until the run has
                  used as much CPU time as (a) did; its error is read at its last evaluation
                  within that budget.
The clock is the process's CPU time (user + sys) from the call of ``fit`` (compilation included),
with XLA single-threaded, so a CPU second is a second of one core. On an idle one-core machine
that is the wall time; this machine was shared (load average 13–25 on 2 cores), where wall time
measures the scheduler more than the optimizer. Wall times are recorded too.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        nice -n 10 python benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py run heat plain adam 2000 --out runs/heat_plain.jsonl
    ... lbfgs_equal_time.py run heat plain hybrid 1000 --budget-from runs/heat_plain.jsonl --out runs/heat_plain.jsonl
    (every command: benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.sh)
    python benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py report runs/*.jsonl  # table.md, results.json, figure
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from pinnrwf.benchmarks._common import device_slug, result_dir

ROOT = Path(__file__).resolve().parents[3]  # the repository
# the committed results: benchmarks/results/lbfgs-equal-time/<device>/default (written by ``report``)
HERE = result_dir(ROOT / "benchmarks" / "results", "lbfgs-equal-time", "default", device_slug())
SEEDS, CHUNK = 2, 100


class OutOfBudget(Exception):
    pass


def heat_problem():
    """The README's new-problem example (the heat equation), exactly as written there."""
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text.split("<!-- problem-example -->", 1)[1], re.S).group(1)
    code = code.split("results = runner.run(")[0]
    ns: dict = {}
    exec(compile(code, "README problem example", "exec"), ns)
    problem = ns["Heat"]()
    preset = problem.presets["quick"]
    return problem, preset.config, preset.optimizer


def setup(name: str):
    """(problem, config, Adam) of the quick preset (the cavity: curriculum boundaries scaled to a
    reduced budget, reference solved in memory)."""
    import dataclasses

    from pinnrwf.problems import get

    if name == "heat":
        return heat_problem()
    problem = get(name)
    preset = problem.presets["quick"]
    config = preset.config
    if name == "ldc":
        config = dataclasses.replace(config, curriculum_boundaries=(200, 400), generate_reference=True)
    return problem, config, preset.optimizer


def run(args) -> None:
    from pinnrwf.nn import parse_parameterizations
    from pinnrwf.train import LBFGS, TrainConfig, fit

    problem, config, adam = setup(args.problem)
    parameterization = parse_parameterizations(args.param, rwf=problem.rwf)[args.param]
    train = TrainConfig(steps=args.adam_steps, seeds=SEEDS, chunk_steps=CHUNK, progress=False)
    objective = problem.objective(config, train)
    budget = None
    if args.budget_from is not None:
        runs = [json.loads(line) for line in Path(args.budget_from).read_text().splitlines() if line.strip()]
        ref = [r for r in runs if (r["problem"], r["param"], r["mode"]) == (args.problem, args.param, "adam")]
        if not ref:
            raise SystemExit(f"no 'adam' run of {args.problem}/{args.param} in {args.budget_from}")
        budget = ref[-1]["cpu_seconds"]
    records = []
    cpu0, wall0 = time.process_time(), time.perf_counter()

    def on_chunk(step, record):
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        records.append(
            {
                "step": step,
                "stage": record["stage"],
                "cpu": cpu,
                "wall": wall,
                "loss": record["loss"],
                "metrics": record.get("metrics"),
            }
        )
        if budget is not None and record["stage"] == "lbfgs" and cpu >= budget:
            raise OutOfBudget

    lbfgs = LBFGS(steps=args.lbfgs_steps, batches=args.lbfgs_batches) if args.mode == "hybrid" else None
    try:
        fit(
            problem.init_model(config, parameterization),
            objective,
            train,
            optimizer=adam,
            lbfgs=lbfgs,
            on_chunk=on_chunk,
        )
    except OutOfBudget:
        pass
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    metric = problem.metrics[0]
    evaluated = [r for r in records if r["metrics"] is not None and (budget is None or r["cpu"] <= budget)]
    final = evaluated[-1]
    out = {
        "problem": args.problem,
        "param": args.param,
        "adam_steps": args.adam_steps,
        "mode": args.mode if args.mode == "adam" or args.lbfgs_batches == 1 else f"hybrid-{args.lbfgs_batches}b",
        "lbfgs_batches": args.lbfgs_batches,
        "lbfgs_steps_run": max((r["step"] for r in records), default=0) - args.adam_steps,
        "cpu_seconds": cpu if budget is None else budget,
        "cpu_seconds_used": cpu,
        "wall_seconds": wall,
        "metric": metric,
        "final_step": final["step"],
        "final_cpu": final["cpu"],
        "final_error": final["metrics"][metric],
        "records": records,
        "command": " ".join(["python", "benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py", *sys.argv[1:]]),
    }
    with open(args.out, "a") as f:
        f.write(json.dumps(out) + "\n")
    print(
        f"{args.problem} {args.param} {args.mode}: {metric} {final['metrics'][metric]} at step {final['step']}, "
        f"cpu {out['cpu_seconds']:.0f} s (used {cpu:.0f} s), wall {wall:.0f} s"
    )


def report(args) -> None:
    import numpy as np

    runs = [json.loads(line) for path in args.runs for line in Path(path).read_text().splitlines() if line.strip()]
    latest = {(r["problem"], r["param"], r["mode"]): r for r in runs}
    problems = list(dict.fromkeys(r["problem"] for r in runs))
    table = [
        "| problem | param | run | steps (Adam + L-BFGS) | rel. L² error, seed 0 / seed 1 (mean) | CPU s | wall s | "
        "error / Adam's |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in problems:
        for param in ("plain", "rwf"):
            a = latest.get((p, param, "adam"))
            if a is None:
                continue
            ea = np.mean(a["final_error"])
            for (_, _, mode), r in sorted((k, v) for k, v in latest.items() if k[:2] == (p, param)):
                e = np.asarray(r["final_error"])
                lbfgs = max(r["final_step"] - r["adam_steps"], 0)
                name = {"adam": "Adam alone", "hybrid": "Adam + L-BFGS"}.get(
                    mode, f"Adam + L-BFGS, fixed set of {r['lbfgs_batches']} batches"
                )
                steps = f"{r['final_step']}" if mode == "adam" else f"{r['adam_steps']} + {lbfgs}"
                errors = " / ".join(f"{100 * v:.2f}" for v in e) + f" % ({100 * e.mean():.2f} %)"
                table.append(
                    f"| {p} | {param} | {name} | {steps} | {errors} | {r['final_cpu']:.0f} "
                    f"(of {r['cpu_seconds']:.0f}) | {r['wall_seconds']:.0f} | {e.mean() / ea:.2f} |"
                )
    (HERE / "table.md").write_text("\n".join(table) + "\n")
    summary = [{k: v for k, v in r.items() if k != "records"} for r in latest.values()]
    (HERE / "results.json").write_text(
        json.dumps(
            {
                "seeds": SEEDS,
                "chunk_steps": CHUNK,
                "clock": "process CPU seconds, XLA single-threaded, compilation included",
                "per_chunk_records": "runs/*.jsonl",
                "table_markdown": "\n".join(table),
                "runs": summary,
            },
            indent=1,
        )
        + "\n"
    )
    figure(latest, problems)
    print("\n".join(table))


def figure(latest, problems) -> None:
    """Error (mean of the seeds) against CPU time (top) and against wall time (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(2, len(problems), figsize=(5 * len(problems), 8), constrained_layout=True, squeeze=False)
    colors = {"plain": "tab:blue", "rwf": "tab:red"}
    for row, clock in enumerate(("cpu", "wall")):
        for ax, p in zip(axes[row], problems):
            for param in ("plain", "rwf"):
                for mode, r in sorted((k[2], v) for k, v in latest.items() if k[:2] == (p, param)):
                    style = {"adam": "-", "hybrid": "--"}.get(mode, ":")
                    ev = [x for x in r["records"] if x["metrics"] is not None and x["cpu"] <= r["cpu_seconds"] + 1e-9]
                    t = [x[clock] for x in ev]
                    err = [np.mean(x["metrics"][r["metric"]]) for x in ev]
                    label = f"{param}, " + (
                        "Adam"
                        if mode == "adam"
                        else f"Adam {r['adam_steps']} + L-BFGS"
                        + ("" if r["lbfgs_batches"] == 1 else f" ({r['lbfgs_batches']} batches)")
                    )
                    ax.semilogy(
                        t,
                        err,
                        style,
                        color=colors[param],
                        label=label,
                        alpha=1.0 if mode in ("adam", "hybrid") else 0.6,
                    )
                    if mode == "hybrid":
                        start = [x[clock] for x in r["records"] if x["stage"] == "adam"][-1]
                        ax.axvline(start, color=colors[param], lw=0.6, ls=":")
            xlabel = (
                "CPU seconds (one core, compilation included)"
                if clock == "cpu"
                else "wall seconds (shared machine: not comparable between runs)"
            )
            ax.set(title=p, xlabel=xlabel, ylabel="relative L² error (mean of 2 seeds)")
            ax.legend(fontsize=7)
    fig.savefig(HERE / "error_vs_time.png", dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("problem", choices=("heat", "helmholtz", "ldc"))
    r.add_argument("param", choices=("plain", "rwf"))
    r.add_argument("mode", choices=("adam", "hybrid"))
    r.add_argument("adam_steps", type=int)
    r.add_argument("--lbfgs-steps", type=int, default=100_000, help="upper bound; the CPU budget stops it first")
    r.add_argument("--lbfgs-batches", type=int, default=1, help="the fixed set: this many training batches")
    r.add_argument(
        "--budget-from",
        help="runs file holding the 'adam' run whose CPU time is the budget "
        "(hybrid; without it, --lbfgs-steps steps are run)",
    )
    r.add_argument("--out", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("runs", nargs="+", help="runs files (JSON lines)")
    args = parser.parse_args()
    (run if args.command == "run" else report)(args)


if __name__ == "__main__":
    main()
