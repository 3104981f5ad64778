"""The ETDRK4 datasets' solves with the NumPy and the JAX backend, back to back.

    pinnrwf bench spectral-backends [--rounds 3] [--burgers-t-final 0.1] [--out benchmarks/results]

Per dataset of ``pinnrwf generate`` whose solver is ETDRK4 (Burgers: the generator's default batch
of 100 initial conditions, N = 1024, dt = 10⁻⁴; Allen–Cahn: its one ε = 10⁻⁴ sample, N = 2048,
dt = 10⁻⁴ to t = 1), the solver's ``solve`` runs with ``backend="numpy"`` and ``backend="jax"``
alternately (A B A B, ``--rounds`` rounds; the JAX program is compiled by one untimed run first).
Recorded per run: wall and process CPU seconds, the 1-minute load before each round, and the
largest difference between the two backends relative to max |u|. The Burgers horizon is cut to
``--burgers-t-final`` (1000 steps at 0.1; the step's cost does not depend on t) so that a round
fits a shared machine; a full chunk (t = 1) is 10⁴ steps, the train set 10 chunks, the test set 1.
Run with one compute thread per process (``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1``): the NumPy path uses one scipy.fft thread at these sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark
from pinnrwf.datasets.generate import AllenCahnConfig, BurgersConfig
from pinnrwf.solvers import allen_cahn, burgers

BACKENDS = ("numpy", "jax")


def instruction_sets() -> list[str]:
    """The CPU's vector extensions that matter to XLA and FFTs (from /proc/cpuinfo)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return []
    return sorted(f for f in set(flags) if f in {"avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl"})


def workloads(burgers_t_final: float) -> dict:
    """name -> (solve(backend) -> u, steps per run, description)."""
    b = BurgersConfig()
    u0 = b.sample_inputs(b.default_batch, 1)["u0"]
    t_b = np.linspace(0.0, burgers_t_final, int(round(burgers_t_final / 0.01)) + 1)
    a = AllenCahnConfig()
    t_a = a.coordinates()["t"]
    return {
        "burgers (generate burgers, 1 chunk of 100)": (
            lambda backend: burgers.solve(u0, nu=b.nu, t_eval=t_b, dt=b.dt, n_internal=b.n_internal, backend=backend),
            burgers.count_steps(t_b, b.dt),
            f"B = {u0.shape[0]}, N = 1024, t = 0 … {burgers_t_final:g}",
        ),
        "allen-cahn (generate allen-cahn)": (
            lambda backend: allen_cahn.solve(
                nx=a.nx, t_eval=t_a, epsilon=a.epsilon[0], dt=a.dt, n_internal=a.n_internal, backend=backend
            ),
            allen_cahn.count_steps(t_a, a.dt),
            f"B = 1, N = {a.n_internal}, t = 0 … {a.t_final:g}",
        ),
    }


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rounds", type=positive_int_arg, default=3, help="alternating rounds (default: %(default)s)")
    p.add_argument("--burgers-t-final", type=float, default=0.1, help="Burgers horizon timed (default: %(default)s)")
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "spectral-backends", "default")
    rows = {}
    for name, (solve, steps, what) in workloads(args.burgers_t_final).items():
        solve("jax")  # compilation, untimed
        runs = {b: [] for b in BACKENDS}
        loads, results = [], {}
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for backend in BACKENDS:
                w0, c0 = time.perf_counter(), time.process_time()
                results[backend] = solve(backend)
                runs[backend].append({"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0})
        scale = float(np.max(np.abs(results["numpy"])))
        speed = {k: [n[k] / j[k] for n, j in zip(runs["numpy"], runs["jax"])] for k in ("wall_s", "cpu_s")}
        rows[name] = {
            "workload": what,
            "steps": steps,
            "runs": runs,
            "load1_per_round": loads,
            "jax_speed_over_numpy_wall": speed["wall_s"],
            "jax_speed_over_numpy_cpu": speed["cpu_s"],
            "median_wall": statistics.median(speed["wall_s"]),
            "median_cpu": statistics.median(speed["cpu_s"]),
            "max_rel_difference": float(np.max(np.abs(results["jax"] - results["numpy"]))) / scale,
        }
        print(
            f"spectral-backends: {name}: jax/numpy speed wall {[round(x, 2) for x in speed['wall_s']]} "
            f"cpu {[round(x, 2) for x in speed['cpu_s']]} (load {[round(x, 1) for x in loads]})",
            flush=True,
        )
    lines = [
        "# ETDRK4 datasets: NumPy vs JAX backend",
        "",
        f"Instruction sets: {', '.join(instruction_sets()) or 'unknown'}; XLA_FLAGS "
        f"`{os.environ.get('XLA_FLAGS', '')}`. {args.rounds} alternating rounds (numpy, jax); speed = "
        "t(numpy) / t(jax) per round (above 1 the JAX backend is faster).",
        "",
        "| dataset solve | workload | steps | numpy s (wall, median) | jax s (wall, median) | speed by wall, per "
        "round | median | speed by CPU time, per round | median | load per round | max rel. difference |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        med = {b: statistics.median(x["wall_s"] for x in r["runs"][b]) for b in BACKENDS}
        lines.append(
            f"| {name} | {r['workload']} | {r['steps']} | {med['numpy']:.2f} | {med['jax']:.2f} | "
            + ", ".join(f"{x:.2f}" for x in r["jax_speed_over_numpy_wall"])
            + f" | {r['median_wall']:.2f} | "
            + ", ".join(f"{x:.2f}" for x in r["jax_speed_over_numpy_cpu"])
            + f" | {r['median_cpu']:.2f} | "
            + ", ".join(f"{x:.1f}" for x in r["load1_per_round"])
            + f" | {r['max_rel_difference']:.1e} |"
        )
    md = "\n".join(lines) + "\n"
    write_benchmark(
        "spectral_backends",
        {
            "rounds": args.rounds,
            "burgers_t_final": args.burgers_t_final,
            "instruction_sets": instruction_sets(),
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
            "datasets": rows,
        },
        md,
        out,
    )
    print(md)
    return 0
