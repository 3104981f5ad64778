"""Engine speed on the RWF paper's advection-sized PINN step.

MLP 5 hidden layers × 256 tanh on the embedding [cos x, sin x, t] (eq. K.3); residual
u_t + 50 u_x on 1024 points plus 128 initial-condition points, all resampled every step; Adam.
The step is written by hand here (u_x and u_t of the scalar network from one reverse-mode
``jax.grad`` per point, as a hand-written PINN would; on XLA:CPU this measured 2x faster than
``jacfwd``) and timed through the real engine (``pinnrwf.train.fit``: lax.scan chunks, vmapped
seed ensembles). The residual DSL's version of the same step is timed beside it.
Reports steps/s for Plain and RWF, single seed and a 10-seed ensemble.

    pinnrwf bench engine [--steps 600] [--chunk 100] [--precision highest]
    pinnrwf bench engine --derivative-mode reverse   # force the DSL step's derivative plan
    pinnrwf bench engine --modes-back-to-back 3 --steps 300 --out DIR
        # DSL step, directional vs reverse-mode plan, A B A B for Plain and RWF (1 seed), with the
        # 1-minute load average per round: DIR/results.json and DIR/README.md
"""

from __future__ import annotations

import argparse
import datetime
import math
import statistics
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp

from pinnrwf._cli_types import int_list_arg, positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, command_line, publish_benchmark
from pinnrwf.nn import MLP, RWF, PeriodicEmbedding, Plain
from pinnrwf.pde import Equation
from pinnrwf.problems.advection import Advection, AdvectionConfig
from pinnrwf.train import (
    AbstractObjective,
    Adam,
    TrainConfig,
    atomic_write_bytes,
    device_description,
    fit,
    git_commit,
    write_results,
)

C = 50.0
N_RESIDUAL, N_INITIAL = 1024, 128


def speed_objective(*, c: float, n_residual: int, n_initial: int):
    """The benchmark's step expressed through the DSL: the advection problem's objective with these
    points (same network as the hand-written step)."""
    config = AdvectionConfig(c=c, n_residual=n_residual, n_initial=n_initial, eval_nx=8, eval_nt=8)
    return Advection().objective(config, TrainConfig(steps=1))


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
    p.add_argument(
        "--steps", type=positive_int_arg, default=None, help="timed steps per case (default: 600 on CPU, 5000 on GPU)"
    )
    p.add_argument(
        "--chunk", type=positive_int_arg, default=100, help="steps per compiled chunk (default: %(default)s)"
    )
    p.add_argument("--seeds", type=int_list_arg, default=[1, 10], help="ensemble sizes to time (default: %(default)s)")
    p.add_argument("--precision", default="highest", choices=("default", "high", "highest"))
    p.add_argument(
        "--depth", type=positive_int_arg, default=5, help="hidden layers of 256 units (default: %(default)s)"
    )
    p.add_argument(
        "--derivative-mode",
        default="auto",
        choices=("auto", "reverse", "forward", "directional"),
        help="derivative plan of the DSL step's equation (default: %(default)s)",
    )
    p.add_argument(
        "--modes-back-to-back",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="instead: time the DSL step with the directional and the reverse-mode plan, "
        "alternating, ROUNDS rounds (Plain and RWF, 1 seed)",
    )
    add_out_argument(p)


def batch_loss(objective, key):
    """The summed loss terms of ``objective`` on one batch drawn with ``key``, as a function of
    the model (at step 0), for timing or inspecting one loss-and-gradient evaluation."""
    batch = objective.sample(key)

    def loss(model):
        terms, _ = objective.loss_terms(model, batch, jnp.int32(0))
        return sum(terms.values())

    return loss


def with_derivative_mode(objective, mode: str):
    """``objective`` (a DSL PINNObjective) with its equation's derivative plan forced to ``mode``
    (trainable parameters stay trainable)."""
    eq = objective.equation
    forced = Equation(
        eq.coords,
        eq.fields,
        eq.residual,
        params={**eq.params, **eq.trainable},
        inputs=eq.inputs,
        time=eq.time,
        derivative_mode=mode,
    )
    return eqx.tree_at(lambda o: o.equation, objective, forced)


