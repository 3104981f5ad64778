"""Viscous Burgers u_t + u u_x − ν u_xx = 0 on the periodic interval [0, 1) (rwf_paper eq. L.7).

Fourier pseudo-spectral in space (2/3-rule dealiasing of the quadratic term) and ETDRK4 in time
(Cox & Matthews 2002) with the φ-function coefficients evaluated by the contour integrals of
Kassam & Trefethen (2005), all precomputed once per (N, ν, dt) in :class:`BurgersETDRK4`.

Resolution: the data u0 is given on x_j = j/n (e.g. n = 100), interpolated spectrally onto the
internal grid of ``n_internal`` points, and the solution is returned on the input grid. The
default ``n_internal`` is the larger of 1024 and n; 1024 comes from the convergence study in
``benchmarks/studies/solvers_convergence/solvers_convergence.py``: for 16 of the benchmark's initial conditions and ν = 1e-3
the worst-sample max error on the 100 × 101 output grid against N = 4096 is 2.4e-6 of max|u|
(N = 512: 1.4e-3; N = 2048: 6e-12), and halving dt = 1e-4 changes the solution by 4e-11.

FFT threads: ``scipy.fft`` splits a batch of transforms over ``workers`` threads, one whole
transform per thread, so the result is bitwise the same for every thread count; only the speed
changes. :func:`fft_workers` picks one thread below a batch of :data:`PARALLEL_MIN_POINTS` grid
points (B·N) and all cores above it (measured cross-over, see the constant); the argument
``workers`` of :func:`solve` / :class:`BurgersETDRK4`, or the environment variable
:data:`WORKERS_ENV` (``PINNRWF_BURGERS_FFT_WORKERS=1``), overrides the choice.

Guards: viscous Burgers never increases max|u| (maximum principle), so :func:`solve` raises
:class:`~pinnrwf.solvers.base.SolverError` when the discrete max|u| grows by more than
:data:`GROWTH_TOL` (a resolved run stays below max|u0|: an unstable step or an under-resolved
front is what makes it grow) or a value becomes inf/NaN; it refuses runs of more than
``max_steps`` time steps (default :data:`~pinnrwf.solvers.base.MAX_TIME_STEPS`).
"""

from __future__ import annotations

import os

import numpy as np
import scipy.fft as sfft

from pinnrwf._validation import function, one_of, positive_int, positive_number

from .base import (
    MAX_TIME_STEPS,
    AbstractStepper,
    SolverError,
    as_float64_array,
    check_time_steps,
    check_times,
    output_schedule,
    rollout,
)
from .etdrk4 import etdrk4_coefficients  # noqa: F401 - importable from here since 0.1.0
from .spectral_jax import BACKENDS, resolve_backend

DEFAULT_N_INTERNAL = 1024
DEFAULT_DT = 1e-4
#: Largest relative growth of max|u| over max|u0| accepted as round-off (resolved runs, e.g.
#: N = 256 at ν = 1e-3, stay below max|u0|; N = 128 overshoots by 10 %).
GROWTH_TOL = 1e-4
#: Environment variable overriding the FFT thread count: ``auto`` (or unset) for :func:`fft_workers`'s
#: rule, a positive integer, or -1 for all cores. The argument ``workers`` takes precedence over it.
WORKERS_ENV = "PINNRWF_BURGERS_FFT_WORKERS"
#: Smallest batch size × grid points (B·N) for which :func:`fft_workers` uses all cores: 2²².
#: Measured by benchmarks/studies/burgers_fft_workers/burgers_fft_workers.py (results: benchmarks/results/burgers-fft-workers/cpu-xeon-2c/default/)
#: on the idle 2-core machine, ETDRK4 steps, 1 thread vs 2 threads alternating, N ∈ {256, 1024}:
#: up to B·N = 2²⁰ the threads never won (median t(1)/t(2) 0.23–1.02, up to 280 % more CPU time); at
#: 2²² and 2²⁴ (N = 1024, B = 4096 and 16 384) they won 1.17× and 1.25× at no extra CPU time.
#: (An earlier rule of 2¹⁸ had been read from a run on a machine loaded 10–15 deep.)
PARALLEL_MIN_POINTS = 1 << 22


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity; ``os.cpu_count()`` where that is unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_workers(name: str, workers) -> int:
    """A ``scipy.fft`` thread count: an integer >= 1, or -1 for all usable cores (returned as
    :func:`usable_cores`, not scipy's ``os.cpu_count()``, which ignores the CPU affinity)."""
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not (workers >= 1 or workers == -1):
        raise ValueError(f"{name} must be a positive integer or -1 (all cores), got {workers!r}")
    return usable_cores() if workers == -1 else int(workers)


