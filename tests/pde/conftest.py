"""Helpers for the residual-DSL tests: a tiny MLP (independent of pinnrwf.nn)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest


class TinyMLP(eqx.Module):
    """tanh MLP, x: (d_in,) -> (d_out,)."""

    layers: list

    def __init__(self, d_in, d_out, width=16, depth=2, *, key):
        sizes = [d_in] + [width] * depth + [d_out]
        keys = jax.random.split(key, len(sizes) - 1)
        self.layers = [
            (jax.random.normal(k, (o, i)) / jnp.sqrt(i), jnp.zeros(o)) for k, i, o in zip(keys, sizes[:-1], sizes[1:])
        ]

    def __call__(self, x):
        for w, b in self.layers[:-1]:
            x = jnp.tanh(w @ x + b)
        w, b = self.layers[-1]
        return w @ x + b


@pytest.fixture
def tiny_mlp():
    return TinyMLP
