"""One runner for every problem: train each parameterization as a seed ensemble, compare, save.

    results = run(problem, preset="quick", out_dir="runs/x")              # from Python
    pinnrwf run NAME --param plain,rwf --seeds 3 --out runs/x               # the same, from the shell

For each parameterization it calls :func:`pinnrwf.train.fit` with the problem's objective and
``init_model``; then it prints the comparison table (mean ± std over seeds), writes
``results.json`` (always valid JSON: a non-finite number is written as ``null`` and listed under
``non_finite``), ``table.md`` and the trained ensembles (``models/``, see :mod:`pinnrwf.saved`),
and calls the problem's ``report`` for its figures. A run
writes only inside ``out_dir``, which is checked (and created) before any training. With several
processes (``pinnrwf run ... --distributed``) all of them train, and process 0 alone prints,
writes and reports while the others wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pinnrwf import _validation as check
from pinnrwf.nn import AbstractParameterization, parse_parameterizations
from pinnrwf.problem import AbstractProblem, Preset, check_problem
from pinnrwf.saved import save_models
from pinnrwf.train import AbstractOptimizer, FitResult, TrainConfig, fit, on_main_process, write_results


def summarize(values) -> dict[str, float]:
    """mean, std, min, max over the seeds (of a metric's per-seed list)."""
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "min": float(a.min()), "max": float(a.max())}


def train_all(
    problem: AbstractProblem,
    config: Any,
    train: TrainConfig,
    parameterizations: Mapping[str, AbstractParameterization],
    *,
    optimizer: AbstractOptimizer,
    log: Callable[[str], None] = print,
) -> dict[str, FitResult]:
    """Train every parameterization with the same settings; returns ``{name: FitResult}``.

    With ``train.checkpoint_dir`` set, each parameterization checkpoints into its own
    sub-folder and resumes from it (bit-exactly) when the run is started again.
    """
    objective = problem.objective(config, train)
    results = {}
    for name, parameterization in parameterizations.items():
        log(f"[{name}] training {train.seeds} seed(s) x {train.steps} steps")
        cfg = train
        if train.checkpoint_dir is not None:
            cfg = dataclasses.replace(train, checkpoint_dir=Path(train.checkpoint_dir) / name)
        results[name] = fit(
            problem.init_model(config, parameterization),
            objective,
            cfg,
            optimizer=optimizer,
            resume=cfg.checkpoint_dir is not None,
            fingerprint_extra={"problem": problem.name, "config": jsonable(config),
                               "parameterization": repr(parameterization)},
            monitor=problem.monitor,
        )
    return results


SINGLE_CHUNK_NOTE = ("not measured: the run was one compiled chunk, whose time includes compilation; "
                     "use a --chunk smaller than --steps to measure the rate")


def steps_per_second_text(result: FitResult) -> str:
    rate = result.steps_per_second
    return "n/a" if math.isnan(rate) else f"{rate:.0f}"


def comparison_table(results: Mapping[str, FitResult], metrics: tuple[str, ...], *,
                     percent: frozenset[str] = frozenset()) -> str:
    """A Markdown table: one row per parameterization, mean ± std over seeds of each metric."""
    lines = ["| parameterization | " + " | ".join(metrics) + " | steps/s |", "|" + "---|" * (len(metrics) + 2)]
    for name, r in results.items():
        cells = []
        for m in metrics:
            if m not in r.final_metrics:
                raise ValueError(f"metric {m!r} is not computed by the objective (it has {sorted(r.final_metrics)})")
            s = summarize(r.final_metrics[m])
            cells.append(f"{100 * s['mean']:.2f} ± {100 * s['std']:.2f} %" if m in percent
                         else f"{s['mean']:.3e} ± {s['std']:.1e}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {steps_per_second_text(r)} |")
    return "\n".join(lines)


