"""Generic reports of training runs, chosen by a problem instead of written by it.

A report is a small frozen object with one job: ``report(config, results, out_dir) -> dict``
writes its figure into ``out_dir`` and returns JSON-able extras for results.json
(``{"figures": [path], ...}``). A problem declares the ones it wants,

    reports = (FieldComparison(evaluation_grid, extent=(0, 1, 0, 1), labels=("x", "t", "u"),
                               file="heat.png"),)

and :func:`run_reports` runs them in order, concatenating their ``figures``.

- :class:`FieldComparison`: the reference once, each run's base-seed prediction and |error| on
  a 2D grid (one shared error scale), and the error histories
  (:func:`pinnrwf.plotting.runs_field_comparison`);
- :class:`ShapeComparison`: the same on a non-box shape, drawn on a triangulation of scattered
  points inside it (triangles outside the shape masked), with or without a reference;
- :class:`ParameterTrajectory`: an inverse problem's identified parameter per seed against its
  true value, and the identified values per run in results.json;
- :class:`Curves`: histories of chosen metrics (every seed thin, the median thick).

``config -> value`` readers (the grid, a parameter's true value) are plain callables or config
field names; ``results`` maps a run name to a result with ``model(i)``, ``history`` and
``final_metrics`` (:class:`pinnrwf.train.FitResult`).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pinnrwf.plotting import ensemble_lines, ensemble_text, pyplot, runs_field_comparison, save_figure
from pinnrwf.train import summarize

#: config -> (points (n, d), reference values (n,) or (n, n_fields), grid shape (n_1, n_2))
Grid = Callable[[Any], tuple[np.ndarray, np.ndarray, tuple[int, int]]]


class AbstractReport(abc.ABC):
    """One figure (and its extras) of a problem's runs."""

    @abc.abstractmethod
    def __call__(self, config, results: Mapping, out_dir: Path) -> dict:
        """Write the figure into ``out_dir``; return JSON-able extras with ``"figures"``."""


def run_reports(reports: Iterable[AbstractReport], config, results: Mapping, out_dir: Path) -> dict:
    """Every report in order; their extras merged, their ``figures`` concatenated."""
    extras: dict = {}
    for report in reports:
        out = report(config, results, Path(out_dir))
        extras = {**extras, **out, "figures": [*extras.get("figures", []), *out.get("figures", [])]}
    return extras


def _select(rows: np.ndarray, field: int | Callable) -> np.ndarray:
    return rows[:, field] if isinstance(field, int) else np.asarray(field(rows))


@dataclasses.dataclass(frozen=True)
class FieldComparison(AbstractReport):
    """The reference, and prediction / |error| per run on the grid ``grid(config)``, and each run's
    ``metric`` history. ``field`` picks the plotted quantity from the network's output rows
    (an index, or a function of the (n, n_out) rows, e.g. the speed |(u, v)|); it picks the same
    quantity from multi-field reference values. ``labels``: (horizontal axis, vertical axis, field)."""

    grid: Grid
    extent: tuple[float, float, float, float]
    labels: tuple[str, str, str]
    file: str
    field: int | Callable = 0
    metric: str = "rel_l2"

    def __call__(self, config, results, out_dir):
        points, values, shape = self.grid(config)
        values = np.asarray(values)
        reference = values if values.ndim == 1 else _select(values, self.field)
        figure = runs_field_comparison(
            results,
            points,
            reference,
            shape,
            field=self.field,
            metric=self.metric,
            extent=self.extent,
            axis_labels=self.labels[:2],
            field_label=self.labels[2],
            path=Path(out_dir) / self.file,
        )
        return {"figures": [str(figure)]}


#: config -> (points (n, 2) inside the shape, reference values (n,) or (n, n_fields), or None)
Samples = Callable[[Any], tuple[np.ndarray, np.ndarray | None]]