def workers_from_env(env=None) -> int | None:
    """The thread count set by :data:`WORKERS_ENV` in ``env`` (default ``os.environ``); ``None``
    when it is unset, empty or ``auto``."""
    raw = (os.environ if env is None else env).get(WORKERS_ENV, "").strip()
    if raw.lower() in ("", "auto"):
        return None
    try:
        value = int(raw)
    except ValueError:
        value = raw
    return check_workers(f"the environment variable {WORKERS_ENV}", value)


def fft_workers(batch: int, n: int, workers: int | None = None) -> int:
    """Threads for ``scipy.fft`` on a batch of ``batch`` transforms of length ``n``.

    ``workers`` (if given) wins, then :data:`WORKERS_ENV`; otherwise 1 when ``batch·n`` is below
    :data:`PARALLEL_MIN_POINTS` (threads cost more than they save on small batches) and all
    usable cores (:func:`usable_cores`) from there on; -1 is returned as :func:`usable_cores`.
    Any choice gives bitwise the same transforms.
    """
    if workers is not None:
        return check_workers("workers", workers)
    env = workers_from_env()
    if env is not None:
        return env
    return usable_cores() if batch * n >= PARALLEL_MIN_POINTS else 1


def _batch_size(a: np.ndarray) -> int:
    """Number of transforms along the last axis of ``a`` (the product of the leading axes)."""
    return int(np.prod(a.shape[:-1], dtype=np.int64))


