"""How an :class:`~pinnrwf.pde.Equation` computes its derivatives: a plan object passed as ``plan=``.

Each plan is a small final class with one job, :meth:`AbstractPlan.build`: from the derivatives a
residual requests, make the executable plan (a :class:`~pinnrwf.pde.DerivativePlan` or
:class:`~pinnrwf.pde.LaplacianPlan`), or raise ``ValueError`` saying why the residual does not
qualify. ``AutoPlan()`` (the default) picks the forward-Laplacian pass when the only second
derivatives are one ``p.laplacian`` or a single pure second derivative (``p.u_xx``), reverse mode
for first derivatives of fewer differentiated outputs than derivatives, else nested forward mode;
the others force one: ``ForwardLaplacianPlan()``, ``NestedPlan()``, ``ReversePlan()`` (first-order
residuals), ``DirectionalPlan()`` (a residual affine in the first derivatives of one field with
coefficients depending only on the parameters, e.g. advection u_t + c u_x: one jvp along (c, 1)).

The strings of the command line and the benchmarks (``"auto"``, ``"forward"``, ``"reverse"``,
``"directional"``, ``"laplacian"``) are mapped once to these objects by :func:`plan_from_mode`.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, ClassVar

from ._derivatives import DerivativePlan
from ._laplacian import LaplacianPlan, is_laplacian

if TYPE_CHECKING:
    from ._equation import Equation, _Directional


class AbstractPlan(abc.ABC):
    """A choice of derivative plan; ``mode`` is its name at the string edge (``derivative_mode``)."""

    mode: ClassVar[str]

    @abc.abstractmethod
    def build(self, equation: Equation) -> tuple[_Directional | None, DerivativePlan | LaplacianPlan]:
        """(the directional spec or None, the executable plan) for ``equation``'s requests."""

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return f"{type(self).__name__}()"


def _requests(equation: Equation, fold_pure: bool):
    """(Laplacian coordinate sets, other multi-indices); with ``fold_pure`` a single pure second
    derivative u_ii along one coordinate (heat, Burgers, diffusion–reaction) counts as the
    Laplacian over that coordinate."""
    laplacians = sorted({m[1:] for _, m in equation.requests if is_laplacian(m)})
    indices = [m for _, m in equation.requests if not is_laplacian(m)]
    pure = sorted({m[0] for m in indices if len(m) == 2 and m[0] == m[1]})
    if (
        fold_pure
        and len(pure) == 1
        and laplacians in ([], [(pure[0],)])
        and all(len(m) <= 1 or m == (pure[0], pure[0]) for m in indices)
    ):
        laplacians = [(pure[0],)]
        indices = [m for m in indices if len(m) <= 1]
    return laplacians, indices


def _laplacian_plan(equation: Equation, laplacians, indices) -> LaplacianPlan | None:
    if laplacians and len(laplacians) == 1 and max((len(m) for m in indices), default=0) <= 1:
        return LaplacianPlan(laplacians[0], len(equation.coords))
    return None


def _nested(equation: Equation, laplacians, indices, mode: str) -> DerivativePlan:
    indices = indices + [(i, i) for lap in laplacians for i in lap]  # Δ = Σ pure second derivatives
    n_out = len(equation.fields) + len(equation.derivative_inputs())  # the differentiated outputs
    return DerivativePlan(indices, len(equation.coords), num_outputs=n_out, mode=mode)


class AutoPlan(AbstractPlan):
    """The forward-Laplacian pass when it applies, else reverse or nested forward mode."""

    mode = "auto"

    def build(self, equation):
        laplacians, indices = _requests(equation, fold_pure=True)
        plan = _laplacian_plan(equation, laplacians, indices)
        return None, plan if plan is not None else _nested(equation, laplacians, indices, "auto")


class ForwardLaplacianPlan(AbstractPlan):
    """One forward-Laplacian pass (:func:`~pinnrwf.pde.forward_laplacian`); a ``ValueError`` says
    why a residual does not qualify."""

    mode = "laplacian"

    def build(self, equation):
        laplacians, indices = _requests(equation, fold_pure=True)
        plan = _laplacian_plan(equation, laplacians, indices)
        if plan is None:
            why = (
                "it requests no p.laplacian and no single pure second derivative"
                if not laplacians
                else "it requests Laplacians over different coordinates"
                if len(laplacians) > 1
                else "it also requests second derivatives outside its Laplacian"
            )
            raise ValueError(f"ForwardLaplacianPlan() is not possible for this residual: {why}")
        return None, plan


class NestedPlan(AbstractPlan):
    """Nested forward-mode jvps along coordinate directions (a Laplacian as its pure second derivatives)."""

    mode = "forward"

    def build(self, equation):
        return None, _nested(equation, *_requests(equation, fold_pure=False), "forward")


class ReversePlan(AbstractPlan):
    """One vjp per differentiated output (first-order residuals only)."""

    mode = "reverse"

    def build(self, equation):
        return None, _nested(equation, *_requests(equation, fold_pure=False), "reverse")


class DirectionalPlan(AbstractPlan):
    """One jvp along a = ∂R/∂(first derivatives) (see :meth:`Equation._detect_directional`).
    Opt-in: measured no faster than reverse mode on CPU."""

    mode = "directional"

    def build(self, equation):
        spec, reason = equation._detect_directional()
        if spec is None:
            raise ValueError(f"DirectionalPlan() is not possible for this residual: {reason}")
        _, indices = _requests(equation, fold_pure=False)
        n_out = len(equation.fields) + len(equation.derivative_inputs())
        return spec, DerivativePlan(indices, len(equation.coords), num_outputs=n_out, mode="directional")


PLANS: dict[str, AbstractPlan] = {
    p.mode: p for p in (AutoPlan(), ReversePlan(), NestedPlan(), DirectionalPlan(), ForwardLaplacianPlan())
}


def plan_from_mode(mode: str) -> AbstractPlan:
    """The plan object named by a ``derivative_mode`` string (the CLI / benchmark edge)."""
    if mode not in PLANS:
        raise ValueError(f"derivative_mode must be one of {tuple(PLANS)}, got {mode!r}")
    return PLANS[mode]
