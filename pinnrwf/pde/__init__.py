"""The residual DSL: equations, derivatives, samplers, loss terms, curricula, causal weights.

Define a PDE with :class:`Equation` (a residual written as a pure function of one
:class:`Point`), sample points with a :class:`Domain` (a box) or a :class:`Region` (any
:mod:`pinnrwf.geometry` shape), compose terms (:class:`Residual`, :class:`InitialCondition`,
:class:`Dirichlet`, :class:`Neumann`, :class:`Robin`, :class:`Periodic`, :class:`DataFit`) into a :class:`PINNObjective` for :func:`pinnrwf.train.fit`. Inverse problems:
declare a parameter :class:`Trainable` and train an :class:`InverseModel` (network + parameters).
How derivatives are computed is a plan object passed as ``Equation(..., plan=...)``
(:class:`AutoPlan` by default; :class:`ForwardLaplacianPlan`, :class:`NestedPlan`,
:class:`ReversePlan`, :class:`DirectionalPlan`). Residual-based adaptive collocation points:
:class:`RAD`, :class:`RARD` (``TrainConfig(collocation=...)``). The benchmark PDEs are in :mod:`pinnrwf.pde.equations`.
"""

from ._causal import causal_weights
from ._collocation import RAD, RARD, draw_by_density, residual_density, residual_size
from ._derivatives import DerivativePlan, all_multi_indices
from ._domain import (
    AbstractBoundarySampler,
    AbstractSampler,
    Boundary,
    Domain,
    Face,
    Points,
    Region,
    RegionBoundary,
    RegionInitial,
    RegionInterior,
    Uniform,
    Union,
)
from ._equation import Coordinates, Equation, Point
from ._interpolate import BilinearInterpolant, LinearInterpolant
from ._inverse import InverseModel
from ._laplacian import LaplacianPlan, forward_laplacian
from ._objective import PINNObjective, Reference
from ._plans import (
    AbstractPlan,
    AutoPlan,
    DirectionalPlan,
    ForwardLaplacianPlan,
    NestedPlan,
    ReversePlan,
    plan_from_mode,
)
from ._reference import add_noise, grid_points
from ._schedules import FINAL_STEP, curriculum, final_value, linear_ramp
from ._terms import (
    AbstractTerm,
    Causal,
    DataFit,
    Dirichlet,
    InitialCondition,
    MaskedPoints,
    Neumann,
    Periodic,
    Residual,
    Robin,
)
from ._trainable import Trainable

from . import equations  # isort: skip  (the benchmark PDEs; they use the names above)

__all__ = [
    "equations",
    "causal_weights",
    "DerivativePlan",
    "all_multi_indices",
    "AbstractSampler",
    "Boundary",
    "Domain",
    "Face",
    "Points",
    "Uniform",
    "Union",
    "Coordinates",
    "Equation",
    "Point",
    "BilinearInterpolant",
    "LinearInterpolant",
    "PINNObjective",
    "Reference",
    "FINAL_STEP",
    "curriculum",
    "final_value",
    "linear_ramp",
    "AbstractTerm",
    "Causal",
    "DataFit",
    "Dirichlet",
    "InitialCondition",
    "Neumann",
    "Periodic",
    "Residual",
    "InverseModel",
    "Trainable",
    "forward_laplacian",
    "LaplacianPlan",
    "grid_points",
    "add_noise",
    "AbstractPlan",
    "AutoPlan",
    "DirectionalPlan",
    "ForwardLaplacianPlan",
    "NestedPlan",
    "ReversePlan",
    "plan_from_mode",
    "AbstractBoundarySampler",
    "Region",
    "RegionBoundary",
    "RegionInitial",
    "RegionInterior",
    "Robin",
    "MaskedPoints",
    "RAD",
    "RARD",
    "draw_by_density",
    "residual_density",
    "residual_size",
]