def jsonable(obj: Any) -> Any:
    """Dataclasses, paths, tuples and numpy values as plain JSON types (anything else: repr)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return repr(obj)


def results_payload(problem: AbstractProblem, config: Any, results: Mapping[str, FitResult],
                    parameterizations: Mapping[str, AbstractParameterization], *, preset: str | None,
                    optimizer: AbstractOptimizer, command: str | None) -> dict:
    """What results.json holds (``write_results`` adds device, versions, commit and date)."""
    runs = {}
    for name, r in results.items():
        runs[name] = {
            "parameterization": repr(parameterizations[name]),
            "final_metrics": r.final_metrics,
            "summary": {k: summarize(v) for k, v in r.final_metrics.items()},
            "history": r.history,
            "steps_per_second": None if math.isnan(r.steps_per_second) else r.steps_per_second,
            **({"steps_per_second_note": SINGLE_CHUNK_NOTE} if math.isnan(r.steps_per_second) else {}),
            "compile_seconds": r.compile_seconds,
            "wall_seconds": r.wall_seconds,
        }
    train = next(iter(results.values())).config
    return {
        "problem": problem.name,
        "command": command,
        "preset": preset,
        "problem_config": jsonable(config),
        "train_config": train.to_json(),
        "optimizer": optimizer.to_json(),
        "seeds": list(range(train.seed, train.seed + train.seeds)),
        "table_markdown": comparison_table(results, problem.metrics, percent=problem.percent_metrics),
        "runs": runs,
    }


def run(
    problem: AbstractProblem,
    *,
    out_dir: str | Path,
    preset: str = "quick",
    config: Any = None,
    train: TrainConfig | None = None,
    optimizer: AbstractOptimizer | None = None,
    parameterizations: Mapping[str, AbstractParameterization] | str | None = None,
    command: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, FitResult]:
    """Train, print the comparison, write ``results.json`` and ``table.md``, call ``report``.

    ``config``, ``train`` and ``optimizer`` default to those of ``preset``;
    ``parameterizations`` is a mapping, a ``--param`` string, or ``None`` for the problem's
    default list. Returns ``{parameterization name: FitResult}``.
    """
    check_problem(problem)
    check.one_of("preset", preset, tuple(problem.presets))
    chosen: Preset = problem.presets[preset]
    config = chosen.config if config is None else config
    train = chosen.train if train is None else train
    optimizer = chosen.optimizer if optimizer is None else optimizer
    if parameterizations is None or isinstance(parameterizations, str):
        parameterizations = parse_parameterizations(parameterizations or problem.default_parameterizations,
                                                    rwf=problem.rwf)
    if not parameterizations:
        raise ValueError("parameterizations must name at least one parameterization")
    out_dir = check.output_directory("out_dir", out_dir)
    if jax.process_index() != 0:
        log = _silent
    with jax.enable_x64(True) if problem.float64 else contextlib.nullcontext():
        return _train_and_report(problem, config, train, optimizer, parameterizations, out_dir, preset, command, log)


def _train_and_report(problem, config, train, optimizer, parameterizations, out_dir, preset, command, log):
    results = train_all(problem, config, train, parameterizations, optimizer=optimizer, log=log)
    payload = results_payload(problem, config, results, parameterizations, preset=preset,
                              optimizer=optimizer, command=command)
    payload["dtype"] = str(jnp.result_type(float))
    if jax.process_count() > 1:
        payload["processes"] = jax.process_count()
    log(f"\n{problem.description}, {train.seeds} seed(s) x {train.steps} steps (mean ± std over seeds):\n"
        f"{payload['table_markdown']}")

    def write_and_report():
        write_results(out_dir / "results.json", payload)  # first without the report: never lost to a plot
        (out_dir / "table.md").write_text(payload["table_markdown"] + "\n")
        save_models(out_dir, problem=problem, preset=preset, config=config, parameterizations=parameterizations,
                    results=results, jsonable=jsonable)
        extras = problem.report(config, results, out_dir) or {}
        if extras:
            write_results(out_dir / "results.json", {**payload, "report": jsonable(extras)})
        log(f"results: {out_dir / 'results.json'}")
        for figure in extras.get("figures", []):
            log(f"figure: {figure}")

    on_main_process(write_and_report, f"write the results into {out_dir}")
    return results


def _silent(message: str) -> None:
    """The log of processes other than 0: they train, process 0 speaks."""
