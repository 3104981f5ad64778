"""The geometry interface: what every shape gives, and the pieces its boundary is made of.

A geometry is an equinox module describing a closed set Ω ⊂ ℝᵈ:

- ``contains(x)``, ``signed_distance(x)`` (negative inside, zero on ∂Ω, positive outside) for one
  point ``x`` of shape (d,), JAX-traceable; batch with ``jax.vmap``;
- ``bounds``: the bounding box (lower, upper); ``measure`` (area/volume) and its standard error
  ``measure_std_error`` (0 where exact);
- ``parts``: the names of its boundary parts; ``named(...)`` renames them;
- operators ``a | b`` (union), ``a & b`` (intersection), ``a - b`` (difference) and
  ``a * TimeInterval(t0, t1)`` (space × time), see :mod:`pinnrwf.geometry._csg`.

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
        from ._csg import Union

        return Union(self, other)

    def __and__(self, other):
        from ._csg import Intersection

        return Intersection(self, other)

    def __sub__(self, other):
        from ._csg import Difference

        return Difference(self, other)

    def __mul__(self, other):
        from ._csg import TimeDependent, TimeInterval

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
