"""pinnrwf's lid-driven cavity (Navier–Stokes) training step timed through the real engine.

The counterpart of ``benchmarks/peers/deepxde_cavity.py`` (same network, points, loss, Adam; see its
docstring): ``pinnrwf.train.fit`` on ``problems/ldc.py``'s objective (residual DSL, Re curriculum,
1024 interior + 256 boundary points redrawn on device every step for ``--points paper``, 512 + 128
for ``--points quick``), MLP 5 × 128 tanh, Plain parameterization, one seed, float32. Steps/s is
the engine's steady rate, ``FitResult.steps_per_second``: compilation and the first chunk are
excluded, and so is the metric evaluation between chunks. The reference solution only feeds the
metrics (outside the timed window), so a tiny 16² one is solved in memory.

    /work/venv/bin/python benchmarks/peers/pinnrwf_cavity.py --steps 400 --chunk 100 --out /tmp/pinnrwf_ns.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys

import equinox as eqx
import jax

from pinnrwf.nn import Plain
from pinnrwf.problems.equations import navier_stokes
from pinnrwf.problems.ldc import Cavity, CavityConfig
from pinnrwf.train import Adam, TrainConfig, atomic_write_bytes, fit

POINTS = {"paper": (1024, 256), "quick": (512, 128)}  # (N_r interior, N_b boundary), problems/ldc.py


def cavity_config(points: str) -> CavityConfig:
    """The cavity at the preset's point counts, with a 16² in-memory reference (metrics only)."""
    n_residual, n_boundary = POINTS[points]
    return CavityConfig(
        n_residual=n_residual, n_boundary=n_boundary, reference_n=16, eval_stride=1, generate_reference=True
    )


def time_cavity(points: str, steps: int, chunk: int, seed: int = 0, derivative_mode: str = "auto") -> dict:
    """Train ``steps`` steps (chunks of ``chunk``) and return the engine's timing. ``derivative_mode``:
    the NS equation's plan (``auto``: the forward Laplacian; ``forward``: the nested-jvp plan)."""
    if steps < 2 * chunk:
        raise ValueError(
            f"steps must be at least 2 * chunk (the first chunk includes compilation), got steps={steps}, chunk={chunk}"
        )
    config = cavity_config(points)
    init = Cavity().init_model(config, Plain())
    train = TrainConfig(steps=steps, seeds=1, seed=seed, chunk_steps=chunk, progress=False)
    objective = Cavity().objective(config, train)
    objective = eqx.tree_at(lambda o: o.equation, objective, navier_stokes(config.re, derivative_mode=derivative_mode))
    r = fit(init, objective, train, optimizer=Adam(decay_steps=2000))
    return {
        "library": "pinnrwf",
        "problem": "ldc (steady NS, Re 1000)",
        "jax_version": jax.__version__,
        "device": jax.devices()[0].platform,
        "points": points,
        "n_residual": config.n_residual,
        "n_boundary": config.n_boundary,
        "width": config.width,
        "depth": config.depth,
        "steps": steps,
        "chunk": chunk,
        "timed_steps": steps - chunk,
        "derivative_plan": repr(objective.equation.plan),
        "steps_per_second": round(r.steps_per_second, 3),
        "compile_plus_first_chunk_seconds": round(r.compile_seconds, 3),
        "final_loss": float(r.history["loss"][-1][0]),
        "python": platform.python_version(),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=400, help="total steps (the first chunk is not timed)")
    ap.add_argument("--chunk", type=int, default=100, help="steps per compiled chunk")
    ap.add_argument("--points", choices=tuple(POINTS), default="paper")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--derivative-mode",
        choices=("auto", "forward"),
        default="auto",
        help="auto: the forward-Laplacian plan; forward: the nested-jvp plan (before/after comparisons)",
    )
    ap.add_argument("--out", default=None, help="also write the JSON here (atomically)")
    args = ap.parse_args(argv)
    line = json.dumps(time_cavity(args.points, args.steps, args.chunk, args.seed, args.derivative_mode))
    print(line, flush=True)
    if args.out:
        atomic_write_bytes(args.out, lambda f: f.write((line + "\n").encode()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
