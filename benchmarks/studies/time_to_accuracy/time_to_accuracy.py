"""Time to accuracy against DeepXDE on its Burgers example (``pinnrwf bench time-to-accuracy``)
and, with ``--problem lshape``, on Laplace's equation on the L-shape (``lshape.py``: identical
points on both sides; the same harness, clocks and report).

The problem is DeepXDE's best-known example: u_t + u u_x − ν u_xx = 0, ν = 0.01/π, x ∈ [−1, 1],
t ∈ [0, 0.99], u(x, 0) = −sin πx, u(±1, t) = 0. Both sides train the same network (tanh MLP,
Glorot normal, float32; DeepXDE's 3 × 20 and a larger 4 × 64) on the same point counts (2540
interior, 80 boundary, 160 initial; the residual on all 2780, as DeepXDE's ``TimePDE`` does; the
points fixed, no resampling), with the same losses (mean squares, weights 1) and the same
optimizer sequence: Adam 1e-3 for ``adam_steps``, then L-BFGS (history 100, strong-Wolfe line
search) for at most ``lbfgs_steps`` iterations. Every ``record_every`` steps each side records
(wall seconds, process CPU seconds, relative L² error against the Cole–Hopf reference
:func:`pinnrwf.solvers.burgers.cole_hopf_sine` on the 256 × 100 grid x = linspace(−1, 1, 256),
t = linspace(0, 0.99, 100) of Raissi's data, float64).

What differs: DeepXDE draws its points by its default Hammersley sequence; pinnrwf by an
unscrambled Halton sequence (scipy), another low-discrepancy set of the same sizes. pinnrwf's
L-BFGS is ``optax.lbfgs`` with its zoom line search (≤ 20 evaluations per step), DeepXDE's
``torch.optim.LBFGS`` (``strong_wolfe``). pinnrwf's clock runs from the call of ``fit`` (model
initialisation and JIT compilation included) and includes its evaluations (one forward pass on
the grid per record; the chunk boundary is the only host synchronisation); DeepXDE's runs from
``model.compile`` and excludes its evaluations (benchmarks/peers/deepxde_burgers.py).

Protocol: one process per (network, seed) run, XLA and torch on one thread each; rounds
interleaved (for each seed, for each network: pinnrwf then DeepXDE). Outputs in
``--out/time-to-accuracy/<device>/<preset>/``: ``runs.jsonl`` (every run with its records),
``results.json``, ``README.md`` (time to 1e-2 and 1e-3 per run and the medians), and
``error_vs_time.png`` (every seed thin, the median thick, both libraries).

    pinnrwf bench time-to-accuracy --preset quick --deepxde-python /work/venv-dxde/bin/python \\
        --out benchmarks/results
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pinnrwf.benchmarks._common import add_out_argument, atomic_write_text, check_out, command_line
from pinnrwf.benchmarks.studies.time_to_accuracy import lshape

BENCHMARK = "time-to-accuracy"
NU = 0.01 / np.pi
T_END = 0.99  # DeepXDE's TimeDomain(0, 0.99), Raissi's grid
TARGETS = (1e-2, 1e-3)
THREAD_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
PEER = Path(__file__).resolve().parents[2] / "peers" / "deepxde_burgers.py"


@dataclasses.dataclass(frozen=True)
class Setting:
    networks: tuple[tuple[int, int], ...]  # (width, depth) pairs
    seeds: int
    n_domain: int
    n_boundary: int
    n_initial: int
    adam_steps: int
    lbfgs_steps: int
    record_every: int
    grid: tuple[int, int]  # (n_x, n_t) of the reference; the L-shape: (n, n) of its test grid
    problem: str = "burgers"  # or "lshape" (lshape.py)


PRESETS = {
    # seconds, for the test: pinnrwf side, a tiny network, few points, a coarse reference grid
    "smoke": Setting(((8, 2),), 1, 64, 8, 16, 20, 10, 10, (32, 10)),
    # what a shared 2-core machine finishes in a session: DeepXDE's points and network, fewer steps
    "quick": Setting(((20, 3),), 3, 2540, 80, 160, 2000, 1500, 250, (256, 100)),
    # the same with a longer L-BFGS stage (where DeepXDE's example gains most of its accuracy)
    "long": Setting(((20, 3),), 3, 2540, 80, 160, 2000, 8000, 250, (256, 100)),
    # DeepXDE's example in full: Adam 15 000, L-BFGS up to 15 000 (its maxiter default)
    "paper": Setting(((20, 3), (64, 4)), 3, 2540, 80, 160, 15000, 15000, 500, (256, 100)),
    # Laplace on the L-shape (lshape.py; --problem lshape): 1200 interior + 400 boundary points
    "lshape-smoke": Setting(((8, 2),), 1, 64, 32, 0, 20, 0, 10, (11, 11), "lshape"),
    "lshape-quick": Setting(((32, 3),), 3, 1200, 400, 0, 3000, 1000, 100, (101, 101), "lshape"),
    "lshape-paper": Setting(((32, 3), (64, 4)), 3, 1200, 400, 0, 10000, 5000, 250, (101, 101), "lshape"),
}


# ----------------------------------------------------------------------------- the problem
def reference(setting: Setting) -> dict[str, np.ndarray]:
    """The Cole–Hopf solution (float64) on the grid: x (n_x,), t (n_t,), u (n_t, n_x)."""
    from pinnrwf.solvers.burgers import cole_hopf_sine

    x, t = np.linspace(-1.0, 1.0, setting.grid[0]), np.linspace(0.0, T_END, setting.grid[1])
    return {"x": x, "t": t, "u": cole_hopf_sine(x, t, NU)}


def training_points(setting: Setting) -> dict[str, np.ndarray]:
    """Interior, boundary (x = ±1, alternating) and initial (t = 0) points from unscrambled
    Halton sequences (deterministic, like DeepXDE's Hammersley points)."""
    from scipy.stats import qmc

    def halton(d, n):
        return qmc.Halton(d, scramble=False).random(n + 1)[1:]  # skip the origin

    interior = halton(2, setting.n_domain) * [2.0, T_END] + [-1.0, 0.0]
    tb = halton(1, setting.n_boundary)[:, 0] * T_END
    boundary = np.stack([np.where(np.arange(setting.n_boundary) % 2 == 0, -1.0, 1.0), tb], axis=1)
    initial = np.stack([halton(1, setting.n_initial)[:, 0] * 2.0 - 1.0, np.zeros(setting.n_initial)], axis=1)
    return {"interior": interior, "boundary": boundary, "initial": initial}


def objective(setting: Setting, ref: dict[str, np.ndarray]):
    import jax.numpy as jnp

    from pinnrwf import pde

    pts = training_points(setting)
    domain = pde.Domain({"x": (-1.0, 1.0), "t": (0.0, T_END)})
    equation = pde.Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"nu": float(NU)},
        residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.u_xx,
    )
    residual_points = np.concatenate([pts["initial"], pts["boundary"], pts["interior"]])  # DeepXDE's order
    xx, tt = np.meshgrid(ref["x"], ref["t"])  # (n_t, n_x), as u
    grid = np.stack([xx.ravel(), tt.ravel()], axis=1)
    return pde.PINNObjective(
        equation,
        {
            "r": pde.Residual(pde.Points(domain, residual_points)),
            "bc": pde.Dirichlet(lambda p: 0.0, pde.Points(domain, pts["boundary"])),
            "ic": pde.Dirichlet(lambda p: -jnp.sin(jnp.pi * p.x), pde.Points(domain, pts["initial"])),
        },
        reference=pde.Reference(grid, ref["u"].ravel(), "u"),
    )


