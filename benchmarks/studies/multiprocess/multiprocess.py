"""Multi-process training on one CPU machine: 1 process x 2 cores vs 2 processes x 1 core.

The same ensemble (regression1d, its quick network: 3 x 128 ReLU on 256 points; RWF; 4 seeds)
is trained through ``pinnrwf run`` in four ways, pinned to the machine's first cores (affinity):

* one process on 2 cores, one device: the ensemble unsharded;
* one process on 2 cores, two devices (``--xla_force_host_platform_device_count=2``): the
  ensemble sharded over a 2-device mesh;
* two processes of JAX's distributed runtime on 127.0.0.1 (``--distributed``, gloo collectives),
  one device and one core each: the same 2-device mesh, spanning the processes;
* one process on 1 core, two devices: the same mesh and the same threads per process as the
  2-process case, which it must match bit for bit (XLA:CPU's thread count changes how a matmul
  is split, so runs with 1 and 2 threads per process differ by round-off, amplified by training).

Reported: wall time of the command, steps/s of training (compilation excluded), compile time,
which cases end with bit-identical final metrics, and the latency of the host-side collectives
the engine adds with several processes (all-gather of the per-chunk logs and metrics, of the
whole state for a checkpoint, and the barrier of process-0-only work). Two cores cannot make two
processes faster than one: this measures the overhead, not a speed-up.

    pinnrwf bench multiprocess [--steps 2000] [--chunk 250] [--seeds 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark

TIMEOUT = 600  # seconds for one command

# Run in each of the 2 processes: latency of the engine's host-side collectives on a state of
# the benchmarked ensemble's shapes, sharded over the 2 processes' devices.
COLLECTIVES = r"""
import json, sys, time
import jax
jax.distributed.initialize(sys.argv[1], 2, int(sys.argv[2]), initialization_timeout=120)
import equinox as eqx, numpy as np, optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from pinnrwf.nn import RWF
from pinnrwf.problems.regression1d import Regression1D, Regression1DConfig
from pinnrwf.train._checkpoint import on_main_process, to_host

seeds, chunk, repeats = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mesh = Mesh(np.array(jax.devices()).reshape(-1, 1), ("seeds", "points"))
put = lambda x: jax.device_put(x, NamedSharding(mesh, P("seeds")))
keys = jax.vmap(jax.random.PRNGKey)(np.arange(seeds))
params = eqx.filter(eqx.filter_vmap(Regression1D().init_model(Regression1DConfig(), RWF()))(keys), eqx.is_array)
state = jax.tree.map(put, (params, jax.vmap(optax.adam(1e-3).init)(params), params))
logs = jax.tree.map(put, [np.zeros((seeds, chunk), np.float32)] * 2)  # total and one term, per step
metrics = jax.tree.map(put, [np.zeros(seeds, np.float32)] * 3)       # mse, rel_l2, weight_change


def latency(fn):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {"median_ms": 1e3 * float(np.median(times)), "min_ms": 1e3 * min(times)}


out = {
    "gather_chunk_logs": latency(lambda: to_host(logs)),
    "gather_metrics": latency(lambda: to_host(metrics)),
    "gather_state_for_checkpoint": latency(lambda: to_host(state)),
    "barrier_process_0_work": latency(lambda: on_main_process(lambda: None, "nothing")),
    "state_megabytes": sum(x.nbytes for x in jax.tree.leaves(state)) / 2**20,
}
if jax.process_index() == 0:
    print(json.dumps(out))
