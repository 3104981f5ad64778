"""Tables 8–11 and the Lego row of Table 1 of the RWF paper: coordinate networks for vision.

    pinnrwf bench table8  [--preset quick|paper|smoke] [--param LIST] [--rows LIST] [--instances N] ...
    pinnrwf bench table9  | table10 | table11 | nerf
    pinnrwf bench siren   [--blocks Natural,Text,Shepp,ATLAS] ...   (Fig. 11 and 16)

A table is blocks (a data set: Natural, Text, Shepp, ATLAS, Dragon, Armadillo, Lego) × rows (the
input mapping: none, positional encoding, Gaussian Fourier features) × parameterizations (Plain,
AA, WN, RWF and WC-row). Every cell trains the problem's preset through the same engine as
``pinnrwf run`` (``pinnrwf.runner.train_all``), once per *instance* — an image of the data set for
the image and CT tables, as the paper's mean ± std over images — with the problem's seed ensemble
(the occupancy and NeRF cells' spread is over seeds). The JSON and Markdown results put our
numbers beside the paper's (rwf_paper Tables 1, 8–11; WC-row is not in the paper).

``siren`` is Fig. 11 (images) and Fig. 16 (CT) as a table: the same blocks with the one row "no
mapping" and, instead of the parameterizations, the problems' ``siren`` study (SIREN for each ω0
beside the plain ReLU MLP, :func:`pinnrwf.vision.siren_study`), plus the figure of PSNR against
ω0 per data set (mean ± std over images, the plain MLP dashed). The paper shows these as plots
only, so there are no paper numbers beside ours.

A cell already computed under ``--out`` with the same settings is read back instead of retrained
(``<name>_cells/``), so a long table can be stopped and started again. Figures of the problem's
``report`` (predictions beside the ground truth, metric curves) are written for the Gaussian row
of the first instance of every block.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import jax
import numpy as np

from pinnrwf._cli_types import positive_int_arg
from pinnrwf.benchmarks._common import add_out_argument, check_out, publish_benchmark
from pinnrwf.nn import parse_parameterizations
from pinnrwf.problems import registry
from pinnrwf.runner import jsonable, train_all
from pinnrwf.train import write_results

ROWS = {"none": "No mapping", "posenc": "Positional encoding", "gauss": "Gaussian"}
PARAMS = ("plain", "aa", "wn", "rwf")
DEFAULT_PARAMS = "plain,aa,wn,rwf,wc-row"


def _paper(*rows):
    """{row: {param: (mean, std | None)}} from rows of (mean, std) pairs or means, in ROWS × PARAMS order."""
    out = {}
    for row, values in zip(ROWS, rows):
        if values is not None:
            out[row] = {p: (v if isinstance(v, tuple) else (v, None)) for p, v in zip(PARAMS, values)}
    return out


@dataclasses.dataclass(frozen=True)
class Block:
    """One data set of a table: a registered problem, the config changes that select the data set,
    and the paper's numbers for it."""

    label: str
    problem: str
    changes: tuple[tuple[str, object], ...]
    paper: dict


@dataclasses.dataclass(frozen=True)
class Table:
    title: str
    metric: str  # a key of the problem's final metrics (higher is better)
    unit: str
    blocks: tuple[Block, ...]
    rows: tuple[str, ...] = tuple(ROWS)
    instance_field: str | None = None  # config field looped over (the image), or None (seeds only)
    instances: tuple[tuple[str, int], ...] = ()  # preset -> default number of instances
    notes: str = ""
    study: str | None = None  # the problems' study that replaces --param (e.g. "siren")


