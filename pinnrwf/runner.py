"""One runner for every problem: train each parameterization as a seed ensemble, compare, save.

    results = run(problem, preset="quick", out_dir="runs/x")              # from Python
    pinnrwf run NAME --param plain,rwf --seeds 3 --out runs/x               # the same, from the shell

For each parameterization it calls :func:`pinnrwf.train.fit` with the problem's objective and
``init_model``; then it prints the comparison table (mean ± std over seeds), writes
``results.json`` (always valid JSON: a non-finite number is written as ``null`` and listed under
``non_finite``), ``table.md`` and the trained ensembles (``models/``, see :mod:`pinnrwf.saved`),
and calls the problem's ``report`` for its figures; last, the completion marker ``complete.json``
(the files' sha256). A run writes only inside ``out_dir``, which is checked (and created) before
any training, as are the sizes of its networks and batches (:mod:`pinnrwf._resources`). With
several processes (``pinnrwf run ... --distributed``) all of them train, and process 0 alone
prints, writes and reports while the others wait.
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

from pinnrwf import _validation as check
from pinnrwf._atomic import atomic_write_bytes
from pinnrwf._resources import check_training
from pinnrwf.config import NEUTRAL_AT_DEFAULT, fingerprint_config  # noqa: F401 - re-exported
from pinnrwf.loggers import AbstractLogger, LoggerGroup
from pinnrwf.nn import AbstractParameterization, parse_parameterizations
from pinnrwf.problem import AbstractProblem, Preset, check_problem
from pinnrwf.saved import save_models, write_run
from pinnrwf.train import (
    LBFGS,
    AbstractOptimizer,
    FitResult,
    TrainConfig,
    fit,
    jsonable,
    on_main_process,
    summarize,
    write_results,
)


def train_all(
    problem: AbstractProblem,
    config: Any,
    train: TrainConfig,
    parameterizations: Mapping[str, AbstractParameterization],
    *,
    optimizer: AbstractOptimizer,
    lbfgs: LBFGS | None = None,
    lbfgs_points: int | None = None,
    log: Callable[[str], None] = print,
    loggers: LoggerGroup | list[AbstractLogger] = (),
) -> dict[str, FitResult]:
    """Train every parameterization with the same settings; returns ``{name: FitResult}``.

    ``loggers`` (:mod:`pinnrwf.loggers`) watch each parameterization as a run of its name.
    ``lbfgs``: an optional second stage (``LBFGS(steps=M)``, see :func:`pinnrwf.train.fit`);
    ``lbfgs_points``: the size of its fixed set in interior residual points (PINN objectives
    only; see :func:`lbfgs_with_points`), default one training batch.
    With ``train.checkpoint_dir`` set, each parameterization checkpoints into its own
    sub-folder and resumes from it (bit-exactly) when the run is started again.
    """
    check_lbfgs_arguments(lbfgs, lbfgs_points)
    objective = problem.objective(config, train)
    lbfgs = lbfgs_with_points(objective, lbfgs, lbfgs_points)
    second = (
        ""
        if lbfgs is None or lbfgs.steps == 0
        else (f" + {lbfgs.steps} L-BFGS steps on a fixed set of {lbfgs.batches} training batch(es) per seed")
    )
    # Every network's builder first: a bad combination (e.g. SIREN with a Fourier mapping) fails
    # before any training instead of after the parameterizations before it.
    inits = {name: problem.init_model(config, parameterization) for name, parameterization in parameterizations.items()}
    check_training(
        objective,
        inits.values(),
        seeds=-(-train.seeds // jax.device_count()),  # members per device
        lbfgs_batches=0 if lbfgs is None or lbfgs.steps == 0 else lbfgs.batches,
        lbfgs_points=lbfgs_points,
        what=f"training {problem.name}",
    )
    results = {}
    for name, parameterization in parameterizations.items():
        log(f"[{name}] training {train.seeds} seed(s) x {train.steps} steps{second}")
        cfg = train
        if train.checkpoint_dir is not None:
            cfg = dataclasses.replace(train, checkpoint_dir=Path(train.checkpoint_dir) / name)
        results[name] = fit(
            inits[name],
            objective,
            cfg,
            optimizer=optimizer,
            lbfgs=lbfgs,
            resume=cfg.checkpoint_dir is not None,
            fingerprint_extra={
                "problem": problem.name,
                "config": fingerprint_config(config),
                "parameterization": repr(parameterization),
            },
            monitor=problem.monitor,
            loggers=loggers,
            run_name=name,
        )
    return results


def check_lbfgs_arguments(lbfgs: LBFGS | None, lbfgs_points: int | None) -> None:
    """``lbfgs`` is None or an ``LBFGS`` stage; ``lbfgs_points`` a positive integer that needs one."""
    if lbfgs is not None and not isinstance(lbfgs, LBFGS):
        raise ValueError(f"lbfgs must be None or a pinnrwf.train.LBFGS stage, got {lbfgs!r}")
    if lbfgs_points is not None:
        check.positive_int("lbfgs_points (--lbfgs-points)", lbfgs_points)
        if lbfgs is None or lbfgs.steps == 0:
            raise ValueError(
                "lbfgs_points (--lbfgs-points) sets the L-BFGS stage's fixed set: it needs L-BFGS steps "
                "(--lbfgs-steps N with N > 0)"
            )


def lbfgs_with_points(objective, lbfgs: LBFGS | None, points: int | None) -> LBFGS | None:
    """The L-BFGS stage whose fixed set holds ``points`` interior residual points.

    The fixed set is k independent training batches (``LBFGS.batches = k``): every term's points
    (residual, boundary, initial) grow k-fold, so ``points`` must be a multiple of the interior
    residual points of one batch (the ``Residual`` terms' samplers of a
    :class:`pinnrwf.pde.PINNObjective`). ``points=None`` keeps ``lbfgs`` as it is.
    """
    check_lbfgs_arguments(lbfgs, points)
    if points is None:
        return lbfgs
    from pinnrwf import pde

    if not isinstance(objective, pde.PINNObjective):
        raise ValueError(
            "lbfgs_points (--lbfgs-points) counts interior residual points, which only PINN objectives "
            f"(pinnrwf.pde.PINNObjective) have; this problem's objective is a {type(objective).__name__} "
            "(leave it unset: the fixed set is then one training batch)"
        )
    per_batch = sum(term.sampler.num_points for term in objective.terms.values() if isinstance(term, pde.Residual))
    if per_batch == 0:
        raise ValueError(
            "lbfgs_points (--lbfgs-points): the objective has no Residual term whose points it could count"
        )
    if points % per_batch:
        raise ValueError(
            f"lbfgs_points (--lbfgs-points) must be a multiple of the {per_batch} interior residual points of one "
            f"training batch (the fixed set is k independent batches), got {points}"
        )
    return dataclasses.replace(lbfgs, batches=points // per_batch)


SINGLE_CHUNK_NOTE = (
    "not measured: the run was one compiled chunk, whose time includes compilation; "
    "use a --chunk smaller than --steps to measure the rate"
)


def steps_per_second_text(result: FitResult) -> str:
    """The run's training rate for the comparison table: ``"1234"`` steps per second, or ``"n/a"``
    when it was not measured (see ``SINGLE_CHUNK_NOTE``)."""
    rate = result.steps_per_second
    return "n/a" if math.isnan(rate) else f"{rate:.0f}"


def comparison_table(
    results: Mapping[str, FitResult], metrics: tuple[str, ...], *, percent: frozenset[str] = frozenset()
) -> str:
    """A Markdown table: one row per parameterization, mean ± std over seeds of each metric
    ("± n/a" for a single seed)."""
    lines = ["| parameterization | " + " | ".join(metrics) + " | steps/s |", "|" + "---|" * (len(metrics) + 2)]
    for name, r in results.items():
        cells = []
        for m in metrics:
            if m not in r.final_metrics:
                raise ValueError(f"metric {m!r} is not computed by the objective (it has {sorted(r.final_metrics)})")
            s = summarize(r.final_metrics[m])
            one = len(r.final_metrics[m]) == 1  # one seed: no spread to report
            if m in percent:
                cells.append(f"{100 * s['mean']:.2f} ± " + ("n/a" if one else f"{100 * s['std']:.2f}") + " %")
            else:
                cells.append(f"{s['mean']:.3e} ± " + ("n/a" if one else f"{s['std']:.1e}"))
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {steps_per_second_text(r)} |")
    return "\n".join(lines)


def results_payload(
    problem: AbstractProblem,
    config: Any,
    results: Mapping[str, FitResult],
    parameterizations: Mapping[str, AbstractParameterization],
    *,
    preset: str | None,
    optimizer: AbstractOptimizer,
    command: str | None,
    lbfgs: LBFGS | None = None,
) -> dict:
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
            # per stage: steps, wall and compile seconds, steps/s (None: one chunk, not measured)
            "stages": {
                stage: {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in t.items()}
                for stage, t in r.stages.items()
            },
        }
    train = next(iter(results.values())).config
    return {
        "problem": problem.name,
        "command": command,
        "preset": preset,
        "problem_config": jsonable(config),
        "train_config": train.to_json(),
        "optimizer": optimizer.to_json(),
        **({"lbfgs": lbfgs.to_json()} if lbfgs is not None and lbfgs.steps > 0 else {}),
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
    lbfgs: LBFGS | None = None,
    lbfgs_points: int | None = None,
    command: str | None = None,
    log: Callable[[str], None] = print,
    loggers: list[AbstractLogger] = (),
) -> dict[str, FitResult]:
    """Train, print the comparison, write ``results.json`` and ``table.md``, call ``report``.

    ``config``, ``train`` and ``optimizer`` default to those of ``preset``; ``lbfgs`` (and
    ``lbfgs_points``) add an L-BFGS stage after it, see :func:`train_all`;
    ``parameterizations`` is a mapping, a ``--param`` string, or ``None`` for the problem's
    default list. ``loggers`` (:mod:`pinnrwf.loggers`) watch the training live and get the
    figures at the end. Returns ``{parameterization name: FitResult}``.
    """
    check_problem(problem)
    check.one_of("preset", preset, tuple(problem.presets))
    chosen: Preset = problem.presets[preset]
    config = chosen.config if config is None else config
    train = chosen.train if train is None else train
    optimizer = chosen.optimizer if optimizer is None else optimizer
    if parameterizations is None or isinstance(parameterizations, str):
        parameterizations = parse_parameterizations(
            parameterizations or problem.default_parameterizations, rwf=problem.rwf
        )
    if not parameterizations:
        raise ValueError("parameterizations must name at least one parameterization")
    check_lbfgs_arguments(lbfgs, lbfgs_points)
    out_dir = check.output_directory("out_dir", out_dir)
    if jax.process_index() != 0:
        log = _silent
    with jax.enable_x64(True) if problem.float64 else contextlib.nullcontext():
        return _train_and_report(
            problem,
            config,
            train,
            optimizer,
            parameterizations,
            out_dir,
            preset,
            command,
            log,
            lbfgs,
            lbfgs_points,
            LoggerGroup(loggers if jax.process_index() == 0 else ()),
        )


def _train_and_report(
    problem,
    config,
    train,
    optimizer,
    parameterizations,
    out_dir,
    preset,
    command,
    log,
    lbfgs=None,
    lbfgs_points=None,
    loggers=None,
):
    loggers = LoggerGroup() if loggers is None else loggers
    results = train_all(
        problem,
        config,
        train,
        parameterizations,
        optimizer=optimizer,
        lbfgs=lbfgs,
        lbfgs_points=lbfgs_points,
        log=log,
        loggers=loggers,
    )
    lbfgs = next(iter(results.values())).lbfgs  # the stage that ran (its batches from lbfgs_points)
    payload = results_payload(
        problem, config, results, parameterizations, preset=preset, optimizer=optimizer, command=command, lbfgs=lbfgs
    )
    payload["dtype"] = str(jnp.result_type(float))
    if jax.process_count() > 1:
        payload["processes"] = jax.process_count()
    second = "" if lbfgs is None or lbfgs.steps == 0 else f" + {lbfgs.steps} L-BFGS steps"
    log(
        f"\n{problem.description}, {train.seeds} seed(s) x {train.steps} steps{second} (mean ± std over seeds):\n"
        f"{payload['table_markdown']}"
    )

    def write_and_report():
        write_results(out_dir / "results.json", payload)  # first without the report: never lost to a plot
        atomic_write_bytes(out_dir / "table.md", lambda f: f.write((payload["table_markdown"] + "\n").encode()))
        save_models(
            out_dir,
            problem=problem,
            preset=preset,
            config=config,
            parameterizations=parameterizations,
            results=results,
            jsonable=jsonable,
        )
        extras = problem.report(config, results, out_dir) or {}
        if extras:
            write_results(out_dir / "results.json", {**payload, "report": jsonable(extras)})
        log(f"results: {out_dir / 'results.json'}")
        for figure in extras.get("figures", []):
            log(f"figure: {figure}")
        loggers.figures(extras.get("figures", []))
        loggers.close()

    # the completion marker (complete.json, with the files' sha256) is written last, see pinnrwf.saved
    on_main_process(lambda: write_run(out_dir, write_and_report), f"write the results into {out_dir}")
    return results


def _silent(message: str) -> None:
    """The log of processes other than 0: they train, process 0 speaks."""