"""


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (the coordinator's)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(devices: int, port: int | None = None) -> dict[str, str]:
    """CPU with ``devices`` simulated devices and none of the cluster variables JAX would pick up;
    with ``port``, process 0's coordinator listens on 127.0.0.1 only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "OMPI_", "PMI_", "JAX_"))}
    env.update(JAX_PLATFORMS="cpu", XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    if port is not None:
        env["JAX_COORDINATOR_BIND_ADDRESS"] = f"127.0.0.1:{port}"
    return env


def launch(commands: list[tuple[list[str], dict[str, str], set[int]]]) -> tuple[float, list[str]]:
    """Start every (argv, env, cores) at once; return the wall time until all ended, and stdouts."""
    t = time.perf_counter()
    procs = [
        subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda c=cores: os.sched_setaffinity(0, c),
        )
        for argv, env, cores in commands
    ]
    try:
        outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    wall = time.perf_counter() - t
    for p, (_, err) in zip(procs, outputs):
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(p.args[:6])} ... failed ({p.returncode}): {err.strip()[-1500:]}")
    return wall, [o for o, _ in outputs]


def run_command(args, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pinnrwf.cli",
        "run",
        "regression1d",
        "--preset",
        "quick",
        "--param",
        "rwf",
        "--seeds",
        str(args.seeds),
        "--steps",
        str(args.steps),
        "--chunk",
        str(args.chunk),
        "--no-progress",
        "--no-ntk",
        "--out",
        str(out),
    ]


# name: (processes, devices per process, cores per process)
CASES = {
    "1 process x 2 cores, 1 device": (1, 1, 2),
    "1 process x 2 cores, 2 devices": (1, 2, 2),
    "2 processes x 1 core, 1 device each": (2, 1, 1),
    "1 process x 1 core, 2 devices": (1, 2, 1),
}


def time_case(case: str, args, cores: list[int], out: Path) -> dict:
    processes, devices, n_cores = CASES[case]
    command = run_command(args, out)
    if processes == 1:
        commands = [(command, environment(devices), set(cores[:n_cores]))]
    else:
        port = free_port()
        commands = [
            (
                [
                    *command,
                    "--distributed",
                    "--coordinator",
                    f"127.0.0.1:{port}",
                    "--num-processes",
                    "2",
                    "--process-id",
                    str(i),
                ],
                environment(devices, port),
                {cores[i]},
            )
            for i in range(2)
        ]
    wall, _ = launch(commands)
    run = json.loads((out / "results.json").read_text())["runs"]["rwf"]
    return {
        "wall_seconds": wall,
        "steps_per_second": run["steps_per_second"],
        "compile_seconds": run["compile_seconds"],
        "fit_seconds": run["wall_seconds"],
        "final_metrics": run["final_metrics"],
    }


