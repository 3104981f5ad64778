"""2D computed tomography (rwf_paper §4.3, App. H; Tancik et al. 2020, "CT" experiment).

- :func:`shepp_logan`: the modified Shepp–Logan phantom (Toft 1996, Table B.1: the intensities of
  Shepp & Logan 1974 raised for contrast), rasterised on an n × n grid, optionally with the
  reference code's random perturbation of all 10 × 6 ellipse parameters;
- :func:`project`: a differentiable parallel-beam projection (discrete Radon transform);
- :func:`projection_angles`: K evenly spaced angles in [0, π) (FFN's ``linspace(0, π, K+1)[:-1]``).

Geometry (shared by both functions). An n × n image covers the square [−1, 1]² with pixel side
h = 2/n; pixel ``(i, j)`` (row i from the top, column j from the left) is centred at
x_j = −1 + (j + ½)h, y_i = 1 − (i + ½)h, so y points up and ``imshow(image)`` shows the phantom in
its usual orientation (the small ellipses at the bottom).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.ndimage import map_coordinates
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

from pinnrwf._validation import integer, one_of, positive_number

#: The modified Shepp–Logan phantom (Toft 1996, Table B.1; MATLAB's phantom('Modified Shepp-Logan')),
#: one row per ellipse: intensity A (added inside), semi-axes a (along x before rotation) and b,
#: centre (x0, y0) in [−1, 1]², rotation φ in radians (counter-clockwise). The angle is stored in
#: radians because the reference code (FFN, through phantominator) perturbs the table in that form.
MODIFIED_SHEPP_LOGAN: tuple[tuple[float, float, float, float, float, float], ...] = (
    (1.0, 0.69, 0.92, 0.0, 0.0, 0.0),  # skull
    (-0.8, 0.6624, 0.874, 0.0, -0.0184, 0.0),  # brain
    (-0.2, 0.11, 0.31, 0.22, 0.0, float(np.deg2rad(-18.0))),  # right ventricle
    (-0.2, 0.16, 0.41, -0.22, 0.0, float(np.deg2rad(18.0))),  # left ventricle
    (0.1, 0.21, 0.25, 0.0, 0.35, 0.0),
    (0.1, 0.046, 0.046, 0.0, 0.1, 0.0),
    (0.1, 0.046, 0.046, 0.0, -0.1, 0.0),
    (0.1, 0.046, 0.023, -0.08, -0.605, 0.0),
    (0.1, 0.023, 0.023, 0.0, -0.606, 0.0),
    (0.1, 0.023, 0.046, 0.06, -0.605, 0.0),
)


def pixel_centres(n: int) -> np.ndarray:
    """The n cell centres −1 + (k + ½)·2/n, k = 0..n−1, of a grid on [−1, 1] (float64)."""
    n = integer("n", n, minimum=2)
    return -1.0 + (np.arange(n) + 0.5) * (2.0 / n)


def shepp_logan(n: int, *, key: PRNGKeyArray | None = None, perturbation: float = 1 / 20) -> Float[Array, "n n"]:
    """The modified Shepp–Logan phantom on an n × n grid, values clipped to [0, 1].

    Each pixel takes the sum of the intensities of the ellipses that contain its centre (point
    sampling, as phantominator and MATLAB do). With ``key``, every one of the 10 × 6 table entries
    (intensity, semi-axes, centre, angle in radians) first gets ``perturbation · N(0, 1)`` added,
    drawn with ``jax.random.normal(key, (10, 6))`` — the reference code's random phantoms
    (FFN: ``params + normal(key, params.shape) / 20``). Without ``key`` the standard phantom
    (``perturbation`` is then unused). Deterministic: the same key gives the same image; the
    rasterisation is done in float64 with numpy, so it does not depend on the device.

    Returns an ``(n, n)`` array of JAX's default float dtype; row 0 is the top (y = 1 − h/2).
    """
    xs = pixel_centres(n)
    perturbation = positive_number("perturbation", perturbation, allow_zero=True)
    table = np.asarray(MODIFIED_SHEPP_LOGAN, dtype=np.float64)
    if key is not None:
        noise = np.asarray(jax.random.normal(key, table.shape, dtype=jnp.float32), dtype=np.float64)
        table = table + perturbation * noise
    x, y = np.meshgrid(xs, xs[::-1])  # x along columns, y up along rows
    image = np.zeros((n, n))
    with np.errstate(divide="ignore", invalid="ignore"):  # a semi-axis perturbed to exactly 0: empty ellipse
        for intensity, a, b, x0, y0, phi in table:
            c, s = np.cos(phi), np.sin(phi)
            u = (x - x0) * c + (y - y0) * s
            v = -(x - x0) * s + (y - y0) * c
            inside = (u / a) ** 2 + (v / b) ** 2 <= 1.0
            image[inside] += intensity
    return jnp.asarray(np.clip(image, 0.0, 1.0), dtype=jnp.result_type(float))


def projection_angles(k: int) -> Float[Array, " k"]:
    """K evenly spaced angles θ_k = kπ/K in [0, π) (FFN: ``linspace(0, π, K + 1)[:-1]``)."""
    k = integer("k", k, minimum=1)
    return jnp.asarray(np.linspace(0.0, np.pi, k + 1)[:-1], dtype=jnp.result_type(float))


def _check_projection_inputs(image, angles, order) -> None:
    shape = jnp.shape(image)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"image must be a square 2-D array (n, n), got shape {shape}")
    if shape[0] < 2:
        raise ValueError(f"image must be at least 2 × 2 (n ≥ 2), got shape {shape}")
    if jnp.ndim(angles) != 1 or jnp.shape(angles)[0] < 1:
        raise ValueError(f"angles must be a non-empty 1-D array of angles in radians, got shape {jnp.shape(angles)}")
    one_of("order", order, (0, 1))


def project(image: Float[ArrayLike, "n n"], angles: Float[ArrayLike, " k"], *, order: int = 1) -> Float[Array, "k n"]:
    """Parallel-beam projections (the discrete Radon transform) of ``image`` at ``angles``.

    For each angle θ and each of the n detector positions s (the pixel centres of [−1, 1]), the
    line integral P(θ, s) = ∫ f(s·e_θ + t·e_θ^⊥) dt with e_θ = (cos θ, sin θ), e_θ^⊥ = (−sin θ, cos θ):
    the image is sampled at the n × n grid of (s, t) — the pixel grid rotated by θ about the image
    centre — by interpolation of ``order`` 1 (bilinear, the default) or 0 (nearest neighbour, FFN's
    ``map_coordinates(order=0)``), with zero density outside the image, and summed along t times
    the pixel length h = 2/n. So P is a true line integral in the units of the [−1, 1]² square
    (a disc of radius r and density 1 gives the chord 2√(r² − s²)); FFN's mean over the ray is
    P / 2. At θ = 0 the rays are the image columns (P = h · column sums), at θ = π/2 the rows.
    The rays cover the rotated square, hence the unit disc at every angle: density in the image
    corners outside the unit disc is seen at some angles only.

    Linear in ``image`` and differentiable with respect to it (both orders; ``jax.vjp`` gives the
    back-projection Pᵀ). ``image``: ``(n, n)``, n ≥ 2; ``angles``: ``(K,)`` in radians.
    Returns the sinogram ``(K, n)``. Shapes are checked when called (also under ``jit``).
    """
    _check_projection_inputs(image, angles, order)
    image = jnp.asarray(image)
    angles = jnp.asarray(angles, dtype=image.dtype)
    n = image.shape[0]
    h = 2.0 / n
    centres = jnp.asarray(pixel_centres(n), dtype=image.dtype)
    cos, sin = jnp.cos(angles)[:, None, None], jnp.sin(angles)[:, None, None]
    s, t = centres[None, None, :], centres[None, :, None]  # (1, 1, n) detector, (1, n, 1) along the ray
    x = s * cos - t * sin  # (K, n_t, n_s)
    y = s * sin + t * cos
    rows, cols = (1.0 - y) / h - 0.5, (x + 1.0) / h - 0.5  # continuous pixel indices
    samples = map_coordinates(image, [rows, cols], order=order, mode="constant", cval=0.0)
    return samples.sum(axis=1) * h


__all__ = ["MODIFIED_SHEPP_LOGAN", "pixel_centres", "project", "projection_angles", "shepp_logan"]