TABLES: dict[str, Table] = {
    "table8": Table(
        "Table 8: 2D image regression, Natural (test PSNR)",
        "psnr",
        "dB",
        (
            Block(
                "Natural",
                "image-natural",
                (),
                _paper(
                    [(17.94, 2.38), (18.29, 2.44), (18.28, 2.44), (19.11, 2.50)],
                    [(27.04, 3.89), (26.73, 3.67), (26.99, 3.83), (27.46, 3.82)],
                    [(27.35, 4.05), (27.36, 3.96), (27.36, 4.03), (28.08, 4.34)],
                ),
            ),
        ),
        instance_field="image",
        instances=(("smoke", 1), ("quick", 2), ("paper", 16)),
        notes="Natural: the 16 DIV2K test crops of Tancik et al. 2020 as JPEG q=75 re-encodings (shared/data), "
        "so absolute PSNRs are not those of the lossless originals; compare columns side by side.",
    ),
    "table9": Table(
        "Table 9: 2D image regression, Text (test PSNR)",
        "psnr",
        "dB",
        (
            Block(
                "Text",
                "image-text",
                (),
                _paper(
                    [(18.42, 2.42), (18.43, 2.34), (18.46, 2.31), (17.85, 2.36)],
                    [(31.33, 2.71), (31.73, 2.29), (31.43, 2.57), (30.49, 2.45)],
                    [(32.09, 1.80), (32.29, 1.99), (32.25, 1.74), (33.13, 2.03)],
                ),
            ),
        ),
        instance_field="image",
        instances=(("smoke", 1), ("quick", 2), ("paper", 16)),
        notes="Text: 16 images regenerated procedurally (the original generator is not public), so the "
        "paper's numbers are for different images.",
    ),
    "table10": Table(
        "Table 10: 2D computed tomography (PSNR of the reconstruction)",
        "psnr",
        "dB",
        (
            Block(
                "Shepp",
                "ct",
                (("dataset", "shepp"),),
                _paper(
                    [(22.78, 1.35), (23.44, 1.27), (23.37, 0.84), (24.39, 1.56)],
                    [(29.56, 1.73), (29.71, 1.80), (29.87, 1.86), (32.43, 1.51)],
                    [(30.08, 1.63), (30.44, 1.69), (30.55, 1.72), (33.70, 1.29)],
                ),
            ),
            Block(
                "ATLAS (MNI152 stand-in)",
                "ct",
                (("dataset", "atlas"),),
                _paper(
                    [(15.87, 0.66), (16.07, 0.68), (16.17, 0.63), (16.49, 0.61)],
                    [(21.44, 0.94), (21.54, 0.92), (21.70, 0.63), (23.34, 0.92)],
                    [(22.02, 0.93), (22.02, 1.05), (22.10, 1.04), (23.61, 0.83)],
                ),
            ),
        ),
        instance_field="image",
        instances=(("smoke", 1), ("quick", 2), ("paper", 20)),
        notes="ATLAS is not available: slices of the MNI152 template stand in for it, so the paper's ATLAS "
        "numbers are for different images.",
    ),
    "table11": Table(
        "Table 11: 3D shape representation (IoU near the surface)",
        "iou",
        "",
        (
            Block(
                "Dragon",
                "occupancy",
                (("mesh", "dragon"),),
                _paper([0.894, 0.894, 0.891, 0.924], [0.967, 0.968, 0.970, 0.977], [0.980, 0.981, 0.981, 0.984]),
            ),
            Block(
                "Armadillo",
                "occupancy",
                (("mesh", "armadillo"),),
                _paper([0.842, 0.846, 0.845, 0.901], [0.965, 0.967, 0.967, 0.972], [0.978, 0.976, 0.975, 0.982]),
            ),
        ),
        notes="The paper reports one IoU per cell (no spread); ours is mean ± std over seeds.",
    ),
    "siren": Table(
        "Fig. 11 and 16: SIREN against ω0, beside the plain ReLU MLP (no input mapping)",
        "psnr",
        "dB",
        (
            Block("Natural", "image-natural", (), {}),
            Block("Text", "image-text", (), {}),
            Block("Shepp", "ct", (("dataset", "shepp"),), {}),
            Block("ATLAS (MNI152 stand-in)", "ct", (("dataset", "atlas"),), {}),
        ),
        rows=("none",),
        instance_field="image",
        instances=(("smoke", 1), ("quick", 2), ("paper", 16)),
        study="siren",
        notes="The paper shows Fig. 11 and 16 as plots (no numbers) and does not list its ω0 values; ours are "
        "1, 5, 10, 30, 50, 100. The paper's baseline (black dash) is the plain MLP column.",
    ),
    "nerf": Table(
        "Table 1, Lego row: simplified NeRF (test PSNR over held-out views)",
        "psnr",
        "dB",
        (Block("Lego", "nerf", (), _paper(None, None, [26.11, 26.11, 26.07, 26.21])),),
        rows=("gauss",),
        notes="The Lego views in shared/data are the 100 nerf_synthetic training views: a fixed subset is held "
        "out for testing (see `pinnrwf run nerf --help`). WC-row is E-NeRF (weight_conditioning_paper "
        "§6.3).",
    ),
}


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        choices=("paper", "quick", "smoke"),
        default="quick",
        help="quick: the CPU presets (default); paper: the paper's settings (GPU); smoke: synthetic data",
    )
    p.add_argument(
        "--param", help=f"parameterizations (default: {DEFAULT_PARAMS}; not for siren, whose study sets the networks)"
    )
    p.add_argument("--rows", help="comma list of input mappings to run (default: all of the table's rows)")
    p.add_argument("--blocks", help="comma list of data sets to run (default: all of the table's blocks)")
    p.add_argument(
        "--instances",
        type=positive_int_arg,
        help="images per data set (image and CT tables; default: the preset's: quick 2, paper 16/20)",
    )
    p.add_argument("--seeds", type=positive_int_arg, help="override the preset's ensemble size")
    p.add_argument("--steps", type=positive_int_arg, help="override the preset's steps")
    p.add_argument("--data-dir", help="folder of the real data (default: the problems' ../shared/data)")
    p.add_argument("--no-figures", action="store_true", help="skip the problems' figures")
    add_out_argument(p)


