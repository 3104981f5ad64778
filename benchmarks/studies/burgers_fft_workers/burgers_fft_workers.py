"""Burgers solver: scipy.fft threads (1 vs all cores) by batch size, and the speed against exponax.

The hot loop of :func:`pinnrwf.solvers.burgers.solve` is the ETDRK4 step (four rfft/irfft pairs
on a batch of B initial conditions of N points). For every (N, B) it times chunks of steps with
``workers=1`` and ``workers=-1`` (all cores), back to back and alternating (A B A B ...), in
``--rounds`` rounds of ``--pairs`` pairs each, recording the 1-minute load average per round.
Reported per case: the ratio t(1 thread) / t(all cores) per round (> 1: threads help), the
medians, M point-steps/s (B·N·steps / s) and whether both final states are bitwise equal. The
cross-over (the smallest B·N from which all cores win in every larger measured case) is what
:data:`pinnrwf.solvers.burgers.PARALLEL_MIN_POINTS` is set from.

With ``--exponax-python PATH`` (the interpreter of a separate venv holding exponax, e.g.
/work/venv-exponax/bin/python; it never goes into the project's venv) it also compares against
exponax's Burgers stepper (ETDRK4, same N, dt, ν, batch, same initial data), alternating our
solver and a subprocess running ``benchmarks/peers/exponax_burgers.py``; both are checked against a
reference of ours with dt/10, so the speeds are compared at stated accuracy.

    pinnrwf bench burgers-fft-workers [--grids 1024 256] [--batches 1 4 16 64 256 1024] \\
        [--rounds 5] [--pairs 8] [--seconds 0.1] [--exponax-python /work/venv-exponax/bin/python] \\
        [--preset default] --out benchmarks/results

Writes ``results.json`` and ``README.md`` into ``--out``/burgers-fft-workers/<device>/<preset>/ (``--out``
default runs/benchmarks).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from pinnrwf import _validation as check
from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, command_line, result_dir
from pinnrwf.solvers import burgers
from pinnrwf.solvers.base import rollout
from pinnrwf.solvers.random_fields import burgers_initial_conditions
from pinnrwf.train import atomic_write_bytes, write_results

NU, DT = 1e-3, 1e-4
EXPONAX_SCRIPT = Path(__file__).resolve().parents[2] / "peers" / "exponax_burgers.py"
ARMS = {"1 thread": 1, "all cores": burgers.usable_cores()}


def initial_data(batch: int, n: int, seed: int = 2024) -> np.ndarray:
    """The Burgers benchmark's GRF initial conditions ``(batch, n)``, interpolated onto n points."""
    return burgers.resample_periodic(burgers_initial_conditions(100, n_samples=batch, seed=seed), n, workers=1)


def load1() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def time_steps(stepper, v0: np.ndarray, steps: int) -> tuple[float, float, np.ndarray]:
    """Wall and process-CPU seconds of ``steps`` ETDRK4 steps from ``v0``, and the final state."""
    w0, c0 = time.perf_counter(), time.process_time()
    v = rollout(stepper, v0, steps)
    return time.perf_counter() - w0, time.process_time() - c0, v


def calibrate(stepper, v0: np.ndarray, seconds: float) -> int:
    """Steps per chunk so that one chunk takes about ``seconds`` (at least 5 steps)."""
    steps, wall = 2, 0.0
    while wall < 0.05:
        steps *= 2
        wall, _, _ = time_steps(stepper, v0, steps)
    return max(5, int(round(steps * seconds / wall)))


