"""Input mappings of coordinate networks, with the conventions of Tancik et al. 2020 (FFN).

The three rows of rwf_paper Tables 8–11: ``"none"`` (the raw coordinates), ``"posenc"``
(positional encoding) and ``"gauss"`` (Gaussian Fourier features), each with a scale σ and m
features per sine/cosine (the reference code uses m = 256, so 512 network inputs for ``"gauss"``).

- ``"gauss"``: γ(v) = [cos 2πBv, sin 2πBv], B ∈ R^{m×d}, B ~ N(0, σ²) (the 2π convention; FFN's
  NeRF writes sin(Bv) without 2π — see the NeRF problem).
- ``"posenc"``: pinnrwf's :class:`~pinnrwf.nn.PositionalEncoding`, frequencies σ^{j/m'} per axis for
  j = 0..m'−1 with m' = m / d (so the same 2m inputs as ``"gauss"``). FFN writes its scale as an
  exponent of 2 (frequencies 2^{linspace(0, s, m')} − 1): FFN's s corresponds to σ = 2^s here.
- ``"none"``: the identity.
"""

from __future__ import annotations

from typing import Literal

from jaxtyping import PRNGKeyArray

from pinnrwf._validation import positive_int, positive_number
from pinnrwf.nn import FourierFeatures, Identity, PositionalEncoding
from pinnrwf.nn._embeddings import AbstractEmbedding

Mapping = Literal["none", "posenc", "gauss"]
#: The input mappings of :func:`coordinate_embedding`.
MAPPINGS: tuple[str, ...] = ("none", "posenc", "gauss")


def check_mapping(name: str, value: str) -> str:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is one of :data:`MAPPINGS`."""
    if value not in MAPPINGS:
        raise ValueError(f"{name} must be one of {', '.join(MAPPINGS)}, got {value!r}")
    return value


def coordinate_embedding(
    mapping: str, in_size: int, *, scale: float, num_features: int = 256, key: PRNGKeyArray | None = None
) -> AbstractEmbedding:
    """The input mapping γ for ``in_size``-dimensional coordinates.

    ``num_features`` = m (2m outputs for ``"gauss"``; ``"posenc"`` uses m // in_size frequencies
    per axis). ``key`` draws B for ``"gauss"`` (required there): one B per experiment, shared by
    every parameterization and seed so that they are compared on the same features.
    """
    check_mapping("mapping", mapping)
    in_size = positive_int("in_size", in_size)
    if mapping == "none":
        return Identity(in_size)
    scale = positive_number("scale", scale)
    num_features = positive_int("num_features", num_features)
    if mapping == "posenc":
        if num_features < in_size:
            raise ValueError(f"num_features must be at least in_size = {in_size} for posenc, got {num_features}")
        return PositionalEncoding(in_size, num_features // in_size, scale)
    if key is None:
        raise ValueError("key is required for the Gaussian mapping (it draws B)")
    return FourierFeatures(in_size, num_features, scale, key=key)


__all__ = ["MAPPINGS", "Mapping", "check_mapping", "coordinate_embedding"]
