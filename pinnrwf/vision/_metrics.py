"""Image and shape metrics: PSNR and IoU (rwf_paper Tables 8–11)."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Bool, Float

from pinnrwf._validation import positive_number


def _same_shape(name_a: str, a, name_b: str, b) -> None:
    if jnp.shape(a) != jnp.shape(b):
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {jnp.shape(a)} and {jnp.shape(b)}")


def psnr(pred: Float[ArrayLike, "..."], target: Float[ArrayLike, "..."], data_range: float = 1.0) -> Float[Array, ""]:
    """Peak signal-to-noise ratio, 10·log10(data_range² / MSE) in dB, over all elements.

    ``pred`` and ``target`` have the same shape (e.g. ``(H, W, 3)`` in [0, data_range]). The MSE is
    the plain mean of squared differences (Tancik et al. 2020 write −10·log10(2·½MSE), the same
    number). Identical inputs give ``inf``. Pure and jit-able once the shapes are checked.
    """
    _same_shape("pred", pred, "target", target)
    data_range = positive_number("data_range", data_range)
    mse = jnp.mean((jnp.asarray(pred) - jnp.asarray(target)) ** 2)
    return 10.0 * jnp.log10(data_range**2 / mse)


def iou(pred_inside: Bool[ArrayLike, "..."], true_inside: Bool[ArrayLike, "..."]) -> Float[Array, ""]:
    """Intersection over union |p ∧ g| / |p ∨ g| of two boolean occupancy arrays of the same shape.

    Two empty sets give 1 (they agree everywhere). Non-boolean inputs are an error: threshold the
    network's probabilities first (``prob > 0.5``), as Tancik et al. 2020 do.
    """
    _same_shape("pred_inside", pred_inside, "true_inside", true_inside)
    for name, a in (("pred_inside", pred_inside), ("true_inside", true_inside)):
        if jnp.asarray(a).dtype != jnp.bool_:
            raise ValueError(
                f"{name} must be a boolean array (threshold probabilities first), got dtype {jnp.asarray(a).dtype}"
            )
    p, g = jnp.asarray(pred_inside), jnp.asarray(true_inside)
    union = jnp.sum(p | g)
    return jnp.where(union == 0, 1.0, jnp.sum(p & g) / jnp.maximum(union, 1))