def measure_case(n: int, batch: int, *, rounds: int, pairs: int, seconds: float) -> dict:
    """Alternate chunks with 1 thread and all cores; per-round wall/CPU sums and ratios."""
    steppers = {arm: burgers.BurgersETDRK4(n, NU, DT, workers=w) for arm, w in ARMS.items()}
    v0 = steppers["1 thread"].init(initial_data(batch, n))
    steps = calibrate(steppers["1 thread"], v0, seconds)
    finals, per_round = {}, []
    for _ in range(rounds):
        load = load1()
        wall = {arm: [] for arm in ARMS}
        cpu = {arm: 0.0 for arm in ARMS}
        for _ in range(pairs):  # A B A B ...
            for arm, stepper in steppers.items():
                w, c, finals[arm] = time_steps(stepper, v0, steps)
                wall[arm].append(w)
                cpu[arm] += c
        per_round.append(
            {
                "load1_before": load,
                "load1_after": load1(),
                "chunk_wall_s": wall,
                "cpu_s": cpu,
                "ratio_1thread_over_all": sum(wall["1 thread"]) / sum(wall["all cores"]),
                "ratio_of_fastest_chunks": min(wall["1 thread"]) / min(wall["all cores"]),
                "cpu_all_over_1thread": cpu["all cores"] / cpu["1 thread"],
            }
        )
    work = batch * n * steps
    mpts = {arm: [work / min(r["chunk_wall_s"][arm]) / 1e6 for r in per_round] for arm in ARMS}
    ratios = [r["ratio_1thread_over_all"] for r in per_round]
    fastest = [r["ratio_of_fastest_chunks"] for r in per_round]
    cpu_ratios = [r["cpu_all_over_1thread"] for r in per_round]
    return {
        "n": n,
        "batch": batch,
        "points": batch * n,
        "steps_per_chunk": steps,
        "pairs": pairs,
        "rounds": per_round,
        "ratios": ratios,
        "ratio_median": statistics.median(ratios),
        "ratios_fastest_chunks": fastest,
        "ratio_fastest_chunks_median": statistics.median(fastest),
        "cpu_ratio_median": statistics.median(cpu_ratios),
        "mpoint_steps_per_s_fastest_chunk_median": {arm: statistics.median(v) for arm, v in mpts.items()},
        "bitwise_identical": bool(np.array_equal(finals["1 thread"], finals["all cores"])),
        "automatic_choice": burgers.fft_workers(batch, n),
    }


def crossover(cases: list[dict]) -> dict[str, int | None]:
    """Per grid N: the smallest B·N from which every measured case with as many points or more
    has a median ratio > 1 (all cores faster); ``None`` if the largest case does not."""
    out = {}
    for n in sorted({c["n"] for c in cases}):
        rows = sorted((c for c in cases if c["n"] == n), key=lambda c: c["points"])
        start = None
        for c in reversed(rows):
            if c["ratio_median"] <= 1.0:
                break
            start = c["points"]
        out[str(n)] = start
    return out


# ------------------------------------------------------------------------------------- exponax
OURS_NUMPY, OURS_JAX = "ours (numpy/scipy.fft)", "ours (jax backend)"
VARIANTS = {
    "float64-fourier": ("float64", "fourier"),
    "float64-physical": ("float64", "physical"),
    "float32-fourier": ("float32", "fourier"),
}


def time_jax_backend(u0: np.ndarray, steps: int, repeats: int) -> tuple[list[float], list[float], np.ndarray]:
    """Wall and process CPU seconds of ``repeats`` runs of ``burgers.solve(..., backend="jax")`` over ``steps`` steps
    (one untimed run first: the compilation), and the final u ``(B, N)``."""
    t_eval = np.array([0.0, steps * DT])
    run = lambda: burgers.solve(
        u0,
        nu=NU,
        t_eval=t_eval,
        dt=DT,
        n_internal=u0.shape[-1],  # noqa: E731
        max_steps=None,
        backend="jax",
    )[:, -1]
    u = run()
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        u = run()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, u


