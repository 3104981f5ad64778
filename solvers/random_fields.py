"""Seeded Gaussian random fields, vectorised over samples.

All samplers return NumPy ``float64`` arrays with a leading sample axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pinnrwf._validation import one_of, positive_int, positive_number
from pinnrwf._validation import seed as check_seed


def _rng(seed) -> np.random.Generator:
    """A NumPy generator from a seed in [0, 2³² − 1], or a sequence of them (child seeds)."""
    if isinstance(seed, Sequence) and not isinstance(seed, str):
        if not seed:
            raise ValueError("seed must be an integer in [0, 2**32 - 1] or a non-empty sequence of them, got []")
        return np.random.default_rng([check_seed(f"seed[{i}]", s) for i, s in enumerate(seed)])
    return np.random.default_rng(check_seed("seed", seed))


def squared_exponential_1d(
    x: np.ndarray,
    *,
    length_scale: float,
    n_samples: int = 1,
    seed: int = 0,
    variance: float = 1.0,
    jitter: float = 1e-10,
) -> np.ndarray:
    """Samples of a zero-mean GRF with kernel k(x, x') = variance · exp(-(x - x')² / (2 ℓ²)).

    Args:
        x: grid, shape ``(n,)``.
        length_scale: ℓ > 0 (the 1D regression of rwf_paper §3 uses ℓ = 0.02).
        n_samples: number of independent samples.
        seed: NumPy seed; the same seed gives the same samples.
        variance: kernel amplitude.
        jitter: diagonal added before the Cholesky factorisation (relative to ``variance``).

    Returns:
        ``(n_samples, n)`` float64 array.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 1:
        raise ValueError(f"x must be a non-empty 1D grid, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must contain only finite values")
    length_scale = positive_number("length_scale", length_scale)
    variance = positive_number("variance", variance)
    n_samples = positive_int("n_samples", n_samples)
    jitter = positive_number("jitter", jitter, allow_zero=True)
    rng = _rng(seed)
    d = x[:, None] - x[None, :]
    cov = variance * np.exp(-0.5 * (d / length_scale) ** 2)
    try:
        chol = np.linalg.cholesky(cov + jitter * variance * np.eye(x.size))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"the covariance of length_scale = {length_scale:g} on this grid is not positive definite with "
            f"jitter = {jitter:g}; raise jitter (e.g. 1e-8) or use a coarser grid"
        ) from None
    z = rng.standard_normal((n_samples, x.size))
    return z @ chol.T


# ---------------------------------------------------------------------------------------------
# Spectral (Matérn-type) GRFs on periodic grids: N(0, τ² (−Δ + κ² I)^(−α)).
# ---------------------------------------------------------------------------------------------


def _spectral_std(k2: np.ndarray, tau: float, kappa: float, alpha: float) -> np.ndarray:
    """Standard deviation of the coefficient of each orthonormal Fourier mode."""
    return tau * (k2 + kappa**2) ** (-alpha / 2.0)


def spectral_grf_1d(
    n: int,
    *,
    tau: float,
    kappa: float,
    alpha: float,
    length: float = 1.0,
    n_samples: int = 1,
    seed: int = 0,
    zero_mean: bool = False,
) -> np.ndarray:
    """Samples of the periodic GRF N(0, τ² (−Δ + κ² I)^(−α)) on [0, length), on x_j = j·length/n.

    The field is u(x) = Σ_k ξ_k σ_k e_k(x) with e_k the L²-orthonormal real Fourier modes of the
    period ``length``, σ_k = τ (|2πk/length|² + κ²)^(−α/2) and ξ_k i.i.d. N(0, 1). Modes up to the
    grid's Nyquist wavenumber are kept (the Nyquist cosine mode with its own variance).

    Args:
        n: number of grid points (>= 2).
        tau: τ > 0 of the covariance operator.
        kappa: κ > 0 of the covariance operator.
        alpha: α > 0 of the covariance operator.
        length: period of the domain.
        n_samples: number of independent samples.
        seed: NumPy seed; the same seed gives the same samples.
        zero_mean: drop the k = 0 mode (the convention of the GRF code used to build the
            Burgers benchmark of Li et al. / Wang et al.).

    Returns:
        ``(n_samples, n)`` float64 array.
    """
    n = positive_int("n", n, minimum=2)
    n_samples = positive_int("n_samples", n_samples)
    tau, kappa, alpha, length = (
        positive_number(k, v) for k, v in (("tau", tau), ("kappa", kappa), ("alpha", alpha), ("length", length))
    )
    rng = _rng(seed)
    k = np.fft.rfftfreq(n, d=length / n) * 2.0 * np.pi  # angular wavenumbers, (n//2 + 1,)
    std = _spectral_std(k**2, tau, kappa, alpha)
    if zero_mean:
        std[0] = 0.0
    z = rng.standard_normal((n_samples, k.size)) + 1j * rng.standard_normal((n_samples, k.size))
    # Orthonormal real modes: 1/sqrt(L), sqrt(2/L) cos, sqrt(2/L) sin. With irfft's convention
    # u_j = (1/n) Σ c_k e^{2πikj/n}, a real mode of amplitude A needs |c_k| = n A / 2.
    coeff = np.empty_like(z)
    coeff[:, 0] = z[:, 0].real * std[0] / np.sqrt(length) * n
    coeff[:, 1:] = z[:, 1:] * std[1:] / np.sqrt(2.0 * length) * n
    if n % 2 == 0:  # Nyquist mode is a pure cosine sqrt(2/L) cos(π n x / L)
        coeff[:, -1] = z[:, -1].real * std[-1] * np.sqrt(2.0 / length) * n
    return np.fft.irfft(coeff, n=n, axis=-1)


