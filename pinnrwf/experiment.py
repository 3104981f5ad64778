"""One runner for every problem: train each parameterization as a seed ensemble, report, save.

A problem supplies ``build(parameterization) -> (init_model, objective)``; this module trains,
prints the comparison table and writes ``results.json``. Problems never copy the training loop.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pinnrwf.nn import AbstractParameterization
from pinnrwf.train import FitResult, TrainConfig, fit, write_results

Build = Callable[[AbstractParameterization], tuple[Callable, Any]]


def compare(
    build: Build,
    parameterizations: Mapping[str, AbstractParameterization],
    train: TrainConfig,
    *,
    monitor: Callable | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, FitResult]:
    """Train every parameterization with the same configuration; returns {name: FitResult}."""
    results = {}
    for name, parameterization in parameterizations.items():
        log(f"[{name}] training {train.seeds} seed(s) x {train.steps} steps")
        init_model, objective = build(parameterization)
        cfg = train
        if train.checkpoint_dir is not None:
            cfg = dataclasses.replace(train, checkpoint_dir=Path(train.checkpoint_dir) / name)
        results[name] = fit(
            init_model,
            objective,
            cfg,
            resume=cfg.checkpoint_dir is not None,
            fingerprint_extra={"parameterization": repr(parameterization)},
            monitor=monitor,
        )
    return results


def summarize(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "min": float(a.min()), "max": float(a.max())}


def comparison_table(results: Mapping[str, FitResult], metrics: list[str], *, percent: set[str] = frozenset()) -> str:
    """A Markdown table: one row per parameterization, mean ± std over seeds of each metric."""
    header = "| parameterization | " + " | ".join(metrics) + " | steps/s |"
    lines = [header, "|" + "---|" * (len(metrics) + 2)]
    for name, r in results.items():
        cells = []
        for m in metrics:
            s = summarize(r.final_metrics[m])
            if m in percent:
                cells.append(f"{100 * s['mean']:.2f} ± {100 * s['std']:.2f} %")
            else:
                cells.append(f"{s['mean']:.3e} ± {s['std']:.1e}")
        rate = r.steps_per_second
        cells.append("n/a" if math.isnan(rate) else f"{rate:.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save_results(
    out_dir: Path,
    *,
    problem: str,
    command: str,
    results: Mapping[str, FitResult],
    problem_config: Any,
    parameterizations: Mapping[str, AbstractParameterization],
    extra: dict | None = None,
) -> Path:
    """results.json: problem, parameterizations, config, seeds, per-seed metrics, histories, speed."""
    runs = {}
    for name, r in results.items():
        runs[name] = {
            "parameterization": repr(parameterizations[name]),
            "final_metrics": r.final_metrics,
            "summary": {k: summarize(v) for k, v in r.final_metrics.items()},
            "history": r.history,
            "steps_per_second": r.steps_per_second,
            "compile_seconds": r.compile_seconds,
            "wall_seconds": r.wall_seconds,
        }
    any_result = next(iter(results.values()))
    cfg = any_result.config
    payload = {
        "problem": problem,
        "command": command,
        "problem_config": _jsonable(problem_config),
        "train_config": cfg.to_json(),
        "seeds": list(range(cfg.seed, cfg.seed + cfg.seeds)),
        "runs": runs,
        **(extra or {}),
    }
    return write_results(Path(out_dir) / "results.json", payload)


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return repr(obj)


def command_string(problem: str, args, keys: tuple[str, ...]) -> str:
    """The ``pinnrwf run`` command line that reproduces a run (from the parsed arguments)."""
    parts = [f"pinnrwf run {problem}"]
    for k in keys:
        v = getattr(args, k, None)
        if v is not None and v is not False:
            parts.append(f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}"))
    return " ".join(parts)


def run_comparison(
    *,
    problem: str,
    title: str,
    build: Build,
    parameterizations: Mapping[str, AbstractParameterization],
    train: TrainConfig,
    out_dir: Path,
    command: str,
    problem_config: Any,
    metrics: list[str],
    percent: set[str] = frozenset(),
    monitor: Callable | None = None,
    extra: Callable[[dict[str, FitResult]], dict] | None = None,
) -> dict[str, FitResult]:
    """Train, print the comparison table, write results.json and table.md into ``out_dir``."""
    results = compare(build, parameterizations, train, monitor=monitor)
    table = comparison_table(results, metrics, percent=percent)
    print(f"\n{title}, {train.seeds} seed(s) x {train.steps} steps (mean ± std over seeds):\n{table}")
    out_dir = Path(out_dir)
    payload = {"table_markdown": table, **(extra(results) if extra else {})}
    save_results(out_dir, problem=problem, command=command, results=results, problem_config=problem_config,
                 parameterizations=parameterizations, extra=payload)
    (out_dir / "table.md").write_text(table + "\n")
    print(f"results: {out_dir / 'results.json'}")
    return results
