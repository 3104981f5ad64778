"""Figures shared by the problems: field comparisons, ensemble curves, and saving a figure.

Conventions every figure follows: a panel's title says what is drawn (which seed, or which
statistic over how many seeds); an ensemble is drawn as every member (thin) plus the median
(thick), so a split between seeds stays visible; no panel is left empty.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` atomically (a temporary file renamed into place: a reader never
    sees half a PNG) and close it; the folder is created."""
    plt = pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return path


def seeds_text(n: int) -> str:
    """``"1 seed"`` or ``"n seeds"``, for figure titles."""
    return "1 seed" if n == 1 else f"{n} seeds"


def ensemble_lines(ax, steps, values, label: str, *, color=None, log: bool = True):
    """Every member of ``values`` (n_steps, seeds) thin and the median thick, in one colour; the
    legend names the run once. Returns the colour used."""
    values = np.asarray(values, dtype=float).reshape(len(steps), -1)
    draw = ax.semilogy if log else ax.plot
    (median,) = draw(
        steps, np.median(values, axis=1), lw=2.0, color=color, label=f"{label} ({seeds_text(values.shape[1])})"
    )
    if values.shape[1] > 1:
        draw(steps, values, lw=0.7, alpha=0.45, color=median.get_color())
    return median.get_color()


def ensemble_text(seeds: int) -> str:
    """What a panel drawn with :func:`ensemble_lines` shows, for its title."""
    return "1 seed" if seeds == 1 else f"{seeds} seeds: each thin, median thick"


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
    shown: str = "seed 0",
) -> Path:
    """The reference and the error histories on the first row, then one row per run: its
    prediction and |error| on a 2D grid, every |error| panel on one shared colour scale.

    ``predictions[name]`` and ``reference`` have shape (n_first, n_second) over the axes of
    ``axis_labels`` (first → horizontal); ``histories[name] = (steps, errors (n_steps, seeds))``;
    ``shown``: which member the predictions are (in their titles).
    """
    plt = pyplot()
    names = list(predictions)
    fig, axes = plt.subplots(
        len(names) + 1, 2, figsize=(11, 3.3 * (len(names) + 1)), constrained_layout=True, squeeze=False
    )
    ref = np.asarray(reference)
    vmin, vmax = float(ref.min()), float(ref.max())
    errors = {name: np.abs(np.asarray(predictions[name]) - ref) for name in names}
    err_max = max(float(e.max()) for e in errors.values())

    def image(ax, img, title, cmap, lo, hi, label):
        im = ax.imshow(img.T, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=lo, vmax=hi)
        ax.set(title=title, xlabel=axis_labels[0], ylabel=axis_labels[1])
        fig.colorbar(im, ax=ax, label=label, shrink=0.9)

    image(axes[0, 0], ref, "reference", "viridis", vmin, vmax, field_label)
    ax = axes[0, 1]
    for name, (steps, errs) in histories.items():
        ensemble_lines(ax, steps, errs, name)
    seeds = np.asarray(next(iter(histories.values()))[1]).shape[1]  # errors: (n_steps, seeds)
    ax.set(xlabel="step", ylabel=metric_label, title=f"{metric_label} during training ({ensemble_text(seeds)})")
    ax.legend(fontsize=8)
    for row, name in zip(axes[1:], names):
        image(
            row[0], np.asarray(predictions[name]), f"{name}: prediction ({shown})", "viridis", vmin, vmax, field_label
        )
        image(row[1], errors[name], f"{name}: |error| ({shown}; colour scale shared)", "magma", 0.0, err_max, "|error|")
    return save_figure(fig, path, dpi=100)


def predict_on_grid(
    model: Callable, points: np.ndarray, shape: tuple[int, int], field: int | Callable = 0
) -> np.ndarray:
    """Evaluate ``model`` at ``points`` (n, d) and reshape one output (index or function of the output row)."""
    import jax

    out = np.asarray(jax.jit(jax.vmap(model))(points))
    values = out[:, field] if isinstance(field, int) else np.asarray(field(out))
    return values.reshape(shape)


def runs_field_comparison(
    results: Mapping,
    points: np.ndarray,
    reference: np.ndarray,
    shape: tuple[int, int],
    *,
    field: int | Callable = 0,
    metric: str = "rel_l2",
    **kwargs,
) -> Path:
    """:func:`field_comparison` of training runs: each run's first member (its base seed) predicted
    at ``points`` (n, d) and reshaped to ``shape`` (``field`` picks the output as in
    :func:`predict_on_grid`), against ``reference`` (reshaped to ``shape``), with each run's
    ``metric`` history. ``results``: {name: run result with ``model(i)``, ``history`` and
    ``config.seed``}; ``kwargs`` go to :func:`field_comparison` (extent, axis_labels, field_label, path)."""
    first = next(iter(results.values()))
    return field_comparison(
        {name: predict_on_grid(r.model(0), points, shape, field=field) for name, r in results.items()},
        np.asarray(reference).reshape(shape),
        {name: (r.history["metric_step"], np.asarray(r.history["metrics"][metric])) for name, r in results.items()},
        shown=f"seed {first.config.seed}",
        **kwargs,
    )
