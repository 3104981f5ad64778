"""Differentiable interpolants of input functions given on sensor grids (DeepONet inputs a(x)).

Values are stored in JAX's default float dtype (float32, or float64 with ``jax_enable_x64``).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from pinnrwf._validation import finite_number


def _concrete(x) -> bool:
    """Whether x holds values (not a tracer: checks on values run only outside transformations)."""
    return not isinstance(x, jax.core.Tracer)


def _check_name(name: str, value) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError(f"{name} must be a coordinate name, got {value!r}")
    return value


class LinearInterpolant(eqx.Module):
    """a(pt) = piecewise-linear interpolation of ``values`` at sorted ``grid`` in coordinate
    ``coord`` (constant outside). A callable of :class:`Coordinates`, usable as an equation
    input (e.g. the diffusion–reaction source a(x) of eq. L.4 from its sensor values)."""

    grid: Float[Array, " m"]
    values: Float[Array, " m"]
    coord: str = eqx.field(static=True)

    def __init__(self, grid, values, coord: str = "x"):
        grid, values = jnp.asarray(grid, dtype=float), jnp.asarray(values, dtype=float)
        if grid.ndim != 1 or values.shape != grid.shape or grid.shape[0] < 2:
            raise ValueError(
                f"LinearInterpolant: grid and values must be 1-D of equal length ≥ 2, got {grid.shape}, {values.shape}"
            )
        if _concrete(grid) and not bool(jnp.all(jnp.diff(grid) > 0)):
            raise ValueError("LinearInterpolant: grid must be strictly increasing")
        if _concrete(values) and not bool(jnp.all(jnp.isfinite(values))):
            raise ValueError("LinearInterpolant: values must be finite")
        self.grid, self.values, self.coord = grid, values, _check_name("coord", coord)

    def __call__(self, pt) -> Array:
        return jnp.interp(pt[self.coord], self.grid, self.values)


class BilinearInterpolant(eqx.Module):
    """a(pt) = bilinear interpolation of ``values`` (m₁, m₂) on the uniform grid
    ``lower..upper`` in ``coords`` (clamped outside), e.g. a Darcy coefficient on a 64×64 mesh."""

    values: Float[Array, "m1 m2"]
    coords: tuple[str, str] = eqx.field(static=True)
    lower: tuple[float, float] = eqx.field(static=True)
    upper: tuple[float, float] = eqx.field(static=True)

    def __init__(self, values, coords=("x", "y"), lower=(0.0, 0.0), upper=(1.0, 1.0)):
        values = jnp.asarray(values, dtype=float)
        if values.ndim != 2 or min(values.shape) < 2:
            raise ValueError(f"BilinearInterpolant: values must be 2-D with ≥ 2 points per axis, got {values.shape}")
        if _concrete(values) and not bool(jnp.all(jnp.isfinite(values))):
            raise ValueError("BilinearInterpolant: values must be finite")
        coords, lower, upper = tuple(coords), tuple(lower), tuple(upper)
        if not len(coords) == len(lower) == len(upper) == 2:
            raise ValueError(
                f"BilinearInterpolant: coords, lower and upper must have 2 entries each, got {coords}, {lower}, {upper}"
            )
        coords = tuple(_check_name(f"coords[{i}]", c) for i, c in enumerate(coords))
        lower = tuple(finite_number(f"lower[{i}]", v) for i, v in enumerate(lower))
        upper = tuple(finite_number(f"upper[{i}]", v) for i, v in enumerate(upper))
        if not all(lo < hi for lo, hi in zip(lower, upper)):
            raise ValueError(f"BilinearInterpolant: lower must be below upper on both axes, got {lower} and {upper}")
        self.values, self.coords, self.lower, self.upper = values, coords, lower, upper

    def __call__(self, pt) -> Array:
        idx, frac = [], []
        for c, lo, hi, m in zip(self.coords, self.lower, self.upper, self.values.shape):
            s = jnp.clip((pt[c] - lo) / (hi - lo) * (m - 1), 0.0, m - 1.0)
            i = jnp.clip(jnp.floor(s), 0, m - 2).astype(jnp.int32)
            idx.append(i)
            frac.append(s - i)
        (i, j), (fx, fy) = idx, frac
        v = self.values
        return (
            (1 - fx) * (1 - fy) * v[i, j]
            + fx * (1 - fy) * v[i + 1, j]
            + (1 - fx) * fy * v[i, j + 1]
            + fx * fy * v[i + 1, j + 1]
        )
