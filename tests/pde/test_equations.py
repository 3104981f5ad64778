"""Every benchmark residual vanishes on an exact or manufactured solution (and not on a perturbed one)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde
from pinnrwf.pde import equations

PI = jnp.pi


def _points(key, n, lower, upper):
    lower, upper = jnp.asarray(lower), jnp.asarray(upper)
    return lower + (upper - lower) * jax.random.uniform(key, (n, len(lower)))


def _residuals(eq, u, pts, params=None, inputs=None):
    res = jax.jit(jax.vmap(lambda x: eq.residuals(u, x, params, inputs)))(pts)
    return {k: np.asarray(v) for k, v in res.items()}


def _max_abs(res):
    return max(float(np.max(np.abs(v))) for v in res.values())


# --- advection, eq. K.1: u = g(x − ct) -------------------------------------------------------
def test_advection_vanishes_on_travelling_wave():
    eq = equations.advection(c=50.0)
    u = lambda z: jnp.array([jnp.sin(z[0] - 50.0 * z[1])])
    pts = _points(jax.random.key(0), 512, [0.0, 0.0], [2 * PI, 1.0])
    assert _max_abs(_residuals(eq, u, pts)) < 5e-4 * 50  # float32 rounding of c·cos(x − ct)
    wrong = lambda z: jnp.array([jnp.sin(z[0] - 45.0 * z[1])])
    assert _max_abs(_residuals(eq, wrong, pts)) > 1.0


def test_advection_parameter_is_a_runtime_value():
    eq = equations.advection()
    u = lambda z: jnp.array([jnp.sin(z[0] - 10.0 * z[1])])
    pts = _points(jax.random.key(1), 64, [0.0, 0.0], [2 * PI, 1.0])
    assert _max_abs(_residuals(eq, u, pts, params={"c": 10.0})) < 1e-4 * 10
    assert _max_abs(_residuals(eq, u, pts)) > 1.0  # target c = 50


# --- steady Navier–Stokes, eq. K.14–K.16: Kovasznay flow -------------------------------------
def test_navier_stokes_vanishes_on_kovasznay_flow():
    re = 40.0
    lam = re / 2 - jnp.sqrt(re**2 / 4 + 4 * PI**2)

    def kovasznay(z):
        x, y = z
        e = jnp.exp(lam * x)
        return jnp.array([1 - e * jnp.cos(2 * PI * y), lam / (2 * PI) * e * jnp.sin(2 * PI * y), 0.5 * (1 - e**2)])

    eq = equations.navier_stokes(Re=re)
    assert set(eq.components) == {"u", "v", "c"}
    pts = _points(jax.random.key(2), 512, [-0.5, -0.5], [1.0, 1.5])
    res = _residuals(eq, kovasznay, pts)
    for k, v in res.items():
        assert np.max(np.abs(v)) < 2e-4, k
    # the momentum residuals are O(1) individually, so this is a real cancellation
    wrong = lambda z: kovasznay(z) * jnp.array([1.0, 1.0, 1.1])
    assert np.max(np.abs(_residuals(eq, wrong, pts)["u"])) > 1e-2


# --- diffusion–reaction, eq. L.4 -------------------------------------------------------------
D, K = 0.5, 0.3


def _dr_exact(z):
    x, t = z
    return jnp.array([jnp.sin(PI * x) * (1 - jnp.exp(-t))])


def _dr_source(pt):  # a = u_t − D u_xx − k u²
    s, g = jnp.sin(PI * pt.x), 1 - jnp.exp(-pt.t)
    return s * jnp.exp(-pt.t) + D * PI**2 * s * g - K * (s * g) ** 2


def test_diffusion_reaction_vanishes_with_callable_source():
    eq = equations.diffusion_reaction(D=D, k=K)
    pts = _points(jax.random.key(3), 512, [0.0, 0.0], [1.0, 1.0])
    assert _max_abs(_residuals(eq, _dr_exact, pts, inputs={"a": _dr_source})) < 1e-5
    shifted = lambda pt: _dr_source(pt) + 0.1
    assert _max_abs(_residuals(eq, _dr_exact, pts, inputs={"a": shifted})) > 0.09


def test_diffusion_reaction_source_as_value_or_sensor_interpolant():
    """DeepONet use: a(x) known at sensors; steady u = sin(πx) needs a(x) = Dπ² sin πx − k sin² πx."""
    eq = equations.diffusion_reaction(D=D, k=K)
    u = lambda z: jnp.array([jnp.sin(PI * z[0])])
    a = lambda x: D * PI**2 * jnp.sin(PI * x) - K * jnp.sin(PI * x) ** 2
    pts = _points(jax.random.key(4), 256, [0.0, 0.0], [1.0, 1.0])
    # value passed per point
    res = jax.jit(jax.vmap(lambda z: eq.residuals(u, z, inputs={"a": a(z[0])})["residual"]))(pts)
    assert float(jnp.max(jnp.abs(res))) < 1e-5
    # piecewise-linear interpolant of 101 sensor values: error ≤ h²/8 · max|a″| ≈ 7e-4
    sensors = jnp.linspace(0.0, 1.0, 101)
    interp = pde.LinearInterpolant(sensors, a(sensors), coord="x")
    res = _residuals(eq, u, pts, inputs={"a": interp})
    assert 1e-7 < _max_abs(res) < 1e-3


def test_physics_informed_deeponet_closure_with_per_point_source():
    """DeepONet use: the DSL differentiates the closure y ↦ G(a)(y); a(y) comes per point.
    A toy operator G(a)(x, t) = A sin(πx) for the source a = A Dπ² sin πx − k A² sin² πx."""
    eq = equations.diffusion_reaction(D=D, k=K)
    sensors = jnp.linspace(0.0, 1.0, 16)

    def model(a_sensors, y):  # a toy operator that reads A from the last sensor slot
        amplitude = a_sensors[-1]
        return jnp.array([amplitude * jnp.sin(PI * y[0])])

    def source(amplitude, x):
        return amplitude * D * PI**2 * jnp.sin(PI * x) - K * amplitude**2 * jnp.sin(PI * x) ** 2

    amplitudes = jnp.array([1.0, 2.0])
    a_sensors = jnp.stack([jnp.concatenate([source(A, sensors[:-1]), A[None]]) for A in amplitudes])
    ys = _points(jax.random.key(7), 32, [0.0, 0.0], [1.0, 1.0])

    def residual_loss(a_s, amplitude, source_fn):
        u = lambda y: model(a_s, y)
        per_point = lambda y: eq.residuals(u, y, inputs={"a": source_fn(amplitude, y[0])})["residual"]
        return jnp.mean(jax.vmap(per_point)(ys) ** 2)

    losses = jax.jit(jax.vmap(lambda a_s, A: residual_loss(a_s, A, source)))(a_sensors, amplitudes)
    assert float(jnp.max(losses)) < 1e-10
    swapped = jax.jit(jax.vmap(lambda a_s, A: residual_loss(a_s, 3.0 - A, source)))(a_sensors, amplitudes)
    assert float(jnp.min(swapped)) > 1e-2


# --- Darcy, eq. L.5: a = 1 + x, u = x²/2 + ln(1 + x) − y² gives −∇·(a∇u) = 1 --------------
def _darcy_exact(z):
    x, y = z
    return jnp.array([x**2 / 2 + jnp.log1p(x) - y**2])


def test_darcy_vanishes_on_manufactured_solution():
    eq = equations.darcy()
    pts = _points(jax.random.key(5), 512, [0.0, 0.0], [1.0, 1.0])
    assert _max_abs(_residuals(eq, _darcy_exact, pts, inputs={"a": lambda pt: 1 + pt.x})) < 1e-5
    # the coefficient's gradient matters: a = 2 + x (same a_x, different a) breaks it
    assert _max_abs(_residuals(eq, _darcy_exact, pts, inputs={"a": lambda pt: 2 + pt.x})) > 0.5
    # a coefficient known on a 64×64 mesh (bilinear interpolant, exact for a linear a)
    grid = jnp.linspace(0.0, 1.0, 64)
    mesh = 1 + grid[:, None] + 0 * grid[None, :]
    interp = pde.BilinearInterpolant(mesh, coords=("x", "y"))
    assert _max_abs(_residuals(eq, _darcy_exact, pts, inputs={"a": interp})) < 1e-4


def test_darcy_rejects_a_coefficient_given_as_a_value():
    eq = equations.darcy()
    with pytest.raises(ValueError, match="differentiates it"):
        eq.residuals(_darcy_exact, jnp.array([0.2, 0.3]), inputs={"a": 1.0})


# --- Burgers, eq. L.10: Cole–Hopf u = −2ν φ_x/φ, φ = A + e^{−νk²t} cos kx ---------------------
@pytest.mark.parametrize("nu", [0.01, 0.1])
def test_burgers_vanishes_on_cole_hopf_solution(nu):
    k, A = 2 * PI, 2.0

    def u(z):
        x, t = z
        e = jnp.exp(-nu * k**2 * t)
        return jnp.array([2 * nu * k * e * jnp.sin(k * x) / (A + e * jnp.cos(k * x))])

    eq = equations.burgers(nu=nu)
    pts = _points(jax.random.key(6), 512, [0.0, 0.0], [1.0, 1.0])
    scale = nu * k**2  # size of the individual terms
    assert _max_abs(_residuals(eq, u, pts)) < 1e-5 * max(scale, 1)
    assert _max_abs(_residuals(eq, u, pts, params={"nu": 2 * nu})) > 1e-2 * scale
