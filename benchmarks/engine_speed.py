"""Engine speed on the RWF paper's advection-sized PINN step (issue: core library §7).

MLP 5 hidden layers × 256 tanh on the embedding [cos x, sin x, t] (eq. K.3); residual
u_t + 50 u_x on 1024 points plus 128 initial-condition points, all resampled every step; Adam.
The step is written by hand here (u_x and u_t of the scalar network from one reverse-mode
``jax.grad`` per point, as a hand-written PINN would; on XLA:CPU this measured 2x faster than
``jacfwd``) and timed through the real engine (``pinnrwf.train.fit``: lax.scan chunks, vmapped
seed ensembles). The residual DSL's version of the same step is timed beside it.
Reports steps/s for Plain and RWF, single seed and a 10-seed ensemble.

    pinnrwf bench engine [--steps 600] [--chunk 100] [--precision highest]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import jax
import jax.numpy as jnp

from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark
from pinnrwf.nn import MLP, RWF, PeriodicEmbedding, Plain
from pinnrwf.problems.advection import speed_objective
from pinnrwf._cli_types import int_list_arg, positive_int_arg
from pinnrwf.train import AbstractObjective, Adam, TrainConfig, fit

C = 50.0
N_RESIDUAL, N_INITIAL = 1024, 128


class HandWrittenAdvection(AbstractObjective):
    """L = 100 · mean(u(x, 0) − sin x)² + mean(u_t + c u_x)², inputs (x, t) ∈ (0, 2π) × (0, 1)."""

    def sample(self, key):
        kr, ki = jax.random.split(key)
        xt = jax.random.uniform(kr, (N_RESIDUAL, 2), maxval=jnp.array([2 * jnp.pi, 1.0]))
        x0 = jax.random.uniform(ki, (N_INITIAL,), maxval=2 * jnp.pi)
        return xt, x0

    def loss_terms(self, model, batch, step):
        xt, x0 = batch
        grad = jax.vmap(jax.grad(lambda z: model(z)[0]))(xt)  # (N, 2): [u_x, u_t]
        residual = grad[:, 1] + C * grad[:, 0]
        u0 = jax.vmap(model)(jnp.stack([x0, jnp.zeros_like(x0)], axis=1))[:, 0]
        return {"ic": 100.0 * jnp.mean((u0 - jnp.sin(x0)) ** 2), "res": jnp.mean(residual**2)}, {}


def init_model(parameterization, depth: int = 5):
    def init(key):
        embedding = PeriodicEmbedding(2, axes=(0,), periods=(2 * math.pi,))
        return MLP(2, 1, 256, depth, parameterization, activation=jnp.tanh, embedding=embedding, key=key)

    return init


def time_engine(objective, parameterization, seeds, steps, chunk, precision, depth=5) -> dict:
    cfg = TrainConfig(steps=steps, seeds=seeds, chunk_steps=chunk, precision=precision, progress=False)
    r = fit(init_model(parameterization, depth), objective, cfg, optimizer=Adam(decay_steps=5000))
    return {
        "seeds": seeds,
        "steps": steps,
        "steps_per_second": r.steps_per_second,
        "seed_steps_per_second": r.steps_per_second * seeds,
        "compile_plus_first_chunk_seconds": r.compile_seconds,
        "final_loss_mean": float(sum(r.history["loss"][-1]) / seeds),
    }


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", type=positive_int_arg, default=None, help="timed steps per case (default: 600 on CPU, 5000 on GPU)")
    p.add_argument("--chunk", type=positive_int_arg, default=100, help="steps per compiled chunk (default: %(default)s)")
    p.add_argument("--seeds", type=int_list_arg, default=[1, 10], help="ensemble sizes to time (default: %(default)s)")
    p.add_argument("--precision", default="highest", choices=("default", "high", "highest"))
    p.add_argument("--depth", type=positive_int_arg, default=5, help="hidden layers of 256 units (default: %(default)s)")
    add_out_argument(p)


def objectives() -> dict[str, AbstractObjective]:
    """The step variants timed side by side: written by hand, and through the residual DSL."""
    return {
        "hand-written": HandWrittenAdvection(),
        "dsl": speed_objective(c=C, n_residual=N_RESIDUAL, n_initial=N_INITIAL),
    }


def main_from_args(args) -> int:
    out = check_out(args)
    platform = jax.devices()[0].platform
    steps = args.steps or (600 if platform == "cpu" else 5000)
    seeds_list = args.seeds
    rows, cases = [], []
    for variant, objective in objectives().items():
        for pname, param in (("plain", Plain()), ("rwf", RWF())):
            for seeds in seeds_list:
                res = time_engine(objective, param, seeds, steps, min(args.chunk, steps), args.precision, args.depth)
                res.update(variant=variant, parameterization=pname, hidden_layers=args.depth)
                cases.append(res)
                rows.append(
                    f"| {variant} | {pname} | {seeds} | {res['steps_per_second']:.1f} | "
                    f"{res['seed_steps_per_second']:.1f} |"
                )
                print(rows[-1], flush=True)
    header = (
        f"# Engine speed, advection-sized PINN step ({platform}, {args.depth} hidden layers x 256, "
        f"precision {args.precision})\n\n"
        "| step | parameterization | seeds | steps/s | seed-steps/s |\n|---|---|---|---|---|\n"
    )
    md = header + "\n".join(rows) + "\n"
    name = f"engine_speed_{platform}" + ("" if args.depth == 5 else f"_depth{args.depth}")
    paths = write_benchmark(name, {"precision": args.precision, "cases": cases}, md, out)
    print(md)
    print("wrote", *paths)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    configure_parser(parser)
    raise SystemExit(main_from_args(parser.parse_args()))
