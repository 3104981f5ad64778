"""Constructive geometry: shapes, set operations, fixed-shape samplers, distance functions.

Primitives :class:`Interval`, :class:`Rectangle`, :class:`Box`, :class:`Disk`, :class:`Ellipse`,
:class:`Ball`, :class:`Triangle`, :class:`Polygon`; set operations ``a | b`` (:class:`Union`),
``a & b`` (:class:`Intersection`), ``a - b`` (:class:`Difference`), nestable; space × time
``shape * TimeInterval(t0, t1)`` (:class:`TimeDependent`). Every geometry gives ``contains``,
``signed_distance``, ``bounds``, ``measure`` (and ``measure_std_error``), named boundary ``parts``
(``named(...)`` renames them). Points: :class:`InteriorSampler` (random or quasi-random),
:class:`BoundarySampler` (with outward unit normals, by part or predicate), :class:`InitialSampler`.
Fixed evaluation points: :func:`grid_inside`. Hard Dirichlet conditions: :func:`distance_function` and :class:`DirichletTransform`.

In a PDE, give a geometry names for its coordinates with :class:`pinnrwf.pde.Region`.
"""

from ._adf import DirichletTransform, DistanceFunction, distance_function
from ._base import (
    AbstractGeometry,
    AbstractPrimitive,
    Difference,
    Intersection,
    TimeDependent,
    TimeInterval,
    Union,
    estimate_fraction,
)
from ._grid import grid_inside
from ._primitives import Ball, Box, Disk, Ellipse, Interval, Polygon, Rectangle, Triangle
from ._sampling import METHODS, BoundarySampler, InitialSampler, InteriorSampler

__all__ = [
    "AbstractGeometry",
    "AbstractPrimitive",
    "Interval",
    "Rectangle",
    "Box",
    "Disk",
    "Ellipse",
    "Ball",
    "Triangle",
    "Polygon",
    "Union",
    "Intersection",
    "Difference",
    "TimeInterval",
    "TimeDependent",
    "InteriorSampler",
    "BoundarySampler",
    "InitialSampler",
    "METHODS",
    "DistanceFunction",
    "distance_function",
    "DirichletTransform",
    "estimate_fraction",
    "grid_inside",
]
