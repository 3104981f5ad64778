"""Merge long single-parameterization runs of one problem into one comparison: error curves, a
table at common steps, and each run's final error (the paper-length CPU runs of Tables 12–13).

Each run is a ``pinnrwf run`` output folder (results.json with its history); runs stopped early
are finished at their last checkpoint by running the same command with ``--steps`` set to the
checkpoint's step (the resume is bit-exact, so that run ends at once and writes results.json).

    python benchmarks/tables/long_runs_summary.py RUN_DIR [RUN_DIR ...] --out DIR [--metric rel_l2]
        [--paper plain=5.92,rwf=2.08] [--paper-label TEXT] [--every 10000] [--wall plain=SECONDS,rwf=SECONDS]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from pinnrwf.benchmarks._common import write_benchmark


def _pairs(text: str | None) -> dict[str, float]:
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        if not value:
            raise SystemExit(f"error: expected NAME=VALUE pairs separated by commas, got {item!r}")
        out[name.strip()] = float(value)
    return out


def load_curves(run_dirs: list[Path], metric: str) -> dict[str, dict]:
    """``{parameterization: {"step": [...], "error": [...] (seed 0), "command": ..., "final_step": ...}}``."""
    curves = {}
    for d in run_dirs:
        res = json.loads((d / "results.json").read_text())
        for name, run in res["runs"].items():
            hist = run["history"] if "history" in run else None
            if hist is None:
                raise SystemExit(f"error: {d}/results.json has no history for {name!r}")
            steps = hist["metric_step"]
            values = [v[0] if isinstance(v, list) else v for v in hist["metrics"][metric]]
            curves[name] = {
                "step": steps,
                "error": values,
                "command": res.get("command"),
                "final_step": steps[-1],
                "commit": res.get("commit"),
            }
    return curves


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--metric", default="rel_l2")
    p.add_argument("--paper", help="the paper's final errors in percent, NAME=VALUE,...")
    p.add_argument("--wall", help="wall seconds per run, NAME=VALUE,...")
    p.add_argument("--every", type=int, default=10_000, help="table rows every N steps")
    p.add_argument("--title", default="")
    p.add_argument(
        "--paper-label",
        default="paper (2·10⁵ steps, 10 seeds)",
        help="header of the paper column (default: Table 12's %(default)s)",
    )
    args = p.parse_args(argv)
    curves = load_curves(args.runs, args.metric)
    paper, wall = _pairs(args.paper), _pairs(args.wall)
    common = min(c["final_step"] for c in curves.values())
    names = list(curves)

    def at(name, step):
        c = curves[name]
        return c["error"][c["step"].index(step)] if step in c["step"] else float("nan")

    rows = [s for s in range(args.every, common + 1, args.every)]
    if common not in rows:
        rows.append(common)
    lines = [f"| step | {' | '.join(names)} |", "|---|" + "---|" * len(names)]
    for s in rows:
        lines.append(f"| {s} | " + " | ".join(f"{100 * at(n, s):.2f} %" for n in names) + " |")
    final = [
        "",
        f"| parameterization | final step | final error | min error (step) | wall s | {args.paper_label} |",
        "|---|---|---|---|---|---|",
    ]
    for n in names:
        c = curves[n]
        i = int(np.nanargmin(c["error"]))
        reference = f"{paper[n]:.2f} %" if n in paper else "–"
        final.append(
            f"| {n} | {c['final_step']} | {100 * c['error'][-1]:.2f} % | {100 * c['error'][i]:.2f} % "
            f"({c['step'][i]}) | {wall.get(n, float('nan')):.0f} | {reference} |"
        )
    markdown = (
        f"# {args.title or 'Long runs'}\n\nRelative L² error ({args.metric}, seed 0) at common steps:\n\n"
        + "\n".join(lines)
        + "\n"
        + "\n".join(final)
        + "\n\nCommands: "
        + "; ".join(dict.fromkeys(f"`{c['command']}`" for c in curves.values()))
        + "\n"
    )

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args.out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.5, 4), constrained_layout=True)
    for n in names:
        ax.semilogy(curves[n]["step"], curves[n]["error"], label=n)
        if n in paper:
            ax.axhline(paper[n] / 100, ls=":", color=ax.lines[-1].get_color(), label=f"{n}, paper final")
    ax.set_xlabel("step")
    ax.set_ylabel(f"relative L² error ({args.metric})")
    ax.set_title(args.title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    figure = args.out / "error_curves.png"
    fig.savefig(figure, dpi=110)
    plt.close(fig)
    write_benchmark(
        "long_runs",
        {"metric": args.metric, "curves": curves, "paper_percent": paper, "wall_seconds": wall, "figure": figure.name},
        markdown,
        args.out,
    )
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