def _select(spec: str | None, known: list[str], what: str) -> list[str]:
    if not spec:
        return known
    chosen = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in known]
    if unknown or not chosen:
        raise ValueError(f"--{what} must be a comma list of {', '.join(known)}; got {spec!r}")
    return chosen


def _summary(values: list[float]) -> dict:
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "n": int(a.size)}


def _train_cell(problem, config, train, params, optimizer, cell_path: Path, key: dict) -> dict:
    """Train (or read back) one (block, row, instance) cell: {param: {values, steps_per_second}}."""
    if cell_path.exists():
        saved = json.loads(cell_path.read_text())
        if saved.get("key") == key:
            print(f"  (read back {cell_path.name})", flush=True)
            return saved
    t0 = time.perf_counter()
    results = train_all(problem, config, train, params, optimizer=optimizer, log=lambda s: None)
    cell = {
        "key": key,
        "wall_seconds": time.perf_counter() - t0,
        "runs": {
            name: {
                "values": [float(v) for v in r.final_metrics[key["metric"]]],
                "final_metrics": r.final_metrics,
                "steps_per_second": r.steps_per_second,
                "wall_seconds": r.wall_seconds,
            }
            for name, r in results.items()
        },
    }
    write_results(cell_path, cell)
    cell["results"] = results  # in memory only (for the figures)
    return cell


def _fmt(mean: float, std: float | None, unit: str) -> str:
    digits = 2 if unit == "dB" else 3
    return f"{mean:.{digits}f}" + ("" if std is None else f" ± {std:.{digits}f}")