def exponax_comparison(
    python: str,
    *,
    batch: int,
    n: int,
    steps: int,
    rounds: int,
    repeats: int,
    variants: tuple[str, ...] = tuple(VARIANTS),
) -> dict:
    """Our solver (NumPy and JAX backends) vs exponax (subprocess ``python``), alternating; errors vs a
    dt/10 reference. Every process inherits this one's environment (e.g. ``XLA_FLAGS``)."""
    u0 = initial_data(batch, n)
    ours = burgers.BurgersETDRK4(n, NU, DT)
    fine = burgers.BurgersETDRK4(n, NU, DT / 10, workers=ours.workers_for(u0))
    reference = fine.observe(rollout(fine, fine.init(u0), 10 * steps))
    scale = float(np.max(np.abs(reference)))
    names = {v: f"exponax {VARIANTS[v][0]}, {VARIANTS[v][1]}-space loop" for v in variants}
    rows = {OURS_NUMPY: [], OURS_JAX: []} | {names[v]: [] for v in variants}
    errors, versions = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "u0.npz"
        np.savez(data, u0=u0)
        for _ in range(rounds):
            load = load1()
            v0 = ours.init(u0)
            walls, cpus = [], []
            for _ in range(repeats):
                w, c, v = time_steps(ours, v0, steps)
                walls.append(w)
                cpus.append(c)
            errors[OURS_NUMPY] = float(np.max(np.abs(ours.observe(v) - reference)) / scale)
            rows[OURS_NUMPY].append(
                {
                    "load1_before": load,
                    "seconds_min": min(walls),
                    "cpu_seconds_min": min(cpus),
                    "seconds_median": statistics.median(walls),
                    "workers": ours.workers_for(v0),
                }
            )
            load = load1()
            walls, cpus, u = time_jax_backend(u0, steps, repeats)
            errors[OURS_JAX] = float(np.max(np.abs(u - reference)) / scale)
            rows[OURS_JAX].append(
                {
                    "load1_before": load,
                    "seconds_min": min(walls),
                    "cpu_seconds_min": min(cpus),
                    "seconds_median": statistics.median(walls),
                }
            )
            for variant in variants:
                precision, form = VARIANTS[variant]
                load = load1()
                out = Path(tmp) / f"{precision}-{form}.npz"
                cmd = [
                    python,
                    str(EXPONAX_SCRIPT),
                    "--input",
                    str(data),
                    "--output",
                    str(out),
                    "--steps",
                    str(steps),
                    "--dt",
                    repr(DT),
                    "--nu",
                    repr(NU),
                    "--precision",
                    precision,
                    "--form",
                    form,
                    "--repeats",
                    str(repeats),
                ]
                res = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
                if res.returncode != 0:
                    raise RuntimeError(f"exponax run failed ({' '.join(cmd)}):\n{res.stderr[-3000:]}")
                info = json.loads(res.stdout.strip().splitlines()[-1])
                versions = info["versions"]
                name = names[variant]
                errors[name] = float(np.max(np.abs(np.load(out)["u"] - reference)) / scale)
                rows[name].append(
                    {
                        "load1_before": load,
                        "seconds_min": info["seconds_min"],
                        "cpu_seconds_min": info["cpu_seconds_min"],
                        "seconds_median": info["seconds_median"],
                        "compile_and_first_run_s": info["compile_and_first_run_s"],
                    }
                )
    work = batch * n * steps
    summary = {
        name: {
            "mpoint_steps_per_s_median_of_rounds": statistics.median(work / r["seconds_min"] / 1e6 for r in rs),
            "max_rel_error_vs_reference": errors[name],
        }
        for name, rs in rows.items()
    }
    for base, key in ((OURS_NUMPY, "speed_vs_ours"), (OURS_JAX, "speed_vs_ours_jax")):
        for name, rs in rows.items():
            per_round = [rows[base][i]["seconds_min"] / r["seconds_min"] for i, r in enumerate(rs)]
            summary[name][f"{key}_per_round"] = per_round
            summary[name][f"{key}_median"] = statistics.median(per_round)
            cpu = [rows[base][i]["cpu_seconds_min"] / r["cpu_seconds_min"] for i, r in enumerate(rs)]
            summary[name][f"{key}_cpu_per_round"] = cpu  # CPU time: less disturbed by a loaded machine
            summary[name][f"{key}_cpu_median"] = statistics.median(cpu)
    return {
        "workload": {
            "batch": batch,
            "n": n,
            "nu": NU,
            "dt": DT,
            "steps": steps,
            "t_end": steps * DT,
            "reference": f"ours with dt = {DT / 10:g}",
            "repeats_per_round": repeats,
            "exponax_python": python,
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
        },
        "exponax_versions": versions,
        "rounds": rows,
        "summary": summary,
        "ours_mpoint_steps_per_s": summary[OURS_NUMPY]["mpoint_steps_per_s_median_of_rounds"],
    }


