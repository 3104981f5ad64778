"""Which derivative mode evaluates the cavity's Navier–Stokes derivative table fastest?

The table: the fields (u, v, p) of the cavity network (``MLP(2, 3, 128, 5)`` tanh, Plain,
problems/ldc.py) and, for each, ∂_x, ∂_y, ∂_xx, ∂_yy at N points — everything the NS residual
(problems/equations.py, K.14–K.16) reads (u_xx, u_yy, v_xx, v_yy, and all first derivatives).
Every mode returns the same table ``{"f", "x", "y", "xx", "yy"} -> (N, 3)``:

* ``plan``: the residual DSL's own :class:`DerivativePlan` (``navier_stokes().plan``): batched
  nested forward mode, one ``jax.jvp`` of a ``jax.jvp`` per direction tuple (e_x, e_x), (e_y, e_y),
  vmapped over the tuples and the points.
* ``fwd_rev``: forward over reverse, ``jax.jacfwd`` of the reverse-mode Jacobian (3 vjps) per
  point: the full 3 × 2 × 2 Hessian.
* ``rev_fwd``: reverse over forward, ``jax.jacrev`` of the forward-mode Jacobian (2 jvps) per point.
* ``jet``: Taylor mode, ``jax.experimental.jet.jet`` with input series (e_i, 0) along each
  coordinate: f, ∂_i f and ∂_ii f from one pass per direction (no duplicated first-order tangent,
  which the depth-2 nested jvp computes twice).
* ``nested_same``: the plan's nested jvp along (e_i, e_i) with one tangent array for both levels.
* ``taylor_mlp``: the same second-order Taylor propagation written by hand for the batch, layer by
  layer (z ↦ W z + b; tanh: s' = 1 − s², s'' = −2 s s'), so the matmuls are (N·k, width) blocks
  over all points at once; MLP-specific (not a general DSL mode), a bound for what ``jet`` could reach.

Check: every mode's table agrees with ``plan``'s (max |difference| / max |entry| per column).
Timing: ``jax.jit`` of value-and-gradient (w.r.t. the network parameters) of the residual loss
mean(r_u²) + mean(r_v²) + mean(r_c²) — what a training step pays for the residual — on fixed
points; the modes alternate call by call within each round (A B C … A B C …), ``--rounds`` ≥ 3, 1-minute load
average recorded per round; per-round ratios to ``plan`` and their medians are reported.

    /work/venv/bin/python benchmarks/ns_derivative_modes.py --points 1024 --rounds 3 --calls 10 \
        --out benchmarks/results/ns_derivative_modes
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.experimental.jet import jet

from _standalone import atomic_write_text, commit, cpu_model, load1
from pinnrwf.nn import MLP, Plain
from pinnrwf.problems.equations import navier_stokes

RE = 1000.0
KEYS = ("f", "x", "y", "xx", "yy")
PLAN_KEYS = {(): "f", (0,): "x", (1,): "y", (0, 0): "xx", (1, 1): "yy"}
Table = dict[str, jax.Array]  # key -> (N, 3), columns (u, v, p)


def make_network(width: int = 128, depth: int = 5, seed: int = 0) -> MLP:
    """The cavity network (problems/ldc.py: MLP 2 -> 3, ``depth`` × ``width`` tanh, Plain)."""
    return MLP(2, 3, width, depth, Plain(), activation=jnp.tanh, key=jax.random.PRNGKey(seed))


# ------------------------------------------------------------------------------- the modes
def table_plan(model, xs) -> Table:
    """The DSL's DerivativePlan (batched nested jvp), vmapped over the points."""
    plan = navier_stokes(RE, derivative_mode="forward").plan
    out = jax.vmap(lambda x: plan(model, x))(xs)
    return {PLAN_KEYS[m]: out[m] for m in PLAN_KEYS}


def _value_and_jacobian_rev(model):
    """x -> (J (3, 2), (J, f (3,))) by reverse mode (one vjp per output)."""
    def fn(x):
        y, pullback = jax.vjp(model, x)
        jac = jax.vmap(lambda ct: pullback(ct)[0])(jnp.eye(y.shape[0], dtype=y.dtype))
        return jac, (jac, y)

    return fn


def _from_hessian(y, jac, hess) -> Table:
    """y (N, 3), jac (N, 3, 2), hess (N, 3, 2, 2) -> table."""
    return {"f": y, "x": jac[..., 0], "y": jac[..., 1], "xx": hess[..., 0, 0], "yy": hess[..., 1, 1]}


def table_fwd_rev(model, xs) -> Table:
    """Forward over reverse: jacfwd of the reverse-mode Jacobian, per point."""
    hess, (jac, y) = jax.vmap(jax.jacfwd(_value_and_jacobian_rev(model), has_aux=True))(xs)
    return _from_hessian(y, jac, hess)