def markdown(table: Table, cells: dict, params: list[str], meta: dict) -> str:
    lines = [
        f"# {table.title}",
        "",
        f"Preset `{meta['preset']}` on {meta['platform']}: {meta['describe']}. Ours: mean ± std over "
        f"{meta['spread']}; paper: rwf_paper (GPU, full settings). {table.notes}",
        "",
    ]
    for block_label, rows in cells.items():
        paper = next(b.paper for b in table.blocks if b.label == block_label)
        lines += [
            f"## {block_label}",
            "",
            "| input mapping | " + " | ".join(params) + " |",
            "|---|" + "---|" * len(params),
        ]
        for row, by_param in rows.items():
            lines.append(
                f"| {ROWS[row]} (ours) | "
                + " | ".join(
                    _fmt(by_param[p]["mean"], by_param[p]["std"], table.unit) if p in by_param else "—" for p in params
                )
                + " |"
            )
            if row in paper:
                lines.append(
                    f"| {ROWS[row]} (paper) | "
                    + " | ".join(_fmt(*paper[row][p], table.unit) if p in paper[row] else "—" for p in params)
                    + " |"
                )
        speed = {
            p: float(np.median([c[p]["steps_per_second"] for c in rows.values() if p in c]))
            for p in params
            if any(p in c for c in rows.values())
        }
        cells_of_speed = [f"{speed[p]:.2f}" if p in speed else "—" for p in params]
        if {"rwf", "plain"} <= set(params):
            title, header = "Steps per second (median over the cells), and RWF / Plain:", [*params, "RWF / Plain"]
            cells_of_speed.append(f"{speed['rwf'] / speed['plain']:.3f}" if {"rwf", "plain"} <= set(speed) else "—")
        else:  # a study without the two columns (siren)
            title, header = "Steps per second (median over the cells):", list(params)
        lines += [
            "",
            title,
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            "| " + " | ".join(cells_of_speed) + " |",
            "",
        ]
    return "\n".join(lines) + "\n"