def spectral_grf_2d(
    n: int | tuple[int, int],
    *,
    tau: float,
    kappa: float,
    alpha: float,
    length: float | tuple[float, float] = 1.0,
    n_samples: int = 1,
    seed: int = 0,
    zero_mean: bool = False,
) -> np.ndarray:
    """Samples of the periodic GRF N(0, τ² (−Δ + κ² I)^(−α)) on [0, Lx) × [0, Ly).

    Grid x_i = i·Lx/nx, y_j = j·Ly/ny; output indexed ``[sample, i, j]`` (``indexing="ij"``).
    Built as the real part of a complex field with i.i.d. complex-normal modes of standard
    deviation σ_k √2, so each real sample has exactly the covariance above (modes up to Nyquist).

    Returns:
        ``(n_samples, nx, ny)`` float64 array.
    """
    nx, ny = _pair("n", n)
    nx, ny = positive_int("n[0]", nx, minimum=2), positive_int("n[1]", ny, minimum=2)
    lx, ly = _pair("length", length)
    lx, ly = positive_number("length[0]", lx), positive_number("length[1]", ly)
    n_samples = positive_int("n_samples", n_samples)
    tau, kappa, alpha = (positive_number(k, v) for k, v in (("tau", tau), ("kappa", kappa), ("alpha", alpha)))
    rng = _rng(seed)
    kx = np.fft.fftfreq(nx, d=lx / nx) * 2.0 * np.pi
    ky = np.fft.fftfreq(ny, d=ly / ny) * 2.0 * np.pi
    k2 = kx[:, None] ** 2 + ky[None, :] ** 2
    std = _spectral_std(k2, tau, kappa, alpha)
    if zero_mean:
        std[0, 0] = 0.0
    z = rng.standard_normal((n_samples, nx, ny)) + 1j * rng.standard_normal((n_samples, nx, ny))
    # Complex modes e^{ik·x}/sqrt(Lx Ly); E|Re u|² per mode = σ_k² / (Lx Ly) as for real modes.
    coeff = z * std * (nx * ny) / np.sqrt(lx * ly)
    return np.fft.ifft2(coeff, axes=(-2, -1)).real


def _pair(name, value) -> tuple:
    """A scalar used for both axes, or a pair (one per axis)."""
    if np.isscalar(value):
        return value, value
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a pair (x, y), got {value!r}") from None
    return a, b


def burgers_initial_conditions(n: int, *, n_samples: int = 1, seed: int = 0) -> np.ndarray:
    """Initial conditions of the Burgers operator benchmark (rwf_paper App. L.3) on x_j = j/n.

    The paper writes the measure as N(0, 25² (−Δ + 5² I)^(−4)). The data of that benchmark was
    made with the GRF code of Li et al. (``GRF(N, m=0, gamma=4, tau=5, sigma=25^2)``), in which
    σ = 25² multiplies the *standard deviation* of each orthonormal mode, i.e. the covariance is
    (25²)² (−Δ + 5² I)^(−4). We follow the code (amplitudes O(0.3), fronts form for ν = 1e-3):
    ``spectral_grf_1d(n, tau=625, kappa=5, alpha=4, zero_mean=True)``.
    """
    return spectral_grf_1d(n, tau=625.0, kappa=5.0, alpha=4.0, n_samples=n_samples, seed=seed, zero_mean=True)


DARCY_COEFFICIENT_KINDS = ("threshold", "lognormal")


def darcy_coefficients(
    n: int = 64,
    *,
    n_samples: int = 1,
    seed: int = 0,
    kind: str = "threshold",
    tau: float = 1.0,
    kappa: float = 3.0,
    alpha: float = 2.0,
    high: float | None = None,
    low: float | None = None,
) -> np.ndarray:
    """Positive coefficient fields a(x, y) for Darcy flow on the nodes x_i = i/(n−1) of [0, 1]².

    A GRF g ~ N(0, τ² (−Δ + κ² I)^(−α)) is sampled with period 2 in each direction (so [0, 1]²
    is a quarter of the period and shows no artificial periodicity) and mapped to
      - ``"threshold"`` (default, as in the Darcy benchmark of Li et al. 2020): a = high where
        g ≥ 0 and a = low where g < 0 (default 12 and 3; κ = 3, α = 2);
      - ``"lognormal"``: a = exp(g).

    Returns:
        ``(n_samples, n, n)`` float64 array indexed ``[sample, i, j]`` = a(x_i, y_j), all > 0.
    """
    n = positive_int("n", n, minimum=3)
    one_of("kind", kind, DARCY_COEFFICIENT_KINDS)
    if kind == "threshold":
        high = 12.0 if high is None else positive_number("high", high)
        low = 3.0 if low is None else positive_number("low", low)
    elif high is not None or low is not None:
        raise ValueError(f"high and low apply only to kind='threshold', not kind={kind!r}; leave them unset")
    m = 2 * (n - 1)
    g = spectral_grf_2d(m, tau=tau, kappa=kappa, alpha=alpha, length=2.0, n_samples=n_samples, seed=seed)
    g = g[:, :n, :n]
    if kind == "threshold":
        return np.where(g >= 0.0, high, low).astype(np.float64)
    return np.exp(g)
