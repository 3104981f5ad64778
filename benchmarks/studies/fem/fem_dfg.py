"""DFG 2D-1 (steady flow around a cylinder, Re = 20) with the finite-element reference solver.

Run from the repository root:  pinnrwf bench fem-dfg --out benchmarks/results  (≈ 3 min on 2 cores)
Writes benchmarks/results/fem-dfg/<device>/default/fem_dfg.{json,md}: for a sequence of meshes,
the numbers of vertices, triangles and unknowns, c_D, c_L and Δp with their relative errors
against the reference values, Newton's iterations, wall times (meshing, solving, writing the HDF5
file) and memory (the growth of the process's peak resident set while solving).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from pinnrwf.benchmarks._common import add_out_argument, check_out, write_benchmark

MESHES = ((0.05, 0.01), (0.03, 0.004), (0.02, 0.002), (0.015, 0.0015))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(meshes=MESHES) -> dict:
    from pinnrwf.datasets.fem import write_reference
    from pinnrwf.solvers.fem import dfg

    rows = []
    for h, hc in meshes:
        before = peak_rss_mib()
        ref = dfg.dfg_2d1(h, hc)
        r = ref.report
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            path = write_reference(
                Path(tmp) / "dfg.h5", ref, problem="fem-dfg-cylinder", resolution={"h": h, "h_cylinder": hc}
            )
            write_s, size = time.perf_counter() - t0, path.stat().st_size
        row = {
            "h": h,
            "h_cylinder": hc,
            "vertices": int(ref.mesh.p.shape[1]),
            "triangles": int(ref.mesh.t.shape[1]),
            "unknowns": int(2 * ref.fields["u"].size + ref.fields["p"].size),
            "cylinder_edges": int(len(ref.mesh.boundaries["cylinder"])),
            **{
                k: r[k]
                for k in (
                    "c_D",
                    "c_L",
                    "delta_p",
                    "rel_err_c_D",
                    "rel_err_c_L",
                    "rel_err_delta_p",
                    "iterations",
                    "mesh_seconds",
                    "seconds",
                )
            },
            "newton_residuals": [it["residual"] for it in r["newton"]],
            "write_seconds": write_s,
            "file_bytes": size,
            "peak_rss_mib": peak_rss_mib(),
            "peak_rss_growth_mib": peak_rss_mib() - before,
        }
        rows.append(row)
        print(
            f"  h={h} h_cyl={hc}: {row['vertices']} vertices, c_D {row['c_D']:.6f} ({100 * row['rel_err_c_D']:+.3f}%)"
            f" c_L {row['c_L']:.6f} dp {row['delta_p']:.6f} ({100 * row['rel_err_delta_p']:+.3f}%) "
            f"{row['seconds']:.1f} s",
            flush=True,
        )
    return {
        "reference": dfg.REFERENCE,
        "nu": dfg.NU,
        "u_max": dfg.U_MAX,
        "rows": rows,
        "default_mesh": {"h": dfg.DEFAULT_H, "h_cylinder": dfg.DEFAULT_H_CYLINDER},
    }


def to_markdown(res: dict) -> str:
    ref = res["reference"]
    lines = [
        "# DFG 2D-1 (Re = 20), Taylor–Hood P2/P1 + Newton, forces by the volume-integral method",
        "",
        f"Reference: c_D = {ref['c_D']}, c_L = {ref['c_L']}, Δp = {ref['delta_p']}. Machine: {res.get('cores')} "
        "cores (shared with other jobs: wall times are upper bounds).",
        "",
        "| h | h on cylinder | vertices | unknowns | c_D | err c_D | c_L | err c_L | Δp | err Δp | Newton its | "
        "mesh s | total s | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        lines.append(
            f"| {r['h']} | {r['h_cylinder']} | {r['vertices']} | {r['unknowns']} | {r['c_D']:.6f} | "
            f"{100 * r['rel_err_c_D']:+.3f}% | {r['c_L']:.6f} | {100 * r['rel_err_c_L']:+.2f}% | "
            f"{r['delta_p']:.6f} | {100 * r['rel_err_delta_p']:+.3f}% | {r['iterations']} | "
            f"{r['mesh_seconds']:.1f} | {r['seconds']:.1f} | {r['peak_rss_mib']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def configure_parser(p: argparse.ArgumentParser) -> None:
    add_out_argument(p)


def main_from_args(args) -> int:
    out = check_out(args, "fem-dfg", "default")
    t0 = time.perf_counter()
    res = run()
    res["wall_seconds"] = time.perf_counter() - t0
    json_path, md_path = write_benchmark("fem_dfg", res, "", out)
    md_path.write_text(to_markdown(json.loads(json_path.read_text())))
    print(f"wrote {json_path} and {md_path}")
    return 0