def load_average() -> float | None:
    """The 1-minute load average (``/proc/loadavg``), or None where there is none."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def modes_back_to_back(rounds, steps, chunk, precision, depth, modes=("directional", "reverse")) -> dict:
    """Steps/s of the DSL step under each derivative plan, alternating A B A B within each round
    (per parameterization), with the load average beside each timing; per-round ratios A/B."""
    dsl = speed_objective(c=C, n_residual=N_RESIDUAL, n_initial=N_INITIAL)
    objectives_by_mode = {m: with_derivative_mode(dsl, m) for m in modes}
    cases = []
    for r in range(rounds):
        for pname, param in (("plain", Plain()), ("rwf", RWF())):
            row = {"round": r + 1, "parameterization": pname}
            for mode in modes:
                res = time_engine(objectives_by_mode[mode], param, 1, steps, min(chunk, steps), precision, depth)
                row[mode] = res["steps_per_second"]
                row[f"load_{mode}"] = load_average()
                row[f"final_loss_{mode}"] = res["final_loss_mean"]
            row["ratio"] = row[modes[0]] / row[modes[1]]
            cases.append(row)
            print(
                f"round {r + 1} {pname}: "
                + ", ".join(f"{m} {row[m]:.2f} steps/s (load {row[f'load_{m}']})" for m in modes)
                + f", ratio {row['ratio']:.3f}",
                flush=True,
            )
    medians = {p: statistics.median(c["ratio"] for c in cases if c["parameterization"] == p) for p in ("plain", "rwf")}
    return {
        "modes": list(modes),
        "steps": steps,
        "chunk": chunk,
        "seeds": 1,
        "precision": precision,
        "hidden_layers": depth,
        "rounds": cases,
        "median_ratio": medians,
    }


def modes_markdown(result: dict, platform: str) -> str:
    a, b = result["modes"]
    lines = [
        f"# DSL advection step: {a} vs {b} derivative plan ({platform})\n",
        f"{result['hidden_layers']} hidden layers x 256, {N_RESIDUAL} residual + {N_INITIAL} initial points, "
        f"{result['steps']} steps (chunk {result['chunk']}), 1 seed, precision {result['precision']}; "
        f"each round times {a} then {b} back to back.\n",
        f"Device: {device_description()}; commit {git_commit()}; date {datetime.date.today()}; "
        f"command: `{command_line()}`; load = 1-minute load average after each timing.\n",
        f"| round | parameterization | {a} steps/s | load | {b} steps/s | load | ratio {a}/{b} |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in result["rounds"]:
        lines.append(
            f"| {c['round']} | {c['parameterization']} | {c[a]:.2f} | {c[f'load_{a}']} | "
            f"{c[b]:.2f} | {c[f'load_{b}']} | {c['ratio']:.3f} |"
        )
    lines.append("")
    lines += [f"Median ratio, {p}: **{v:.3f}**" for p, v in result["median_ratio"].items()]
    return "\n".join(lines) + "\n"


def objectives() -> dict[str, AbstractObjective]:
    """The step variants timed side by side: written by hand, and through the residual DSL."""
    return {
        "hand-written": HandWrittenAdvection(),
        "dsl": speed_objective(c=C, n_residual=N_RESIDUAL, n_initial=N_INITIAL),
    }


def main_from_args(args) -> int:
    preset = "directional" if args.modes_back_to_back > 0 else "default" if args.depth == 5 else f"depth{args.depth}"
    out = check_out(args, "engine", preset)
    platform = jax.devices()[0].platform
    steps = args.steps or (600 if platform == "cpu" else 5000)
    if args.modes_back_to_back > 0:
        result = modes_back_to_back(args.modes_back_to_back, steps, args.chunk, args.precision, args.depth)
        md = modes_markdown(result, platform)
        json_path = write_results(
            Path(out) / "results.json", {"benchmark": "directional_plan", "command": command_line(), **result}
        )
        atomic_write_bytes(Path(out) / "README.md", lambda f: f.write(md.encode()))
        print(md)
        print("wrote", json_path, Path(out) / "README.md")
        return 0
    seeds_list = args.seeds
    rows, cases = [], []
    for variant, objective in objectives().items():
        if variant == "dsl" and args.derivative_mode != "auto":
            objective = with_derivative_mode(objective, args.derivative_mode)
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
    return publish_benchmark(name, {"precision": args.precision, "cases": cases}, md, out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    configure_parser(parser)
    raise SystemExit(main_from_args(parser.parse_args()))
