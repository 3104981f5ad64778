"""Scalar elliptic and parabolic problems with P1/P2 Lagrange elements (scikit-fem), float64.

- :func:`poisson`: −Δu − k²u = f in Ω (Poisson for k = 0, Helmholtz otherwise) with, on named
  boundary parts, Dirichlet u = g, Neumann ∂u/∂n = g, Robin ∂u/∂n + αu = g.
- :func:`heat`: u_t − κΔu = f(x, t), u(x, 0) = u₀, the same boundary conditions (data may depend
  on t), θ-scheme in time: implicit Euler (θ = 1, the default: L-stable, no oscillations from rough
  data) or Crank–Nicolson (θ = ½, second order).

Data are numbers or callables of ``x`` (an array of shape (2, ...): ``x[0]``, ``x[1]``; plus ``t``
for the heat equation) returning arrays of shape x.shape[1:]. Parts not named in any condition
get the natural condition ∂u/∂n = 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from skfem import BilinearForm, FacetBasis, LinearForm, MeshTri, asm, condense, solve
from skfem.helpers import dot, grad

from pinnrwf._validation import finite_number, positive_int, positive_number

from ._reference import Reference, Source, evaluate, lagrange_basis


@BilinearForm
def _stiffness(u, v, w):
    return dot(grad(u), grad(v))


@BilinearForm
def _mass(u, v, w):
    return u * v


def _load(f, *args):
    @LinearForm
    def form(v, w):
        return evaluate(f, w.x, *args) * v

    return form


def _robin_form(alpha, *args):
    @BilinearForm
    def form(u, v, w):
        return evaluate(alpha, w.x, *args) * u * v

    return form


def check_parts(mesh: MeshTri, **conditions: Mapping) -> None:
    """Every part named in a condition is a boundary part of the mesh; no part has two conditions."""
    known = tuple(mesh.boundaries or {})
    seen: dict[str, str] = {}
    for kind, parts in conditions.items():
        if not isinstance(parts, Mapping):
            raise ValueError(f"{kind} must map boundary part names to data, got {parts!r}")
        for name in parts:
            if name not in known:
                raise ValueError(f"{kind}: {name!r} is not a boundary part of the mesh; the parts are {known}")
            if name in seen:
                raise ValueError(f"part {name!r} has two conditions ({seen[name]} and {kind})")
            seen[name] = kind


class _Problem:
    """The assembled operators and boundary data of −κΔu − k²u = f with the given conditions."""

    def __init__(self, mesh, degree, dirichlet, neumann, robin, kappa=1.0, k2=0.0):
        check_parts(mesh, dirichlet=dirichlet, neumann=neumann, robin=robin)
        for name, ag in robin.items():
            if not (isinstance(ag, tuple) and len(ag) == 2):
                raise ValueError(f"robin[{name!r}] must be a pair (alpha, g), got {ag!r}")
        self.mesh, self.degree = mesh, degree
        self.basis = lagrange_basis(mesh, degree)
        self.fbases = {n: FacetBasis(mesh, self.basis.elem, facets=mesh.boundaries[n]) for n in (*neumann, *robin)}
        self.dirichlet, self.neumann, self.robin = dict(dirichlet), dict(neumann), dict(robin)
        self.K = kappa * asm(_stiffness, self.basis)
        if k2:
            self.K = self.K - k2 * asm(_mass, self.basis)
        self.D = (
            np.unique(np.concatenate([self.basis.get_dofs(mesh.boundaries[n]).all() for n in dirichlet]))
            if dirichlet
            else np.zeros(0, dtype=np.int64)
        )

    def robin_matrix(self, *args):
        out = 0 * self.K
        for name, (alpha, _) in self.robin.items():
            out = out + asm(_robin_form(alpha, *args), self.fbases[name])
        return out

    def rhs(self, f, *args, kappa=1.0):
        b = asm(_load(f, *args), self.basis)
        for name, g in self.neumann.items():
            b += kappa * asm(_load(g, *args), self.fbases[name])
        for name, (_, g) in self.robin.items():
            b += kappa * asm(_load(g, *args), self.fbases[name])
        return b

    def boundary_values(self, *args) -> np.ndarray:
        u = np.zeros(self.basis.N)
        for name, g in self.dirichlet.items():
            dofs = self.basis.get_dofs(self.mesh.boundaries[name]).all()
            u[dofs] = evaluate(g, self.basis.doflocs[:, dofs], *args)
        return u


def _check_degree(degree):
    if degree not in (1, 2):
        raise ValueError(f"degree must be 1 or 2 (P1 or P2 Lagrange elements), got {degree!r}")
    return degree


def poisson(
    mesh: MeshTri,
    source: Source = 0.0,
    *,
    dirichlet: Mapping | None = None,
    neumann: Mapping | None = None,
    robin: Mapping | None = None,
    k: float = 0.0,
    degree: int = 1,
) -> Reference:
    """−Δu − k²u = ``source`` on ``mesh`` (from :func:`triangulate`); ``dirichlet`` {part: g},
    ``neumann`` {part: g} (∂u/∂n = g), ``robin`` {part: (α, g)} (∂u/∂n + αu = g); P1 or P2.

    Returns a :class:`Reference` with the field ``"u"``. With no Dirichlet or Robin part the
    Poisson problem (k = 0) is singular: ``ValueError``."""
    degree = _check_degree(degree)
    k = finite_number("k", k)
    dirichlet, neumann, robin = dict(dirichlet or {}), dict(neumann or {}), dict(robin or {})
    if not dirichlet and not robin and k == 0:
        raise ValueError(
            "a Poisson problem needs a Dirichlet or Robin part (with Neumann data alone, u is defined up to a constant)"
        )
    prob = _Problem(mesh, degree, dirichlet, neumann, robin, k2=k * k)
    A = prob.K + prob.robin_matrix()
    b = prob.rhs(source)
    u = prob.boundary_values()
    u = solve(*condense(A, b, x=u, D=prob.D)) if len(prob.D) else solve(A, b)
    return Reference(
        mesh,
        {"u": u},
        {"u": degree},
        pde="-laplace(u) - k^2 u = f" if k else "-laplace(u) = f",
        solver=f"P{degree} Lagrange finite elements (scikit-fem), sparse direct solve",
        parameters={
            "k": k,
            "degree": degree,
            "dirichlet": sorted(dirichlet),
            "neumann": sorted(neumann),
            "robin": sorted(robin),
        },
    )


def heat(
    mesh: MeshTri,
    initial: Source,
    *,
    t_final: float,
    dt: float,
    kappa: float = 1.0,
    source: Source = 0.0,
    dirichlet: Mapping | None = None,
    neumann: Mapping | None = None,
    robin: Mapping | None = None,
    degree: int = 1,
    theta: float = 1.0,
    n_out: int = 11,
) -> Reference:
    """u_t − κΔu = f(x, t) for t ∈ [0, ``t_final``], u(x, 0) = ``initial`` (interpolated at the
    nodes), boundary data callables of (x, t) or numbers, θ-scheme with step ``dt`` (implicit
    Euler for θ = 1, Crank–Nicolson for θ = ½). ``n_out`` equally spaced output times (0 and
    t_final included) must fall on the time steps.

    Returns a :class:`Reference` with the field ``"u"`` of shape (n_out, n_dofs) and ``times``."""
    degree = _check_degree(degree)
    t_final, dt = positive_number("t_final", t_final), positive_number("dt", dt)
    kappa = positive_number("kappa", kappa)
    theta = finite_number("theta", theta)
    if not 0.5 <= theta <= 1:
        raise ValueError(f"theta must be in [0.5, 1] (unconditionally stable), got {theta}")
    n_out = positive_int("n_out", n_out, minimum=2)
    steps = round(t_final / dt)
    if steps < 1 or abs(steps * dt - t_final) > 1e-9 * t_final or steps % (n_out - 1):
        raise ValueError(
            f"dt = {dt:g} must divide t_final = {t_final:g} into a multiple of n_out - 1 = {n_out - 1} steps"
        )
    dirichlet, neumann, robin = dict(dirichlet or {}), dict(neumann or {}), dict(robin or {})
    prob = _Problem(mesh, degree, dirichlet, neumann, robin, kappa=kappa)
    M = asm(_mass, prob.basis)
    time_dependent_robin = any(callable(a) for a, _ in robin.values())
    R0 = prob.robin_matrix(0.0)
    u = evaluate(initial, prob.basis.doflocs)
    out, every = [u.copy()], steps // (n_out - 1)
    b_old = prob.rhs(source, 0.0, kappa=kappa)
    for n in range(steps):
        _t0, t1 = n * dt, (n + 1) * dt
        R1 = prob.robin_matrix(t1) if time_dependent_robin else R0
        A0, A1 = prob.K + kappa * R0, prob.K + kappa * R1
        b_new = prob.rhs(source, t1, kappa=kappa)
        lhs = M + theta * dt * A1
        rhs = (M - (1 - theta) * dt * A0) @ u + dt * (theta * b_new + (1 - theta) * b_old)
        x = prob.boundary_values(t1)
        u = solve(*condense(lhs, rhs, x=x, D=prob.D)) if len(prob.D) else solve(lhs, rhs)
        b_old, R0 = b_new, R1
        if (n + 1) % every == 0:
            out.append(u.copy())
    scheme = "implicit Euler" if theta == 1 else ("Crank-Nicolson" if theta == 0.5 else f"theta = {theta:g}")
    return Reference(
        mesh,
        {"u": np.stack(out)},
        {"u": degree},
        pde="u_t - kappa laplace(u) = f",
        solver=f"P{degree} Lagrange finite elements (scikit-fem), {scheme} time stepping, dt = {dt:g}",
        parameters={
            "kappa": kappa,
            "dt": dt,
            "t_final": t_final,
            "theta": theta,
            "degree": degree,
            "dirichlet": sorted(dirichlet),
            "neumann": sorted(neumann),
            "robin": sorted(robin),
        },
        times=np.linspace(0.0, t_final, n_out),
    )
