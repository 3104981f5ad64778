"""The operator-predictions report: every per-function test error of every parameterization and
seed, a figure of predictions against the reference (rwf_paper Fig. 23–24 style) and one of the
training curves with the distribution of the per-function errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import equinox as eqx
import numpy as np

from pinnrwf import _validation as check
from pinnrwf.plotting import ensemble_lines, ensemble_text, pyplot, save_figure, seeds_text
from pinnrwf.reports import AbstractReport

from ._data import OperatorData

_test_errors = eqx.filter_jit(lambda objective, model: objective.test_errors(model))
_test_predictions = eqx.filter_jit(lambda objective, model: objective.test_predictions(model))
CHOICES = ("random", "spread")


def plot_training(results, errors: Mapping[str, np.ndarray], path: Path, title: str) -> Path:
    """Training loss and test error of every parameterization on one plot each (every seed thin,
    the median thick) and the distribution of the per-function test errors (all seeds pooled)."""
    plt = pyplot()
    fig, (ax_loss, ax_err, ax_dist) = plt.subplots(1, 3, figsize=(17, 4.8), constrained_layout=True)
    shown = ensemble_text(np.asarray(next(iter(errors.values()))).shape[0])
    for name, r in results.items():
        color = ensemble_lines(ax_loss, r.history["step"], r.history["loss"], name)
        ensemble_lines(ax_err, r.history["metric_step"], r.history["metrics"]["rel_l2"], name, color=color)
    ax_loss.set(xlabel="step", ylabel="training loss", title=f"Training loss ({shown})")
    ax_err.set(
        xlabel="step",
        ylabel="relative L² error (mean over test functions)",
        title=f"Test error during training ({shown})",
    )
    names = list(errors)
    pooled = [np.asarray(errors[n]).ravel() for n in names]
    seeds = seeds_text(np.asarray(errors[names[0]]).shape[0])
    ax_dist.boxplot(pooled, whis=(5, 95), showfliers=True, flierprops={"markersize": 2})
    ax_dist.set_xticks(range(1, len(names) + 1), names)
    ax_dist.scatter(range(1, len(names) + 1), [p.mean() for p in pooled], marker="D", color="k", zorder=3, label="mean")
    ax_dist.set_yscale("log")
    ax_dist.set(
        ylabel="relative L² error per test function",
        title=f"Per-function test errors, {seeds} pooled",
        xlabel="box: quartiles and median; whiskers: 5–95 %",
    )
    for ax in (ax_loss, ax_err, ax_dist):
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, path, dpi=100)


def plot_predictions(
    data: OperatorData,
    predictions: np.ndarray,
    errors: np.ndarray,
    indices,
    label: str,
    path: Path,
    *,
    input_label: str,
    field_label: str,
) -> Path:
    """rwf_paper Fig. 23–24 style: per test function, its input, the reference, the prediction and
    the pointwise error. ``label`` names the model shown (run and seed)."""
    plt = pyplot()
    extent = data.extent()
    vertical = data.axes[0] if data.axes[1] == "x" else data.axes[1]
    fig, axes = plt.subplots(len(indices), 4, figsize=(17, 3.3 * len(indices)), constrained_layout=True, squeeze=False)
    for row, k in zip(axes, indices):
        a = data.test_inputs[k] * data.input_scale + data.input_shift
        if len(data.input_shape) == 1:
            row[0].plot(data.input_coordinates[0], a, "k-")
            row[0].set(xlabel="x", ylabel=input_label, title=f"test function {k}: input")
        else:
            im = row[0].imshow(
                a.reshape(data.input_shape).T, origin="lower", extent=extent, aspect="auto", cmap="cividis"
            )
            row[0].set(xlabel="x", ylabel="y", title=f"test function {k}: input {input_label}")
            fig.colorbar(im, ax=row[0])
        ref = data.image(data.test_values[k] * data.output_scale)
        pred = data.image(predictions[k] * data.output_scale)
        lo, hi = float(ref.min()), float(ref.max())
        panels = [
            (ref, "reference", "viridis", lo, hi),
            (pred, f"{label}: prediction", "viridis", lo, hi),
            (np.abs(pred - ref), f"|error| (rel. L² {100 * errors[k]:.2f} %)", "magma", None, None),
        ]
        for ax, (img, title, cmap, vmin, vmax) in zip(row[1:], panels):
            im = ax.imshow(img, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set(title=title, xlabel="x", ylabel=vertical)
            fig.colorbar(im, ax=ax, label=field_label if "error" not in title else "|error|")
    return save_figure(fig, path, dpi=90)


@dataclasses.dataclass(frozen=True)
class OperatorPredictionsReport(AbstractReport):
    """What an operator problem reports, chosen rather than rewritten (a :mod:`pinnrwf.reports` report).

    ``data(config)``: the test set (an :class:`OperatorData`; training arrays unused);
    ``objective(config)``: an objective with ``test_errors(model) -> (T,)`` and
    ``test_predictions(model) -> (T, G)``. The report evaluates every seed of every
    parameterization and writes ``{name}_predictions.png`` (``n_figure`` test functions of the
    RWF model, seed 0: ``show = "random"``, drawn with seed 0; ``"spread"``: those of lowest,
    median and highest error) and ``{name}_training.png``. Returns the per-function errors
    (seeds × test functions) and their summary for results.json. ``n_figure``: a number or the
    name of the config field holding it.
    """

    name: str  # file-name prefix
    title: str
    input_label: str
    field_label: str
    data: Callable[[Any], OperatorData]
    objective: Callable[[Any], Any]
    show: str = "random"
    n_figure: int | str = 4

    def __post_init__(self):
        check.one_of("show", self.show, CHOICES)

    def __call__(self, config, results, out_dir):
        n_figure = getattr(config, self.n_figure) if isinstance(self.n_figure, str) else self.n_figure
        return self.write(self.data(config), self.objective(config), results, Path(out_dir), n_figure=n_figure)

    def _indices(self, errors: np.ndarray, n_figure: int) -> list[int]:
        n_test = errors.size
        if self.show == "spread":
            order = np.argsort(errors)
            return list(dict.fromkeys(int(order[i]) for i in (0, n_test // 2, -1)))
        return sorted(np.random.default_rng(0).choice(n_test, min(n_figure, n_test), replace=False).tolist())

    def write(self, data: OperatorData, objective, results, out_dir: Path, *, n_figure: int = 4) -> dict:
        """The figures and extras of ``results`` on the test set ``data`` with ``objective``."""
        errors = {}
        for param, r in results.items():
            seeds = np.asarray(r.history["loss"]).shape[1]
            errors[param] = np.stack([np.asarray(_test_errors(objective, r.model(s))) for s in range(seeds)])
        shown = "rwf" if "rwf" in results else next(iter(results))
        indices = self._indices(errors[shown][0], n_figure)
        out_dir = Path(out_dir)
        predictions = np.asarray(_test_predictions(objective, results[shown].model(0)))
        seed = results[shown].config.seed
        figures = [
            plot_predictions(
                data,
                predictions,
                errors[shown][0],
                indices,
                f"{shown} (seed {seed})",
                out_dir / f"{self.name}_predictions.png",
                input_label=self.input_label,
                field_label=self.field_label,
            ),
            plot_training(results, errors, out_dir / f"{self.name}_training.png", self.title),
        ]
        return {
            "figures": [str(f) for f in figures],
            "predictions_shown": {"parameterization": shown, "seed_index": 0, "test_functions": indices},
            "test_errors_per_function": {k: v.tolist() for k, v in errors.items()},
            "test_error_summary": {
                k: {
                    "mean_over_functions_per_seed": v.mean(axis=1).tolist(),
                    "std_over_functions_per_seed": v.std(axis=1).tolist(),
                    "pooled_mean": float(v.mean()),
                    "pooled_std": float(v.std()),
                    "pooled_median": float(np.median(v)),
                    "pooled_max": float(v.max()),
                }
                for k, v in errors.items()
            },
        }
