"""Figures shared by the PDE problems: prediction / reference / error panels and error histories."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


def field_comparison(
    predictions: Mapping[str, np.ndarray],
    reference: np.ndarray,
    histories: Mapping[str, tuple[list[int], np.ndarray]],
    *,
    extent: tuple[float, float, float, float],
    axis_labels: tuple[str, str],
    field_label: str,
    path: Path,
    metric_label: str = "relative L² error",
) -> Path:
    """One row per run: prediction, reference, |error| on a 2D grid; last row: error histories.

    ``predictions[name]`` and ``reference`` have shape (n_first, n_second) over the axes of
    ``axis_labels`` (first → horizontal); ``histories[name] = (steps, errors (n_steps, seeds))``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(predictions)
    fig, axes = plt.subplots(len(names) + 1, 3, figsize=(13, 3.2 * (len(names) + 1)), constrained_layout=True)
    axes = np.atleast_2d(axes)
    ref = np.asarray(reference)
    vmin, vmax = float(ref.min()), float(ref.max())
    for row, name in enumerate(names):
        pred = np.asarray(predictions[name])
        panels = [(pred, f"{name}: prediction", "viridis", (vmin, vmax)),
                  (ref, "reference", "viridis", (vmin, vmax)),
                  (np.abs(pred - ref), f"{name}: |error|", "magma", (None, None))]
        for ax, (img, title, cmap, (lo, hi)) in zip(axes[row], panels):
            im = ax.imshow(img.T, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=lo, vmax=hi)
            ax.set(title=title, xlabel=axis_labels[0], ylabel=axis_labels[1])
            fig.colorbar(im, ax=ax, label=field_label if "error" not in title else "|error|")
    ax = axes[-1, 0]
    for name, (steps, errs) in histories.items():
        errs = np.asarray(errs)
        mean = errs.mean(axis=1)
        ax.semilogy(steps, mean, label=name)
        if errs.shape[1] > 1:
            ax.fill_between(steps, errs.min(axis=1), errs.max(axis=1), alpha=0.2)
    ax.set(xlabel="step", ylabel=metric_label, title="Error during training (mean, min–max over seeds)")
    ax.legend(fontsize=8)
    for ax in axes[-1, 1:]:
        ax.axis("off")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def predict_on_grid(model: Callable, points: np.ndarray, shape: tuple[int, int], field: int | Callable = 0) -> np.ndarray:
    """Evaluate ``model`` at ``points`` (n, d) and reshape one output (index or function of the output row)."""
    import jax

    out = np.asarray(jax.jit(jax.vmap(model))(points))
    values = out[:, field] if isinstance(field, int) else np.asarray(field(out))
    return values.reshape(shape)


def runs_field_comparison(results: Mapping, points: np.ndarray, reference: np.ndarray, shape: tuple[int, int], *,
                          field: int | Callable = 0, metric: str = "rel_l2", **kwargs) -> Path:
    """:func:`field_comparison` of training runs: each run's seed-0 model predicted at ``points``
    (n, d) and reshaped to ``shape`` (``field`` picks the output as in :func:`predict_on_grid`),
    against ``reference`` (reshaped to ``shape``), with each run's ``metric`` history.
    ``results``: {name: run result with ``model(i)`` and ``history``}; ``kwargs`` go to
    :func:`field_comparison` (extent, axis_labels, field_label, path)."""
    return field_comparison(
        {name: predict_on_grid(r.model(0), points, shape, field=field) for name, r in results.items()},
        np.asarray(reference).reshape(shape),
        {name: (r.history["metric_step"], np.asarray(r.history["metrics"][metric])) for name, r in results.items()},
        **kwargs,
    )
