"""The geometry interface: what every shape gives, and the pieces its boundary is made of.

A geometry is an equinox module describing a closed set Ω ⊂ ℝᵈ:

- ``contains(x)``, ``signed_distance(x)`` (negative inside, zero on ∂Ω, positive outside) for one
  point ``x`` of shape (d,), JAX-traceable; batch with ``jax.vmap``;
- ``bounds``: the bounding box (lower, upper); ``measure`` (area/volume) and its standard error
  ``measure_std_error`` (0 where exact);
- ``parts``: the names of its boundary parts; ``named(...)`` renames them;
- operators ``a | b`` (union), ``a & b`` (intersection), ``a - b`` (difference) and
  ``a * TimeInterval(t0, t1)`` (space × time), below.

The boundary of every geometry is a list of *leaves*: the primitives of its construction tree,
each with the conditions a point of the primitive's boundary must meet to lie on the boundary of
the whole (e.g. for A − B: a point of ∂A must be outside B; a point of ∂B must be inside A, and
its normal is flipped). A primitive's boundary is split into named *pieces* (a rectangle's four
sides, a polygon's edges, a circle), each of known length/area and sampled uniformly from
uniform numbers in [0, 1), with its outward unit normal.
"""

from __future__ import annotations

import abc
import copy
import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float

from pinnrwf._validation import finite_number, instance

ESTIMATE_SAMPLES = 2**14  # points drawn (fixed seed) to estimate a set operation's measure at construction
ESTIMATE_SEED = 0


class Condition(NamedTuple):
    """A point of a leaf's boundary lies on the whole boundary only if it is strictly
    ``inside`` (``True``) or strictly outside (``False``) ``geometry``."""

    geometry: "AbstractGeometry"
    inside: bool


class Leaf(NamedTuple):
    """A primitive of a construction tree: ``flip`` if its normals point into the whole (it was
    subtracted), ``conditions`` for one of its boundary points to lie on the whole's boundary."""

    primitive: "AbstractPrimitive"
    flip: bool
    conditions: tuple[Condition, ...]

    def on_boundary(self, x: Float[Array, " d"]) -> Bool[Array, ""]:
        keep = jnp.asarray(True)
        for c in self.conditions:
            sd = c.geometry.signed_distance(x)
            keep = keep & ((sd < 0) if c.inside else (sd > 0))
        return keep


def _replace(module: eqx.Module, **changes) -> eqx.Module:
    """A copy of a (frozen) module with some fields replaced, without rerunning ``__init__``."""
    new = copy.copy(module)
    for k, v in changes.items():
        object.__setattr__(new, k, v)
    return new


