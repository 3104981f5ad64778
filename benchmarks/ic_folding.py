"""Does folding the 128 initial-condition rows into the residual's network evaluation pay on CPU?

Issue 11 §5 asks to fold the IC rows of the advection step into the residual batch's matmuls
(128-row matmuls run at ≈ 145 GFLOP/s against ≈ 220 for 1024 rows). The residual needs u_x, u_t
per point, which the hand-written step gets from one reverse-mode ``jax.grad`` per point
(``benchmarks/engine_speed.py``). Two ways to get the IC values:

* ``separate`` (what pinnrwf does): grad on the 1024 residual rows + a forward pass on the 128 IC
  rows — two evaluations, the second with 128-row matmuls;
* ``folded``: one ``value_and_grad`` per point on the 1152 stacked rows, the values of the IC rows
  and the gradients of the residual rows — one evaluation with 1152-row matmuls, but a backward
  pass through the 128 IC rows that nobody needs (≈ 2× their forward cost).

Both are the same loss (checked to round-off at start) and run through the engine ``fit``
(lax.scan chunks, Adam), back to back A B A B for ``--rounds`` rounds with the 1-minute load
average. Output: ``--out``/ic_folding.json and .md.

    python benchmarks/ic_folding.py --rounds 3 --steps 300 --out benchmarks/results/ic_folding_cpu
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
from pathlib import Path

import jax
import jax.numpy as jnp

from _standalone import atomic_write_text, commit, cpu_model, load1
from pinnrwf.benchmarks.engine_speed import C, HandWrittenAdvection, init_model, time_engine
from pinnrwf.nn import RWF, Plain


class FoldedAdvection(HandWrittenAdvection):
    """The same loss as :class:`HandWrittenAdvection`, one per-point ``value_and_grad`` on the
    residual and IC rows stacked (1024 + 128 rows through every matmul at once)."""

    def loss_terms(self, model, batch, step):
        xt, x0 = batch
        rows = jnp.concatenate([xt, jnp.stack([x0, jnp.zeros_like(x0)], axis=1)])
        u, grad = jax.vmap(jax.value_and_grad(lambda z: model(z)[0]))(rows)
        n = xt.shape[0]
        residual = grad[:n, 1] + C * grad[:n, 0]
        return {"ic": 100.0 * jnp.mean((u[n:] - jnp.sin(x0)) ** 2), "res": jnp.mean(residual**2)}, {}


def same_loss(parameterization) -> float:
    """max relative difference of the two objectives' loss terms on one batch."""
    model = init_model(parameterization)(jax.random.PRNGKey(0))
    batch = HandWrittenAdvection().sample(jax.random.PRNGKey(1))
    a, _ = HandWrittenAdvection().loss_terms(model, batch, 0)
    b, _ = FoldedAdvection().loss_terms(model, batch, 0)
    return max(float(abs(a[k] - b[k]) / abs(a[k])) for k in a)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--chunk", type=int, default=100)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    variants = {"separate": HandWrittenAdvection(), "folded": FoldedAdvection()}
    params = {"plain": Plain(), "rwf": RWF(1.0, 0.1)}
    agreement = {name: same_loss(par) for name, par in params.items()}
    rounds = []
    for r in range(args.rounds):
        row = {"round": r + 1, "load_before": load1()}
        for pname, par in params.items():
            for vname, objective in variants.items():
                row[f"{pname}/{vname}"] = time_engine(objective, par, 1, args.steps, args.chunk, "default")[
                    "steps_per_second"]
        row["load_after"] = load1()
        rounds.append(row)
        print(json.dumps(row), flush=True)
    ratios = {pname: [row[f"{pname}/folded"] / row[f"{pname}/separate"] for row in rounds] for pname in params}
    result = {"commit": commit(), "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "cpu": cpu_model(), "jax": jax.__version__, "steps": args.steps, "chunk": args.chunk,
              "loss_agreement_max_rel": agreement, "rounds": rounds,
              "median_ratio_folded_over_separate": {k: statistics.median(v) for k, v in ratios.items()},
              "command": f"python benchmarks/ic_folding.py --rounds {args.rounds} --steps {args.steps} "
                         f"--chunk {args.chunk} --out {args.out}"}
    lines = ["# IC rows folded into the residual's evaluation vs evaluated separately (advection step)", "",
             f"CPU {result['cpu']}, JAX {result['jax']}, commit {result['commit']}, {result['date']}; "
             f"`{result['command']}`. MLP 5 × 256 tanh, 1024 residual + 128 IC rows, engine `fit`, "
             f"{args.steps} steps per measurement (chunks of {args.chunk}), 1 seed. Loss terms agree to "
             + ", ".join(f"{k} {v:.1e}" for k, v in agreement.items()) + " (max relative difference).", "",
             "| round | load before | load after | " + " | ".join(f"{k} steps/s" for k in rounds[0]
                                                            if "/" in k) + " |",
             "|---|---|---|" + "---|" * (len(rounds[0]) - 3)]
    for row in rounds:
        lines.append(f"| {row['round']} | {row['load_before']:.2f} | {row['load_after']:.2f} | "
                     + " | ".join(f"{v:.2f}" for k, v in row.items() if "/" in k) + " |")
    lines += ["", "Median folded / separate: " + ", ".join(
        f"{k} **{v:.3f}** (rounds: {', '.join(f'{x:.3f}' for x in ratios[k])})"
        for k, v in result["median_ratio_folded_over_separate"].items()), ""]
    atomic_write_text(args.out / "ic_folding.json", json.dumps(result, indent=1) + "\n")
    atomic_write_text(args.out / "ic_folding.md", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
