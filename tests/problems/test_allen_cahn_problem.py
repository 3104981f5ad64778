"""The Allen–Cahn problem's architectures: PirateNet starts from u(x, 0) (its physics-informed
initialisation), and a PirateNet whose width does not match its Fourier features is refused."""

import dataclasses

import jax
import jax.numpy as jnp
import pytest

from pinnrwf.nn import RWF, Plain
from pinnrwf.problems.allen_cahn import AllenCahn, AllenCahnConfig


@pytest.mark.parametrize("parameterization", [Plain(), RWF(mean=0.5, std=0.1)])
def test_piratenet_starts_as_the_initial_condition_at_every_time(parameterization):
    config = AllenCahnConfig(architecture="piratenet", width=64, fourier_features=32, depth=2, n_initial=128)
    model = AllenCahn().init_model(config, parameterization)(jax.random.PRNGKey(3))
    x = jnp.linspace(-1.0, 1.0, 57)  # not the fitting grid
    exact = x**2 * jnp.cos(jnp.pi * x)
    for t in (0.0, 0.37, 1.0):
        u = jax.vmap(model)(jnp.stack([x, jnp.full_like(x, t)], axis=1))[:, 0]
        assert float(jnp.max(jnp.abs(u - exact))) < 0.1, t
    # the other architectures start far from it: the initialisation is what brings it there
    mlp = AllenCahn().init_model(dataclasses.replace(config, architecture="modified"), parameterization)(
        jax.random.PRNGKey(3)
    )
    u = jax.vmap(mlp)(jnp.stack([x, jnp.zeros_like(x)], axis=1))[:, 0]
    assert float(jnp.max(jnp.abs(u - exact))) > 0.3


@pytest.mark.parametrize("changes", [dict(width=64, fourier_features=16), dict(fourier_scale=0.0)])
def test_a_piratenet_that_cannot_start_from_its_features_is_refused(changes):
    with pytest.raises(ValueError, match=r"^architecture 'piratenet' starts its blocks from the Fourier features"):
        AllenCahnConfig(architecture="piratenet", **{"width": 64, "fourier_features": 32, **changes})
