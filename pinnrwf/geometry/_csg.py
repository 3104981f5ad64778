"""Set operations (union, intersection, difference; nestable) and the product with a time interval.

Signed distances of set operations are the usual min/max combinations, min(a, b) for A ∪ B,
max(a, b) for A ∩ B, max(a, −b) for A − B: they have the right sign and zero set everywhere and
never exceed the true distance in absolute value. They are exact outside a union, and inside an
intersection or a difference (when the operands' distances are exact); elsewhere (e.g. inside a
union, near a concave corner of a difference) they are a lower bound of the distance.

Measures of set operations are estimated at construction from 2¹⁴ points drawn uniformly in the
bounding box with a fixed seed (``measure`` = fraction inside × box volume, ``measure_std_error``
its binomial standard error). An intersection or a difference with no such point inside is
rejected at construction (it leaves nothing, or less than ~1/16384 of its bounding box).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp

from pinnrwf._validation import finite_number, instance

from ._base import AbstractGeometry, Condition, Leaf, estimate_fraction


def _operands(what: str, a, b) -> tuple[AbstractGeometry, AbstractGeometry]:
    instance(f"{what}: a", a, AbstractGeometry, "a pinnrwf.geometry shape")
    instance(f"{what}: b", b, AbstractGeometry, "a pinnrwf.geometry shape")
    if isinstance(a, TimeDependent) or isinstance(b, TimeDependent):
        raise ValueError(f"{what}: combine the spatial shapes first, then take the product with a TimeInterval")
    if a.dim != b.dim:
        raise ValueError(f"{what}: b has dimension {b.dim}, a has dimension {a.dim} (they must match)")
    return a, b


class _AbstractSetOperation(AbstractGeometry):
    """Estimated measure and rejection-sampled interior (see the module docstring)."""

    a: AbstractGeometry
    b: AbstractGeometry
    fraction: float = eqx.field(static=True)  # estimated fraction of the bounding box inside
    fraction_std_error: float = eqx.field(static=True)

    def _estimate(self, what: str):
        q, se = estimate_fraction(self)
        if q == 0:
            raise ValueError(f"{what}: the result is empty (no point of {2**14} drawn in its bounding box with a "
                             f"fixed seed lies inside)")
        return q, se

    @property
    def dim(self):
        return self.a.dim

    @property
    def measure(self):
        return self.fraction * self.bounding_volume

    @property
    def measure_std_error(self):
        return self.fraction_std_error * self.bounding_volume

    def _rename(self, rename):
        out = type(self).__new__(type(self))
        for k, v in vars(self).items():
            object.__setattr__(out, k, v)
        object.__setattr__(out, "a", self.a._rename(rename))
        object.__setattr__(out, "b", self.b._rename(rename))
        return out


def _condition(leaves, other, inside, flip=False):
    return tuple(Leaf(l.primitive, l.flip != flip, l.conditions + (Condition(other, inside),)) for l in leaves)


class Union(_AbstractSetOperation):
    """A ∪ B (also ``a | b``); boundary: ∂A outside B and ∂B outside A."""

    def __init__(self, a: AbstractGeometry, b: AbstractGeometry):
        self.a, self.b = _operands("Union", a, b)
        self.fraction, self.fraction_std_error = self._estimate("Union")

    @property
    def bounds(self):
        (la, ua), (lb, ub) = self.a.bounds, self.b.bounds
        return tuple(map(min, la, lb)), tuple(map(max, ua, ub))

    def signed_distance(self, x):
        return jnp.minimum(self.a.signed_distance(x), self.b.signed_distance(x))

    def contains(self, x):
        return self.a.contains(x) | self.b.contains(x)

    def leaves(self):
        return _condition(self.a.leaves(), self.b, False) + _condition(self.b.leaves(), self.a, False)


class Intersection(_AbstractSetOperation):
    """A ∩ B (also ``a & b``); boundary: ∂A inside B and ∂B inside A."""

    def __init__(self, a: AbstractGeometry, b: AbstractGeometry):
        self.a, self.b = _operands("Intersection", a, b)
        (la, ua), (lb, ub) = a.bounds, b.bounds
        if any(max(x, y) >= min(z, w) for x, y, z, w in zip(la, lb, ua, ub)):
            raise ValueError("Intersection: the result is empty (the bounding boxes of a and b do not overlap)")
        self.fraction, self.fraction_std_error = self._estimate("Intersection")

    @property
    def bounds(self):
        (la, ua), (lb, ub) = self.a.bounds, self.b.bounds
        return tuple(map(max, la, lb)), tuple(map(min, ua, ub))

    def signed_distance(self, x):
        return jnp.maximum(self.a.signed_distance(x), self.b.signed_distance(x))

    def contains(self, x):
        return self.a.contains(x) & self.b.contains(x)

    def leaves(self):
        return _condition(self.a.leaves(), self.b, True) + _condition(self.b.leaves(), self.a, True)


class Difference(_AbstractSetOperation):
    """A − B (also ``a - b``), the closure of A minus B; boundary: ∂A outside B and ∂B inside A
    (with its normals flipped, pointing into B). It keeps the part names of A and B, e.g.
    ``channel - Disk(c, r).named("cylinder")`` has the channel's parts and ``"cylinder"``."""

    def __init__(self, a: AbstractGeometry, b: AbstractGeometry):
        self.a, self.b = _operands("Difference", a, b)
        self.fraction, self.fraction_std_error = self._estimate("Difference")

    @property
    def bounds(self):
        return self.a.bounds

    def signed_distance(self, x):
        return jnp.maximum(self.a.signed_distance(x), -self.b.signed_distance(x))

    def contains(self, x):
        return self.a.contains(x) & (self.b.signed_distance(x) >= 0)

    def leaves(self):
        return _condition(self.a.leaves(), self.b, False) + _condition(self.b.leaves(), self.a, True, flip=True)