def burgers_points_info(setting: Setting) -> dict:
    return {
        "domain": setting.n_domain,
        "boundary": setting.n_boundary,
        "initial": setting.n_initial,
        "distribution": "Halton (unscrambled), fixed",
    }


def burgers_peer_args(setting: Setting) -> list[str]:
    return [
        "--n-domain",
        str(setting.n_domain),
        "--n-boundary",
        str(setting.n_boundary),
        "--n-initial",
        str(setting.n_initial),
    ]


def burgers_describe(setting: Setting) -> str:
    return (
        f"DeepXDE's Burgers example (ν = 0.01/π, u0 = −sin πx, u(±1) = 0), {setting.n_domain} + "
        f"{setting.n_boundary} + {setting.n_initial} points, Adam 1e-3 × {setting.adam_steps} then "
        f"L-BFGS ≤ {setting.lbfgs_steps}; relative L² error against Cole–Hopf on the "
        f"{setting.grid[0]} × {setting.grid[1]} grid, recorded every {setting.record_every} steps."
    )


@dataclasses.dataclass(frozen=True)
class Case:
    """What one problem of the study supplies: ``reference(setting)`` (the arrays of the .npz both
    sides read), ``objective(setting, ref)`` (pinnrwf's), the DeepXDE script ``peer`` and its extra
    arguments, and the texts of the report."""

    title: str
    reference: Callable
    objective: Callable
    points_info: Callable
    peer: Path
    peer_args: Callable
    describe: Callable


