"""The coordinate network of every vision task, and the SIREN ω0 study (rwf_paper Fig. 11 and 16).

Table 3 fixes one architecture for the image, CT, occupancy and NeRF tasks: an input mapping γ
(none / posenc / gauss, see :mod:`pinnrwf.vision._coordinates`) followed by a ReLU MLP whose
dense layers hold the parameterization under test, and a task-specific output head (sigmoid for
RGB and densities, (rgb, σ) for a radiance field, none for occupancy logits).
:func:`coordinate_network` builds it for every task, so the tasks differ only in their data,
their loss and their head.

SIREN is the one exception to the architecture: App. G/H compare SIREN networks (sine
activations, SIREN's initialisation, W = ω0·Ŵ on the sine layers, :func:`pinnrwf.nn.siren`) for
ω0 ∈ :data:`SIREN_OMEGAS` on the raw coordinates against the plain ReLU MLP without mapping. A
study lists parameterizations only, so a :class:`~pinnrwf.nn.SirenScale` entry is what selects
the SIREN architecture here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import equinox as eqx
import numpy as np
from jaxtyping import PRNGKeyArray

from pinnrwf.nn import MLP, AbstractParameterization, Plain, SirenScale, siren
from pinnrwf.nn._embeddings import AbstractEmbedding

from ._coordinates import check_mapping

#: The ω0 values of the SIREN study (rwf_paper Fig. 11 and 16).
SIREN_OMEGAS: tuple[float, ...] = (1.0, 5.0, 10.0, 30.0, 50.0, 100.0)  # rwf_paper Fig. 11 and 16


def coordinate_network(
    out_size: int,
    width: int,
    depth: int,
    parameterization: AbstractParameterization,
    embedding: AbstractEmbedding,
    *,
    mapping: str,
    head: Callable[[eqx.Module], eqx.Module] | None = None,
) -> Callable[[PRNGKeyArray], eqx.Module]:
    """``key -> head(network)``: the ReLU MLP of rwf_paper Table 3 on ``embedding``'s output, or
    SIREN when ``parameterization`` is a :class:`~pinnrwf.nn.SirenScale`.

    ``depth`` hidden layers of ``width``, a linear output layer of ``out_size``; the network maps
    one coordinate ``(embedding.in_size,)`` to ``(out_size,)`` (callers ``vmap``). ``mapping`` is
    the name of ``embedding``'s input mapping: SIREN takes the raw coordinates (the embedding of
    ``"none"``), so a SIREN with another mapping is an error raised here, not inside a trace.
    """
    check_mapping("mapping", mapping)
    in_size = embedding.in_size
    if isinstance(parameterization, SirenScale):
        if mapping != "none":
            raise ValueError(
                f"the SIREN networks take the raw coordinates (rwf_paper Fig. 11 and 16): run --study "
                f"siren with --mapping none, got --mapping {mapping}"
            )
        omega0 = parameterization.omega0

        def build(key):
            return siren(in_size, out_size, width, depth, omega0=omega0, embedding=embedding, key=key)
    else:

        def build(key):
            return MLP(
                in_size, out_size, width, depth, parameterization, activation="relu", embedding=embedding, key=key
            )

    if head is None:
        return build
    return lambda key: head(build(key))


def siren_study() -> dict[str, AbstractParameterization]:
    """rwf_paper Fig. 11 / 16: SIREN for each ω0 of :data:`SIREN_OMEGAS` (no input mapping) and
    the plain ReLU MLP baseline (``"plain"``)."""
    return {"plain": Plain(), **{f"siren(omega0={w:g})": SirenScale(w) for w in SIREN_OMEGAS}}


def siren_omegas(results: Mapping[str, object]) -> dict[str, float]:
    """{run name: ω0} for the SIREN runs of :func:`siren_study` present in ``results``."""
    return {name: p.omega0 for name, p in siren_study().items() if isinstance(p, SirenScale) and name in results}


def plot_siren(
    results, omegas: Mapping[str, float], path: Path, title: str, *, metric: str = "psnr", ylabel: str = "PSNR (dB)"
) -> Path:
    """rwf_paper Fig. 11 / 16: the final ``metric`` against ω0 (bars: min–max over seeds), the
    plain ReLU MLP without mapping (``results["plain"]``) dashed."""
    from pinnrwf.plotting import pyplot, save_figure

    fig, ax = pyplot().subplots(figsize=(6, 4.2), constrained_layout=True)
    names = sorted(omegas, key=omegas.get)
    values = [np.asarray(results[n].final_metrics[metric], dtype=float) for n in names]
    mean = np.array([v.mean() for v in values])
    ax.errorbar(
        [omegas[n] for n in names],
        mean,
        yerr=[mean - [v.min() for v in values], [v.max() for v in values] - mean],
        fmt="o-",
        capsize=3,
        label="SIREN",
    )
    if "plain" in results:
        ax.axhline(
            float(np.mean(results["plain"].final_metrics[metric])),
            color="k",
            ls="--",
            label="plain ReLU MLP, no mapping",
        )
    ax.set_xscale("log")
    ax.set(xlabel="ω0", ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return save_figure(fig, path, dpi=100)


__all__ = ["SIREN_OMEGAS", "coordinate_network", "plot_siren", "siren_omegas", "siren_study"]