def table_rev_fwd(model, xs) -> Table:
    """Reverse over forward: jacrev of the forward-mode Jacobian, per point."""
    eye = jnp.eye(2, dtype=xs.dtype)

    def jac_fwd(x):
        y, cols = jax.vmap(lambda e: jax.jvp(model, (x,), (e,)))(eye)  # (2, 3) each
        jac = cols.T  # (3, 2)
        return jac, (jac, y[0])

    hess, (jac, y) = jax.vmap(jax.jacrev(jac_fwd, has_aux=True))(xs)
    return _from_hessian(y, jac, hess)


def _table_along_axes(along, xs) -> Table:
    """The table from ``along(x, e) -> (f, ∂_e f, ∂_ee f)`` evaluated along both coordinate axes e
    at every point of ``xs`` (n, 2)."""
    eye = jnp.eye(2, dtype=xs.dtype)

    def point(x):
        y, d1, d2 = jax.vmap(lambda e: along(x, e))(eye)  # (2, 3) each
        return y[0], d1, d2

    y, d1, d2 = jax.vmap(point)(xs)
    return {"f": y, "x": d1[:, 0], "y": d1[:, 1], "xx": d2[:, 0], "yy": d2[:, 1]}


def table_jet(model, xs) -> Table:
    """Taylor mode along each coordinate: series (e_i, 0) gives (∂_i f, ∂_ii f) in one pass."""
    def along(x, e):
        y, (d1, d2) = jet(model, (x,), ((e, jnp.zeros_like(e)),))
        return y, d1, d2

    return _table_along_axes(along, xs)


def table_nested_same(model, xs) -> Table:
    """The plan's depth-2 nested jvp along (e_i, e_i), but with the *same* tangent array at both
    levels, so XLA can merge the two identical first-order tangents (the plan passes two rows of
    its direction array, which XLA cannot see are equal)."""
    def along(x, e):
        inner = lambda y: jax.jvp(model, (y,), (e,))  # noqa: E731  (f, ∂_e f)
        (y, d1), (_, d2) = jax.jvp(inner, (x,), (e,))
        return y, d1, d2

    return _table_along_axes(along, xs)


def table_taylor_mlp(model: MLP, xs) -> Table:
    """Hand-written second-order Taylor propagation through a tanh MLP, batched over points.

    Per layer z = h Wᵀ + b on h (N, w), tangents dh (2, N, w), second-order dh2 (2, N, w) along
    e_x and e_y: dz = dh Wᵀ, dz2 = dh2 Wᵀ; s = tanh z, s' = 1 − s², s'' = −2 s s',
    ds = s' dz, ds2 = s'' dz² + s' dz2."""
    n = xs.shape[0]
    h = jax.vmap(model.embedding)(xs)  # identity embedding for the cavity: (N, 2)
    dh = jnp.broadcast_to(jnp.eye(2, dtype=xs.dtype)[:, None, :], (2, n, 2))
    dh2 = jnp.zeros_like(dh)
    for layer, act in zip(model.layers[:-1], model.activations):
        w = layer.effective_weight()
        z, dz, dz2 = h @ w.T + layer.bias, dh @ w.T, dh2 @ w.T
        s = act(z)
        s1 = 1.0 - s * s
        h, dh, dh2 = s, s1 * dz, -2.0 * s * s1 * dz * dz + s1 * dz2
    last = model.layers[-1]
    w = last.effective_weight()
    y, d1, d2 = h @ w.T + last.bias, dh @ w.T, dh2 @ w.T
    return {"f": y, "x": d1[0], "y": d1[1], "xx": d2[0], "yy": d2[1]}


MODES: dict[str, Callable[[MLP, jax.Array], Table]] = {
    "plan": table_plan,
    "fwd_rev": table_fwd_rev,
    "rev_fwd": table_rev_fwd,
    "jet": table_jet,
    "nested_same": table_nested_same,
    "taylor_mlp": table_taylor_mlp,
}


# ------------------------------------------------------------------------------- loss and checks
def residual_loss(table: Table) -> jax.Array:
    """mean(r_u²) + mean(r_v²) + mean(r_c²) of the NS residual (K.14–K.16) from a table."""
    f, dx, dy, dxx, dyy = (table[k] for k in KEYS)
    u, v = f[:, 0], f[:, 1]
    r_u = u * dx[:, 0] + v * dy[:, 0] + dx[:, 2] - (dxx[:, 0] + dyy[:, 0]) / RE
    r_v = u * dx[:, 1] + v * dy[:, 1] + dy[:, 2] - (dxx[:, 1] + dyy[:, 1]) / RE
    r_c = dx[:, 0] + dy[:, 1]
    return jnp.mean(r_u**2) + jnp.mean(r_v**2) + jnp.mean(r_c**2)


def agreement(reference: Table, table: Table) -> dict[str, float]:
    """max |table − reference| / max |reference| per key (over points and fields)."""
    return {k: float(jnp.max(jnp.abs(table[k] - reference[k])) / jnp.max(jnp.abs(reference[k]))) for k in KEYS}


def value_and_grad_fn(mode: str):
    table_fn = MODES[mode]
    return eqx.filter_jit(eqx.filter_value_and_grad(lambda model, xs: residual_loss(table_fn(model, xs))))


