"""Allen–Cahn u_t = ε u_xx + 5u − 5u³ on the periodic interval [−1, 1), u(x, 0) = x² cos(πx).

The benchmark of "An Expert's Guide to Training PINNs" (Wang, Sankaran, Wang & Perdikaris 2023)
and of PirateNets (2024), ε = 10⁻⁴, t ∈ [0, 1]: the sharp interfaces (width ∼ √(ε/5) ≈ 4.5·10⁻³)
form from the smooth initial condition and then stay, which a PINN must learn without letting
the solution fall to the stable states ±1 too early.

Method: Fourier pseudo-spectral in space, ETDRK4 in time (Cox & Matthews 2002) with the
φ-function coefficients by the contour integrals of Kassam & Trefethen (2005) — their §5 treats
this very equation. The diagonal linear part is L = −εk² + 5 (the growth term included, so the
stiff part is exact), the nonlinear part N(u) = −5 F[u³], evaluated on the grid without
dealiasing.

Accuracy: fourth order in time (the stepper family's order test) and spectral in space for
smooth data. This initial condition is continuous but has a kink at x = ±1 in the periodic
sense (u'(±1) = ∓2), which diffusion at ε = 10⁻⁴ smooths only slowly, so the spatial error is
algebraic, second order, and largest at the first output times next to x = ±1 (measured on the
201 × 512 output grid against n_internal = 8192, dt = 2·10⁻⁴: relative L² 3.6·10⁻⁶ at 1024,
8.7·10⁻⁷ at 2048, 1.7·10⁻⁷ at 4096 points; max error 1.2·10⁻⁴ at 2048, at t = 0.005, x = −1).
Halving dt = 10⁻⁴ changes the solution by 1.2·10⁻¹¹. The initial condition is evaluated
pointwise on the internal grid (never resampled from a coarser one), and the solution is
returned on the ``nx``-point output grid x_j = −1 + 2j/nx, every (n_internal/nx)-th internal
point. Defaults: n_internal = 2048, dt = 10⁻⁴ (10⁴ steps to t = 1), about 10 s on one core.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.fft as sfft

from pinnrwf._validation import function, one_of, positive_int, positive_number

from .base import (
    MAX_TIME_STEPS,
    AbstractStepper,
    SolverError,
    check_time_steps,
    check_times,
    output_schedule,
    rollout,
)
from .etdrk4 import etdrk4_coefficients
from .spectral_jax import BACKENDS, resolve_backend

EPSILON = 1e-4
DEFAULT_N_INTERNAL = 2048
DEFAULT_DT = 1e-4
LENGTH = 2.0  # the period: x ∈ [−1, 1)
#: The stable states are ±1 and |u0| ≤ 1: the solution obeys max|u| ≤ 1 (maximum principle);
#: growth beyond 1 + BOUND_TOL means an unstable step or an unresolved interface.
BOUND_TOL = 1e-6


def initial_condition(x: np.ndarray) -> np.ndarray:
    """u(x, 0) = x² cos(πx)."""
    return x**2 * np.cos(np.pi * x)


def grid(n: int) -> np.ndarray:
    """The periodic grid x_j = −1 + 2j/n, j = 0 … n − 1."""
    return -1.0 + LENGTH * np.arange(positive_int("n", n)) / n


class AllenCahnETDRK4(AbstractStepper):
    """ETDRK4 step of size ``dt`` for u_t = ε u_xx + 5u − 5u³ on ``n`` points of [−1, 1).

    State: the rfft coefficients ``(batch, n//2 + 1)`` (complex128)."""

    order = 4

    def __init__(self, n: int, epsilon: float, dt: float):
        self.n = positive_int("n", n, minimum=4)
        self.epsilon = positive_number("epsilon", epsilon)
        self.dt = positive_number("dt", dt)
        k = 2.0 * np.pi / LENGTH * np.fft.rfftfreq(self.n, d=1.0 / self.n)
        self.lin = -self.epsilon * k**2 + 5.0
        self.E, self.E2, self.Q, self.f1, self.f2, self.f3 = etdrk4_coefficients(self.lin, self.dt)

    def nonlinear(self, v: np.ndarray) -> np.ndarray:
        """N(v) = −5 F[(F⁻¹v)³] for coefficients ``v`` ``(batch, n//2 + 1)``."""
        u = sfft.irfft(v, n=self.n, axis=-1)
        return sfft.rfft(-5.0 * u**3, axis=-1)

    def init(self, u0):
        return sfft.rfft(np.asarray(u0, dtype=np.float64), axis=-1)

    def step(self, v, t=0.0):
        """Cox & Matthews' ETDRK4 (Kassam & Trefethen 2005, eq. 2.5)."""
        nv = self.nonlinear(v)
        a = self.E2 * v + self.Q * nv
        na = self.nonlinear(a)
        b = self.E2 * v + self.Q * na
        nb = self.nonlinear(b)
        c = self.E2 * a + self.Q * (2.0 * nb - nv)
        nc = self.nonlinear(c)
        return self.E * v + self.f1 * nv + 2.0 * self.f2 * (na + nb) + self.f3 * nc

    def observe(self, v):
        return sfft.irfft(v, n=self.n, axis=-1)

    @classmethod
    def verification_case(cls, dt):
        # ε = 0.01 on 64 points: smooth over [0, 0.4], so the time error dominates.
        x = grid(64)
        return cls(64, 0.01, dt), (0.5 * np.sin(np.pi * x) + 0.2 * np.cos(2 * np.pi * x))[None]


def solve(
    initial: Callable[[np.ndarray], np.ndarray] = initial_condition,
    *,
    nx: int = 512,
    t_eval,
    epsilon: float = EPSILON,
    dt: float = DEFAULT_DT,
    n_internal: int = DEFAULT_N_INTERNAL,
    max_steps: int | None = MAX_TIME_STEPS,
    backend: str = "auto",
) -> np.ndarray:
    """Solve Allen–Cahn from ``initial(x)`` (evaluated on the internal grid).

    Args:
        initial: u(x, 0) as a function of a NumPy array of points of [−1, 1).
        nx: output grid points, x_j = −1 + 2j/nx; ``n_internal`` must be a multiple of it.
        t_eval: increasing output times ≥ 0, e.g. ``np.linspace(0, 1, 201)``; between outputs the
            step is ``dt`` or slightly less so that every output time is hit exactly.
        epsilon: the diffusion ε > 0 (benchmark: 10⁻⁴).
        dt: the ETDRK4 step.
        n_internal: internal Fourier resolution.
        max_steps: refuse runs of more time steps than this (``None``: no limit).
        backend: ``"numpy"`` (scipy FFTs, step by step), ``"jax"`` (the same scheme compiled as
            one program, :mod:`pinnrwf.solvers.spectral_jax`; equal to round-off) or ``"auto"``:
            JAX from :data:`~pinnrwf.solvers.spectral_jax.AUTO_JAX_MIN_POINT_STEPS` grid × steps on,
            where it measured faster, NumPy below.

    Returns:
        float64 array ``(len(t_eval), nx)``.

    Raises:
        ValueError: bad arguments, or more than ``max_steps`` steps.
        SolverError: max|u| exceeded max(1, max|u0|) (the maximum principle) or became inf/NaN.
    """
    function("initial", initial)
    nx = positive_int("nx", nx, minimum=4)
    n_internal = positive_int("n_internal", n_internal, minimum=4)
    if n_internal % nx:
        raise ValueError(f"n_internal must be a multiple of nx = {nx}, got {n_internal}")
    epsilon, dt = positive_number("epsilon", epsilon), positive_number("dt", dt)
    t = check_times(t_eval)
    starts, steps = output_schedule(t, dt)
    check_time_steps(sum(k for k, _ in steps), what=f"allen-cahn: dt = {dt:g} up to t = {t[-1]:g}", max_steps=max_steps)
    u0 = np.asarray(initial(grid(n_internal)), dtype=np.float64)
    if u0.shape != (n_internal,) or not np.all(np.isfinite(u0)):
        raise ValueError(
            f"initial must return {n_internal} finite values for {n_internal} points, got shape {u0.shape}"
        )
    one_of("backend", backend, BACKENDS)
    backend = resolve_backend(backend, n_internal * sum(k for k, _ in steps))
    bound = max(1.0, float(np.max(np.abs(u0)))) * (1.0 + BOUND_TOL)
    state = sfft.rfft(u0[None], axis=-1)
    if backend == "jax":
        from .spectral_jax import etdrk4_rollout

        lin = AllenCahnETDRK4(n_internal, epsilon, dt).lin
        physical = (u[0] for u in etdrk4_rollout(lin, _nonlinear_jax, (), state, steps, n=n_internal))
    else:
        physical = _rollout_numpy(state, starts, steps, n_internal, epsilon)
    out = np.empty((t.size, nx))
    for j, u in enumerate(physical):
        peak = float(np.max(np.abs(u)))
        if not np.isfinite(peak) or peak > bound:
            raise SolverError(
                f"allen-cahn: max|u| = {peak:.4g} by t = {t[j]:.4g} exceeds the bound {bound:.4g} "
                f"of the maximum principle: dt = {steps[j][1]:.3g} is unstable or n_internal = "
                f"{n_internal} does not resolve the interfaces; try a smaller dt or a larger n_internal"
            )
        out[j] = u[:: n_internal // nx]
    return out


def _rollout_numpy(state, starts, steps, n_internal, epsilon):
    """The physical state ``(n_internal,)`` at the end of each output interval (a generator)."""
    steppers: dict[float, AllenCahnETDRK4] = {}
    for t_start, (n_steps, h) in zip(starts, steps):
        if n_steps:
            if round(h, 15) not in steppers:
                steppers[round(h, 15)] = AllenCahnETDRK4(n_internal, epsilon, h)
            with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported by the caller
                state = rollout(steppers[round(h, 15)], state, n_steps, t0=t_start)
        yield sfft.irfft(state, n=n_internal, axis=-1)[0]


def _nonlinear_jax(v, _, n):
    """:meth:`AllenCahnETDRK4.nonlinear` in ``jax.numpy``: −5 F[(F⁻¹v)³]."""
    import jax.numpy as jnp

    u = jnp.fft.irfft(v, n=n, axis=-1)
    return jnp.fft.rfft(-5.0 * u**3, axis=-1)


def count_steps(t_eval, dt: float) -> int:
    """Number of ETDRK4 steps :func:`solve` takes to reach every time of ``t_eval``."""
    return sum(k for k, _ in output_schedule(check_times(t_eval), positive_number("dt", dt))[1])
