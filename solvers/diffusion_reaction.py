"""Diffusion–reaction u_t = D u_xx + k u² + a(x) on (0, 1) × (0, T] (rwf_paper eq. L.4).

Zero initial and boundary values. Second-order central differences in space and the
Crank–Nicolson rule in time; the implicit quadratic term is solved by Newton's method with a
batched tridiagonal (Thomas) solve, so the scheme is second order in space and time. The paper's
grid is 100 × 100: x = linspace(0, 1, 100), t = linspace(0, 1, 100).

:func:`solve_method_of_lines` integrates the same semi-discrete system with diffrax (an adaptive
Runge–Kutta method at tight tolerances) as an independent cross-check of the time stepping.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from pinnrwf._validation import finite_number, function, positive_int, positive_number

from .base import (
    MAX_TIME_STEPS,
    AbstractStepper,
    SolverError,
    as_float64_array,
    check_finite_solution,
    check_time_steps,
)

PAPER_NX = 100
PAPER_NT = 100


def thomas(lower: float, diag: np.ndarray, upper: float, rhs: np.ndarray) -> np.ndarray:
    """Solve tridiagonal systems with constant off-diagonals, batched over axis 0.

    ``diag`` and ``rhs`` have shape ``(batch, m)``; no pivoting (the Crank–Nicolson matrices
    here are strictly diagonally dominant).
    """
    m = diag.shape[-1]
    c = np.empty_like(diag)
    d = np.empty_like(rhs)
    c[:, 0] = upper / diag[:, 0]
    d[:, 0] = rhs[:, 0] / diag[:, 0]
    for i in range(1, m):
        denom = diag[:, i] - lower * c[:, i - 1]
        c[:, i] = upper / denom
        d[:, i] = (rhs[:, i] - lower * d[:, i - 1]) / denom
    x = np.empty_like(rhs)
    x[:, -1] = d[:, -1]
    for i in range(m - 2, -1, -1):
        x[:, i] = d[:, i] - c[:, i] * x[:, i + 1]
    return x


class DiffusionReactionCN(AbstractStepper):
    """Crank–Nicolson + Newton step for u_t = D u_xx + k u² + s(x, t) with u = 0 at x = 0, 1.

    State: interior values ``(batch, nx − 2)``; ``source(t)`` returns s at the interior nodes,
    broadcastable to the state's shape.
    """

    order = 2

    def __init__(
        self,
        x: np.ndarray,
        dt: float,
        *,
        diffusivity: float,
        reaction: float,
        source: Callable[[float], np.ndarray],
        newton_tol: float = 1e-13,
        max_newton: int = 30,
    ):
        self.x = as_float64_array("x", x, ndim=(1,))
        if (
            self.x.size < 3
            or not np.allclose(np.diff(self.x), self.x[1] - self.x[0], rtol=1e-9, atol=0)
            or self.x[1] <= self.x[0]
        ):
            raise ValueError(f"x must be a uniform increasing grid of at least 3 points, got {x!r}")
        self.h = self.x[1] - self.x[0]
        self.dt = positive_number("dt", dt)
        self.D, self.k = positive_number("diffusivity", diffusivity), finite_number("reaction", reaction)
        self.source = function("source", source)
        self.tol = positive_number("newton_tol", newton_tol)
        self.max_newton = positive_int("max_newton", max_newton)
        self.r = self.dt * self.D / self.h**2  # precomputed once
        self.off = -0.5 * self.r  # Jacobian off-diagonals of I − dt/2 (D L + 2k diag(w))

    def _diffuse(self, u: np.ndarray) -> np.ndarray:
        """D u_xx at the interior with zero Dirichlet values."""
        p = np.pad(u, ((0, 0), (1, 1)))
        return self.D * (p[:, :-2] - 2.0 * p[:, 1:-1] + p[:, 2:]) / self.h**2

    def init(self, u0: np.ndarray) -> np.ndarray:
        return np.asarray(u0, dtype=np.float64)[:, 1:-1].copy()

    def step(self, u: np.ndarray, t: float) -> np.ndarray:
        dt, k = self.dt, self.k
        s = 0.5 * (self.source(t) + self.source(t + dt))
        explicit = u + 0.5 * dt * (self._diffuse(u) + k * u * u) + dt * s
        w = u.copy()
        active = np.ones(w.shape[0], dtype=bool)
        for _ in range(self.max_newton):
            resid = w - 0.5 * dt * (self._diffuse(w) + k * w * w) - explicit
            diag = (1.0 + self.r) - dt * k * w
            delta = thomas(self.off, diag, self.off, -resid)
            # Converged samples are frozen, so each sample's result is independent of its batch.
            w = np.where(active[:, None], w + delta, w)
            # (written so that a NaN update never counts as converged)
            active &= ~(np.max(np.abs(delta), axis=1) <= self.tol * (1.0 + np.max(np.abs(w), axis=1)))
            if not active.any():
                return w
        peak = np.max(np.abs(w[active]))
        raise SolverError(
            f"diffusion-reaction: Newton did not converge in {self.max_newton} iterations in the step from "
            f"t = {t:.4g} (reaction k = {k:g}, diffusivity D = {self.D:g}, dt = {dt:.3g}, max|u| = {peak:.3g}): "
            f"the reaction k u² outgrows diffusion and the solution blows up (for k > 0 it can in finite "
            f"time); try a smaller reaction, a shorter t_final, or more substeps"
        )

    def observe(self, u: np.ndarray) -> np.ndarray:
        return np.pad(u, ((0, 0), (1, 1)))

    @classmethod
    def verification_case(cls, dt):
        x = np.linspace(0, 1, 33)
        src = np.sin(3 * x[1:-1]) + 0.5
        stepper = cls(x, dt, diffusivity=0.01, reaction=1.0, source=lambda t: src * np.cos(t))
        return stepper, np.sin(np.pi * x)[None]


def _check_grid(nx, nt, t_final):
    return positive_int("nx", nx, minimum=3), positive_int("nt", nt, minimum=2), positive_number("t_final", t_final)


def integrate(
    source: Callable[[float, np.ndarray], np.ndarray],
    *,
    nx: int = PAPER_NX,
    nt: int = PAPER_NT,
    t_final: float = 1.0,
    diffusivity: float = 0.01,
    reaction: float = 0.01,
    batch: int = 1,
    substeps: int = 1,
    max_steps: int | None = MAX_TIME_STEPS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crank–Nicolson solution for a general source s(t, x) (used for manufactured solutions).

    Args:
        source: ``source(t, x_interior) -> (batch, nx − 2)`` (or broadcastable).
        nx: grid size in x; x = linspace(0, 1, nx).
        nt: grid size in t; t = linspace(0, t_final, nt).
        substeps: Crank–Nicolson steps per output interval (time refinement).
        max_steps: refuse runs of more than this many time steps (``None``: no limit).

    Returns:
        ``(x, t, u)`` with u of shape ``(batch, nt, nx)``.

    Raises:
        SolverError: Newton did not converge (the solution blows up) or u became inf/NaN.
    """
    function("source", source)
    nx, nt, t_final = _check_grid(nx, nt, t_final)
    substeps = positive_int("substeps", substeps)
    batch = positive_int("batch", batch)
    diffusivity = positive_number("diffusivity", diffusivity)
    reaction = finite_number("reaction", reaction)
    check_time_steps(
        (nt - 1) * substeps, what=f"diffusion-reaction: nt = {nt} outputs × substeps = {substeps}", max_steps=max_steps
    )
    x = np.linspace(0.0, 1.0, nx)
    t = np.linspace(0.0, t_final, nt)
    dt = (t[1] - t[0]) / substeps
    xi = x[1:-1]
    stepper = DiffusionReactionCN(x, dt, diffusivity=diffusivity, reaction=reaction, source=lambda tt: source(tt, xi))
    u = np.zeros((batch, nt, nx))
    state = stepper.init(u[:, 0])
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported as a SolverError
        for n in range(1, nt):
            for s in range(substeps):
                state = stepper.step(state, t[n - 1] + s * dt)
            u[:, n] = stepper.observe(state)
    check_finite_solution(
        u,
        what=f"diffusion-reaction (reaction k = {reaction:g})",
        hint="try a smaller reaction, a shorter t_final or more substeps",
    )
    return x, t, u


