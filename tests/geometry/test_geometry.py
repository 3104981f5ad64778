"""Properties of every geometry: measure, boundary points and normals, uniformity, parts, bad input.

Runs in float64 (the module's fixture) so that boundary points can be checked to 1e-6.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import enable_x64

from pinnrwf import geometry as G


@pytest.fixture(scope="module", autouse=True)
def x64():
    with enable_x64():
        yield


def draw(sampler, seed=0):
    """One compiled draw (cheaper than op-by-op dispatch)."""
    return jax.jit(sampler.sample)(jax.random.PRNGKey(seed))


def _shapes():
    """name -> (geometry, exact measure); built lazily inside the float64 context."""
    plate = G.Rectangle((0, 0), (2, 1))
    return {
        "interval": (G.Interval(-1, 2), 3.0),
        "rectangle": (G.Rectangle((0, -1), (2, 1)), 4.0),
        "box": (G.Box((0, 0, 0), (1, 2, 3)), 6.0),
        "disk": (G.Disk((0.5, -0.5), 0.7), math.pi * 0.49),
        "ellipse": (G.Ellipse((0, 0), (2, 0.5)), math.pi),
        "ball": (G.Ball((0, 0, 1), 0.5), 4 / 3 * math.pi * 0.125),
        "triangle": (G.Triangle((0, 0), (2, 0), (0, 1)), 1.0),
        "polygon": (G.Polygon([(-1, -1), (0, -1), (0, 0), (1, 0), (1, 1), (-1, 1)]), 3.0),
        "L_difference": (G.Rectangle((-1, -1), (1, 1)) - G.Rectangle((0, -1), (1, 0)), 3.0),
        "two_holes": (
            (plate - G.Disk((0.5, 0.5), 0.2)) - G.Disk((1.5, 0.5), 0.3).named("big"),
            2 - math.pi * (0.04 + 0.09),
        ),
        "quarter_disk": (G.Disk((0, 0), 1) & G.Rectangle((0, 0), (2, 2)), math.pi / 4),
        "union": (G.Rectangle((0, 0), (1, 1)) | G.Rectangle((0.5, 0.5), (1.5, 1.5)), 1.75),
        "nested": (
            (G.Rectangle((0, 0), (1, 1)) | G.Disk((1, 0.5), 0.5)) - G.Triangle((0.2, 0.2), (0.6, 0.2), (0.2, 0.6)),
            1 + math.pi / 8 - 0.08,
        ),
    }


@pytest.fixture(scope="module")
def shapes(x64):
    return _shapes()


NAMES = [
    "interval",
    "rectangle",
    "box",
    "disk",
    "ellipse",
    "ball",
    "triangle",
    "polygon",
    "L_difference",
    "two_holes",
    "quarter_disk",
    "union",
    "nested",
]


@pytest.mark.parametrize("name", NAMES)
def test_measure_boundary_normals_and_interior(shapes, name):
    """Measure against Monte Carlo; boundary points on the boundary with outward unit normals
    (finite differences of the signed distance); interior points inside, fixed shapes under jit."""
    g, exact = shapes[name]
    boundary, interior = G.BoundarySampler(g, 256), G.InteriorSampler(g, 256)
    sd = jax.vmap(g.signed_distance)
    lo, hi = (jnp.asarray(b) for b in g.bounds)
    h = 1e-6 * float(jnp.max(hi - lo))
    mc = 2**14

    @jax.jit
    def check(key):
        x, n = boundary.sample(key)
        outside, inside = sd(x + h * n), sd(x - h * n)
        box = lo + (hi - lo) * jax.random.uniform(jax.random.fold_in(key, 2), (mc, g.dim), dtype=lo.dtype)
        fraction = jnp.mean(jax.vmap(g.contains)(box))
        return x, n, sd(x), outside, inside, interior.sample(key), interior.sample(jax.random.fold_in(key, 1)), fraction

    x, n, on, outside, inside, xi, xi2, q = check(jax.random.PRNGKey(1))
    if g.measure_std_error == 0:  # exact: check it against the fraction of the box inside
        se = float(jnp.sqrt(q * (1 - q) / mc))
        assert abs(float(q) * g.bounding_volume - exact) <= 4 * se * g.bounding_volume + 1e-12
        assert g.measure == pytest.approx(exact, rel=1e-9)
    else:  # estimated at construction, within 4 standard errors
        assert 0 < g.measure_std_error < 0.05 * exact
        assert abs(g.measure - exact) <= 4 * g.measure_std_error
    assert x.shape == n.shape == xi.shape == (256, g.dim) and x.dtype == jnp.float64
    assert float(jnp.max(jnp.abs(on))) <= 1e-6
    assert np.allclose(jnp.linalg.norm(n, axis=1), 1.0, atol=1e-12)
    assert bool(jnp.all(outside > 0)) and bool(jnp.all(inside < 0))  # outward
    slope = (outside - inside) / (2 * h)  # finite-difference normal derivative of the distance
    assert np.mean(np.abs(np.asarray(slope) - 1) < 1e-3) > 0.97
    assert bool(jnp.all(jax.vmap(g.contains)(xi))) and not np.allclose(xi, xi2)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["polygon", "two_holes"])
def test_interior_points_are_uniform_chi_square(shapes, name):
    from scipy import stats

    g, _ = shapes[name]
    (lx, ly), (hx, hy) = g.bounds
    cells = 6
    # expected share of each cell: the fraction of a fine grid of cell-centred points inside
    fine = 240
    gx, gy = np.meshgrid(
        lx + (np.arange(fine) + 0.5) * (hx - lx) / fine, ly + (np.arange(fine) + 0.5) * (hy - ly) / fine, indexing="ij"
    )
    inside = np.asarray(jax.vmap(g.contains)(jnp.stack([gx.ravel(), gy.ravel()], 1))).reshape(fine, fine)
    expected_share = inside.reshape(cells, fine // cells, cells, fine // cells).sum(axis=(1, 3)).ravel() / inside.sum()
    n = 6000
    x = np.asarray(jax.jit(G.InteriorSampler(g, n).sample)(jax.random.PRNGKey(7)))
    ix = np.clip(((x[:, 0] - lx) / (hx - lx) * cells).astype(int), 0, cells - 1)
    iy = np.clip(((x[:, 1] - ly) / (hy - ly) * cells).astype(int), 0, cells - 1)
    counts = np.bincount(ix * cells + iy, minlength=cells * cells)
    full = expected_share * n > 20  # cells well inside; cut cells carry the grid's discretization error
    chi2 = np.sum((counts[full] - n * expected_share[full]) ** 2 / (n * expected_share[full]))
    assert stats.chi2.sf(chi2, full.sum() - 1) > 1e-3, (chi2, full.sum())


def test_boundary_points_split_in_proportion_to_length(shapes):
    g, _ = shapes["two_holes"]
    n = 4000
    x, _ = jax.jit(G.BoundarySampler(g, n).sample)(jax.random.PRNGKey(4))
    on_big = np.asarray(jnp.abs(jnp.linalg.norm(x - jnp.array([1.5, 0.5]), axis=1) - 0.3) < 1e-9)
    share = 2 * math.pi * 0.3 / (6 + 2 * math.pi * 0.5)
    assert abs(on_big.mean() - share) < 4 * math.sqrt(share * (1 - share) / n)


def test_parts_names_and_predicates(shapes):
    g, _ = shapes["two_holes"]
    assert g.parts == ("left", "right", "bottom", "top", "circle", "big")
    x, n = draw(G.BoundarySampler(g, 64, part="big"), 0)
    assert np.allclose(jnp.linalg.norm(x - jnp.array([1.5, 0.5]), axis=1), 0.3)
    assert np.allclose(jnp.sum(n * (x - jnp.array([1.5, 0.5])), axis=1), -0.3)  # outward of the plate: into the hole
    x, _ = draw(G.BoundarySampler(g, 64, part=("left", "right")), 0)
    assert set(np.unique(np.asarray(x[:, 0]))) == {0.0, 2.0}
    x, _ = draw(G.BoundarySampler(g, 64, where=lambda p: p[1] > 0.9), 0)
    assert bool(jnp.all(x[:, 1] > 0.9))
    renamed = G.Rectangle((0, 0), (1, 1)).named({"left": "inlet"})
    assert renamed.parts == ("inlet", "right", "bottom", "top")


def test_quasi_random_interior_points_fresh_each_step(shapes):
    g, _ = shapes["L_difference"]
    samplers = [G.InteriorSampler(g, 128, method) for method in ("sobol", "halton", "lhs")]
    draws = jax.jit(lambda k1, k2: [(s.sample(k1), s.sample(k2)) for s in samplers])(
        jax.random.PRNGKey(0), jax.random.PRNGKey(1)
    )
    for a, b in draws:
        assert a.shape == b.shape == (128, 2) and not np.allclose(a, b)
        assert bool(jnp.all(jax.vmap(g.contains)(a)))


def test_space_time_product():
    with enable_x64():
        g = (G.Disk((0, 0), 1) - G.Disk((0, 0), 0.5)) * G.TimeInterval(0, 2)
        assert g.dim == 3 and g.bounds == ((-1, -1, 0), (1, 1, 2))
        x = draw(G.InteriorSampler(g, 200), 0)
        assert bool(jnp.all(jax.vmap(g.contains)(x)))
        x, n = draw(G.BoundarySampler(g, 200), 0)
        assert np.allclose(n[:, 2], 0) and bool(jnp.all((x[:, 2] >= 0) & (x[:, 2] <= 2)))
        assert float(jnp.max(jnp.abs(jax.vmap(g.space.signed_distance)(x[:, :2])))) < 1e-12
        x0 = draw(G.InitialSampler(g, 50), 0)
        assert np.allclose(x0[:, 2], 0)


@pytest.mark.slow
def test_distance_function_hard_constraint_to_round_off(shapes):
    from pinnrwf.nn import MLP, OutputTransform, Plain

    for name in ("L_difference", "two_holes", "ellipse"):
        g, _ = shapes[name]
        phi = G.distance_function(g)
        boundary, interior = G.BoundarySampler(g, 128), G.InteriorSampler(g, 128)
        on, inside = jax.jit(lambda k: (jax.vmap(phi)(boundary.sample(k)[0]), jax.vmap(phi)(interior.sample(k))))(
            jax.random.PRNGKey(0)
        )
        assert float(jnp.max(jnp.abs(on))) < 1e-9 and bool(jnp.all(inside > 0)), name
    g, _ = shapes["two_holes"]
    value = lambda x: jnp.sin(x[0]) * x[1]  # noqa: E731
    model = OutputTransform(
        MLP(2, 1, width=8, depth=2, parameterization=Plain(), key=jax.random.PRNGKey(0)),
        G.DirichletTransform(G.distance_function(g, part=("left", "big")), value),
    )
    boundary = G.BoundarySampler(g, 64, part=("left", "big"))
    gap = jax.jit(lambda k: (lambda x: jax.vmap(model)(x)[:, 0] - jax.vmap(value)(x))(boundary.sample(k)[0]))
    assert float(jnp.max(jnp.abs(gap(jax.random.PRNGKey(1))))) < 1e-12


def test_bad_input_is_one_line_value_error_naming_the_argument():
    cases = [
        (lambda: G.Disk((0, 0), 0.0), "radius"),
        (lambda: G.Ball((0, 0, 0), -1.0), "radius"),
        (lambda: G.Ellipse((0, 0), (1, -1)), r"semi_axes\[1\]"),
        (lambda: G.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "vertices: edges .* intersect"),
        (lambda: G.Polygon([(0, 0), (1, 0), (2, 0)]), "vertices"),
        (lambda: G.Polygon([(0, 0), (1, 0), (1, 0), (0, 1)]), "vertices: edge 1 .* zero length"),
        (lambda: G.Triangle((0, 0), (1, 1), (2, 2)), "vertices"),
        (lambda: G.Disk((0, 0), 1) - G.Rectangle((-2, -2), (2, 2)), "Difference: the result is empty"),
        (lambda: G.Disk((0, 0), 1) & G.Disk((5, 0), 1), "Intersection: the result is empty"),
        (lambda: G.Disk((0, 0), 1) | G.Ball((0, 0, 0), 1), "Union: b has dimension 3"),
        (
            lambda: G.BoundarySampler(G.Rectangle((0, 0), (1, 1)), 8, part="inlet"),
            "part: 'inlet' is not a boundary part",
        ),
        (lambda: G.BoundarySampler(G.Disk((0, 0), 1), 8, where=lambda x: x[0] > 2), "where: selects no boundary point"),
        (lambda: G.Rectangle((0, 0), (1, 1)).named({"inlet": "x"}), "name: 'inlet' is not a boundary part"),
        (lambda: G.Rectangle((1, 0), (0, 1)), r"lower\[0\] must be < upper\[0\]"),
        (lambda: G.Disk((0, 0, 0), 1), "center"),
        (lambda: G.InteriorSampler(G.Disk((0, 0), 1), 8, "grid"), "method"),
        (lambda: G.TimeInterval(1, 0), "t1"),
        (lambda: G.distance_function(G.Disk((0, 0), 1) | G.Rectangle((0.5, -0.2), (2, 0.2))), "part"),
    ]
    for make, match in cases:
        with pytest.raises(ValueError, match=match) as err:
            make()
        assert "\n" not in str(err.value), str(err.value)
