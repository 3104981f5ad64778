"""Merge the runs of benchmarks/studies/inverse_noise/inverse_noise.sh into inverse_cpu.md and inverse_cpu.json (identified parameter per seed,
mean ± std over the seeds, its relative error, the field error, wall / CPU times, load average)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from pinnrwf.benchmarks._common import device_slug, result_dir

# the runs of inverse_noise.sh: benchmarks/results/inverse-noise/<device>/quick
HERE = result_dir(Path(__file__).resolve().parents[2] / "results", "inverse-noise", "quick", device_slug())
PARAMETER = {"burgers-inverse": "nu", "heat-inverse": "kappa"}
TRUE = {"burgers-inverse": "nu_true", "heat-inverse": "kappa_true"}


def main() -> int:
    rows = []
    for folder in sorted((HERE / "runs").glob("*_noise*_*")):
        results = folder / "results.json"
        if not results.is_file():
            print(f"skipping {folder.name}: no results.json", file=sys.stderr)
            continue
        res = json.loads(results.read_text())
        problem, name = res["problem"], PARAMETER[res["problem"]]
        wall, user, system = (float(v) for v in (folder / "time.txt").read_text().split()[-3:])
        load = (folder / "loadavg.txt").read_text().split() if (folder / "loadavg.txt").is_file() else []
        for param, run in res["runs"].items():
            values = np.asarray(run["final_metrics"][name], dtype=float)
            rel = np.asarray(run["final_metrics"][f"{name}_rel_error"], dtype=float)
            field = np.asarray(run["final_metrics"]["rel_l2"], dtype=float)
            rows.append(
                {
                    "problem": problem,
                    "noise": res["problem_config"]["noise"],
                    "parameterization": param,
                    "parameter": name,
                    "true": res["problem_config"][TRUE[problem]],
                    "initial": res["problem_config"][f"{name}_initial"],
                    "per_seed": values.tolist(),
                    "mean": float(values.mean()),
                    "std": float(values.std()),
                    "rel_error_per_seed": rel.tolist(),
                    "rel_error_mean": float(rel.mean()),
                    "rel_l2_per_seed": field.tolist(),
                    "rel_l2_mean": float(field.mean()),
                    "rel_l2_std": float(field.std()),
                    "steps": res["train_config"]["steps"],
                    "seeds": len(res["seeds"]),
                    "steps_per_second": run["steps_per_second"],
                    "compile_seconds": run["compile_seconds"],
                    "train_wall_seconds": run["wall_seconds"],
                    "command_wall_seconds": wall,
                    "command_user_seconds": user,
                    "command_sys_seconds": system,
                    "loadavg_before_after": load,
                    "command": res["command"],
                    "device": res.get("device"),
                }
            )
    rows.sort(key=lambda r: (r["problem"], r["noise"], r["parameterization"]))
    lines = [
        "| problem | noise | param | identified (mean ± std over 3 seeds) | per seed | rel. error (mean) "
        "| field rel. L² (mean ± std) | wall s | CPU s (user) | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        sym = "ν" if r["parameter"] == "nu" else "κ"
        load = (
            f"{r['loadavg_before_after'][0]} → {r['loadavg_before_after'][3]}" if r["loadavg_before_after"] else "n/a"
        )
        lines.append(
            f"| {r['problem']} | {100 * r['noise']:g} % | {r['parameterization']} "
            f"| {sym} = {r['mean']:.5f} ± {r['std']:.5f} (true {r['true']:g}) "
            f"| {', '.join(f'{v:.5f}' for v in r['per_seed'])} | {100 * r['rel_error_mean']:.2f} % "
            f"| {100 * r['rel_l2_mean']:.2f} ± {100 * r['rel_l2_std']:.2f} % "
            f"| {r['command_wall_seconds']:.0f} | {r['command_user_seconds']:.0f} | {load} |"
        )
    (HERE / "inverse_cpu.md").write_text("\n".join(lines) + "\n")
    (HERE / "inverse_cpu.json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
