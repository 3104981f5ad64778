"""Summarize ``cpu_back_to_back.sh``'s NS part: per-round JSONs -> README.md (table + median ratio).

Reads ``DIR/round<k>/{pinnrwf,deepxde,load}.json`` (written by ``benchmarks/peers/pinnrwf_cavity.py``,
``benchmarks/peers/deepxde_cavity.py`` and the shell script) and writes ``DIR/README.md`` and
``DIR/summary.json`` atomically. The ratio of a round is pinnrwf steps/s ÷ DeepXDE steps/s, both
measured in that round, one after the other.

    python benchmarks/peers/summary.py benchmarks/results/deepxde-cavity/cpu-xeon-2c/paper --command "..."
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
from pathlib import Path

from _harness import atomic_write_text, commit


def read_rounds(folder: Path) -> list[dict]:
    """One dict per complete round folder (pinnrwf, deepxde, load), in round order."""
    rounds = []
    for d in sorted(folder.glob("round*"), key=lambda p: int(p.name[5:]) if p.name[5:].isdigit() else 0):
        files = {name: d / f"{name}.json" for name in ("pinnrwf", "deepxde", "load")}
        if not all(f.exists() for f in files.values()):
            continue
        row = {name: json.loads(f.read_text()) for name, f in files.items()}
        row["round"] = d.name
        row["ratio"] = row["pinnrwf"]["steps_per_second"] / row["deepxde"]["median_steps_per_second"]
        rounds.append(row)
    if not rounds:
        raise ValueError(f"no complete round folder (pinnrwf.json, deepxde.json, load.json) under {folder}")
    return rounds


def markdown(rounds: list[dict], command: str, date: str, git: str) -> str:
    p0, d0 = rounds[0]["pinnrwf"], rounds[0]["deepxde"]
    ratios = [r["ratio"] for r in rounds]
    lines = [
        "# Lid-driven cavity (NS, Re 1000) training step: pinnrwf vs DeepXDE, back to back",
        "",
        f"Device: CPU ({d0['cpu']}), {d0['threads']} thread(s) per process (torch `set_num_threads`, "
        f"XLA `intra_op_parallelism_threads`); commit {git}; {date}.",
        f"Step: MLP 2→3, {p0['depth']} × {p0['width']} tanh, float32, {p0['n_residual']} interior + "
        f"{p0['n_boundary']} boundary points redrawn every step, NS residual with second derivatives, Adam.",
        f"pinnrwf on JAX {p0.get('jax_version', '')} (`benchmarks/peers/pinnrwf_cavity.py`, the engine `fit`, "
        f"{p0['timed_steps']} timed steps after a compiled first chunk of {p0['chunk']}); DeepXDE "
        f"{d0['version']} + torch {d0['torch_version']} (`benchmarks/peers/deepxde_cavity.py --mode {d0['mode']}`, "
        f"jacobian/hessian, {d0['network_rows']} network rows, median of {d0['reps']} × {d0['steps']} steps "
        f"after {d0['warmup']} warm-up).",
        "",
        f"Command: `{command}`",
        "",
        "| round | load before pinnrwf | load before DeepXDE | load after | pinnrwf steps/s | DeepXDE steps/s | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rounds:
        ld = r["load"]
        lines.append(
            f"| {r['round']} | {ld['before_pinnrwf']} | {ld['before_deepxde']} | {ld['after']} | "
            f"{r['pinnrwf']['steps_per_second']:.2f} | {r['deepxde']['median_steps_per_second']:.2f} | "
            f"{r['ratio']:.2f} |"
        )
    lines += [
        "",
        f"Median ratio pinnrwf / DeepXDE: **{statistics.median(ratios):.2f}×** "
        f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}; target ≥ 2×).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--command", default="", help="the command that produced the rounds (for the record)")
    args = ap.parse_args(argv)
    rounds = read_rounds(args.folder)
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    git = commit()
    md = markdown(rounds, args.command, date, git)
    summary = {
        "benchmark": "ns_back_to_back",
        "command": args.command,
        "commit": git,
        "date": date,
        "device": "cpu",
        "ratios": [r["ratio"] for r in rounds],
        "median_ratio": statistics.median(r["ratio"] for r in rounds),
        "rounds": [{k: r[k] for k in ("round", "load", "ratio")} for r in rounds],
    }
    atomic_write_text(args.folder / "README.md", md)
    atomic_write_text(args.folder / "summary.json", json.dumps(summary, indent=1) + "\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