def _check_source(a):
    """The source on x = linspace(0, 1, nx): ``(nx,)`` or ``(batch, nx)`` with nx >= 3."""
    a = as_float64_array("a", a, ndim=(1, 2))
    if a.shape[-1] < 3:
        raise ValueError(f"a must be sampled on nx >= 3 grid points (its last axis), got shape {a.shape}")
    return a


def solve(
    a,
    *,
    diffusivity: float = 0.01,
    reaction: float = 0.01,
    nt: int = PAPER_NT,
    t_final: float = 1.0,
    substeps: int = 1,
    max_steps: int | None = MAX_TIME_STEPS,
) -> np.ndarray:
    """Solve u_t = D u_xx + k u² + a(x) with zero initial/boundary values (rwf_paper L.1).

    Args:
        a: source on x = linspace(0, 1, nx), shape ``(nx,)`` or ``(batch, nx)`` (NumPy or JAX).
        diffusivity: D > 0 (paper: 0.01).
        reaction: k (paper: 0.01).
        nt: number of output times t = linspace(0, t_final, nt) (paper: 100).
        substeps: Crank–Nicolson steps per output interval (1 = the paper's grid).
        max_steps: refuse runs of more than this many time steps (``None``: no limit).

    Returns:
        ``(nt, nx)`` or ``(batch, nt, nx)`` float64 array, u[..., n, i] = u(x_i, t_n).

    Raises:
        SolverError: Newton did not converge (the solution blows up) or u became inf/NaN.
    """
    a = _check_source(a)
    nx = a.shape[-1]
    single = a.ndim == 1
    a2 = np.atleast_2d(a)
    _, _, u = integrate(
        lambda t, xi: a2[:, 1:-1],
        nx=nx,
        nt=nt,
        t_final=t_final,
        diffusivity=diffusivity,
        reaction=reaction,
        batch=a2.shape[0],
        substeps=substeps,
        max_steps=max_steps,
    )
    return u[0] if single else u