class BurgersETDRK4(AbstractStepper):
    """ETDRK4 step of size ``dt`` for Burgers on N points of [0, 1).

    State: the rfft coefficients of the K = ⌈N/3⌉ modes the 2/3 rule keeps (all N//2+1 without
    dealiasing), shape ``(batch, K)``. The modes above are zero at every step (the dealiased
    product never feeds them and E·0 = 0), so they are not stored: the inverse transform pads
    them back as zeros and the forward one is cut at K. Every product with a real coefficient
    (E, E/2, Q, f1–f3) or with the imaginary −½ik is done on the real and imaginary parts,
    in place. This gives bitwise the values of the full-length complex arithmetic (tested) on
    a third fewer coefficients and fewer temporaries; the eight FFTs of a step are most of its time
    (``benchmarks/results/burgers-fft-workers/cpu-xeon-2c/default/``).

    ``workers``: ``scipy.fft`` threads; ``None`` chooses per call from the batch size
    (:func:`fft_workers`). The result does not depend on it, bit for bit.
    """

    order = 4

    def __init__(self, n: int, nu: float, dt: float, *, dealias: bool = True, workers: int | None = None):
        self.n = positive_int("n", n, minimum=4)
        self.workers = None if workers is None else check_workers("workers", workers)
        self.nu = positive_number("nu", nu)
        self.dt = positive_number("dt", dt)
        k = 2.0 * np.pi * np.fft.rfftfreq(self.n, d=1.0 / self.n)
        dk = k.copy()
        if self.n % 2 == 0:
            dk[-1] = 0.0  # the Nyquist mode has no well-defined derivative
        # 2/3 rule: keep |k| < N/3 in the quadratic product.
        self.n_modes = int(np.count_nonzero(np.arange(k.size) < self.n / 3.0)) if dealias else k.size
        m = self.n_modes
        self.lin = -self.nu * k[:m] ** 2
        coefficients = etdrk4_coefficients(self.lin, self.dt)  # all real: the operator is real
        self.E, self.E2, self.Q, self.f1, self.f2, self.f3 = (np.real(c) for c in coefficients)
        # Interleaved (re, im) copies for products on the float64 view of complex arrays.
        self._E, self._E2, self._Q, self._f1, self._f3 = (
            np.repeat(c, 2) for c in (self.E, self.E2, self.Q, self.f1, self.f3)
        )
        self._2f2 = np.repeat(2.0 * self.f2, 2)
        self._half_k = -0.5 * dk[:m]  # N(v) = −½ ik·F[u²]: (re, im) ↦ (−½k·(−im), −½k·re)

    def workers_for(self, a: np.ndarray) -> int:
        """FFT threads for the batch ``a`` ``(..., N or K)`` (see :func:`fft_workers`)."""
        return fft_workers(_batch_size(a), self.n, self.workers)

    def nonlinear(self, v: np.ndarray, workers: int = 1) -> np.ndarray:
        """N(v) = −½ ik·F[(F⁻¹v)²] cut at K modes, for coefficients ``v`` ``(batch, K)``."""
        u = sfft.irfft(v, n=self.n, axis=-1, workers=workers)
        np.multiply(u, u, out=u)
        w = sfft.rfft(u, axis=-1, workers=workers, overwrite_x=True)[..., : self.n_modes]
        out = np.empty(w.shape, dtype=np.complex128)
        np.multiply(w.imag, self._half_k, out=out.real)
        np.negative(out.real, out=out.real)
        np.multiply(w.real, self._half_k, out=out.imag)
        return out

    def init(self, u0: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(sfft.rfft(u0, axis=-1, workers=self.workers_for(u0))[..., : self.n_modes])

    def step(self, v: np.ndarray, t: float = 0.0) -> np.ndarray:
        w = self.workers_for(v)
        f = lambda z: z.view(np.float64)  # noqa: E731  (batch, 2K) real view of (batch, K) complex
        nv = self.nonlinear(v, w)
        e2v = np.multiply(self._E2, f(v))
        a = np.empty_like(v)
        np.multiply(self._Q, f(nv), out=f(a))
        f(a)[...] += e2v
        na = self.nonlinear(a, w)
        b = np.empty_like(v)
        np.multiply(self._Q, f(na), out=f(b))
        f(b)[...] += e2v
        nb = self.nonlinear(b, w)
        c = np.empty_like(v)  # E2·a + Q·(2 nb − nv)
        np.multiply(f(nb), 2.0, out=f(c))
        f(c)[...] -= f(nv)
        f(c)[...] *= self._Q
        np.multiply(self._E2, f(a), out=e2v)
        f(c)[...] += e2v
        nc = self.nonlinear(c, w)
        out = np.empty_like(v)  # E·v + f1·nv + 2 f2·(na + nb) + f3·nc
        np.multiply(self._E, f(v), out=f(out))
        np.multiply(f(nv), self._f1, out=e2v)
        f(out)[...] += e2v
        np.add(f(na), f(nb), out=e2v)
        e2v *= self._2f2
        f(out)[...] += e2v
        np.multiply(f(nc), self._f3, out=e2v)
        f(out)[...] += e2v
        return out

    def observe(self, v: np.ndarray) -> np.ndarray:
        return sfft.irfft(v, n=self.n, axis=-1, workers=self.workers_for(v))

    @classmethod
    def verification_case(cls, dt):
        x = np.arange(64) / 64
        return cls(64, 0.02, dt), (0.4 * np.sin(2 * np.pi * x) + 0.1)[None]


def resample_periodic(u: np.ndarray, n_out: int, *, workers: int | None = None) -> np.ndarray:
    """Trigonometric interpolation of periodic samples ``(..., n_in)`` onto ``n_out`` points.

    Values at x_j = j/n_out of the interpolating trigonometric polynomial (exact for band-limited
    data; for n_out < n_in the modes above the output Nyquist are folded as point evaluation
    requires, not truncated).
    """
    n_in = u.shape[-1]
    if n_out == n_in:
        return np.array(u, dtype=np.float64)
    batch = _batch_size(np.asarray(u))
    c = sfft.fft(u, axis=-1, workers=fft_workers(batch, n_in, workers)) / n_in
    k = np.fft.fftfreq(n_in, d=1.0 / n_in)
    if n_in % 2 == 0:  # split the Nyquist mode symmetrically (keeps the interpolant real)
        nyq = n_in // 2
        c = np.concatenate([c, 0.5 * c[..., nyq : nyq + 1]], axis=-1)
        c[..., nyq] *= 0.5
        k = np.concatenate([k, [-k[nyq]]])
        k[nyq] = abs(k[nyq])
    # Point evaluation: mode k lands on bin k mod n_out, then one inverse FFT.
    fold = np.zeros((k.size, n_out))
    fold[np.arange(k.size), np.mod(np.rint(k).astype(np.int64), n_out)] = 1.0
    return sfft.ifft(c @ fold, axis=-1, workers=fft_workers(batch, n_out, workers)).real * n_out


class _Solver:
    """Integrates a batch from t = 0 to each output time with cached ETDRK4 steppers."""

    def __init__(self, n_internal: int, nu: float, dt: float, workers: int | None = None):
        self.n, self.nu, self.dt, self.workers = n_internal, nu, dt, workers
        self._steppers: dict[float, BurgersETDRK4] = {}

    def stepper(self, h: float) -> BurgersETDRK4:
        key = round(h, 15)
        if key not in self._steppers:
            self._steppers[key] = BurgersETDRK4(self.n, self.nu, h, workers=self.workers)
        return self._steppers[key]


def solve(
    u0,
    *,
    nu: float = 0.001,
    t_eval,
    dt: float = DEFAULT_DT,
    n_internal: int | None = None,
    max_steps: int | None = MAX_TIME_STEPS,
    progress=None,
    workers: int | None = None,
    backend: str = "auto",
) -> np.ndarray:
    """Solve periodic viscous Burgers for one initial condition or a batch.

    Args:
        u0: initial values on x_j = j/n, shape ``(n,)`` or ``(batch, n)`` (NumPy or JAX).
        nu: viscosity ν > 0 (paper: 0.001).
        t_eval: increasing output times >= 0, e.g. ``np.linspace(0, 1, 101)``. Between outputs
            the step is ``dt`` or slightly less so that every output time is hit exactly.
        dt: ETDRK4 step (paper: 1e-4).
        n_internal: internal Fourier resolution (>= n); ``None``: the larger of 1024 and n.
        max_steps: refuse runs of more time steps than this (``None``: no limit).
        progress: optional callable ``progress(k)`` called after each of the ``len(t_eval)`` outputs.
        workers: ``scipy.fft`` threads (an integer >= 1, or -1 for all cores); ``None``: the
            environment variable :data:`WORKERS_ENV` if set, else 1 below a batch of
            :data:`PARALLEL_MIN_POINTS` internal grid points and all cores above
            (:func:`fft_workers`). The result is bitwise the same for every choice.
        backend: ``"numpy"`` (scipy FFTs, step by step), ``"jax"`` (the same scheme compiled as
            one program, :mod:`pinnrwf.solvers.spectral_jax`; equal to round-off; ``progress``
            is then called after the whole rollout) or ``"auto"``: JAX from
            :data:`~pinnrwf.solvers.spectral_jax.AUTO_JAX_MIN_POINT_STEPS` batch × grid × steps on,
            where it measured faster, NumPy below.

    Returns:
        float64 array ``(len(t_eval), n)`` or ``(batch, len(t_eval), n)`` on the grid of ``u0``.

    Raises:
        ValueError: bad arguments, or more than ``max_steps`` time steps.
        SolverError: max|u| grew (viscous Burgers never lets it grow) or became inf/NaN: the step
            ``dt`` is unstable for this data or ``n_internal`` does not resolve its fronts.
    """
    u0 = as_float64_array("u0", u0, ndim=(1, 2))
    single = u0.ndim == 1
    u0 = np.atleast_2d(u0)
    n = u0.shape[-1]
    if n < 4:
        raise ValueError(f"u0 must have at least 4 grid points, got {n}")
    nu = positive_number("nu", nu)
    dt = positive_number("dt", dt)
    t = check_times(t_eval)
    n_int = max(DEFAULT_N_INTERNAL, n) if n_internal is None else positive_int("n_internal", n_internal, minimum=4)
    if n_int < n:
        raise ValueError(f"n_internal must be >= the input grid size {n}, got {n_int}")
    if progress is not None:
        function("progress", progress)
    if workers is not None:
        workers = check_workers("workers", workers)
    else:
        workers_from_env()  # a bad value of the environment variable fails before any work
    one_of("backend", backend, BACKENDS)
    starts, steps = output_schedule(t, dt)
    check_time_steps(sum(k for k, _ in steps), what=f"burgers: dt = {dt:g} up to t = {t[-1]:g}", max_steps=max_steps)
    backend = resolve_backend(backend, u0.shape[0] * n_int * sum(k for k, _ in steps))
    solver = _Solver(n_int, nu, dt, workers)
    first = solver.stepper(dt)
    state = first.init(resample_periodic(u0, n_int, workers=workers))
    peak0 = np.max(np.abs(first.observe(state)), axis=-1)
    out = np.empty((u0.shape[0], t.size, n))
    if backend == "jax":
        from .spectral_jax import etdrk4_rollout

        physical = etdrk4_rollout(first.lin, _nonlinear_jax, first._half_k, state, steps, n=n_int)
        for j, u in enumerate(physical):
            _check_peak(np.max(np.abs(u), axis=-1), peak0, t=t[j], dt=steps[j][1], nu=nu, n_int=n_int)
            out[:, j] = resample_periodic(u, n, workers=workers)
        if progress is not None:
            for j in range(t.size):
                progress(j)
        return out[0] if single else out
    for j, (t_start, (n_steps, h)) in enumerate(zip(starts, steps)):
        if n_steps:
            with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported below
                state = rollout(solver.stepper(h), state, n_steps, t0=t_start)
        u = first.observe(state)
        _check_peak(np.max(np.abs(u), axis=-1), peak0, t=t[j], dt=h, nu=nu, n_int=n_int)
        out[:, j] = resample_periodic(u, n, workers=workers)
        if progress is not None:
            progress(j)
    return out[0] if single else out


def _nonlinear_jax(v, half_k, n):
    """:meth:`BurgersETDRK4.nonlinear` in ``jax.numpy``: −½ ik·F[(F⁻¹v)²] cut at the K kept modes."""
    import jax.numpy as jnp

    u = jnp.fft.irfft(v, n=n, axis=-1)
    return 1j * half_k * jnp.fft.rfft(u * u, axis=-1)[..., : v.shape[-1]]


def count_steps(t_eval, dt: float) -> int:
    """Number of ETDRK4 steps :func:`solve` takes to reach every time of ``t_eval``."""
    return sum(k for k, _ in output_schedule(check_times(t_eval), positive_number("dt", dt))[1])


def _check_peak(peak: np.ndarray, peak0: np.ndarray, *, t: float, dt: float, nu: float, n_int: int) -> None:
    """Raise SolverError where max|u| is not finite or grew beyond GROWTH_TOL (maximum principle)."""
    bad = ~np.isfinite(peak) | (peak > peak0 * (1.0 + GROWTH_TOL))
    if not bad.any():
        return
    i = int(np.argmax(bad))
    happened = (
        "u became inf/NaN"
        if not np.isfinite(peak[i])
        else f"max|u| grew from {peak0[i]:.4g} to {peak[i]:.4g} (×{peak[i] / peak0[i]:.3g})"
    )
    raise SolverError(
        f"burgers: in sample {i}, {happened} by t = {t:.4g}, but viscous Burgers never lets max|u| grow: the "
        f"step dt = {dt:.3g} is unstable for this data, or n_internal = {n_int} does not resolve its fronts at "
        f"nu = {nu:g}; try a smaller dt (default {DEFAULT_DT:g}) or a larger n_internal"
    )


def cole_hopf_solution(x, t, *, nu: float, amplitudes, phases=None, offset: float = 1.0) -> np.ndarray:
    """Exact periodic solution u = −2ν φ_x / φ from the Cole–Hopf transform.

    φ(x, t) = offset + Σ_m A_m e^{−ν (2πm)² t} cos(2πm x + θ_m) solves the heat equation, so u
    solves Burgers on [0, 1) (φ > 0 requires offset > Σ|A_m|). Returns ``(len(t), len(x))``.
    """
    x = np.asarray(x, dtype=np.float64)[None, :]
    t = np.asarray(t, dtype=np.float64)[:, None]
    amps = np.asarray(amplitudes, dtype=np.float64)
    th = np.zeros_like(amps) if phases is None else np.asarray(phases, dtype=np.float64)
    if offset <= np.sum(np.abs(amps)):
        raise ValueError("offset must exceed the sum of |amplitudes| so that φ > 0")
    phi = np.full(np.broadcast_shapes(x.shape, t.shape), offset)
    phi_x = np.zeros_like(phi)
    for m, (a, p) in enumerate(zip(amps, th), start=1):
        w = 2.0 * np.pi * m
        decay = a * np.exp(-nu * w**2 * t)
        phi = phi + decay * np.cos(w * x + p)
        phi_x = phi_x - decay * w * np.sin(w * x + p)
    return -2.0 * nu * phi_x / phi


#: Nodes of the trapezoid rule of :func:`cole_hopf_sine` (over z ∈ [−Z, Z]; see there).
COLE_HOPF_NODES = 800


def cole_hopf_sine(x, t, nu: float, *, nodes: int = COLE_HOPF_NODES) -> np.ndarray:
    """Exact solution of u_t + u u_x = ν u_xx with u(x, 0) = −sin πx (DeepXDE's and Raissi's
    Burgers benchmark on x ∈ [−1, 1], u(±1, t) = 0; ν = 0.01/π there), by the Cole–Hopf transform
    evaluated by quadrature in float64. Returns ``(len(t), len(x))``.

    On the whole line (u0 extended 2-periodically, odd, so u(±1, t) = 0 holds by symmetry)

        u(x, t) = −∫ sin(π(x − η)) φ0(x − η) e^{−η²/4νt} dη / ∫ φ0(x − η) e^{−η²/4νt} dη,
        φ0(y) = exp(−cos(πy) / 2πν).

    With η = √(4νt)·z the weight is exp(−z² − cos(π(x − √(4νt) z)) / 2πν); it is normalised by
    its largest value at each x (log-sum-exp: the exponent spans 1/πν ≈ 100 at ν = 0.01/π) and
    integrated by the trapezoid rule on ``nodes`` points of |z| ≤ Z, Z² = 1/πν + 50, beyond which
    the weight is below e^{−50} of its peak. The integrand is smooth and decays like a Gaussian,
    so the trapezoid rule converges geometrically in ``nodes``: at ν = 0.01/π on the 256 × 100 grid
    the default 800 nodes and 500 both agree with 4000 to 2e-15. Against the spectral solver
    :func:`solve` (the same problem mapped to [0, 1): v = u/2, ν' = ν/4, v0 = ½ sin 2πx'):
    2e-11 at ν = 0.04 (N = 256, dt = 1e-3), 3e-10 at ν = 0.01/π (N = 2048, dt = 1e-4), max
    norm, t ≤ 1 (tests/solvers/test_solvers_burgers.py checks the first).
    """
    x = as_float64_array("x", x, ndim=(1,))
    t = as_float64_array("t", t, ndim=(1,))
    nu = positive_number("nu", nu)
    nodes = positive_int("nodes", nodes, minimum=8)
    if np.any(t < 0.0):
        raise ValueError("t must be >= 0")
    half_width = np.sqrt(1.0 / (np.pi * nu) + 50.0)
    z = np.linspace(-half_width, half_width, nodes)
    out = np.empty((t.size, x.size))
    for j, tj in enumerate(t):
        if tj == 0.0:
            out[j] = -np.sin(np.pi * x)
            continue
        y = x[:, None] - np.sqrt(4.0 * nu * tj) * z[None, :]  # (n_x, nodes)
        log_w = -(z[None, :] ** 2) - np.cos(np.pi * y) / (2.0 * np.pi * nu)
        w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
        out[j] = -np.sum(np.sin(np.pi * y) * w, axis=1) / np.sum(w, axis=1)
    return out
