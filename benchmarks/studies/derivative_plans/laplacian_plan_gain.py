"""The forward-Laplacian plan against the nested plan on the second-order PINN problems.

Each problem's own objective (its ``quick`` preset, Plain, one seed) is built twice: with its
equation's automatic plan (a ``LaplacianPlan`` when the only second derivatives are one Laplacian,
``p.laplacian("u")``, or a single pure second derivative such as u_xx) and with the nested
forward-mode plan forced (``derivative_mode="forward"``). One jitted value-and-gradient of the
summed loss terms on one sampled batch is timed, ``--reps`` calls per timing, the two plans
alternating for ``--rounds`` rounds. The loss of both is printed beside the times (the same to
round-off). Output: ``--out``/results.json and README.md.

    pinnrwf bench derivative-plans --rounds 3 --reps 20 --out benchmarks/results
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import equinox as eqx
import jax

from pinnrwf import problems
from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import RESULTS_DIR, atomic_write_text, check_out, cpu_model
from pinnrwf.benchmarks.studies.engine_speed.engine_speed import batch_loss, with_derivative_mode
from pinnrwf.nn import Plain
from pinnrwf.train import git_commit

PROBLEMS = ("heat-inverse", "burgers-inverse", "helmholtz")  # registered names (pinnrwf.problems)


def timed_gradient(objective, model):
    f = eqx.filter_jit(eqx.filter_value_and_grad(batch_loss(objective, jax.random.PRNGKey(1))))
    value, grads = f(model)
    jax.block_until_ready(grads)
    return f, float(value)


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="alternating rounds (default: %(default)s)")
    p.add_argument(
        "--reps", type=positive_int_arg, default=20, help="timed calls per round and plan (default: %(default)s)"
    )
    p.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated, of: " + ", ".join(PROBLEMS))
    p.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR,
        help=f"root of the results tree: writes OUT/derivative-plans/<device>/laplacian-plan/ (default: {RESULTS_DIR})",
    )


def main_from_args(args: argparse.Namespace) -> int:
    names = [n for n in args.problems.split(",") if n]
    unknown = [n for n in names if n not in PROBLEMS]
    if unknown or not names:
        raise ValueError(f"--problems must name some of {list(PROBLEMS)}, got {args.problems!r}")
    out = check_out(args, "derivative-plans", "laplacian-plan")
    rows = []
    for name in names:
        problem = problems.get(name)
        preset = problem.presets["quick"]
        objective = problem.objective(preset.config, preset.train)
        model = problem.init_model(preset.config, Plain())(jax.random.PRNGKey(0))
        plans = {"nested": with_derivative_mode(objective, "forward"), "auto": with_derivative_mode(objective, "auto")}
        compiled = {k: timed_gradient(o, model) for k, o in plans.items()}
        times = {k: [] for k in plans}
        for _ in range(args.rounds):
            for k, (f, _) in compiled.items():
                t0 = time.perf_counter()
                for _ in range(args.reps):
                    _, grads = f(model)
                jax.block_until_ready(grads)
                times[k].append((time.perf_counter() - t0) / args.reps * 1e3)
        ratios = [a / b for a, b in zip(times["nested"], times["auto"])]
        row = {
            "problem": name,
            "plans": {k: repr(o.equation.plan) for k, o in plans.items()},
            "loss": {k: v for k, (_, v) in compiled.items()},
            "ms": times,
            "ratio_nested_over_auto": ratios,
            "median_ratio": statistics.median(ratios),
            "load_after": os.getloadavg()[0],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    command = (
        f"pinnrwf bench derivative-plans --rounds {args.rounds} --reps {args.reps} --problems {','.join(names)} "
        f"--out {args.out}"
    )
    result = {
        "commit": git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "jax": jax.__version__,
        "command": command,
        "problems": rows,
    }
    lines = [
        "# Forward-Laplacian plan vs nested plan: loss and gradient of each problem's quick objective",
        "",
        f"CPU {result['cpu']}, JAX {result['jax']}, commit {result['commit']}, {result['date']}; `{command}`. "
        "Plain, one seed, one sampled batch; ms per jitted value-and-gradient call, the two plans "
        "alternating in each round.",
        "",
        "| problem | auto plan | nested ms (rounds) | auto ms (rounds) | nested / auto (median) | loss nested / auto |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['problem']} | `{row['plans']['auto']}` | "
            + " / ".join(f"{v:.2f}" for v in row["ms"]["nested"])
            + " | "
            + " / ".join(f"{v:.2f}" for v in row["ms"]["auto"])
            + f" | **{row['median_ratio']:.2f}** | "
            f"{row['loss']['nested']:.7g} / {row['loss']['auto']:.7g} |"
        )
    atomic_write_text(out / "results.json", json.dumps(result, indent=1) + "\n")
    atomic_write_text(out / "README.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    configure_parser(p)
    return main_from_args(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
