"""Forward Laplacian vs the DSL's nested-jvp plan for the Navier–Stokes residual's training gradient.

    python benchmarks/ns_forward_laplacian.py [--rounds 4] [--steps 50] [--out benchmarks/results/ns_forward_laplacian]

The NS residual (eq. K.14–K.16) needs u, v, p, their first derivatives and only the Laplacians
Δu, Δv. The DSL's plan gets them from two vmapped nested-jvp passes along (x, x) and (y, y): per
layer 1 + 2 × 3 = 7 matrix products per point (the primal is shared). A forward Laplacian
(Li et al. 2023, "Forward Laplacian") carries (h, ∇h, Δh) through the network instead:
z = W h + b, ∇z = W ∇h, Δz = W Δh, then for h' = σ(z): ∇h' = σ'(z) ∇z and
Δh' = σ'(z) Δz + σ''(z) Σ_i (∂_i z)², i.e. 1 + d + 1 = 4 matrix products per layer for d = 2.

This script is a measurement outside the DSL. It builds the package's own `pinnrwf.nn.MLP` (2 → 3,
5 × 128 tanh, Plain and RWF) and the package's `navier_stokes` equation. The nested path is
`equation.residuals(model, x, params)`, what the engine runs. The forward-Laplacian path walks the
same model's layers (effective weights, tanh). It checks that both give the same residuals and
gradients, then times `lax.scan` chunks of gradient steps (value_and_grad of the mean squared
residual over 1024 fresh points, plain SGD update), alternating A B A B, and reads XLA's cost
analysis of one gradient.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_benchmark  # noqa: E402
from pinnrwf.nn import MLP, RWF, Plain  # noqa: E402
from pinnrwf.train import atomic_write_bytes  # noqa: E402
from pinnrwf.problems.equations import navier_stokes  # noqa: E402

N_POINTS, WIDTH, DEPTH, RE = 1024, 128, 5, 1000.0
EQUATION = navier_stokes(RE)


def forward_laplacian(model: MLP, x):
    """(f(x) (3,), ∇f(x) (2, 3), Δf(x) (3,)) of a tanh ``MLP`` with identity embedding."""
    h, grad, lap = x, jnp.eye(x.shape[0], dtype=x.dtype), jnp.zeros_like(x)
    for layer in model.layers[:-1]:
        w = layer.effective_weight()
        z, gz, lz = w @ h + layer.bias, grad @ w.T, w @ lap
        t = jnp.tanh(z)
        s1 = 1.0 - t * t
        h, grad, lap = t, gz * s1, s1 * lz - 2.0 * t * s1 * jnp.sum(gz * gz, axis=0)
    w = model.layers[-1].effective_weight()
    return w @ h + model.layers[-1].bias, grad @ w.T, w @ lap


def residual_nested(model, x):
    r = EQUATION.residuals(model, x, {"Re": jnp.float32(RE)})
    return jnp.stack([r["u"], r["v"], r["c"]])


def residual_forward_laplacian(model, x):
    f, g, lap = forward_laplacian(model, x)
    u, v = f[0], f[1]
    ru = u * g[0, 0] + v * g[1, 0] + g[0, 2] - lap[0] / RE
    rv = u * g[0, 1] + v * g[1, 1] + g[1, 2] - lap[1] / RE
    return jnp.stack([ru, rv, g[0, 0] + g[1, 1]])


def loss_fn(residual):
    def loss(model, xs):
        return jnp.mean(jax.vmap(lambda x: residual(model, x))(xs) ** 2)
    return loss


def chunk_fn(residual):
    loss = loss_fn(residual)

    @eqx.filter_jit
    def run(model, xs_all):
        params, static = eqx.partition(model, eqx.is_array)

        def body(p, xs):
            value, g = jax.value_and_grad(lambda q: loss(eqx.combine(q, static), xs))(p)
            return jax.tree.map(lambda a, b: a - 1e-4 * b, p, g), value

        return jax.lax.scan(body, params, xs_all)

    return run


def flops(residual, model, xs) -> float:
    params, static = eqx.partition(model, eqx.is_array)
    g = jax.jit(jax.grad(lambda p: loss_fn(residual)(eqx.combine(p, static), xs)))
    cost = g.lower(params).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return float(cost.get("flops", float("nan")))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--steps", type=int, default=50, help="gradient steps per timed chunk")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ns_forward_laplacian")
    args = p.parse_args(argv)
    xs = jax.random.uniform(jax.random.PRNGKey(1), (args.steps, N_POINTS, 2))
    rows, md = {}, []
    for name, par in (("plain", Plain()), ("rwf", RWF(mean=0.5, std=0.1))):
        model = MLP(2, 3, WIDTH, DEPTH, par, activation=jnp.tanh, key=jax.random.PRNGKey(0))
        ra = jax.vmap(lambda x: residual_nested(model, x))(xs[0])
        rb = jax.vmap(lambda x: residual_forward_laplacian(model, x))(xs[0])
        ga = eqx.filter_grad(loss_fn(residual_nested))(model, xs[0])
        gb = eqx.filter_grad(loss_fn(residual_forward_laplacian))(model, xs[0])
        grad_rel = max(float(jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(a)))
                       for a, b in zip(jax.tree.leaves(ga), jax.tree.leaves(gb)))
        res_rel = float(jnp.max(jnp.abs(ra - rb)) / jnp.max(jnp.abs(ra)))
        runs = {"nested": chunk_fn(residual_nested), "forward_laplacian": chunk_fn(residual_forward_laplacian)}
        for run in runs.values():
            jax.block_until_ready(run(model, xs))  # compile
        rates = {k: [] for k in runs}
        for _ in range(args.rounds):
            for k, run in runs.items():
                t0 = time.perf_counter()
                jax.block_until_ready(run(model, xs))
                rates[k].append(args.steps / (time.perf_counter() - t0))
        ratios = [b / a for a, b in zip(rates["nested"], rates["forward_laplacian"])]
        rows[name] = {"steps_per_s": rates, "ratios": ratios, "median_ratio": statistics.median(ratios),
                      "max_rel_residual_difference": res_rel, "max_rel_gradient_difference": grad_rel,
                      "gflop_per_step": {"nested": flops(residual_nested, model, xs[0]) / 1e9,
                                         "forward_laplacian": flops(residual_forward_laplacian, model, xs[0]) / 1e9}}
        r = rows[name]
        md.append(f"| {name} | {', '.join(f'{v:.1f}' for v in rates['nested'])} | "
                  f"{', '.join(f'{v:.1f}' for v in rates['forward_laplacian'])} | "
                  f"{', '.join(f'{v:.2f}' for v in ratios)} | **{r['median_ratio']:.2f}** | "
                  f"{r['gflop_per_step']['nested']:.2f} / {r['gflop_per_step']['forward_laplacian']:.2f} | "
                  f"{res_rel:.1e} / {grad_rel:.1e} |")
        print(md[-1], flush=True)
    text = ("# NS residual gradient: forward Laplacian vs the DSL's nested-jvp plan\n\n"
            f"MLP 2 → 3, {DEPTH} × {WIDTH} tanh, {N_POINTS} interior points per step, Re = {RE:g}, "
            f"{args.steps}-step `lax.scan` chunks, {args.rounds} rounds alternating (nested first).\n\n"
            "| parameterization | nested steps/s | forward Laplacian steps/s | ratio per round | median | "
            "GFLOP/step nested / fwd-Laplacian | max rel. diff. residual / gradient |\n"
            "|---|---|---|---|---|---|---|\n" + "\n".join(md) + "\n")
    json_path, md_path = write_benchmark("ns_forward_laplacian",
                                         {"rows": rows, "settings": vars(args) | {"out": str(args.out)}}, text, args.out)
    full = json.loads(json_path.read_text())
    full["command"] = shlex.join(["python", "benchmarks/ns_forward_laplacian.py", *sys.argv[1:]])
    atomic_write_bytes(json_path, lambda f: f.write(json.dumps(full, indent=2).encode()))
    text += (f"\nCommand: `{full['command']}`; commit {full['commit']}; date {full['date']}; "
             f"device {full['device']}.\n")
    atomic_write_bytes(md_path, lambda f: f.write(text.encode()))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
