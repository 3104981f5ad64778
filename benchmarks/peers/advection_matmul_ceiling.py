"""How fast can the advection step run on this CPU? Its own matrix products, timed alone.

The target for the advection step is ≥ 1.5× DeepXDE. The step is compute bound: for a
scalar field, u_x and u_t from one reverse pass and the parameter gradient from the reverse pass
over it cost 6 matrix products per 256 × 256 layer on the 1024 residual rows (3 more on the 128
IC rows), ≈ 3.4 GFLOP, and no derivative plan needs fewer (XLA's cost analysis per plan, quoted in ``benchmarks/studies/derivative_plans/README.md``).
So the step cannot run faster than the time these products take on their own.

This script measures that bound. It traces the DSL step's loss gradient (the engine's
``speed_objective``, MLP 5 × 256 tanh, Plain), collects every ``dot_general`` of its jaxpr with
its operand shapes and dimension numbers, and replays exactly those products, with nothing else
(no tanh, no Adam, no sampling), in a compiled ``lax.scan`` of ``--steps`` steps. Each product's
left operand gets the loop's running scalar added, so that XLA cannot hoist it out of the loop;
that add is the only extra work, so the replay's rate is the products' own rate, a slight
underestimate of the ceiling.

Per round, back to back: the engine's step (``pinnrwf.train.fit``, as ``pinnrwf bench engine``
times it); the same step as a bare JAX + optax script would write it (:func:`bare_jax_rate`: a
jitted step that samples on device, per-point ``jax.grad`` for u_x and u_t, ``optax.adam``,
called from a Python loop; the issue's "bare script"); the replay; and with ``--deepxde-python``
DeepXDE's step (``benchmarks/peers/deepxde_advection.py`` in its own environment) and the same products
replayed in PyTorch (``benchmarks/peers/torch_matmul_replay.py``, matrix products of transposed views as
its backward passes call them), which tells whether another matmul library would raise the
ceiling. Output: ``--out``/results.json and README.md with steps/s, GFLOP/s and the ratios engine /
replay (how close the step is to its ceiling) and replay / DeepXDE (the most any implementation of
these products in XLA could beat DeepXDE by).

    python benchmarks/peers/advection_matmul_ceiling.py --rounds 3 --steps 300 \\
        --deepxde-python /work/venv-dxde/bin/python --out benchmarks/results
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from _harness import atomic_write_text, commit, cpu_model, load1

from pinnrwf.benchmarks._common import result_dir
from pinnrwf.benchmarks.studies.engine_speed.engine_speed import (
    N_INITIAL,
    N_RESIDUAL,
    C,
    batch_loss,
    init_model,
    speed_objective,
    time_engine,
)
from pinnrwf.nn import Plain

HERE = Path(__file__).resolve().parent


def step_products(objective, model) -> list[dict]:
    """Every ``dot_general`` in the jaxpr of the loss gradient: operand shapes, dimension numbers
    and FLOPs (2 · output size · contracted size)."""
    loss = batch_loss(objective, jax.random.PRNGKey(1))
    params, static = eqx.partition(model, eqx.is_array)
    closed = jax.make_jaxpr(jax.grad(lambda p: loss(eqx.combine(p, static))))(params)
    products = []

    def visit(jaxpr):
        for eqn in jaxpr.eqns:
            if eqn.primitive.name == "dot_general":
                a, b = (v.aval for v in eqn.invars)
                (ca, cb), (ba, bb) = eqn.params["dimension_numbers"]
                out = eqn.outvars[0].aval
                contracted = int(np.prod([a.shape[i] for i in ca])) if ca else 1
                products.append(
                    {
                        "lhs": list(a.shape),
                        "rhs": list(b.shape),
                        "dimension_numbers": [[list(ca), list(cb)], [list(ba), list(bb)]],
                        "flops": 2 * int(np.prod(out.shape)) * contracted,
                    }
                )
            for sub in _subjaxprs(eqn):
                visit(sub)

    visit(closed.jaxpr)
    return products


def _subjaxprs(eqn):
    for value in eqn.params.values():
        if hasattr(value, "jaxpr") and hasattr(value.jaxpr, "eqns"):
            yield value.jaxpr
        elif hasattr(value, "eqns"):
            yield value


def replay(products: list[dict], steps: int):
    """A compiled function running ``steps`` times exactly the given products and nothing else."""
    key = jax.random.PRNGKey(0)
    operands = []
    for i, p in enumerate(products):
        ka, kb = jax.random.split(jax.random.fold_in(key, i))
        operands.append((jax.random.normal(ka, p["lhs"]), jax.random.normal(kb, p["rhs"])))

    def body(carry, _):
        total = carry
        for (a, b), p in zip(operands, products):
            (ca, cb), (ba, bb) = p["dimension_numbers"]
            out = jax.lax.dot_general(a + carry, b, ((tuple(ca), tuple(cb)), (tuple(ba), tuple(bb))))
            total = total + 1e-12 * out.reshape(-1)[0]
        return total, None

    run = jax.jit(lambda: jax.lax.scan(body, jnp.float32(0.0), None, steps)[0])
    return run


def bare_jax_rate(steps: int, warmup: int = 20) -> float:
    """Steps/s of the advection step written as a plain JAX + optax script: parameters as a list
    of (W, b), Glorot-normal weights, the same loss, points and learning-rate schedule as the
    engine's step, one jitted step per Python-loop iteration, no ``lax.scan``."""
    import optax

    sizes = [3] + [256] * 5 + [1]
    keys = jax.random.split(jax.random.PRNGKey(0), len(sizes))
    params = [
        (jax.random.normal(k, (a, b)) * jnp.sqrt(2.0 / (a + b)), jnp.zeros(b))
        for k, a, b in zip(keys[1:], sizes[:-1], sizes[1:])
    ]

    def u(params, xt):
        h = jnp.stack([jnp.cos(xt[0]), jnp.sin(xt[0]), xt[1]])
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return (h @ w + b)[0]

    def loss(params, xt, x0):
        grad = jax.vmap(jax.grad(u, argnums=1), (None, 0))(params, xt)
        residual = grad[:, 1] + C * grad[:, 0]
        u0 = jax.vmap(u, (None, 0))(params, jnp.stack([x0, jnp.zeros_like(x0)], 1))
        return jnp.mean(residual**2) + 100.0 * jnp.mean((u0 - jnp.sin(x0)) ** 2)

    optimizer = optax.adam(optax.exponential_decay(1e-3, 5000, 0.9))

    @jax.jit
    def step(params, opt_state, key):
        key, kr, ki = jax.random.split(key, 3)
        xt = jax.random.uniform(kr, (N_RESIDUAL, 2), maxval=jnp.array([2 * jnp.pi, 1.0]))
        x0 = jax.random.uniform(ki, (N_INITIAL,), maxval=2 * jnp.pi)
        value, grads = jax.value_and_grad(loss)(params, xt, x0)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, key, value

    state = (params, optimizer.init(params), jax.random.PRNGKey(1))
    for _ in range(warmup):
        *state, value = step(*state)
    jax.block_until_ready(value)
    t0 = time.perf_counter()
    for _ in range(steps):
        *state, value = step(*state)
    jax.block_until_ready(value)
    return steps / (time.perf_counter() - t0)


