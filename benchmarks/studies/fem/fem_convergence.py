"""Orders of convergence of the finite-element reference solver (Poisson, P1 and P2, L² and H¹).

Run from the repository root:  pinnrwf bench fem-convergence --out benchmarks/results  (≈ 2 min on 2 cores)
Writes benchmarks/results/fem-convergence/<device>/default/fem_convergence.{json,md}.

1. Smooth manufactured solution u = sin(πx) cos(πy) on the L-shape [−1, 1]² minus its upper-left
   quadrant and on the unit square minus two disks: uniform refinement (h halved), observed orders
   (expected p + 1 in L², p in H¹).
2. The L-shaped Laplace problem with its exact solution r^{2/3} sin(2φ/3) (φ measured from the
   edge x = 0, y > 0): without grading the re-entrant corner limits both P1 and P2 to
   ‖e‖_{H¹} ~ N^{-1/3} (N unknowns; h^{2/3}); a size field graded towards the corner,
   h(r) = h · r^{1−μ} (μ = 0.5 for P1, 0.3 for P2, below λ/p with λ = 2/3), restores the optimal
   N^{-p/2}. Orders are given against N (slope of log error / log N, times −2: "h-equivalent").
3. A case without an exact solution, the kind a PINN on a holed domain is checked against:
   −Δu = 1 on the holed square, u = 0 on every part; P2 on h = 0.1, 0.05, 0.025 against P2 on
   h = 0.0125, the largest difference at 2000 quasi-random points inside (self-convergence).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark


def smooth(x):
    return np.sin(np.pi * x[0]) * np.cos(np.pi * x[1])


def smooth_grad(x):
    return np.pi * np.stack([np.cos(np.pi * x[0]) * np.cos(np.pi * x[1]), -np.sin(np.pi * x[0]) * np.sin(np.pi * x[1])])


def corner(x):
    r = np.hypot(x[0], x[1])
    phi = np.mod(np.pi / 2 - np.arctan2(x[1], x[0]), 2 * np.pi)
    return r ** (2 / 3) * np.sin(2 * phi / 3)


def corner_grad(x):
    r = np.maximum(np.hypot(x[0], x[1]), 1e-300)
    theta = np.arctan2(x[1], x[0])
    phi = np.mod(np.pi / 2 - theta, 2 * np.pi)
    ur = (2 / 3) * r ** (-1 / 3) * np.sin(2 * phi / 3)
    uphi = (2 / 3) * r ** (-1 / 3) * np.cos(2 * phi / 3)  # (1/r) ∂u/∂φ; ∂/∂θ = −∂/∂φ
    return np.stack([ur * np.cos(theta) + uphi * np.sin(theta), ur * np.sin(theta) - uphi * np.cos(theta)])


def errors(ref, u, grad_u):
    from skfem import Basis, Functional
    from skfem.helpers import dot, grad

    b = Basis(ref.mesh, ref.basis("u").elem, intorder=8)
    uh = b.interpolate(ref.fields["u"])
    l2 = Functional(lambda w: (w["uh"] - u(w.x)) ** 2).assemble(b, uh=uh)
    h1 = Functional(lambda w: dot(grad(w["uh"]) - grad_u(w.x), grad(w["uh"]) - grad_u(w.x))).assemble(b, uh=uh)
    return math.sqrt(l2), math.sqrt(h1)


def study(geometry, hs, u, grad_u, f, degree, size=None):
    from pinnrwf.solvers import fem

    rows = []
    for h in hs:
        t0 = time.perf_counter()
        mesh = fem.triangulate(geometry, h, size=None if size is None else (lambda x, h=h: size(x, h)))
        ref = fem.poisson(mesh, f, dirichlet={p: u for p in mesh.boundaries}, degree=degree)
        l2, h1 = errors(ref, u, grad_u)
        rows.append(
            {
                "h": h,
                "unknowns": int(ref.fields["u"].size),
                "triangles": int(mesh.t.shape[1]),
                "l2": l2,
                "h1": h1,
                "seconds": time.perf_counter() - t0,
            }
        )
    for a, b in zip(rows[:-1], rows[1:]):
        dn = math.log(b["unknowns"] / a["unknowns"])
        for k in ("l2", "h1"):
            b[f"order_{k}"] = -2 * math.log(b[k] / a[k]) / dn  # h-equivalent: N ~ h^-2
    return rows


def self_convergence(geometry, hs=(0.1, 0.05, 0.025), finest=0.0125, degree=2) -> list[dict]:
    from scipy.stats import qmc

    from pinnrwf.solvers import fem

    def solve(h):
        t0 = time.perf_counter()
        mesh = fem.triangulate(geometry, h)
        return fem.poisson(
            mesh, 1.0, dirichlet={p: 0.0 for p in mesh.boundaries}, degree=degree
        ), time.perf_counter() - t0

    (lo, hi) = (np.asarray(b) for b in geometry.bounds)
    pts = lo + (hi - lo) * qmc.Sobol(2, seed=0).random(4096)
    import jax

    with jax.enable_x64(True):
        pts = pts[np.asarray(jax.vmap(geometry.contains)(pts))][:2000]
    best, best_s = solve(finest)
    ub = best.at(pts)["u"]
    rows = []
    for h in hs:
        ref, seconds = solve(h)
        rows.append(
            {
                "h": h,
                "unknowns": int(ref.fields["u"].size),
                "max_diff_to_finest": float(np.abs(ref.at(pts)["u"] - ub).max()),
                "max_u": float(ub.max()),
                "seconds": seconds,
            }
        )
    for a, b in zip(rows[:-1], rows[1:]):
        b["order"] = math.log2(a["max_diff_to_finest"] / b["max_diff_to_finest"])
    rows.append(
        {
            "h": finest,
            "unknowns": int(best.fields["u"].size),
            "max_diff_to_finest": 0.0,
            "max_u": float(ub.max()),
            "seconds": best_s,
        }
    )
    return rows


def run() -> dict:
    from pinnrwf.geometry import Disk, Polygon, Rectangle

    lshape = Polygon([(-1, -1), (1, -1), (1, 1), (0, 1), (0, 0), (-1, 0)])
    holes = Rectangle((0, 0), (1, 1)) - Disk((0.3, 0.3), 0.12).named("hole") - Disk((0.7, 0.65), 0.15).named("hole")
    f_smooth = lambda x: 2 * np.pi**2 * smooth(x)  # noqa: E731
    res = {}
    for degree in (1, 2):
        hs = (0.2, 0.1, 0.05, 0.025) if degree == 1 else (0.2, 0.1, 0.05)
        print(f"  P{degree} smooth", flush=True)
        res[f"lshape_smooth_P{degree}"] = study(lshape, hs, smooth, smooth_grad, f_smooth, degree)
        res[f"holes_smooth_P{degree}"] = study(holes, hs, smooth, smooth_grad, f_smooth, degree)
        print(f"  P{degree} corner singularity", flush=True)
        res[f"lshape_corner_uniform_P{degree}"] = study(lshape, hs, corner, corner_grad, 0.0, degree)
        mu = 0.5 if degree == 1 else 0.3
        graded = lambda x, h, mu=mu: np.maximum(h * np.hypot(x[:, 0], x[:, 1]) ** (1 - mu), h ** (1 / mu))  # noqa: E731
        res[f"lshape_corner_graded_P{degree}"] = study(lshape, hs, corner, corner_grad, 0.0, degree, size=graded)
        res[f"lshape_corner_graded_P{degree}_mu"] = mu
    print("  holes, constant source, self-convergence", flush=True)
    res["holes_constant_source_P2_self"] = self_convergence(holes)
    return res


def to_markdown(res: dict) -> str:
    lines = [
        "# Finite-element orders of convergence (Poisson, Dirichlet data = exact solution)",
        "",
        "Orders are h-equivalent (−2 × slope of log error against log unknowns). Expected: smooth "
        "solutions p + 1 (L²) and p (H¹); the L-shape's corner singularity r^{2/3} sin(2φ/3) limits uniform "
        "meshes to 4/3 (L²) and 2/3 (H¹) for every p; grading towards the corner restores p + 1 and p.",
        "",
    ]
    for key, rows in res.items():
        if not isinstance(rows, list):
            continue
        if key.endswith("_self"):
            lines += [
                f"## {key} (−Δu = 1, u = 0 on the boundary; against h = {rows[-1]['h']})",
                "",
                "| h | unknowns | max difference | order (h) | max u | s |",
                "|---|---|---|---|---|---|",
            ]
            lines += [
                f"| {r['h']} | {r['unknowns']} | {r['max_diff_to_finest']:.3e} | {r.get('order', float('nan')):.2f} "
                f"| {r['max_u']:.6f} | {r['seconds']:.1f} |"
                for r in rows[:-1]
            ]
            lines.append("")
            continue
        lines += [
            f"## {key}",
            "",
            "| h | unknowns | L² error | order | H¹ error | order | s |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['h']} | {r['unknowns']} | {r['l2']:.3e} | {r.get('order_l2', float('nan')):.2f} | "
                f"{r['h1']:.3e} | {r.get('order_h1', float('nan')):.2f} | {r['seconds']:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def configure_parser(p: argparse.ArgumentParser) -> None:
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "fem-convergence", "default")
    t0 = time.perf_counter()
    res = run()
    res["wall_seconds"] = time.perf_counter() - t0
    json_path, md_path = write_benchmark("fem_convergence", res, "", out)
    md_path.write_text(to_markdown(json.loads(json_path.read_text())))
    print(f"wrote {json_path} and {md_path}")
    return 0