def plot_omega_sweep(table: Table, cells: dict, path: Path, meta: dict) -> Path:
    """rwf_paper Fig. 11 / 16 from a ``siren`` table: per data set, the final PSNR of SIREN against
    ω0 (mean ± std over images) and the plain ReLU MLP without mapping dashed (its ± std shaded)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pinnrwf.vision import siren_omegas

    fig, axes = plt.subplots(1, len(cells), figsize=(4.2 * len(cells), 3.8), constrained_layout=True, squeeze=False)
    for ax, (block_label, rows) in zip(axes[0], cells.items()):
        by_param = rows["none"]
        omegas = siren_omegas(by_param)
        names = sorted(omegas, key=omegas.get)
        ax.errorbar(
            [omegas[n] for n in names],
            [by_param[n]["mean"] for n in names],
            yerr=[by_param[n]["std"] for n in names],
            fmt="o-",
            capsize=3,
            label="SIREN",
        )
        if "plain" in by_param:
            mean, std = by_param["plain"]["mean"], by_param["plain"]["std"]
            ax.axhline(mean, color="k", ls="--", label="plain ReLU MLP, no mapping")
            ax.axhspan(mean - std, mean + std, color="k", alpha=0.08)
        ax.set_xscale("log")
        ax.set(xlabel="ω0", ylabel=f"{table.metric.upper()} ({table.unit})", title=block_label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(
        f"SIREN against ω0 (rwf_paper Fig. 11, 16), mean ± std over images\n"
        f"preset {meta['preset']}: {meta['describe']}",
        fontsize=9,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main_from_args(args) -> int:
    name = args.benchmark
    table = TABLES[name]
    known = registry()
    missing = sorted({b.problem for b in table.blocks} - set(known))
    if missing:
        raise ValueError(f"{name} needs the problems {missing}, which are not registered")
    blocks = [b for b in table.blocks if b.label in _select(args.blocks, [b.label for b in table.blocks], "blocks")]
    rows = _select(args.rows, list(table.rows), "rows")
    if table.instance_field is None and args.instances:
        raise ValueError(f"--instances applies to the image and CT tables; {name} varies seeds (--seeds)")
    n_instances = args.instances or dict(table.instances).get(args.preset, 1)
    if table.study and args.param:
        raise ValueError(f"--param does not apply to {name}: the {table.study} study sets the networks")
    param_spec = args.param or DEFAULT_PARAMS
    out = check_out(args, name, args.preset)
    cell_dir = out / f"{name}_{args.preset}_cells"
    cells, speeds, figures = {}, {}, []
    describes: dict[str, str] = {}  # block label -> its settings
    for block in blocks:
        problem = known[block.problem]
        preset = problem.presets[args.preset]
        params = problem.studies[table.study]() if table.study else parse_parameterizations(param_spec, rwf=problem.rwf)
        train_changes = {"progress": False}
        if args.seeds:
            train_changes["seeds"] = args.seeds
        if args.steps:
            train_changes |= {
                "steps": args.steps,
                "chunk_steps": min(preset.train.chunk_steps, args.steps),
                "eval_every": None,
            }
        train = dataclasses.replace(preset.train, **train_changes)
        base = dataclasses.replace(
            preset.config, **dict(block.changes), **({"data_dir": args.data_dir} if args.data_dir else {})
        )
        describes[block.label] = f"{train.seeds} seed(s) × {train.steps} steps per cell" + (
            f", {n_instances} image(s) per data set" if table.instance_field else ""
        )
        cells[block.label] = {}
        for row in rows:
            values = {p: [] for p in params}
            for instance in range(n_instances if table.instance_field else 1):
                changes = {"mapping": row} | ({table.instance_field: instance} if table.instance_field else {})
                config = dataclasses.replace(base, **changes)
                key = {
                    "problem": block.problem,
                    "config": jsonable(config),
                    "train": jsonable(train),
                    "optimizer": preset.optimizer.to_json(),
                    "params": {p: repr(v) for p, v in params.items()},
                    "metric": table.metric,
                }
                tag = f"{block.label.split()[0].lower()}_{row}" + (f"_{instance}" if table.instance_field else "")
                print(
                    f"{name}: {block.label}, {ROWS[row]}"
                    + (f", image {instance}" if table.instance_field else "")
                    + f": {', '.join(params)}",
                    flush=True,
                )
                cell = _train_cell(problem, config, train, params, preset.optimizer, cell_dir / f"{tag}.json", key)
                for p, run in cell["runs"].items():
                    values[p] += run["values"]
                    speeds.setdefault((block.label, row, p), []).append(run["steps_per_second"])
                    print(
                        f"    {p}: {table.metric} = {np.mean(run['values']):.4g}, "
                        f"{run['steps_per_second']:.2f} steps/s",
                        flush=True,
                    )
                if not args.no_figures and row == table.rows[-1] and instance == 0:
                    fig_dir = out / f"{name}_{args.preset}_figures" / block.label.split()[0].lower()
                    if "results" in cell:
                        report = problem.report(config, cell["results"], fig_dir)
                        figures += [str(f) for f in report.get("figures", [])]
                    else:  # read back: the figures drawn when the cell was trained
                        figures += sorted(str(f) for f in fig_dir.glob("*.png"))
            cells[block.label][row] = {
                p: _summary(v) | {"values": v, "steps_per_second": float(np.median(speeds[(block.label, row, p)]))}
                for p, v in values.items()
            }
    platform = jax.devices()[0].platform
    spread = "images (all seeds pooled)" if table.instance_field else "seeds"
    if len(set(describes.values())) <= 1:
        describe = next(iter(describes.values()), "")
    else:  # e.g. the siren table: the image problems' presets train longer than CT's
        describe = "; ".join(f"{label}: {text}" for label, text in describes.items())
    meta = {"preset": args.preset, "platform": platform, "describe": describe, "spread": spread}
    columns = list(params) if table.study else list(parse_parameterizations(param_spec))
    md = markdown(table, cells, columns, meta)
    if table.study == "siren" and not args.no_figures:
        figures.append(
            str(plot_omega_sweep(table, cells, out / f"{name}_{args.preset}_{jax.devices()[0].platform}.png", meta))
        )
    payload = {
        "table": name,
        "preset": args.preset,
        "metric": table.metric,
        "rows": rows,
        "instances": n_instances,
        "cells": cells,
        "paper": {b.label: b.paper for b in blocks},
        "figures": figures,
        "notes": table.notes,
    }
    return publish_benchmark(f"{name}_{args.preset}_{platform}", payload, md, out)