def time_replay(run, steps: int, reps: int = 3) -> float:
    """Steps/s of the replay, best of ``reps`` after a compile + warm-up run."""
    run().block_until_ready()
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run().block_until_ready()
        rates.append(steps / (time.perf_counter() - t0))
    return max(rates)


def time_deepxde(python: str, steps: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "deepxde.json"
        subprocess.run(
            [python, str(HERE / "deepxde_advection.py"), "--steps", str(steps), "--out", str(out)],
            check=True,
            env={**os.environ, "DDE_BACKEND": "pytorch"},
            stdout=subprocess.DEVNULL,
        )
        return float(json.loads(out.read_text())["median_steps_per_second"])


def time_torch_replay(python: str, products: list[dict], steps: int) -> float:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "products.json"
        path.write_text(json.dumps({"products": products}))
        line = (
            subprocess.run(
                [python, str(HERE / "torch_matmul_replay.py"), str(path), "--steps", str(steps)],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        return float(json.loads(line)["steps_per_second"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--chunk", type=int, default=100)
    p.add_argument("--deepxde-python", default=None, help="python of DeepXDE's environment (optional)")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="root of the results tree: writes OUT/advection-matmul-ceiling/<device>/default/",
    )
    args = p.parse_args(argv)
    out = result_dir(args.out, "advection-matmul-ceiling", "default")
    if args.rounds < 1 or args.steps < 1 or args.chunk < 1:
        p.error("--rounds, --steps and --chunk must be positive")
    objective = speed_objective(c=C, n_residual=N_RESIDUAL, n_initial=N_INITIAL)
    model = init_model(Plain())(jax.random.PRNGKey(0))
    products = step_products(objective, model)
    gflop = sum(q["flops"] for q in products) / 1e9
    run = replay(products, args.steps)
    rounds = []
    for r in range(args.rounds):
        row = {"round": r + 1, "load_before": load1()}
        row["engine"] = time_engine(objective, Plain(), 1, args.steps, min(args.chunk, args.steps), "highest")[
            "steps_per_second"
        ]
        row["bare"] = bare_jax_rate(args.steps)
        row["replay"] = time_replay(run, args.steps)
        if args.deepxde_python:
            row["deepxde"] = time_deepxde(args.deepxde_python, args.steps)
            row["torch_replay"] = time_torch_replay(args.deepxde_python, products, args.steps)
        row["load_after"] = load1()
        rounds.append(row)
        print(json.dumps(row), flush=True)
    ratios = {
        "engine/replay": [r["engine"] / r["replay"] for r in rounds],
        "engine/bare": [r["engine"] / r["bare"] for r in rounds],
    }
    if args.deepxde_python:
        ratios["replay/deepxde"] = [r["replay"] / r["deepxde"] for r in rounds]
        ratios["engine/deepxde"] = [r["engine"] / r["deepxde"] for r in rounds]
        ratios["replay/torch_replay"] = [r["replay"] / r["torch_replay"] for r in rounds]
    command = (
        f"python benchmarks/peers/advection_matmul_ceiling.py --rounds {args.rounds} --steps {args.steps} "
        f"--chunk {args.chunk}"
        + (f" --deepxde-python {args.deepxde_python}" if args.deepxde_python else "")
        + f" --out {args.out}"
    )
    result = {
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "jax": jax.__version__,
        "steps": args.steps,
        "chunk": args.chunk,
        "products": products,
        "gflop_per_step": gflop,
        "rounds": rounds,
        "ratios": ratios,
        "median_ratios": {k: statistics.median(v) for k, v in ratios.items()},
        "command": command,
    }
    cols = ["engine", "bare", "replay"] + (["deepxde", "torch_replay"] if args.deepxde_python else [])
    shapes = {}
    for q in products:
        k = f"{q['lhs']}·{q['rhs']}"
        shapes[k] = shapes.get(k, 0) + 1
    lines = [
        "# Advection step vs its own matrix products timed alone (matmul ceiling)",
        "",
        f"CPU {result['cpu']}, JAX {result['jax']}, commit {result['commit']}, {result['date']}; "
        f"`{command}`. DSL step (`speed_objective`, MLP 5 × 256 tanh, Plain, 1024 residual + 128 IC "
        f"rows, 1 seed) through the engine `fit`; bare: the same step as a plain JAX + optax script (jitted "
        "step in a Python loop); the replay runs the {len(products)} `dot_general`s of "
        f"its loss gradient ({gflop:.2f} GFLOP per step) and nothing else; DeepXDE 1.15 + PyTorch "
        "(median of its reps); replay (best of 3) and torch_replay (best of 3): the same products in XLA and in PyTorch. Rounds "
        "alternate them.",
        "",
        "| round | load before | "
        + " | ".join(f"{c} steps/s" for c in cols)
        + " | replay GFLOP/s | "
        + " | ".join(ratios)
        + " |",
        "|---|---|" + "---|" * (len(cols) + 1 + len(ratios)),
    ]
    for i, row in enumerate(rounds):
        lines.append(
            f"| {row['round']} | {row['load_before']:.2f} | "
            + " | ".join(f"{row[c]:.1f}" for c in cols)
            + f" | {row['replay'] * gflop:.0f} | "
            + " | ".join(f"{ratios[k][i]:.2f}" for k in ratios)
            + " |"
        )
    lines += [
        "",
        "Medians: " + ", ".join(f"{k} **{v:.2f}**" for k, v in result["median_ratios"].items()),
        "",
        "Products per step (count × lhs·rhs): " + ", ".join(f"{n} × {k}" for k, n in shapes.items()),
        "",
    ]
    atomic_write_text(out / "results.json", json.dumps(result, indent=1) + "\n")
    atomic_write_text(out / "README.md", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
