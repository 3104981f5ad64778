"""The time-stepper interface shared by the time-dependent reference solvers.

A stepper is a small object whose operators are precomputed once in ``__init__`` (for a fixed
grid and step size); ``init`` turns a physical initial state into the internal state (e.g. its
Fourier coefficients), ``step`` advances the internal state by one step of size ``dt`` (pure:
it returns a new array and never mutates its argument) and ``observe`` maps the internal state
back to physical values. Everything is NumPy float64 and vectorised over a leading batch axis.
"""

from __future__ import annotations

import abc
import inspect

import numpy as np

from pinnrwf._validation import integer

#: The most time steps a solver takes unless told otherwise (``max_steps=None``, ``--force``):
#: 10³ times the paper's Burgers run (10⁴ steps), far beyond any sensible reference solution.
MAX_TIME_STEPS = 10**7

#: Interval [0, VERIFICATION_TIME] over which ``verification_case`` problems show the order.
VERIFICATION_TIME = 0.4


class SolverError(RuntimeError):
    """A solver could not produce a trustworthy solution: Newton did not converge, the solution
    blew up or broke a bound the exact solution obeys. The message names what failed, the value
    that caused it and what to try. (Bad arguments raise ``ValueError`` instead.)"""


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

    @classmethod
    @abc.abstractmethod
    def verification_case(cls, dt: float) -> tuple["AbstractStepper", np.ndarray]:
        """A small smooth problem with step ``dt``: ``(stepper, u0)``, u0 a physical state
        ``(1, ...)``, on which the stepper shows its ``order`` over [0, VERIFICATION_TIME]
        (the family's order test runs it for every stepper)."""


def steppers() -> tuple[type[AbstractStepper], ...]:
    """Every concrete stepper class (found by subclassing, so a new stepper registers itself;
    the classes of :mod:`pinnrwf.solvers` are all imported with the package)."""
    found, todo = [], [AbstractStepper]
    while todo:
        for sub in todo.pop(0).__subclasses__():
            todo.append(sub)
            if not inspect.isabstract(sub) and sub not in found:
                found.append(sub)
    return tuple(found)


def rollout(stepper: AbstractStepper, state: np.ndarray, n_steps: int, *, t0: float = 0.0) -> np.ndarray:
    """Apply ``stepper.step`` ``n_steps`` times (vectorised over the batch) and return the final state."""
    for i in range(integer("n_steps", n_steps, minimum=0)):
        state = stepper.step(state, t0 + i * stepper.dt)
    return state


def check_times(t_eval, name: str = "t_eval") -> np.ndarray:
    """Validate output times: 1D, finite, >= 0, strictly increasing."""
    t = as_float64_array(name, t_eval, ndim=(1,))
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError(f"{name} must be non-negative and strictly increasing, got {t_eval!r}")
    return t


def check_time_steps(n_steps: int, *, what: str, max_steps: int | None) -> int:
    """Refuse a run of more than ``max_steps`` time steps (``None``: no limit); ``what`` says
    which choice asked for them, e.g. ``"dt = 1e-09 up to t = 1"``."""
    if max_steps is not None and n_steps > integer("max_steps", max_steps, minimum=1):
        raise ValueError(
            f"{what} needs {n_steps:.3g} time steps, more than the limit of {max_steps:.3g}; this is far beyond "
            f"a normal run (hours to years): choose a coarser time step, or lift the limit (max_steps=None; "
            f"pinnrwf generate --force) to run it anyway"
        )
    return n_steps


def check_finite_solution(u: np.ndarray, *, what: str, hint: str) -> np.ndarray:
    """Raise :class:`SolverError` unless every value of a solution is finite."""
    if not np.all(np.isfinite(u)):
        raise SolverError(f"{what}: the solution became inf/NaN ({hint})")
    return u


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


def output_schedule(t: np.ndarray, dt: float) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """Start of each output interval of the times ``t`` and its (number of steps, step) of at most
    ``dt`` (:func:`marching_steps`; 0 steps before an output at t = 0)."""
    starts = np.concatenate([[0.0], t[:-1]])
    return starts, [marching_steps(a, b, dt) if b > a else (0, dt) for a, b in zip(starts, t)]
