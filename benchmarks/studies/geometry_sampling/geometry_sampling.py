"""What sampling a non-box domain costs per training step, against the box sampler.

Workload: Laplace's equation in 2D, MLP 3 hidden × 32 tanh (Plain), Adam, ``--points`` residual
points per step (the forward-Laplacian plan). The same objective is timed through
``pinnrwf.train.fit`` with four interior samplers, alternating (A B C D A B C D …, ``--rounds``
rounds; the machine is shared and noisy):

- ``box``: today's box sampler, ``pde.Domain({"x": (-1, 1), "y": (-1, 1)}).interior(n)``;
- ``polygon``: the L-shaped ``geometry.Polygon`` (a primitive: triangle by area, no rejection);
- ``difference``: the square minus a disk of radius 0.5 (a set operation: oversampled rejection
  from the bounding box, fixed-size fill);
- ``difference-sobol``: the same with a shifted Sobol pool.

Rates are steps/s of the fastest chunk of each run; the ratio is box rate / case rate per round
(> 1: the case is slower), and its median is reported. Separately, each draw alone is timed in a
``lax.scan`` of as many draws (fastest of 5).

    python -m pinnrwf.benchmarks.studies.geometry_sampling.geometry_sampling [--steps 200] [--rounds 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp

from pinnrwf import geometry, pde
from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark, ratio_rounds_table
from pinnrwf.nn import MLP, Plain
from pinnrwf.train import Adam, TrainConfig, fit

LAPLACE = pde.Equation(coords=("x", "y"), fields=("u",), residual=lambda p: p.laplacian("u"))


def samplers(n: int) -> dict[str, pde.AbstractSampler]:
    square = geometry.Rectangle((-1, -1), (1, 1))
    holed = pde.Region(square - geometry.Disk((0.0, 0.0), 0.5), ("x", "y"))
    ell = geometry.Polygon([(-1, -1), (0, -1), (0, 0), (1, 0), (1, 1), (-1, 1)])
    return {
        "box": pde.Domain({"x": (-1.0, 1.0), "y": (-1.0, 1.0)}).interior(n),
        "polygon": pde.Region(ell, ("x", "y")).interior(n),
        "difference": holed.interior(n),
        "difference-sobol": holed.interior(n, method="sobol"),
    }


def time_fit(sampler, steps: int, chunk: int) -> float:
    """Steps/s of the fastest chunk after the first (which compiles)."""
    objective = pde.PINNObjective(LAPLACE, {"r": pde.Residual(sampler)})
    stamps = []
    cfg = TrainConfig(steps=steps + chunk, chunk_steps=chunk, progress=False)
    fit(
        lambda key: MLP(2, 1, 32, 3, Plain(), key=key),
        objective,
        cfg,
        optimizer=Adam(decay_steps=None),
        on_chunk=lambda step, record: stamps.append(time.perf_counter()),
    )
    return chunk / min(b - a for a, b in zip(stamps, stamps[1:]))


def time_draws(sampler, draws: int) -> float:
    """Seconds per draw inside one compiled scan (fastest of 5)."""

    @eqx.filter_jit
    def run(sampler, key):
        def body(k, _):
            k, sub = jax.random.split(k)
            return k, jnp.sum(sampler.sample(sub))

        return jax.lax.scan(body, key, None, length=draws)[1]

    jax.block_until_ready(run(sampler, jax.random.PRNGKey(0)))
    best = float("inf")
    for r in range(5):
        t0 = time.perf_counter()
        jax.block_until_ready(run(sampler, jax.random.PRNGKey(r + 1)))
        best = min(best, time.perf_counter() - t0)
    return best / draws


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--points", type=positive_int_arg, default=2048, help="residual points per step (default: %(default)s)"
    )
    p.add_argument("--steps", type=positive_int_arg, default=200, help="timed steps per case (default: %(default)s)")
    p.add_argument("--chunk", type=positive_int_arg, default=50, help="steps per compiled chunk (default: %(default)s)")
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="rounds of all cases (default: %(default)s)")
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "geometry-sampling", "default")
    if args.steps % args.chunk:
        raise ValueError(f"--steps must be a multiple of --chunk ({args.chunk}), got {args.steps}")
    cases = samplers(args.points)
    rounds = []
    for r in range(args.rounds):
        rates = {}
        for name, sampler in cases.items():  # back to back: box, polygon, difference, sobol, box, …
            rates[name] = time_fit(sampler, args.steps, args.chunk)
        rounds.append(
            {
                "round": r + 1,
                "steps_per_second": rates,
                "slowdown_vs_box": {k: rates["box"] / v for k, v in rates.items() if k != "box"},
            }
        )
        print(rounds[-1], flush=True)
    draw = {name: time_draws(s, args.steps) for name, s in cases.items()}
    median = {k: statistics.median(x["slowdown_vs_box"][k] for x in rounds) for k in cases if k != "box"}
    fastest_step = 1.0 / max(x["steps_per_second"]["box"] for x in rounds)
    payload = {
        "workload": {
            "equation": "Laplace 2D (forward-Laplacian plan)",
            "points": args.points,
            "network": "MLP 3 hidden x 32 tanh, Plain",
            "optimizer": "Adam",
        },
        "rounds": rounds,
        "median_slowdown_vs_box": median,
        "draw_seconds": draw,
        "draws_per_step": {k: getattr(getattr(s, "sampler", None), "draws", args.points) for k, s in cases.items()},
        "box_step_seconds_fastest": fastest_step,
        "load_average_1min": os.getloadavg()[0],
    }
    platform = jax.devices()[0].platform
    names = [k for k in cases if k != "box"]
    lines = ratio_rounds_table(
        f"# Interior sampling cost per step, non-box domains vs the box ({platform}, {args.points} points)",
        rounds,
        "box",
        names,
        "slowdown_vs_box",
    )
    lines += [
        "",
        "Median step-time ratio to the box (> 1: slower): "
        + ", ".join(f"{k} **×{median[k]:.3f}**" for k in names)
        + ".",
        "",
        "One draw alone (in a compiled scan): "
        + ", ".join(f"{k} {1e6 * v:.0f} µs ({payload['draws_per_step'][k]} candidates)" for k, v in draw.items())
        + f"; the fastest box step takes {1e3 * fastest_step:.2f} ms.",
        f"1-minute load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores, shared).",
    ]
    md = "\n".join(lines) + "\n"
    return publish_benchmark(f"geometry_sampling_{platform}", payload, md, out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_parser(p)
    return main_from_args(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