# ------------------------------------------------------------------------------------ markdown
def markdown(payload: dict) -> str:
    head = (
        f"# Burgers solver: scipy.fft threads by batch size\n\n"
        f"Command: `{payload['command']}`  \nCommit: {payload['commit']}, date {payload['date']}, "
        f"CPU: {payload['device'].get('cpu')}, {payload['cores']} cores (shared machine: load average per "
        f"round in results.json).\n\nETDRK4 steps of `pinnrwf.solvers.burgers` (ν = {NU:g}, dt = {DT:g}, GRF "
        f"initial data), `workers=1` vs all usable cores (`workers={payload['cores']}`) back to back, alternating, "
        f"{payload['settings']['rounds']} rounds × {payload['settings']['pairs']} pairs of chunks of about "
        f"{payload['settings']['seconds']} s. Ratio = t(1 thread) / t(all cores) summed over a round's chunks "
        f"(above 1 the threads help); 'fastest' = the same ratio of each arm's fastest chunk (least disturbed "
        f"by the other processes); CPU = process CPU seconds with all cores / with 1 thread (the threads' "
        f"overhead in CPU time: what they cost a machine whose cores are all busy).\n\n"
    )
    rows = [
        "| N | B | B·N | ratio per round | median ratio | median ratio, fastest | median CPU | "
        "M pt-steps/s 1 thread | M pt-steps/s all cores | load per round | bitwise equal | automatic |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in payload["cases"]:
        m = c["mpoint_steps_per_s_fastest_chunk_median"]
        ratios = ", ".join(f"{r:.2f}" for r in c["ratios"])
        loads = ", ".join(f"{r['load1_before']:.1f}" for r in c["rounds"])
        equal = "yes" if c["bitwise_identical"] else "NO"
        rows.append(
            f"| {c['n']} | {c['batch']} | {c['points']} | {ratios} | {c['ratio_median']:.2f} | "
            f"{c['ratio_fastest_chunks_median']:.2f} | {c['cpu_ratio_median']:.2f} | {m['1 thread']:.1f} | {m['all cores']:.1f} | {loads} | {equal} | {c['automatic_choice']} |"
        )
    cross = ", ".join(f"N = {n}: {p if p is not None else 'not reached'}" for n, p in payload["crossover"].items())
    note = (
        "\n\nM pt-steps/s: B·N·steps per second of each arm's fastest chunk (median over rounds). automatic: "
        "the solver's thread count for this case."
    )
    text = (
        head
        + "\n".join(rows)
        + note
        + (
            f"\n\nCross-over (smallest B·N from which all cores win in every larger case): "
            f"{cross}. The solver's rule in force during the run (`PARALLEL_MIN_POINTS`): 1 thread below "
            f"B·N = {payload['parallel_min_points']}, all cores from there on.\n"
        )
    )
    ex = payload.get("exponax")
    if ex is None:
        return text + f"\nexponax: {payload.get('exponax_note', 'not run')}\n"
    w = ex["workload"]
    lines = [
        "| solver | M point-steps/s (median of rounds, best of repeats) | speed vs ours, numpy (median of per-round "
        "ratios) | ours (jax) / this, per round | median | same by CPU time, per round | median | "
        "max abs error / max abs u_ref |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in ex["summary"].items():
        jax_over = s.get("speed_vs_ours_jax_per_round")  # absent in results written before the JAX arm
        per_round = ", ".join(f"{1 / x:.2f}" for x in jax_over) if jax_over else "–"
        median = f"{statistics.median(1 / x for x in jax_over):.2f}" if jax_over else "–"
        jax_cpu = s.get("speed_vs_ours_jax_cpu_per_round")
        cpu_round = ", ".join(f"{1 / x:.2f}" for x in jax_cpu) if jax_cpu else "–"
        cpu_median = f"{statistics.median(1 / x for x in jax_cpu):.2f}" if jax_cpu else "–"
        lines.append(
            f"| {name} | {s['mpoint_steps_per_s_median_of_rounds']:.1f} | {s['speed_vs_ours_median']:.2f} | "
            f"{per_round} | {median} | {cpu_round} | {cpu_median} | {s['max_rel_error_vs_reference']:.1e} |"
        )
    loads = [r["load1_before"] for r in ex["rounds"][OURS_NUMPY]]
    threads = (
        f"XLA_FLAGS `{w['xla_flags']}` for every process" if w.get("xla_flags") else "XLA with its default CPU threads"
    )
    return text + (
        f"\n## Against exponax\n\nB = {w['batch']}, N = {w['n']}, ν = {w['nu']:g}, dt = {w['dt']:g}, "
        f"{w['steps']} steps (t = {w['t_end']:g}); exponax {ex['exponax_versions'].get('exponax')} "
        f"(jax {ex['exponax_versions'].get('jax')}) `Burgers(order=4, conservative=True)`, vmapped over "
        f"the batch, steps in a `lax.fori_loop` (JIT compilation excluded); ours and each exponax form "
        f"alternate (ours with the solver's automatic thread count, "
        f"{ex['rounds'][OURS_NUMPY][0]['workers']} here; {threads}), "
        f"{len(loads)} rounds (load {', '.join(f'{x:.1f}' for x in loads)}). Errors against "
        f"{w['reference']}.\n\n" + "\n".join(lines) + "\n"
    )


# ----------------------------------------------------------------------------------------- CLI
def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--grids", type=positive_int_arg, nargs="+", default=[1024, 256], help="grid sizes N")
    p.add_argument(
        "--batches", type=positive_int_arg, nargs="+", default=[1, 4, 16, 64, 256, 1024], help="batch sizes B"
    )
    p.add_argument("--rounds", type=positive_int_arg, default=5, help="rounds per case (default: %(default)s)")
    p.add_argument(
        "--pairs", type=positive_int_arg, default=8, help="A B pairs of chunks per round (default: %(default)s)"
    )
    p.add_argument("--seconds", type=float, default=0.1, help="target seconds of one chunk (default: %(default)s)")
    p.add_argument(
        "--exponax-python",
        default=None,
        help="python of a venv with exponax: also compare against exponax's Burgers stepper",
    )
    p.add_argument("--exponax-steps", type=positive_int_arg, default=1000, help="steps of the exponax comparison")
    p.add_argument("--exponax-batch", type=positive_int_arg, default=16, help="batch of the exponax comparison")
    p.add_argument(
        "--exponax-variants",
        nargs="+",
        choices=tuple(VARIANTS),
        default=list(VARIANTS),
        help="exponax configurations to time (default: all)",
    )
    p.add_argument(
        "--exponax-repeats",
        type=positive_int_arg,
        default=3,
        help="timed runs per arm and round; the best counts (default: %(default)s)",
    )
    p.add_argument(
        "--preset",
        default="default",
        help="name of this setting: the results folder under --out/burgers-fft-workers/<device>/ "
        "(default: %(default)s)",
    )
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check.output_directory("--out", result_dir(args.out, "burgers-fft-workers", args.preset))
    check.positive_number("--seconds", args.seconds)
    if args.exponax_python is not None:
        check.existing_file("--exponax-python", args.exponax_python)
    cases = []
    for n in args.grids:
        for batch in args.batches:
            cases.append(measure_case(n, batch, rounds=args.rounds, pairs=args.pairs, seconds=args.seconds))
            c = cases[-1]
            print(
                f"N={n} B={batch}: ratios {[round(r, 2) for r in c['ratios']]} "
                f"(load {[round(r['load1_before'], 1) for r in c['rounds']]}), identical {c['bitwise_identical']}",
                flush=True,
            )
    payload = {
        "command": command_line(),
        "cores": len(os.sched_getaffinity(0)),
        "settings": {"rounds": args.rounds, "pairs": args.pairs, "seconds": args.seconds, "nu": NU, "dt": DT},
        "parallel_min_points": burgers.PARALLEL_MIN_POINTS,
        "cases": cases,
        "crossover": crossover(cases),
    }
    if args.exponax_python is not None:
        payload["exponax"] = exponax_comparison(
            args.exponax_python,
            batch=args.exponax_batch,
            n=args.grids[0],
            steps=args.exponax_steps,
            rounds=args.rounds,
            repeats=args.exponax_repeats,
            variants=tuple(args.exponax_variants),
        )
    else:
        payload["exponax_note"] = "not run (pass --exponax-python)"
    json_path = write_results(out / "results.json", payload)
    full = json.loads(json_path.read_text())
    atomic_write_bytes(out / "README.md", lambda f: f.write(markdown(full).encode()))
    print(markdown(full))
    print("wrote", json_path, out / "README.md")
    return 0


if __name__ == "__main__":
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_parser(parser)
    sys.exit(main_from_args(parser.parse_args()))