class AbstractGeometry(eqx.Module):
    """A closed set in ℝᵈ (see the module docstring for what every geometry gives)."""

    @property
    @abc.abstractmethod
    def dim(self) -> int: ...

    @property
    @abc.abstractmethod
    def bounds(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The bounding box (lower, upper), two tuples of d floats."""

    @abc.abstractmethod
    def signed_distance(self, x: Float[Array, " d"]) -> Float[Array, ""]:
        """Negative inside, zero on the boundary, positive outside (exact or not: see each class)."""

    @property
    @abc.abstractmethod
    def measure(self) -> float:
        """Length/area/volume (exact for primitives, estimated for set operations)."""

    @property
    def measure_std_error(self) -> float:
        """Standard error of ``measure`` (0.0 where it is exact)."""
        return 0.0

    @abc.abstractmethod
    def leaves(self) -> tuple[Leaf, ...]:
        """The primitives whose boundaries make up this geometry's boundary."""

    @abc.abstractmethod
    def _rename(self, rename: Callable[[str], str]) -> "AbstractGeometry": ...

    def contains(self, x: Float[Array, " d"]) -> Bool[Array, ""]:
        """Whether ``x`` (d,) lies in the closed set."""
        return self.signed_distance(x) <= 0

    @property
    def parts(self) -> tuple[str, ...]:
        """The names of the boundary parts, in order (pieces with the same name form one part)."""
        names: list[str] = []
        for leaf in self.leaves():
            names.extend(n for n in leaf.primitive.piece_names if n not in names)
        return tuple(names)

    def named(self, name: str | Mapping[str, str]) -> "AbstractGeometry":
        """The same geometry with its boundary parts renamed: one ``name`` for every part (e.g.
        ``Disk((0.2, 0.2), 0.05).named("cylinder")``), or a mapping old name → new name."""
        if isinstance(name, str):
            _check_name("name", name)
            return self._rename(lambda old: name)
        if not isinstance(name, Mapping) or not name:
            raise ValueError(f"name must be a part name or a non-empty mapping old name -> new name, got {name!r}")
        unknown = [k for k in name if k not in self.parts]
        if unknown:
            raise ValueError(f"name: {unknown[0]!r} is not a boundary part; the parts are {self.parts}")
        for k, v in name.items():
            _check_name(f"name[{k!r}]", v)
        return self._rename(lambda old: name.get(old, old))

    @property
    def bounding_volume(self) -> float:
        lo, hi = self.bounds
        return math.prod(h - l for l, h in zip(lo, hi))

    # constructive geometry -----------------------------------------------------------------
    def __or__(self, other):
        return Union(self, other)

    def __and__(self, other):
        return Intersection(self, other)

    def __sub__(self, other):
        return Difference(self, other)

    def __mul__(self, other):
        if not isinstance(other, TimeInterval):
            return NotImplemented
        return TimeDependent(self, other)


class AbstractPrimitive(AbstractGeometry):
    """A shape sampled directly: interior points from ``interior_unit_dim`` uniform numbers by an
    area-preserving map (no rejection), boundary points piece by piece."""

    piece_names: eqx.AbstractVar[tuple[str, ...]]

    @property
    @abc.abstractmethod
    def piece_lengths(self) -> tuple[float, ...]:
        """Length/area of each boundary piece (in 1D: 1 per end point)."""

    @property
    @abc.abstractmethod
    def interior_unit_dim(self) -> int: ...

    @abc.abstractmethod
    def from_unit(self, u: Float[Array, " k"]) -> Float[Array, " d"]:
        """An interior point from k = ``interior_unit_dim`` numbers in [0, 1); uniform ``u`` gives
        a point uniform in area/volume."""

    @property
    def boundary_unit_dim(self) -> int:
        return max(self.dim - 1, 0)

    @abc.abstractmethod
    def boundary_point(self, piece: Array, u: Float[Array, " k"]) -> tuple[Float[Array, " d"], Float[Array, " d"]]:
        """(point, outward unit normal) on piece ``piece`` (an int, may be traced) from
        k = ``boundary_unit_dim`` numbers in [0, 1); uniform ``u`` gives points uniform in length/area."""

    @abc.abstractmethod
    def piece_distance(self, piece: int, x: Float[Array, " d"], sign: float) -> Float[Array, ""]:
        """An approximate distance function of one piece (Sukumar & Srivastava 2022): zero on the
        piece, positive near it on the side ``sign`` · (inside of the primitive), normalized
        (unit normal derivative on the piece)."""

    def leaves(self):
        return (Leaf(self, False, ()),)

    def _rename(self, rename):
        return _replace(self, piece_names=tuple(rename(n) for n in self.piece_names))


def _check_name(what: str, name) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{what} must be a non-empty string, got {name!r}")
    return name


def estimate_fraction(geometry: AbstractGeometry, num: int = ESTIMATE_SAMPLES, seed: int = ESTIMATE_SEED):
    """(fraction of the bounding box inside ``geometry``, its standard error), from ``num``
    uniform points drawn with ``seed`` (evaluated eagerly, also when called inside a trace)."""

    def fraction(key):
        lo, hi = (jnp.asarray(b, dtype=float) for b in geometry.bounds)
        x = lo + (hi - lo) * jax.random.uniform(key, (num, geometry.dim), dtype=lo.dtype)
        return jnp.mean(jax.vmap(geometry.contains)(x))

    with jax.ensure_compile_time_eval():
        q = float(fraction(jax.random.PRNGKey(seed)))
    return q, math.sqrt(q * (1 - q) / num)


def draws_needed(n: int, fraction: float, std_error: float = 0.0) -> int:
    """How many candidates to draw so that at least ``n`` are kept, when each is kept with
    probability ``fraction`` (estimated, with ``std_error``): n + 6√n + 10 kept on average under
    the pessimistic fraction q − 3·SE (so a shortfall, > 6 standard deviations below the mean, is
    practically never seen)."""
    q = max(fraction - 3 * std_error, fraction / 2)
    return math.ceil((n + 6 * math.sqrt(n) + 10) / q)


def fill(arrays, keep: Bool[Array, " m"], n: int):
    """The first ``n`` rows of ``arrays`` (a pytree of (m, ...) arrays) where ``keep`` holds — a
    fixed shape whatever the number kept. If fewer than ``n`` are kept, the kept rows are repeated
    cyclically to fill (with none kept, row 0 is returned: callers draw enough candidates for this
    never to happen, see :func:`draws_needed`)."""
    idx = jnp.nonzero(keep, size=n, fill_value=0)[0]
    count = jnp.sum(keep)
    j = jnp.arange(n)
    idx = jnp.where(j < count, idx, idx[j % jnp.maximum(count, 1)])
    return jax.tree_util.tree_map(lambda a: a[idx], arrays)


# ------------------------------------------------------------------ set operations, time
# Set operations (union, intersection, difference; nestable) and the product with a time interval.
#
# Signed distances of set operations are the usual min/max combinations, min(a, b) for A ∪ B,
# max(a, b) for A ∩ B, max(a, −b) for A − B: they have the right sign and zero set everywhere and
# never exceed the true distance in absolute value. They are exact outside a union, and inside an
# intersection or a difference (when the operands' distances are exact); elsewhere (e.g. inside a
# union, near a concave corner of a difference) they are a lower bound of the distance.
#
# Measures of set operations are estimated at construction from 2¹⁴ points drawn uniformly in the
# bounding box with a fixed seed (``measure`` = fraction inside × box volume, ``measure_std_error``
# its binomial standard error). An intersection or a difference with no such point inside is
# rejected at construction (it leaves nothing, or less than ~1/16384 of its bounding box).


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
            raise ValueError(
                f"{what}: the result is empty (no point of {2**14} drawn in its bounding box with a "
                f"fixed seed lies inside)"
            )
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
        return _replace(self, a=self.a._rename(rename), b=self.b._rename(rename))


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
        return _replace(self, space=self.space._rename(rename))