def solve_method_of_lines(
    a,
    *,
    diffusivity: float = 0.01,
    reaction: float = 0.01,
    nt: int = PAPER_NT,
    t_final: float = 1.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray:
    """Cross-check: the same central-difference semi-discretisation integrated by diffrax (Tsit5,
    adaptive, tight tolerances) in a local float64 scope. Same shapes as :func:`solve`."""
    import diffrax
    import jax
    import jax.numpy as jnp

    a = _check_source(a)
    nx = a.shape[-1]
    nt, t_final = positive_int("nt", nt, minimum=2), positive_number("t_final", t_final)
    diffusivity = positive_number("diffusivity", diffusivity)
    reaction = finite_number("reaction", reaction)
    rtol, atol = positive_number("rtol", rtol), positive_number("atol", atol)
    single = a.ndim == 1
    a2 = np.atleast_2d(a)
    h = 1.0 / (nx - 1)
    with jax.enable_x64(True):
        src = jnp.asarray(a2[:, 1:-1])

        def rhs(t, u, args):
            p = jnp.pad(u, ((0, 0), (1, 1)))
            return diffusivity * (p[:, :-2] - 2 * p[:, 1:-1] + p[:, 2:]) / h**2 + reaction * u * u + src

        ts = jnp.linspace(0.0, t_final, nt)
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(rhs),
            diffrax.Tsit5(),
            t0=0.0,
            t1=t_final,
            dt0=1e-3,
            y0=jnp.zeros_like(src),
            saveat=diffrax.SaveAt(ts=ts),
            stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
            max_steps=100_000,
        )
        ys = np.asarray(sol.ys, dtype=np.float64)  # (nt, batch, nx − 2)
    u = np.pad(np.moveaxis(ys, 0, 1), ((0, 0), (0, 0), (1, 1)))
    return u[0] if single else u