def time_interleaved(fns: dict, model, xs, calls: int) -> dict[str, float]:
    """Median seconds of one call per mode; the modes alternate call by call (A B C A B C …) so a
    change of machine load hits them all alike. Every fn is already compiled."""
    times: dict[str, list[float]] = {m: [] for m in fns}
    for _ in range(calls):
        for m, fn in fns.items():
            t0 = time.perf_counter()
            jax.block_until_ready(fn(model, xs))
            times[m].append(time.perf_counter() - t0)
    return {m: statistics.median(t) for m, t in times.items()}


# ------------------------------------------------------------------------------- output
def markdown(result: dict) -> str:
    modes = result["modes"]
    lines = [
        "# NS derivative table: value+gradient of the residual loss per derivative mode",
        "",
        f"Device {result['device']} ({result['cpu']}), commit {result['commit']}, {result['date']}, "
        f"{result['points']} points, MLP 2→3, {result['depth']} × {result['width']} tanh, float32, "
        f"median of {result['calls']} calls per mode per round (modes alternating call by call).",
        "",
        f"Command: `{result['command']}`" + (f" with `XLA_FLAGS=\"{result['xla_flags']}\"`" if result.get("xla_flags") else ""),
        "",
        "| round | load (1 min) | " + " | ".join(f"{m} ms" for m in modes) + " | "
        + " | ".join(f"{m}/plan" for m in modes if m != "plan") + " |",
        "|" + "---|" * (2 + 2 * len(modes) - 1),
    ]
    for r in result["rounds"]:
        ms = " | ".join(f"{1e3 * r['seconds'][m]:.1f}" for m in modes)
        ratios = " | ".join(f"{r['time_ratio_to_plan'][m]:.2f}" for m in modes if m != "plan")
        lines.append(f"| {r['round']} | {r['load_before']:.2f}→{r['load_after']:.2f} | {ms} | {ratios} |")
    med = result["median_time_ratio_to_plan"]
    lines += ["", "Median time ratio to `plan` (< 1: faster than the DSL's plan): "
              + ", ".join(f"{m} {med[m]:.2f}" for m in modes if m != "plan") + ".", "",
              "Agreement with `plan` (max |diff| / max |entry|): "]
    for m, agree in result["agreement"].items():
        lines.append(f"- {m}: " + ", ".join(f"{k} {v:.1e}" for k, v in agree.items()))
    lines.append("")
    lines.append("Compile seconds (first call): " + ", ".join(f"{m} {s:.1f}" for m, s in result["compile_seconds"].items()))
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1024, help="residual points (paper: 1024)")
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (>= 3)")
    ap.add_argument("--calls", type=int, default=10, help="timed calls per mode per round (median)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma list of modes (plan is always included)")
    ap.add_argument("--out", type=Path, default=None, help="folder for ns_derivative_modes.{json,md}")
    args = ap.parse_args(argv)
    for name in ("points", "width", "depth", "calls"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.rounds < 3:
        raise ValueError(f"--rounds must be >= 3 (back-to-back ratios), got {args.rounds}")
    modes = ["plan"] + [m for m in args.modes.split(",") if m and m != "plan"]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise ValueError(f"--modes: unknown mode {unknown[0]!r}; the modes are {tuple(MODES)}")

    model = make_network(args.width, args.depth)
    xs = jax.random.uniform(jax.random.PRNGKey(1), (args.points, 2))
    reference = jax.jit(table_plan)(model, xs)
    agree = {m: agreement(reference, jax.jit(MODES[m])(model, xs)) for m in modes if m != "plan"}
    for m, a in agree.items():
        print(f"agreement {m}: " + ", ".join(f"{k} {v:.1e}" for k, v in a.items()), flush=True)

    fns, compile_s = {}, {}
    for m in modes:
        fns[m] = value_and_grad_fn(m)
        t0 = time.perf_counter()
        jax.block_until_ready(fns[m](model, xs))
        compile_s[m] = time.perf_counter() - t0
    rounds = []
    for r in range(1, args.rounds + 1):
        before = load1()
        seconds = time_interleaved(fns, model, xs, args.calls)
        row = {"round": r, "load_before": before, "load_after": load1(), "seconds": seconds,
               "time_ratio_to_plan": {m: seconds[m] / seconds["plan"] for m in modes}}
        rounds.append(row)
        print(json.dumps(row), flush=True)
    result = {
        "benchmark": "ns_derivative_modes",
        "command": " ".join(["python", "benchmarks/ns_derivative_modes.py", *(argv or sys.argv[1:])]),
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": jax.devices()[0].platform,
        "cpu": cpu_model(),
        "jax_version": jax.__version__,
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "points": args.points, "width": args.width, "depth": args.depth, "calls": args.calls,
        "modes": modes,
        "agreement": agree,
        "compile_seconds": compile_s,
        "rounds": rounds,
        "median_time_ratio_to_plan": {m: statistics.median(r["time_ratio_to_plan"][m] for r in rounds) for m in modes},
    }
    md = markdown(result)
    print(md)
    if args.out:
        atomic_write_text(args.out / "ns_derivative_modes.json", json.dumps(result, indent=1) + "\n")
        atomic_write_text(args.out / "ns_derivative_modes.md", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
