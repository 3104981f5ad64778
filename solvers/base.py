"""The time-stepper interface shared by the time-dependent reference solvers.

A stepper is a small object whose operators are precomputed once in ``__init__`` (for a fixed
grid and step size); ``init`` turns a physical initial state into the internal state (e.g. its
Fourier coefficients), ``step`` advances the internal state by one step of size ``dt`` (pure:
it returns a new array and never mutates its argument) and ``observe`` maps the internal state
back to physical values. Everything is NumPy float64 and vectorised over a leading batch axis.
"""

from __future__ import annotations

import abc

import numpy as np


class AbstractStepper(abc.ABC):
    """One-step method on a fixed grid with a fixed step ``dt`` (batched over axis 0)."""

    dt: float
    order: int  # formal order of accuracy in time

    @abc.abstractmethod
    def init(self, u0: np.ndarray) -> np.ndarray:
        """Physical state ``(batch, ...)`` -> internal state."""

    @abc.abstractmethod
    def step(self, state: np.ndarray, t: float) -> np.ndarray:
        """Advance the internal state from time ``t`` to ``t + dt``."""

    @abc.abstractmethod
    def observe(self, state: np.ndarray) -> np.ndarray:
        """Internal state -> physical values ``(batch, ...)``."""


def rollout(stepper: AbstractStepper, state: np.ndarray, n_steps: int, *, t0: float = 0.0) -> np.ndarray:
    """Apply ``stepper.step`` ``n_steps`` times (vectorised over the batch) and return the final state."""
    for i in range(int(n_steps)):
        state = stepper.step(state, t0 + i * stepper.dt)
    return state


def check_times(t_eval, name: str = "t_eval") -> np.ndarray:
    """Validate output times: 1D, finite, >= 0, strictly increasing."""
    t = np.asarray(t_eval, dtype=np.float64)
    if t.ndim != 1 or t.size < 1:
        raise ValueError(f"{name} must be a non-empty 1D array of times, got shape {t.shape}")
    if not np.all(np.isfinite(t)):
        raise ValueError(f"{name} must contain only finite values")
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError(f"{name} must be non-negative and strictly increasing")
    return t


def check_positive(name: str, value) -> float:
    """A finite, strictly positive scalar (raises ValueError naming ``name``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return v


def check_finite_scalar(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def check_int(name: str, value, minimum: int) -> int:
    """An integer-valued scalar >= ``minimum`` (raises ValueError naming ``name``)."""
    try:
        ok = not isinstance(value, bool) and float(value).is_integer() and int(value) >= minimum
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def as_float64_array(name: str, value, *, ndim: tuple[int, ...]) -> np.ndarray:
    """NumPy float64 copy of a NumPy/JAX array with an allowed rank and only finite values."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real array, got {type(value).__name__}") from None
    if a.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    return a


def marching_steps(t0: float, t1: float, dt: float) -> tuple[int, float]:
    """Number of steps and the adjusted step that land exactly on ``t1`` (step <= ``dt``)."""
    span = t1 - t0
    n = max(1, int(np.ceil(span / dt - 1e-9)))
    return n, span / n