CASES = {
    "burgers": Case(
        "viscous Burgers", reference, objective, burgers_points_info, PEER, burgers_peer_args, burgers_describe
    ),
    "lshape": Case(
        lshape.TITLE,
        lshape.reference,
        lshape.objective,
        lshape.points_info,
        lshape.PEER,
        lshape.peer_args,
        lshape.describe,
    ),
}


# ----------------------------------------------------------------------------- one run
def run_pinnrwf(setting: Setting, width: int, depth: int, seed: int, ref: dict[str, np.ndarray]) -> dict:
    """One pinnrwf run (Adam then L-BFGS), recording every ``record_every`` steps."""
    import jax
    import jax.numpy as jnp

    from pinnrwf.nn import MLP
    from pinnrwf.train import LBFGS, Adam, TrainConfig, fit

    case = CASES[setting.problem]
    obj = case.objective(setting, ref)
    train = TrainConfig(steps=setting.adam_steps, seeds=1, seed=seed, chunk_steps=setting.record_every, progress=False)
    lbfgs = LBFGS(steps=setting.lbfgs_steps, memory_size=100) if setting.lbfgs_steps else None
    records: list[dict] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()

    def on_chunk(step, record):
        records.append(
            {
                "step": step,
                "stage": record["stage"],
                "wall": time.perf_counter() - wall0,
                "cpu": time.process_time() - cpu0,
                "rel_l2": float(record["metrics"]["rel_l2"][0]),
            }
        )

    fit(
        lambda key: MLP(2, 1, width, depth, activation=jnp.tanh, key=key),
        obj,
        train,
        optimizer=Adam(1e-3),
        lbfgs=lbfgs,
        on_chunk=on_chunk,
    )
    return {
        "library": "pinnrwf",
        "jax_version": jax.__version__,
        "width": width,
        "depth": depth,
        "seed": seed,
        "adam_steps": setting.adam_steps,
        "lbfgs_steps": setting.lbfgs_steps,
        "lbfgs_steps_run": records[-1]["step"] - setting.adam_steps,
        "points": case.points_info(setting),
        "train_seconds": records[-1]["wall"],
        "train_cpu_seconds": records[-1]["cpu"],
        "records": records,
        "clock": "wall and process CPU seconds from the call of fit (compilation and evaluations included)",
    }