def time_collectives(args, cores: list[int]) -> dict:
    port = free_port()
    commands = [
        (
            [sys.executable, "-c", COLLECTIVES, f"127.0.0.1:{port}", str(i), str(args.seeds), str(args.chunk), "50"],
            environment(1, port),
            {cores[i]},
        )
        for i in range(2)
    ]
    _, outputs = launch(commands)
    return json.loads(outputs[0].strip().splitlines()[-1])


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", type=positive_int_arg, default=2000, help="training steps (default: %(default)s)")
    p.add_argument(
        "--chunk", type=positive_int_arg, default=250, help="steps per compiled chunk (default: %(default)s)"
    )
    p.add_argument("--seeds", type=positive_int_arg, default=4, help="ensemble size, even (default: %(default)s)")
    p.add_argument("--repeats", type=positive_int_arg, default=3, help="runs of each case (default: %(default)s)")
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "multiprocess", "default")
    cores = sorted(os.sched_getaffinity(0))[:2]
    if len(cores) < 2:
        raise ValueError("this benchmark needs 2 CPU cores")
    if args.seeds % 2 or args.steps % args.chunk:
        raise ValueError(f"--seeds must be even and --steps a multiple of --chunk, got {args.seeds} and {args.steps}")
    load_before = os.getloadavg()
    runs = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        for _repeat in range(args.repeats):  # cases interleaved: a change of load hits all of them
            for case in CASES:
                runs[case].append(time_case(case, args, cores, Path(tmp) / f"{len(runs[case])}-{case}"))
                print(
                    f"{case}: {runs[case][-1]['wall_seconds']:.1f} s, {runs[case][-1]['steps_per_second']:.0f} steps/s",
                    flush=True,
                )
    collectives = time_collectives(args, cores)
    summary = {}
    for case, rs in runs.items():
        summary[case] = {
            **{
                f"{key}_{name}": f(r[key] for r in rs)
                for key in ("wall_seconds", "fit_seconds", "steps_per_second")
                for name, f in (("median", statistics.median), ("min", min), ("max", max))
            },
            "compile_seconds_median": statistics.median(r["compile_seconds"] for r in rs),
            "repeats_identical": all(r["final_metrics"] == rs[0]["final_metrics"] for r in rs),
            "bit_identical_to": [
                other
                for other, os_ in runs.items()
                if other != case and os_[0]["final_metrics"] == rs[0]["final_metrics"]
            ],
        }
    chunks = args.steps // args.chunk
    per_chunk_ms = collectives["gather_chunk_logs"]["median_ms"] + collectives["gather_metrics"]["median_ms"]
    chunk_ms = 1e3 * args.chunk / summary["2 processes x 1 core, 1 device each"]["steps_per_second_median"]
    payload = {
        "workload": {
            "problem": "regression1d",
            "preset": "quick",
            "parameterization": "rwf",
            "seeds": args.seeds,
            "steps": args.steps,
            "chunk": args.chunk,
        },
        "cores": cores,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "summary": summary,
        "runs": runs,
        "collectives": collectives,
        "collectives_per_chunk_ms": per_chunk_ms,
        "chunk_compute_ms_2_processes": chunk_ms,
    }
    rows = [
        f"| {case} | {s['wall_seconds_median']:.1f} ({s['wall_seconds_min']:.1f}–{s['wall_seconds_max']:.1f}) | "
        f"{s['fit_seconds_median']:.1f} | {s['compile_seconds_median']:.1f} | "
        f"{s['steps_per_second_median']:.0f} ({s['steps_per_second_min']:.0f}–{s['steps_per_second_max']:.0f}) | "
        f"{', '.join(s['bit_identical_to']) or 'none'} |"
        for case, s in summary.items()
    ]
    coll = [
        f"| {name.replace('_', ' ')} | {v['median_ms']:.2f} | {v['min_ms']:.2f} |"
        for name, v in collectives.items()
        if isinstance(v, dict)
    ]
    md = (
        f"# Multi-process training on one CPU machine\n\n"
        f"regression1d, quick network (3 x 128 ReLU, 256 points), RWF, {args.seeds} seeds, {args.steps} steps in "
        f"chunks of {args.chunk}; cores {cores}; medians of {args.repeats} runs, cases interleaved. The machine is "
        f"shared: load average {load_before[0]:.1f} before, {payload['load_average_after'][0]:.1f} after.\n\n"
        "| case | wall s (min–max) | in fit s | compile + first chunk s | steps/s (min–max) | "
        "final metrics bit-identical to |\n|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "wall: the whole command (interpreter start, imports, distributed initialization, compilation, training, "
        "results); in fit: `fit` alone (compilation and training); steps/s: training without the first chunk "
        "(compilation).\n\n"
        f"Host-side collectives with 2 processes (gloo over 127.0.0.1; state of {collectives['state_megabytes']:.1f} "
        "MiB):\n\n| collective | median ms | min ms |\n|---|---|---|\n" + "\n".join(coll) + "\n\n"
        f"Per chunk the engine gathers the logs and the metrics: {per_chunk_ms:.1f} ms against "
        f"{chunk_ms:.0f} ms of computation per chunk of {args.chunk} steps ({chunks} chunks).\n"
    )
    return publish_benchmark("multiprocess_cpu", payload, md, out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    configure_parser(parser)
    raise SystemExit(main_from_args(parser.parse_args()))
