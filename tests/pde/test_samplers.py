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
    "union": pde.Union(
        [DOMAIN.face("x", "lower", 8), pde.Domain({"x": (0.0, 1.0), "y": (-1.0, 0.0), "t": (0.0, 0.5)}).interior(12)]
    ),
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
    counts = [
        np.sum(pts[:, 0] == 0.0),
        np.sum(pts[:, 0] == np.float32(2 * np.pi)),
        np.sum(pts[:, 1] == -1.0),
        np.sum(pts[:, 1] == 1.0),
    ]
    assert counts == [8, 8, 7, 7]


def test_grid_covers_endpoints():
    g = np.asarray(SAMPLERS["grid"].points)
    assert g.shape == (24, 3)
    assert set(np.round(g[:, 1], 6)) == {-1.0, 0.0, 1.0} and set(g[:, 2]) == {0.0, 0.5}


def test_union_of_a_boxes_faces_is_its_boundary():
    box = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 2.0)})
    faces = [
        box.face(c, side, n)
        for (c, side), n in zip([("x", "lower"), ("x", "upper"), ("y", "lower"), ("y", "upper")], [8, 7, 7, 7])
    ]
    key = jax.random.key(5)
    np.testing.assert_array_equal(pde.Union(faces).sample(key), box.boundary(29).sample(key))


def test_union_keeps_each_part_in_its_own_region():
    sides = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 0.9)})
    union = pde.Union([sides.face("x", "lower", 50), DOMAIN_2D.face("y", "upper", 30)])
    pts = np.asarray(union.sample(jax.random.key(0)))
    assert union.num_points == 80 and pts.shape == (80, 2)
    assert np.all(pts[:50, 0] == 0.0) and pts[:50, 1].max() <= 0.9 and pts[:50, 1].max() > 0.8
    assert np.all(pts[50:, 1] == 1.0)


DOMAIN_2D = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})


def test_trimmed_boundary_leaves_the_margins_of_the_other_faces_and_keeps_the_counts():
    boundary, key = DOMAIN_2D.boundary(258), jax.random.key(3)
    np.testing.assert_array_equal(boundary.trimmed(y=(0.0, 0.0)).sample(key), boundary.sample(key))
    trimmed = boundary.trimmed(y=(0.1, 0.05))
    pts, full = np.asarray(trimmed.sample(key)), np.asarray(boundary.sample(key))
    assert trimmed.num_points == 258 and pts.shape == full.shape
    sides = np.isin(pts[:, 0], [0.0, 1.0]) & ~np.isin(pts[:, 1], [0.0, 1.0])
    assert sides.sum() == 130 and pts[sides, 1].min() >= 0.1 and pts[sides, 1].max() <= 0.95
    assert np.sum(pts[:, 1] == 1.0) == np.sum(full[:, 1] == 1.0) == 64  # the faces across y keep their width
    np.testing.assert_array_equal(pts[pts[:, 1] == 1.0], full[full[:, 1] == 1.0])


@pytest.mark.parametrize(
    "margins, match",
    [
        ({"z": (0.0, 0.1)}, "unknown coordinate 'z'"),
        ({"y": (-0.1, 0.0)}, "y margin below must be"),
        ({"y": (0.5, 0.5)}, "must have lo < hi"),
    ],
)
def test_trimmed_boundary_bad_margins(margins, match):
    with pytest.raises(ValueError, match=match):
        DOMAIN_2D.boundary(8).trimmed(**margins)


@pytest.mark.parametrize(
    "samplers, match",
    [
        ([], "non-empty list"),
        ("face", "non-empty list"),
        ([DOMAIN_2D.face("x", "lower", 4), "face"], r"samplers\[1\] must be a sampler"),
        ([DOMAIN_2D.face("x", "lower", 4), DOMAIN.face("x", "lower", 4)], r"samplers\[1\] has coordinates"),
    ],
)
def test_union_bad_input(samplers, match):
    with pytest.raises(ValueError, match=match):
        pde.Union(samplers)