def run_deepxde(python: str, setting: Setting, width: int, depth: int, seed: int, ref_path: Path, out: Path) -> dict:
    env = {**os.environ, "DDE_BACKEND": "pytorch", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    case = CASES[setting.problem]
    cmd = [
        python,
        str(case.peer),
        "--reference",
        str(ref_path),
        "--width",
        str(width),
        "--depth",
        str(depth),
        "--seed",
        str(seed),
        *case.peer_args(setting),
        "--adam-steps",
        str(setting.adam_steps),
        "--lbfgs-steps",
        str(setting.lbfgs_steps),
        "--record-every",
        str(setting.record_every),
        "--threads",
        "1",
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True, env=env)
    return json.loads(out.read_text())


def run_pinnrwf_process(preset: str, width: int, depth: int, seed: int, ref_path: Path, out: Path) -> dict:
    """A pinnrwf run in a fresh process (compilation counted, as for a user), one XLA thread."""
    env = {**os.environ, "XLA_FLAGS": THREAD_FLAGS, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "pinnrwf.benchmarks.studies.time_to_accuracy.time_to_accuracy",
        "one",
        preset,
        str(width),
        str(depth),
        str(seed),
        str(ref_path),
        str(out),
    ]
    subprocess.run(cmd, check=True, env=env)
    return json.loads(out.read_text())


# ----------------------------------------------------------------------------- summary
def time_to(records: list[dict], target: float, clock: str = "wall") -> float | None:
    """The first recorded time at which the error is at most ``target`` (None: not reached)."""
    return next((r[clock] for r in records if r["rel_l2"] <= target), None)


def stage_costs(records: list[dict], clock: str = "cpu") -> dict:
    """Seconds per step of each stage from its records after the first (which holds the
    compilation on pinnrwf's side), and the time to the first record of each stage beyond that rate
    (start-up, compilation)."""
    out = {}
    previous_end = 0.0
    for stage in ("adam", "lbfgs"):
        recs = [r for r in records if r["stage"] == stage]
        if len(recs) >= 3:
            per_step = (recs[-1][clock] - recs[1][clock]) / (recs[-1]["step"] - recs[1]["step"])
            steps_to_first = recs[0]["step"] - (0 if stage == "adam" else records[records.index(recs[0]) - 1]["step"])
            out[f"{stage}_seconds_per_step"] = per_step
            out[f"{stage}_overhead_seconds"] = recs[0][clock] - previous_end - steps_to_first * per_step
        if recs:
            previous_end = recs[-1][clock]
    return out


def error_at(records: list[dict], seconds: float, clock: str = "wall") -> float | None:
    """The error of the last record at or before ``seconds`` (None: no record yet)."""
    reached = [r["rel_l2"] for r in records if r[clock] <= seconds]
    return reached[-1] if reached else None


def equal_time(runs: list[dict], clock: str) -> dict:
    """Each library's median error at the time the faster-finishing one ended (the smaller of the
    two libraries' median total times)."""
    libs = {}
    for run in runs:
        libs.setdefault(run["library"], []).append(run)
    seconds = min(statistics.median(r["records"][-1][clock] for r in mine) for mine in libs.values())
    out = {"seconds": seconds}
    for name, mine in libs.items():
        errors = [error_at(r["records"], seconds, clock) for r in mine]
        out[name] = None if None in errors else statistics.median(errors)
    return out


def summarize(runs: list[dict]) -> dict:
    """Per library and network: time to each target per seed (wall and CPU), medians, ratios."""
    out: dict = {}
    for run in runs:
        key = f"{run['width']}x{run['depth']}"
        lib = out.setdefault(key, {}).setdefault(run["library"], {"seeds": [], "final_rel_l2": []})
        lib["seeds"].append(run["seed"])
        lib["final_rel_l2"].append(run["records"][-1]["rel_l2"])
        for name, value in stage_costs(run["records"]).items():
            lib.setdefault(f"cpu_{name}", []).append(value)
        for clock in ("wall", "cpu"):
            for target in TARGETS:
                lib.setdefault(f"{clock}_to_{target:g}", []).append(time_to(run["records"], target, clock))
    for key, libs in out.items():
        for lib in libs.values():
            for name in [k for k in lib if "_to_" in k]:
                reached = [v for v in lib[name] if v is not None]
                # the median over all seeds, a seed not reaching the target counting as infinitely slow
                ordered = sorted(lib[name], key=lambda v: float("inf") if v is None else v)
                med = ordered[(len(ordered) - 1) // 2] if len(reached) * 2 > len(ordered) else None
                lib[f"median_{name}"] = med
        if "pinnrwf" in libs and "deepxde" in libs:
            mine = [r for r in runs if f"{r['width']}x{r['depth']}" == key]
            libs["at_equal_time"] = {clock: equal_time(mine, clock) for clock in ("wall", "cpu")}
            libs["speedup"] = {}
            for clock in ("wall", "cpu"):
                for target in TARGETS:
                    a = libs["deepxde"][f"median_{clock}_to_{target:g}"]
                    b = libs["pinnrwf"][f"median_{clock}_to_{target:g}"]
                    libs["speedup"][f"{clock}_to_{target:g}"] = None if a is None or b is None else a / b
    return out


def _fmt(v, unit=" s") -> str:
    return "not reached" if v is None else f"{v:.1f}{unit}"


def markdown(setting: Setting, preset: str, runs: list[dict], summary: dict, provenance: dict) -> str:
    case = CASES[setting.problem]
    lines = [
        f"# Time to accuracy: pinnrwf vs DeepXDE, {case.title} ({preset})",
        "",
        f"{case.describe(setting)} "
        "One thread per process; runs interleaved (per seed and network: pinnrwf, then DeepXDE).",
        "",
        f"Machine: {provenance['cpu']} ({provenance['instruction_set']}), {provenance['cores']} cores, "
        + (
            f"load average {provenance['load_before']} before / {provenance['load_after']} after. "
            if "lanes" not in provenance
            else f"{len(provenance['lanes'])} lanes side by side, load average {provenance['load_before']}–"
            f"{provenance['load_after']} at their starts and ends. "
        )
        + f"Versions: {provenance['versions']}. Commit {provenance['commit']}.",
        "",
        f"Command: `{provenance['command']}`",
        "",
        "| network | library | seeds | final rel. L² (median) | wall s to 1e-2 (median; per seed) | "
        "wall s to 1e-3 | CPU s to 1e-2 | CPU s to 1e-3 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, libs in summary.items():
        for name in ("pinnrwf", "deepxde"):
            if name not in libs:
                continue
            lib = libs[name]
            cells: list[str] = []
            for clock in ("wall", "cpu"):
                for target in TARGETS:
                    per = ", ".join(_fmt(v, "") for v in lib[f"{clock}_to_{target:g}"])
                    cells.append(f"{_fmt(lib[f'median_{clock}_to_{target:g}'])} ({per})")
            lines.append(
                f"| {key} | {name} | {len(lib['seeds'])} | {statistics.median(lib['final_rel_l2']):.2e} | "
                + " | ".join(cells)
                + " |"
            )
        if "speedup" in libs:
            s = libs["speedup"]
            lines.append(
                f"| {key} | **DeepXDE / pinnrwf** | | | "
                + " | ".join(
                    "—" if s[f"{c}_to_{t:g}"] is None else f"**{s[f'{c}_to_{t:g}']:.2f}×**"
                    for c in ("wall", "cpu")
                    for t in TARGETS
                )
                + " |"
            )
    for key, libs in summary.items():
        if "at_equal_time" in libs:
            lines += [""] + [
                f"- {key}, error at equal {'wall' if clock == 'wall' else 'process CPU'} time "
                f"({eq['seconds']:.1f} s, where the faster-finishing library ends; median over seeds): "
                + ", ".join(
                    f"{name} {'—' if eq[name] is None else format(eq[name], '.2e')}" for name in ("pinnrwf", "deepxde")
                )
                + "."
                for clock, eq in libs["at_equal_time"].items()
            ]
    lines += [
        "",
        "Cost per step (process CPU, median over seeds; the first record of each stage left out) and "
        "the start-up of each stage beyond that rate (pinnrwf: JIT compilation):",
        "",
        "| network | library | Adam ms/step | Adam start-up s | L-BFGS ms/iteration | L-BFGS start-up s |",
        "|---|---|---|---|---|---|",
    ]
    for key, libs in summary.items():
        for name in ("pinnrwf", "deepxde"):
            lib = libs.get(name)
            if lib is None:
                continue
            cells = []
            for stage, scale in (
                ("adam_seconds_per_step", 1e3),
                ("adam_overhead_seconds", 1.0),
                ("lbfgs_seconds_per_step", 1e3),
                ("lbfgs_overhead_seconds", 1.0),
            ):
                values = lib.get(f"cpu_{stage}")
                cells.append("—" if not values else f"{scale * statistics.median(values):.1f}")
            lines.append(f"| {key} | {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "A median is over all seeds, a seed that never reached the target counting as slower than "
        'any that did ("not reached" when half or more did not). pinnrwf\'s clock includes JIT '
        "compilation and its evaluations; DeepXDE's excludes its evaluations. Figure: "
        "`error_vs_time.png`. Every record: `runs.jsonl`.",
        "",
    ]
    return "\n".join(lines)


def figure(runs: list[dict], path: Path, title: str = "Burgers") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    networks = list(dict.fromkeys(f"{r['width']}x{r['depth']}" for r in runs))
    fig, axes = plt.subplots(2, len(networks), figsize=(5.5 * len(networks), 8), squeeze=False, constrained_layout=True)
    colors = {"pinnrwf": "tab:blue", "deepxde": "tab:orange"}
    for row, clock in enumerate(("wall", "cpu")):
        for ax, key in zip(axes[row], networks):
            for lib, color in colors.items():
                mine = [r for r in runs if f"{r['width']}x{r['depth']}" == key and r["library"] == lib]
                if not mine:
                    continue
                for r in mine:
                    ax.semilogy(
                        [x[clock] for x in r["records"]],
                        [x["rel_l2"] for x in r["records"]],
                        color=color,
                        lw=0.6,
                        alpha=0.6,
                    )
                end = min(r["records"][-1][clock] for r in mine)
                grid = np.linspace(min(r["records"][0][clock] for r in mine), end, 200)
                curves = [
                    np.interp(grid, [x[clock] for x in r["records"]], [x["rel_l2"] for x in r["records"]]) for r in mine
                ]
                ax.semilogy(
                    grid, np.median(curves, axis=0), color=color, lw=2.5, label=f"{lib} (median of {len(mine)})"
                )
            for target in TARGETS:
                ax.axhline(target, color="gray", lw=0.6, ls=":")
            ax.set(
                title=f"{title}, tanh MLP {key}",
                ylabel="relative L² error",
                xlabel="wall seconds" if clock == "wall" else "process CPU seconds (one thread)",
            )
            ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def provenance(runs: list[dict], load_before: float, load_after: float) -> dict:
    from pinnrwf.benchmarks._common import cpu_model
    from pinnrwf.train import git_commit

    flags = ""
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        pass
    isa = [f for f in ("avx512f", "avx2", "fma", "avx") if f" {f}" in flags][:2] or [platform.machine()]
    versions = {"python": platform.python_version()}
    for r in runs:
        if r["library"] == "pinnrwf":
            versions["jax"] = r["jax_version"]
        else:
            versions["deepxde"], versions["torch"] = r["version"], r["torch_version"]
    commit = (git_commit() or "unknown")[:7]
    return {
        "cpu": cpu_model(),
        "instruction_set": ", ".join(isa),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": load_after,
        "versions": versions,
        "commit": commit,
        "command": command_line(),
    }


def report(
    out: Path,
    setting: Setting,
    preset: str,
    runs: list[dict],
    load_before: float,
    load_after: float,
    lanes: list[dict] | None = None,
) -> dict:
    summary = summarize(runs)
    prov = provenance(runs, load_before, load_after)
    if lanes:
        prov["lanes"] = lanes
        prov["command"] = " ; ".join([lane["command"] for lane in lanes] + [prov["command"]])
    from pinnrwf.train import write_results

    result = {
        "benchmark": BENCHMARK,
        "command": prov["command"],
        "cores": prov["cores"],
        "preset": preset,
        "setting": dataclasses.asdict(setting),
        **({"nu": NU} if setting.problem == "burgers" else {}),
        "targets": list(TARGETS),
        "provenance": prov,
        "summary": summary,
        "runs": [{k: v for k, v in r.items() if k != "records"} for r in runs],
    }
    write_results(out / "results.json", result)
    atomic_write_text(out / "README.md", markdown(setting, preset, runs, summary, prov))
    figure(runs, out / "error_vs_time.png", CASES[setting.problem].title)
    return result


def _load1() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


# ----------------------------------------------------------------------------- CLI
def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--problem",
        choices=tuple(CASES),
        default="burgers",
        help="burgers (DeepXDE's example) or lshape (Laplace on the L-shape, identical points on "
        "both sides; its presets smoke, quick, paper) (default: %(default)s)",
    )
    p.add_argument(
        "--preset",
        choices=tuple(p for p in PRESETS if "-" not in p),
        default="quick",
        help="setting (default: %(default)s)",
    )
    p.add_argument(
        "--deepxde-python",
        default=None,
        help="interpreter of a virtualenv with deepxde + torch (CPU): runs the DeepXDE side "
        "interleaved with pinnrwf's (default: pinnrwf only)",
    )
    p.add_argument("--seeds", type=int, default=None, help="override the preset's number of seeds")
    p.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds first-seed … first-seed + seeds − 1 (lanes of seeds run side by side; merge "
        "their runs.jsonl and rebuild the report with --report-only)",
    )
    p.add_argument("--networks", default=None, help="override the preset's networks, e.g. 20x3,64x4")
    p.add_argument(
        "--in-process", action="store_true", help="run pinnrwf in this process (no fresh process per run; for tests)"
    )
    p.add_argument("--report-only", action="store_true", help="rebuild the report from runs.jsonl")
    p.add_argument(
        "--lanes",
        nargs="+",
        type=Path,
        default=None,
        help="with --report-only: the result folders of side-by-side lanes (their runs.jsonl are "
        "merged into this preset's folder; their loads and commands are recorded)",
    )
    add_out_argument(p)


def preset_name(problem: str, preset: str) -> str:
    """The key of ``PRESETS`` (and the results folder): ``quick`` for Burgers, ``lshape-quick``."""
    name = preset if problem == "burgers" else f"{problem}-{preset}"
    if name not in PRESETS:
        raise SystemExit(
            f"--preset: {preset!r} is not a preset of --problem {problem} "
            f"(those: {', '.join(k.removeprefix(problem + '-') for k in PRESETS if PRESETS[k].problem == problem)})"
        )
    return name


def main_from_args(args) -> int:
    preset = preset_name(args.problem, args.preset)
    setting = PRESETS[preset]
    if args.seeds is not None:
        setting = dataclasses.replace(setting, seeds=args.seeds)
    if args.networks:
        setting = dataclasses.replace(
            setting, networks=tuple(tuple(int(v) for v in item.split("x")) for item in args.networks.split(","))
        )
    out = check_out(args, BENCHMARK, preset)
    runs_path = out / "runs.jsonl"
    if args.report_only:
        lanes = []
        if args.lanes:
            text = "".join((lane / "runs.jsonl").read_text() for lane in args.lanes)
            runs_path.write_text(text)
            for lane in args.lanes:
                prov = json.loads((lane / "results.json").read_text())["provenance"]
                lanes.append({k: prov[k] for k in ("command", "load_before", "load_after")})
        runs = [json.loads(line) for line in runs_path.read_text().splitlines() if line.strip()]
        loads = [v for lane in lanes for v in (lane["load_before"], lane["load_after"])] or [float("nan")]
        report(out, setting, preset, runs, min(loads), max(loads), lanes)
        return 0
    load_before = _load1()
    ref = CASES[setting.problem].reference(setting)
    ref_path = out / "reference.npz"
    np.savez(ref_path, **ref)
    runs: list[dict] = []
    runs_path.write_text("")
    for seed in range(args.first_seed, args.first_seed + setting.seeds):
        for width, depth in setting.networks:
            if args.in_process:
                run = run_pinnrwf(setting, width, depth, seed, ref)
            else:
                run = run_pinnrwf_process(preset, width, depth, seed, ref_path, out / ".run.json")
            runs.append(run)
            if args.deepxde_python:
                runs.append(run_deepxde(args.deepxde_python, setting, width, depth, seed, ref_path, out / ".run.json"))
            with runs_path.open("a") as f:
                for r in runs[-(2 if args.deepxde_python else 1) :]:
                    f.write(json.dumps(r) + "\n")
            for r in runs[-(2 if args.deepxde_python else 1) :]:
                print(
                    f"{r['library']} {width}x{depth} seed {seed}: rel L2 {r['records'][-1]['rel_l2']:.3e}, "
                    f"{r['train_seconds']:.1f} s wall, {r['train_cpu_seconds']:.1f} s CPU",
                    flush=True,
                )
    (out / ".run.json").unlink(missing_ok=True)
    ref_path.unlink(missing_ok=True)
    report(out, setting, preset, runs, load_before, _load1())
    return 0


def _one(argv: list[str]) -> int:
    """``one PRESET WIDTH DEPTH SEED REFERENCE OUT``: a single pinnrwf run, its JSON to OUT."""
    preset, width, depth, seed, ref_path, out = argv
    ref = dict(np.load(ref_path))
    run = run_pinnrwf(PRESETS[preset], int(width), int(depth), int(seed), ref)
    atomic_write_text(out, json.dumps(run) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        sys.exit(_one(sys.argv[2:]))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    configure_parser(parser)
    sys.exit(main_from_args(parser.parse_args()))
