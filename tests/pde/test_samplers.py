"""Every sampler: fixed shape, inside the domain, deterministic per key, fresh across keys."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pinnrwf import pde

DOMAIN = pde.Domain({"x": (0.0, 2 * np.pi), "y": (-1.0, 1.0), "t": (0.0, 0.5)})
SAMPLERS = {
    "interval": pde.Domain({"x": (2.0, 3.0)}).interior(64),
    "box": DOMAIN.interior(96),
    "chunked": DOMAIN.interior(96, chunks=8),
    "initial": DOMAIN.initial(32),
    "face": DOMAIN.face("y", "upper", 32),
    "boundary": DOMAIN.boundary(30),
    "grid": DOMAIN.grid(x=4, y=3, t=2),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampler_properties(name):
    s = SAMPLERS[name]
    a = eqx.filter_jit(lambda s, k: s.sample(k))(s, jax.random.key(0))
    b = s.sample(jax.random.key(1))
    assert a.shape == b.shape == (s.num_points, len(s.domain.coords)) and a.dtype == jnp.float32
    lo, hi = np.float32(s.domain.lower), np.float32(s.domain.upper)
    assert np.all((np.asarray(a) >= lo) & (np.asarray(a) <= hi))
    np.testing.assert_array_equal(a, s.sample(jax.random.key(0)))
    assert np.allclose(a, b) == (name == "grid")


def test_faces_and_slices_fix_their_coordinate():
    assert np.all(SAMPLERS["initial"].sample(jax.random.key(0))[:, 2] == 0.0)
    assert np.all(SAMPLERS["face"].sample(jax.random.key(0))[:, 1] == 1.0)
    pts = np.asarray(SAMPLERS["boundary"].sample(jax.random.key(0)))
    # 4 spatial faces (x lo/hi, y lo/hi; t is time), 30 = 8 + 8 + 7 + 7 points
    counts = [np.sum(pts[:, 0] == 0.0), np.sum(pts[:, 0] == np.float32(2 * np.pi)), np.sum(pts[:, 1] == -1.0), np.sum(pts[:, 1] == 1.0)]
    assert counts == [8, 8, 7, 7]


def test_grid_covers_endpoints():
    g = np.asarray(SAMPLERS["grid"].points)
    assert g.shape == (24, 3)
    assert set(np.round(g[:, 1], 6)) == {-1.0, 0.0, 1.0} and set(g[:, 2]) == {0.0, 0.5}
