"""The logger interface, the guard that keeps a failing logger from stopping a run, and the
flattening of a history row into named scalars."""

from __future__ import annotations

import abc
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


class AbstractLogger(abc.ABC):
    """Receives a run's scalars while it trains and its figures at the end.

    The engine calls, on the host and once per compiled chunk (never inside the compiled loop):
    ``start(name, config)`` when a run (one parameterization's ensemble) begins, ``scalars(step,
    values)`` for every recorded step of the chunk, ``end()`` when that run ends; the runner calls
    ``figures(paths)`` once after the reports, then ``close()``. ``values`` maps tags such as
    ``loss/seed0``, ``loss/mean``, ``terms/pde/max``, ``metrics/rel_l2/seed1`` or
    ``learning_rate`` to floats (:func:`scalars_of`).
    """

    @abc.abstractmethod
    def start(self, name: str, config: Mapping[str, Any]) -> None:
        """A run called ``name`` begins; ``config``: its JSON-able settings."""

    @abc.abstractmethod
    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        """The values recorded at ``step`` of the current run."""

    @abc.abstractmethod
    def end(self) -> None:
        """The current run is over (flush)."""

    def figures(self, paths: Sequence[Path]) -> None:
        """The figures of all runs (PNG files), once at the end. Default: nothing to show them in."""

    def close(self) -> None:
        """Nothing more will be logged. Default: nothing to release."""


def _each_member(prefix: str, values, seeds: Sequence[int]) -> dict[str, float]:
    # plain Python: for a handful of members numpy's per-call overhead is most of the work
    a = [float(v) for v in (values if isinstance(values, list) else np.asarray(values, dtype=float).reshape(-1))]
    out = {f"{prefix}/seed{s}": v for s, v in zip(seeds, a)}
    out.update({f"{prefix}/mean": sum(a) / len(a), f"{prefix}/min": min(a), f"{prefix}/max": max(a)})
    return out


def scalars_of(row: Mapping[str, Any], seeds: Sequence[int]) -> dict[str, float]:
    """A history row as named scalars: every per-member value by seed and as mean/min/max.

    ``row``: ``loss`` (S,), and dicts ``terms``, ``diagnostics`` (causal weights, trainable PDE
    parameters), ``metrics``, ``loss_weights`` (grad-norm weights) of (S,) values, each optional;
    ``learning_rate``: a float (optional). ``seeds``: the seed of each member.
    """
    out: dict[str, float] = {}
    if "loss" in row:
        out.update(_each_member("loss", row["loss"], seeds))
    for group in ("terms", "diagnostics", "metrics", "loss_weights"):
        for name, values in row.get(group, {}).items():
            out.update(_each_member(f"{group}/{name}", values, seeds))
    if row.get("learning_rate") is not None:
        out["learning_rate"] = float(row["learning_rate"])
    return out


class LoggerGroup(AbstractLogger):
    """Several loggers as one; a logger that raises is dropped after one warning (the run goes on).

    A disk that fills, a package that is missing or a service that refuses costs the run that
    logger, never its training. The group can be passed to several ``fit`` calls (one per
    parameterization): a logger dropped in one stays dropped.
    """

    def __init__(self, loggers: Iterable[AbstractLogger] = ()):
        loggers = list(loggers.active if isinstance(loggers, LoggerGroup) else loggers)
        for logger in loggers:
            if not isinstance(logger, AbstractLogger):
                raise ValueError(f"loggers must be pinnrwf.loggers.AbstractLogger instances, got {logger!r}")
        self.active: list[AbstractLogger] = loggers

    def __bool__(self) -> bool:
        return bool(self.active)

    def _each(self, what: str, call) -> None:
        for logger in list(self.active):
            try:
                call(logger)
            except Exception as e:  # noqa: BLE001 - any failure of a logger is the logger's, not the run's
                self.active.remove(logger)
                hint = " (pip install 'pinnrwf[log]')" if isinstance(e, ImportError) else ""
                warnings.warn(
                    f"logger {type(logger).__name__} failed in {what}: {type(e).__name__}: {e}{hint}; "
                    "training continues without it",
                    RuntimeWarning,
                    stacklevel=3,
                )

    def start(self, name, config):
        self._each("start", lambda logger: logger.start(name, config))

    def scalars(self, step, values):
        self._each("scalars", lambda logger: logger.scalars(step, values))

    def end(self):
        self._each("end", lambda logger: logger.end())

    def figures(self, paths):
        self._each("figures", lambda logger: logger.figures(paths))

    def close(self):
        self._each("close", lambda logger: logger.close())
