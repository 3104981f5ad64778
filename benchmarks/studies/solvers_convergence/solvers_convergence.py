"""Convergence studies of the reference solvers (slow checks kept out of the unit tests).

Run from the repository root:  pinnrwf bench solvers-convergence  (≈ 4 min on 2 cores)
Writes benchmarks/results/solvers-convergence/cpu-epyc-2c/default/solvers_convergence.{json,md}.

1. Burgers (ν = 1e-3, the benchmark's GRF initial data, dt = 1e-4, 101 snapshots to t = 1):
   internal resolution N = 256 … 4096, errors on the 100 × 101 output grid against N = 4096;
   time-step check dt = 1e-4 against 5e-5 at the chosen N.
2. Lid-driven cavity, Re = 1000: grids n = 64 … 512 cells; centreline extrema and ψ_min against
   Botella & Peyret (1998); differences between successive grids on the common nodes (excluding
   r < 0.05 around the two singular lid corners) and Richardson estimates of the finest grid's error.
   Re = 100 against Ghia et al. (1982) centreline data.
3. Observed orders of the finite-difference schemes (diffusion–reaction in space and time, Darcy)
   on manufactured solutions.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline

from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark
from pinnrwf.solvers import burgers, darcy, diffusion_reaction, ldc
from pinnrwf.solvers.random_fields import burgers_initial_conditions
from pinnrwf.train import atomic_write_bytes

GHIA_FIXTURE = Path("tests/fixtures/ghia1982_re100.csv")  # Ghia et al. (1982), Re = 100

# Botella & Peyret (1998), Comput. Fluids 27:421–433, Re = 1000 (spectral, N = 160): extrema of
# u(0.5, y), v(x, 0.5) and the primary-vortex streamfunction.
BOTELLA_RE1000 = {"u_min": -0.3885698, "v_max": 0.3769447, "v_min": -0.5270771, "psi_min": -0.1189366}


def burgers_study(n_samples: int = 16, grids=(256, 512, 1024, 2048, 4096)) -> dict:
    u0 = burgers_initial_conditions(100, n_samples=n_samples, seed=2024)
    t = np.linspace(0.0, 1.0, 101)
    sols, times = {}, {}
    for n in grids:
        t0 = time.perf_counter()
        sols[n] = burgers.solve(u0, nu=1e-3, t_eval=t, dt=1e-4, n_internal=n)
        times[n] = time.perf_counter() - t0
        print(f"  burgers N={n}: {times[n]:.1f} s", flush=True)
    ref = sols[grids[-1]]
    scale = np.max(np.abs(ref), axis=(1, 2), keepdims=True)
    rows = []
    for n in grids[:-1]:
        err = np.abs(sols[n] - ref) / scale
        l2 = np.linalg.norm(sols[n] - ref, axis=(1, 2)) / np.linalg.norm(ref, axis=(1, 2))
        rows.append(
            {
                "N": n,
                "max_rel_err_worst_sample": float(err.max()),
                "rel_l2_err_mean": float(l2.mean()),
                "seconds": times[n],
            }
        )
    chosen = burgers.DEFAULT_N_INTERNAL
    t0 = time.perf_counter()
    half = burgers.solve(u0, nu=1e-3, t_eval=t, dt=5e-5, n_internal=chosen)
    dt_err = float(np.max(np.abs(half - sols[chosen]) / scale))
    steepest = float(np.max(np.abs(np.diff(ref, axis=-1))) * 100)
    return {
        "n_samples": n_samples,
        "seed": 2024,
        "nu": 1e-3,
        "dt": 1e-4,
        "reference_N": grids[-1],
        "rows": rows,
        "chosen_N": chosen,
        "dt_check": {
            "dt": 1e-4,
            "vs_dt": 5e-5,
            "N": chosen,
            "max_rel_diff": dt_err,
            "seconds": time.perf_counter() - t0,
        },
        "max_abs_u0": float(np.abs(u0).max()),
        "max_slope_on_output_grid": steepest,
    }


def _extrema(sol: ldc.CavitySolution) -> dict:
    u_c, v_c = ldc.centrelines(sol)
    fine = np.linspace(0, 1, 20001)
    us, vs = CubicSpline(sol.y, u_c)(fine), CubicSpline(sol.x, v_c)(fine)
    return {
        "u_min": float(us.min()),
        "y_at_u_min": float(fine[us.argmin()]),
        "v_max": float(vs.max()),
        "x_at_v_max": float(fine[vs.argmax()]),
        "v_min": float(vs.min()),
        "x_at_v_min": float(fine[vs.argmin()]),
        "psi_min": float(sol.psi.min()),
    }


def cavity_study(grids=(64, 128, 256, 512)) -> dict:
    sols, rows = {}, []
    for n in grids:
        t0 = time.perf_counter()
        sols[n] = ldc.solve(re=1000.0, n=n)
        dt = time.perf_counter() - t0
        row = {"n": n, "seconds": dt, "newton_iterations": sols[n].newton_iterations, **_extrema(sols[n])}
        row["max_dev_from_botella"] = max(abs(row[k] - BOTELLA_RE1000[k]) for k in BOTELLA_RE1000)
        rows.append(row)
        print(f"  ldc Re=1000 n={n}: {dt:.1f} s", flush=True)
    diffs = []
    for coarse, fine in zip(grids[:-1], grids[1:]):
        a, b = sols[coarse], sols[fine]
        X, Y = np.meshgrid(a.x, a.y, indexing="ij")
        far = (np.hypot(X, Y - 1) > 0.05) & (np.hypot(X - 1, Y - 1) > 0.05)
        entry = {"coarse": coarse, "fine": fine}
        for name in ("u", "v", "p"):
            d = np.abs(getattr(b, name)[::2, ::2] - getattr(a, name))
            entry[f"max_diff_{name}"] = float(d[far].max())
            entry[f"max_diff_{name}_incl_corners"] = float(d.max())
        uc_a, vc_a = ldc.centrelines(a)
        uc_b, vc_b = ldc.centrelines(b)
        entry["max_diff_centrelines"] = float(max(np.abs(uc_b[::2] - uc_a).max(), np.abs(vc_b[::2] - vc_a).max()))
        diffs.append(entry)
    # observed order from the last three grids and Richardson estimate of the finest grid's error
    d1, d2 = diffs[-2], diffs[-1]
    est = {}
    for key in ("max_diff_u", "max_diff_v", "max_diff_centrelines"):
        p = float(np.log2(d1[key] / d2[key]))
        est[key.replace("max_diff", "order")] = p
        est[key.replace("max_diff", "est_err_finest")] = d2[key] / (2 ** max(p, 1.0) - 1)
    return {
        "re": 1000.0,
        "rows": rows,
        "successive_differences": diffs,
        "richardson": est,
        "reference": {"source": "Botella & Peyret (1998)", **BOTELLA_RE1000},
        "finest": grids[-1],
    }


def ghia_study(grids=(64, 128, 256), path: Path = GHIA_FIXTURE) -> dict:
    ghia = np.loadtxt(path, delimiter=",", comments="#", skiprows=3)
    rows = []
    for n in grids:
        s = ldc.solve(re=100.0, n=n)
        u_c, v_c = ldc.centrelines(s)
        rows.append(
            {
                "n": n,
                "max_abs_dev_u": float(np.abs(CubicSpline(s.y, u_c)(ghia[:, 0]) - ghia[:, 1]).max()),
                "max_abs_dev_v": float(np.abs(CubicSpline(s.x, v_c)(ghia[:, 2]) - ghia[:, 3]).max()),
                "psi_min": float(s.psi.min()),
            }
        )
    return {"re": 100.0, "reference": "Ghia, Ghia & Shin (1982), Tables I-II; psi_min = -0.103423", "rows": rows}


def _dr_exact_and_source(D=0.01, K=0.01):
    def exact(t, x):
        return np.sin(np.pi * x) * np.exp(x) * np.sin(2.0 * t)

    def source(t, x):
        s, c, e = np.sin(np.pi * x), np.cos(np.pi * x), np.exp(x)
        u = s * e * np.sin(2 * t)
        return (s * e * 2 * np.cos(2 * t) - D * e * ((1 - np.pi**2) * s + 2 * np.pi * c) * np.sin(2 * t) - K * u * u)[
            None
        ]

    return exact, source


def fd_orders() -> dict:
    exact, source = _dr_exact_and_source()
    space = []
    for nx in (11, 21, 41, 81, 161):  # dt = 0.2/400: the time error stays below the space error
        x, t, u = diffusion_reaction.integrate(source, nx=nx, nt=6, substeps=400)
        space.append(float(np.max(np.abs(u[0] - exact(t[:, None], x[None])))))
    _, _, ref = diffusion_reaction.integrate(source, nx=41, nt=5, substeps=1024)
    time_err = []
    for sub in (2, 4, 8, 16, 32):
        _, _, u = diffusion_reaction.integrate(source, nx=41, nt=5, substeps=sub)
        time_err.append(float(np.max(np.abs(u - ref))))
    darcy_err = []
    for n in (17, 33, 65, 129, 257):
        a, f, u = darcy.manufactured_solution(n)
        darcy_err.append(float(np.max(np.abs(darcy.solve(a, f=f) - u))))
    order = lambda e: [float(v) for v in np.log2(np.array(e[:-1]) / np.array(e[1:]))]
    return {
        "diffusion_reaction_space": {"nx": [11, 21, 41, 81, 161], "max_err": space, "orders": order(space)},
        "diffusion_reaction_time": {
            "substeps_per_0.25": [2, 4, 8, 16, 32],
            "max_err": time_err,
            "orders": order(time_err),
        },
        "darcy_space": {"n": [17, 33, 65, 129, 257], "max_err": darcy_err, "orders": order(darcy_err)},
    }


def to_markdown(res: dict) -> str:
    dev = res["device"]
    L = [
        "# Solver convergence studies",
        "",
        f"- device: {dev['cpu']} ({dev['platform']})",
        f"- command: `{res['command']}`",
        f"- git commit: {res['commit']}",
        f"- date (UTC): {res['date']}",
        f"- total wall time: {res['wall_seconds']:.0f} s",
        "",
    ]
    b = res["burgers"]
    L += [
        "## Burgers internal resolution (ν = 1e-3, dt = 1e-4, t ∈ [0, 1], 101 snapshots)",
        "",
        f"{b['n_samples']} GRF initial conditions (seed {b['seed']}); errors on the 100 × 101 output grid "
        f"against N = {b['reference_N']}, relative to each sample's max |u|.",
        "",
        "| N | max rel. error (worst sample) | mean rel. L2 error | wall time (s) |",
        "|---|---|---|---|",
    ]
    L += [
        f"| {r['N']} | {r['max_rel_err_worst_sample']:.2e} | {r['rel_l2_err_mean']:.2e} | {r['seconds']:.1f} |"
        for r in b["rows"]
    ]
    d = b["dt_check"]
    L += [
        "",
        f"Chosen N = {b['chosen_N']}. Time step: dt = 1e-4 vs 5e-5 at N = {d['N']}: max rel. difference "
        f"{d['max_rel_diff']:.2e}. Steepest slope on the output grid |Δu/Δx| = {b['max_slope_on_output_grid']:.1f}.",
        "",
    ]
    c = res["cavity"]
    L += [
        "## Lid-driven cavity, Re = 1000 (ψ–ω, second order)",
        "",
        "| cells n | u_min (x=0.5) | v_max (y=0.5) | v_min (y=0.5) | ψ_min | max dev. from Botella–Peyret | Newton its | wall (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    L += [
        f"| {r['n']} | {r['u_min']:.5f} | {r['v_max']:.5f} | {r['v_min']:.5f} | {r['psi_min']:.6f} | "
        f"{r['max_dev_from_botella']:.2e} | {r['newton_iterations']} | {r['seconds']:.1f} |"
        for r in c["rows"]
    ]
    ref = c["reference"]
    L += [
        f"| Botella & Peyret 1998 | {ref['u_min']} | {ref['v_max']} | {ref['v_min']} | {ref['psi_min']} | | | |",
        "",
        "Successive-grid differences on the common nodes (max over the field, excluding r < 0.05 around the two "
        "singular lid corners; 'incl. corners' includes them):",
        "",
        "| grids | max Δu | max Δv | max Δp | max Δ centrelines | max Δu incl. corners |",
        "|---|---|---|---|---|---|",
    ]
    L += [
        f"| {e['coarse']}→{e['fine']} | {e['max_diff_u']:.2e} | {e['max_diff_v']:.2e} | {e['max_diff_p']:.2e} | "
        f"{e['max_diff_centrelines']:.2e} | {e['max_diff_u_incl_corners']:.2e} |"
        for e in c["successive_differences"]
    ]
    r = c["richardson"]
    L += [
        "",
        f"Observed orders (last three grids): u {r['order_u']:.2f}, v {r['order_v']:.2f}, centrelines "
        f"{r['order_centrelines']:.2f}. Richardson estimate of the n = {c['finest']} error (fraction of the lid speed): "
        f"u {r['est_err_finest_u']:.1e}, v {r['est_err_finest_v']:.1e}, centrelines {r['est_err_finest_centrelines']:.1e}.",
        "",
    ]
    g = res["ghia"]
    L += [
        "## Lid-driven cavity, Re = 100 against Ghia et al. (1982)",
        "",
        "| cells n | max abs. deviation of u | max abs. deviation of v | ψ_min (Ghia −0.103423) |",
        "|---|---|---|---|",
    ]
    L += [f"| {r['n']} | {r['max_abs_dev_u']:.2e} | {r['max_abs_dev_v']:.2e} | {r['psi_min']:.6f} |" for r in g["rows"]]
    f = res["fd_orders"]
    L += [
        "",
        "## Observed orders on manufactured solutions",
        "",
        "| scheme | refinements | max errors | observed orders |",
        "|---|---|---|---|",
    ]
    for key, label, ref_key in (
        ("diffusion_reaction_space", "diffusion–reaction, space (nx)", "nx"),
        ("diffusion_reaction_time", "diffusion–reaction, time (CN substeps)", "substeps_per_0.25"),
        ("darcy_space", "Darcy (n)", "n"),
    ):
        e = f[key]
        L.append(
            f"| {label} | {e[ref_key]} | {', '.join(f'{v:.2e}' for v in e['max_err'])} | "
            f"{', '.join(f'{v:.2f}' for v in e['orders'])} |"
        )
    return "\n".join(L) + "\n"


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ghia",
        type=Path,
        default=GHIA_FIXTURE,
        help="Ghia et al. Re=100 centreline CSV (default: %(default)s; ../shared/reference/ also has it)",
    )
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "solvers-convergence", "default")
    t0 = time.perf_counter()
    res = {}
    print("finite-difference orders", flush=True)
    res["fd_orders"] = fd_orders()
    print("cavity Re=100 vs Ghia", flush=True)
    res["ghia"] = ghia_study(path=args.ghia)
    print("cavity Re=1000 grid study", flush=True)
    res["cavity"] = cavity_study()
    print("Burgers resolution study", flush=True)
    res["burgers"] = burgers_study()
    res["wall_seconds"] = time.perf_counter() - t0
    json_path, md_path = write_benchmark("solvers_convergence", res, "", out)
    markdown = to_markdown(json.loads(json_path.read_text()))
    atomic_write_bytes(md_path, lambda f: f.write(markdown.encode()))
    print(markdown)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    configure_parser(parser)
    raise SystemExit(main_from_args(parser.parse_args()))
