"""The benchmark PDEs of rwf_paper App. K and L, written in the residual DSL (:mod:`pinnrwf.pde`).

Reusable physics, not experiments: the problems of ``problems/`` and the benchmarks import them
from here (``pinnrwf.problems.equations`` re-exports them).

Each factory returns a :class:`pinnrwf.pde.Equation`; its parameters' target values are the
paper's (curricula are attached by the problem, see :func:`pinnrwf.pde.curriculum`). The network
input is the point in ``coords`` order and its output the fields in ``fields`` order.
"""

from __future__ import annotations

from ._equation import Equation
from ._plans import AbstractPlan


def heat(kappa: float = 0.1) -> Equation:
    """The heat equation R = u_t − κ u_xx on (x, t) (u_xx alone: the forward-Laplacian plan over x)."""
    return Equation(
        coords=("x", "t"), fields=("u",), params={"kappa": kappa}, residual=lambda p: p.u_t - p.kappa * p.u_xx
    )


def advection(c: float = 50.0) -> Equation:
    """Linear advection, eq. K.1: R = u_t + c u_x on (x, t) ∈ (0, 2π) × [0, 1], c = 50.

    Exact solution u = g(x − ct) for the initial condition g (eq. K.2); periodicity in x comes from
    the network's periodic embedding γ(x, t) = [cos x, sin x, t] (eq. K.3)."""
    return Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"c": c},
        residual=lambda p: p.u_t + p.c * p.u_x,
    )


def _navier_stokes_residual(p):
    inv_re = 1.0 / p.Re
    return {
        # Δu = u_xx + u_yy, written as a Laplacian so the plan is one forward-Laplacian pass.
        "u": p.u * p.u_x + p.v * p.u_y + p.p_x - inv_re * p.laplacian("u"),  # K.14
        # K.15 as printed reads "u v_x + u v_y"; the convective term is u v_x + v v_y.
        "v": p.u * p.v_x + p.v * p.v_y + p.p_y - inv_re * p.laplacian("v"),
        "c": p.u_x + p.v_y,  # K.16
    }


def navier_stokes(
    Re: float = 1000.0, derivative_mode: str | None = None, *, plan: AbstractPlan | None = None
) -> Equation:
    """Steady incompressible Navier–Stokes, eq. K.9–K.10 with residuals K.14–K.16:
    components ``"u"`` (x-momentum), ``"v"`` (y-momentum), ``"c"`` (continuity), on
    (x, y) ∈ (0, 1)², fields (u, v, p), Re = 1000 (lid-driven cavity, App. K.2). The plan is a
    forward-Laplacian pass (``plan=NestedPlan()``, or ``derivative_mode="forward"``, forces the
    nested-jvp one)."""
    return Equation(
        coords=("x", "y"),
        fields=("u", "v", "p"),
        params={"Re": Re},
        residual=_navier_stokes_residual,
        derivative_mode=derivative_mode,
        plan=plan,
    )


def diffusion_reaction(D: float = 0.01, k: float = 0.01) -> Equation:
    """Diffusion–reaction, eq. L.4: R = u_t − D u_xx − k u² − a(x) on (x, t) ∈ (0, 1) × (0, 1].

    ``a`` is an input: give a callable of the coordinates (e.g. :class:`pinnrwf.pde.LinearInterpolant`
    of its sensor values) or, for a physics-informed DeepONet, its value at each collocation point.
    D = k = 0.01 as in the PI-DeepONet benchmark this case is taken from (L.4 leaves them implicit)."""
    return Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"D": D, "k": k},
        inputs=("a",),
        residual=lambda p: p.u_t - p.D * p.u_xx - p.k * p.u**2 - p.a,
    )


def darcy() -> Equation:
    """Darcy flow, eq. L.5: R = −∇·(a∇u) − 1 = −(a_x u_x + a u_xx + a_y u_y + a u_yy) − 1 on
    (0, 1)², u = 0 on the boundary (eq. L.6). The coefficient ``a`` is an input that is
    differentiated, so it must be a callable (e.g. :class:`pinnrwf.pde.BilinearInterpolant`)."""
    return Equation(
        coords=("x", "y"),
        fields=("u",),
        inputs=("a",),
        # a (u_xx + u_yy) written as a Δu: one forward-Laplacian pass instead of the nested plan.
        residual=lambda p: -(p.a_x * p.u_x + p.a_y * p.u_y + p.a * p.laplacian("u")) - 1.0,
    )


def burgers(nu: float = 0.001) -> Equation:
    """Viscous Burgers, eq. L.7/L.10: R = u_t + u u_x − ν u_xx on (x, t) ∈ (0, 1) × (0, 1],
    periodic in x (embedding [cos 2πx, sin 2πx, t], eq. L.9); ν = 0.001 (rwf_paper L.3, Table 14)."""
    return Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"nu": nu},
        residual=lambda p: p.u_t + p.u * p.u_x - p.nu * p.laplacian("u"),  # Δ over x: the Laplacian plan
    )


def allen_cahn(epsilon: float = 1e-4) -> Equation:
    """Allen–Cahn: R = u_t − ε u_xx + 5u³ − 5u on (x, t) ∈ [−1, 1) × [0, 1], periodic in x, u(x, 0) =
    x² cos(πx), ε = 10⁻⁴ (the benchmark of the Expert's Guide, Wang et al. 2023, and of PirateNets)."""
    return Equation(
        coords=("x", "t"),
        fields=("u",),
        params={"epsilon": epsilon},
        residual=lambda p: p.u_t - p.epsilon * p.laplacian("u") + 5.0 * p.u**3 - 5.0 * p.u,  # Δ over x
    )