class TimeInterval:
    """[t0, t1], the time range of a space–time domain: ``shape * TimeInterval(0, 1)``."""

    def __init__(self, t0: float, t1: float):
        self.t0, self.t1 = finite_number("t0", t0), finite_number("t1", t1)
        if not self.t0 < self.t1:
            raise ValueError(f"t1 must be > t0, got t0 = {self.t0}, t1 = {self.t1}")

    def __repr__(self):
        return f"TimeInterval({self.t0}, {self.t1})"

    def __eq__(self, other):
        return isinstance(other, TimeInterval) and (self.t0, self.t1) == (other.t0, other.t1)

    def __hash__(self):
        return hash((self.t0, self.t1))


class TimeDependent(AbstractGeometry):
    """Ω × [t0, t1] (also ``shape * TimeInterval(t0, t1)``), time as the last coordinate.

    Its boundary parts are those of Ω (the lateral boundary ∂Ω × [t0, t1], normals with a zero
    time component); the initial slice Ω × {t0} is sampled by :class:`pinnrwf.geometry.InitialSampler`.
    ``signed_distance`` is max(distance in space, distance in time): right sign and zero set.
    """

    space: AbstractGeometry
    t0: float = eqx.field(static=True)
    t1: float = eqx.field(static=True)

    def __init__(self, space: AbstractGeometry, interval: TimeInterval):
        instance("space", space, AbstractGeometry, "a pinnrwf.geometry shape")
        instance("interval", interval, TimeInterval, "a pinnrwf.geometry.TimeInterval")
        if isinstance(space, TimeDependent):
            raise ValueError("space: already has a time interval")
        self.space, self.t0, self.t1 = space, interval.t0, interval.t1

    @property
    def dim(self):
        return self.space.dim + 1

    @property
    def bounds(self):
        lo, hi = self.space.bounds
        return lo + (self.t0,), hi + (self.t1,)

    @property
    def measure(self):
        return self.space.measure * (self.t1 - self.t0)

    @property
    def measure_std_error(self):
        return self.space.measure_std_error * (self.t1 - self.t0)

    def signed_distance(self, x):
        t = x[-1]
        return jnp.maximum(self.space.signed_distance(x[:-1]), jnp.maximum(self.t0 - t, t - self.t1))

    def contains(self, x):
        return self.space.contains(x[:-1]) & (x[-1] >= self.t0) & (x[-1] <= self.t1)

    def leaves(self):
        return self.space.leaves()

    def _rename(self, rename):
        out = TimeDependent.__new__(TimeDependent)
        object.__setattr__(out, "space", self.space._rename(rename))
        object.__setattr__(out, "t0", self.t0)
        object.__setattr__(out, "t1", self.t1)
        return out