def shape_triangulation(points: np.ndarray, geometry):
    """A matplotlib triangulation of ``points`` (n, 2) whose triangles with a centroid outside
    ``geometry`` (a 2D :mod:`pinnrwf.geometry` shape: the L-shape's notch, a hole) are masked."""
    import jax
    from matplotlib.tri import Triangulation

    points = np.asarray(points, dtype=float)
    tri = Triangulation(points[:, 0], points[:, 1])
    centroids = points[tri.triangles].mean(axis=1)
    tri.set_mask(~np.asarray(jax.vmap(geometry.contains)(centroids)))
    return tri


@dataclasses.dataclass(frozen=True)
class ShapeComparison(AbstractReport):
    """:class:`FieldComparison` on a non-box shape: on the points of ``samples(config)``,
    triangulated and masked outside ``geometry(config)`` (:func:`shape_triangulation`), the
    reference (when ``samples`` gives one) and each run's base-seed prediction and |error| (one
    colour scale for every prediction and the reference, one for every |error|), and each run's
    ``metric`` history. Without a reference, only the predictions (and the histories).
    ``field`` and ``labels`` as for :class:`FieldComparison`."""

    samples: Samples
    geometry: Callable[[Any], Any]
    labels: tuple[str, str, str]
    file: str
    field: int | Callable = 0
    metric: str = "rel_l2"

    def __call__(self, config, results, out_dir):
        import jax

        points, values = self.samples(config)
        tri = shape_triangulation(points, self.geometry(config))
        reference = None if values is None else np.asarray(values)
        if reference is not None and reference.ndim > 1:
            reference = _select(reference, self.field)
        predictions = {
            run: _select(np.asarray(jax.jit(jax.vmap(r.model(0)))(points)), self.field) for run, r in results.items()
        }
        shown = f"seed {next(iter(results.values())).config.seed}"
        scale = [*predictions.values()] + ([] if reference is None else [reference])
        lo, hi = min(float(v.min()) for v in scale), max(float(v.max()) for v in scale)
        errors = {} if reference is None else {run: np.abs(p - reference) for run, p in predictions.items()}
        err_max = max((float(e.max()) for e in errors.values()), default=1.0)

        plt = pyplot()
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        columns = 1 if reference is None else 2  # (reference | history), then (prediction | |error|) per run
        width, height = 5.5, max(2.2, 5.5 * (y1 - y0) / (x1 - x0) + 0.8)
        fig, axes = plt.subplots(
            len(results) + 1,
            columns,
            figsize=(width * columns, height * (len(results) + 1)),
            constrained_layout=True,
            squeeze=False,
        )

        def draw(ax, z, title, cmap, vmin, vmax, label):
            image = ax.tripcolor(tri, z, shading="gouraud", cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set(title=title, xlabel=self.labels[0], ylabel=self.labels[1], aspect="equal")
            fig.colorbar(image, ax=ax, label=label, shrink=0.9)

        if reference is not None:
            draw(axes[0, 0], reference, "reference", "viridis", lo, hi, self.labels[2])
        ax = axes[0, -1]
        for run, r in results.items():
            ensemble_lines(ax, r.history["metric_step"], r.history["metrics"][self.metric], run)
        seeds = np.asarray(next(iter(results.values())).history["metrics"][self.metric]).shape[1]
        ax.set(xlabel="step", ylabel=self.metric, title=f"{self.metric} during training ({ensemble_text(seeds)})")
        ax.legend(fontsize=8)
        for row, run in zip(axes[1:], results):
            draw(row[0], predictions[run], f"{run}: prediction ({shown})", "viridis", lo, hi, self.labels[2])
            if reference is not None:
                draw(
                    row[1],
                    errors[run],
                    f"{run}: |error| ({shown}; colour scale shared)",
                    "magma",
                    0.0,
                    err_max,
                    "|error|",
                )
        return {"figures": [str(save_figure(fig, Path(out_dir) / self.file, dpi=100))]}


def _read(config, key: str | Callable):
    return getattr(config, key) if isinstance(key, str) else key(config)


@dataclasses.dataclass(frozen=True)
class ParameterTrajectory(AbstractReport):
    """An inverse problem's trainable parameter ``name`` (logged as the diagnostic
    ``param_<name>``): its trajectory for every seed (thin) and the median (thick) of every run
    from ``initial`` against ``true`` (left), the final values per seed with mean ± std (right).
    Extras: ``{name: {"true": …, run: {"per_seed": […], mean, std, …}}}`` and the config fields
    named in ``record``.
    ``initial`` and ``true``: config field names or ``config -> value``."""

    name: str
    label: str
    initial: str | Callable
    true: str | Callable
    file: str
    record: tuple[str, ...] = ()

    def __call__(self, config, results, out_dir):
        initial, true = _read(config, self.initial), _read(config, self.true)
        figure = self.figure(results, initial, true, Path(out_dir) / self.file)
        identified = {"true": true}
        for run, r in results.items():
            values = [float(v) for v in r.final_metrics[self.name]]
            identified[run] = {"per_seed": values, **summarize(values)}
        return {"figures": [str(figure)], self.name: identified, **{k: getattr(config, k) for k in self.record}}

    def figure(self, results, initial: float, true: float, path: Path) -> Path:
        plt = pyplot()
        label = self.label
        fig, (ax, ax_end) = plt.subplots(
            1, 2, figsize=(12, 4.2), constrained_layout=True, gridspec_kw={"width_ratios": [3, 1]}
        )
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, (run, r) in enumerate(results.items()):
            steps = np.concatenate([[0], r.history["step"]])
            logged = np.asarray(r.history["diagnostics"][f"param_{self.name}"])  # (chunks, seeds)
            values = np.concatenate([np.full((1, logged.shape[1]), initial), logged])
            color = ensemble_lines(ax, steps, values, run, color=colors[i % len(colors)], log=False)
            final = np.asarray(r.final_metrics[self.name])
            ax_end.plot(np.full(final.size, i), final, "o", color=color)
            stats = summarize(final)
            ax_end.errorbar(i + 0.15, stats["mean"], yerr=stats["std"], fmt="s", color=color, capsize=4)
        ax.axhline(true, color="k", ls="--", lw=1.2, label=f"true {label} = {true:g}")
        ax_end.axhline(true, color="k", ls="--", lw=1.2)
        ax.set_yscale("log")
        ax.set(
            xlabel="step", ylabel=label, title=f"Identified {label} during training ({ensemble_text(values.shape[1])})"
        )
        ax.legend(fontsize=8)
        ax_end.set_xticks(range(len(results)), list(results))
        ax_end.set_xlim(-0.5, len(results) - 0.5)
        seeds = {np.asarray(r.final_metrics[self.name]).size for r in results.values()}
        spread = "1 seed, no spread" if seeds == {1} else "dots: seeds\nsquare: mean ± std"
        ax_end.set(ylabel=label, title=f"final {label} ({spread})")
        ax_end.tick_params(axis="x", labelrotation=45)
        return save_figure(fig, path, dpi=100)


@dataclasses.dataclass(frozen=True)
class Curves(AbstractReport):
    """One panel per metric of ``metrics``: its history for every run, every seed thin and the
    median thick (log scale unless ``log=False``)."""

    metrics: tuple[str, ...]
    file: str
    log: bool = True

    def __call__(self, config, results, out_dir):
        plt = pyplot()
        fig, axes = plt.subplots(
            1, len(self.metrics), figsize=(5 * len(self.metrics), 3.8), constrained_layout=True, squeeze=False
        )
        for ax, metric in zip(axes[0], self.metrics):
            for run, r in results.items():
                ensemble_lines(ax, r.history["metric_step"], r.history["metrics"][metric], run, log=self.log)
            seeds = np.asarray(next(iter(results.values())).history["metrics"][metric]).shape[1]
            ax.set(xlabel="step", ylabel=metric, title=f"{metric} during training ({ensemble_text(seeds)})")
            ax.legend(fontsize=8)
        return {"figures": [str(save_figure(fig, Path(out_dir) / self.file, dpi=100))]}
