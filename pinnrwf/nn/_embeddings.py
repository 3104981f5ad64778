"""Input embeddings γ(x) placed before a coordinate network (rwf_paper App. G, eq. K.3, L.9).

The random matrices of the Fourier features are fixed (not trained): they are wrapped in
``lax.stop_gradient`` so their gradient is exactly zero.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import integer, positive_int, positive_number


class AbstractEmbedding(eqx.Module):
    """An input mapping applied before a network's first layer: ``x: (in_size,) -> (out_size,)``."""

    in_size: eqx.AbstractVar[int]
    out_size: eqx.AbstractVar[int]

    @abc.abstractmethod
    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]: ...


class Identity(AbstractEmbedding):
    """No mapping: the raw input (``out_size == in_size``)."""

    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(self, in_size: int):
        self.in_size = self.out_size = positive_int("in_size", in_size)

    def __call__(self, x):
        return x


class FourierFeatures(AbstractEmbedding):
    """Gaussian Fourier features (Tancik et al. 2020): γ(x) = [cos(2πBx), sin(2πBx)], B ~ N(0, σ²), B ∈ R^{m×d}."""

    b: Float[Array, "m d"]
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(self, in_size: int, num_features: int, scale: float, *, key: PRNGKeyArray):
        self.in_size = positive_int("in_size", in_size)
        positive_int("num_features", num_features)
        scale = positive_number("scale", scale)
        self.b = scale * jax.random.normal(key, (num_features, in_size))
        self.out_size = 2 * num_features

    def __call__(self, x):
        proj = 2 * jnp.pi * jax.lax.stop_gradient(self.b) @ x
        return jnp.concatenate([jnp.cos(proj), jnp.sin(proj)])


class PositionalEncoding(AbstractEmbedding):
    """γ(x) = [..., cos(2π σ^{j/m} x), sin(2π σ^{j/m} x), ...], j = 0..m-1 (rwf_paper App. G)."""

    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)
    num_frequencies: int = eqx.field(static=True)
    scale: float = eqx.field(static=True)

    def __init__(self, in_size: int, num_frequencies: int, scale: float):
        self.in_size = positive_int("in_size", in_size)
        self.num_frequencies = positive_int("num_frequencies", num_frequencies)
        self.scale = positive_number("scale", scale)
        self.out_size = 2 * num_frequencies * in_size

    def __call__(self, x):
        freqs = self.scale ** (jnp.arange(self.num_frequencies) / self.num_frequencies)
        proj = 2 * jnp.pi * (freqs[:, None] * x[None, :]).reshape(-1)
        return jnp.concatenate([jnp.cos(proj), jnp.sin(proj)])


class PeriodicEmbedding(AbstractEmbedding):
    """Exact periodicity (Dong & Ni 2021; rwf_paper eq. K.3, L.9).

    Coordinate i in ``axes`` with period P_i is replaced, in place, by [cos(2πx_i/P_i), sin(2πx_i/P_i)];
    other coordinates pass through. E.g. ``PeriodicEmbedding(2, axes=(0,), periods=(2π,))`` maps
    (x, t) ↦ [cos x, sin x, t] (eq. K.3).
    """

    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)
    axes: tuple[int, ...] = eqx.field(static=True)
    periods: tuple[float, ...] = eqx.field(static=True)

    def __init__(self, in_size: int, axes: Sequence[int], periods: Sequence[float]):
        self.in_size = positive_int("in_size", in_size)
        axes = tuple(integer(f"axes[{i}]", a, minimum=0, maximum=in_size - 1) for i, a in enumerate(axes))
        periods = tuple(positive_number(f"periods[{i}]", p) for i, p in enumerate(periods))
        if len(axes) != len(periods) or not axes:
            raise ValueError(f"axes and periods must be non-empty and of equal length, got {axes} and {periods}")
        if len(set(axes)) != len(axes):
            raise ValueError(f"axes must be distinct indices in [0, {in_size}), got {axes}")
        self.axes, self.periods = axes, periods
        self.out_size = in_size + len(axes)

    def __call__(self, x):
        period = dict(zip(self.axes, self.periods))
        parts = []
        for i in range(self.in_size):
            if i in period:
                arg = 2 * jnp.pi * x[i] / period[i]
                parts += [jnp.cos(arg)[None], jnp.sin(arg)[None]]
            else:
                parts.append(x[i][None])
        return jnp.concatenate(parts)


class Chain(AbstractEmbedding):
    """Two embeddings in a row, γ(x) = outer(inner(x)), e.g. Fourier features of a periodic
    embedding: ``Chain(PeriodicEmbedding(2, (0,), (2.0,)), FourierFeatures(3, 128, 2.0, key=k))``
    (the Allen–Cahn network of the Expert's Guide)."""

    inner: AbstractEmbedding
    outer: AbstractEmbedding
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(self, inner: AbstractEmbedding, outer: AbstractEmbedding):
        for name, e in (("inner", inner), ("outer", outer)):
            if not isinstance(e, AbstractEmbedding):
                raise ValueError(f"{name} must be an embedding (pinnrwf.nn.AbstractEmbedding), got {type(e).__name__}")
        if outer.in_size != inner.out_size:
            raise ValueError(f"outer.in_size must equal inner.out_size = {inner.out_size}, got {outer.in_size}")
        self.inner, self.outer = inner, outer
        self.in_size, self.out_size = inner.in_size, outer.out_size

    def __call__(self, x):
        return self.outer(self.inner(x))
