"""Deep operator networks: DeepONet (rwf_paper eq. L.1) and modified DeepONet (eq. L.14–L.20)."""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import function, positive_int

from ._activations import AbstractActivation, activation_function
from ._embeddings import AbstractEmbedding
from ._linear import Linear
from ._mlp import MLP, Parameterizations, _check_embedding, _check_input, per_layer
from ._parameterizations import Plain


def _check_latent(latent_size: int, num_outputs: int, name: str = "latent_size") -> None:
    """The latent axis splits into ``num_outputs`` equal groups; ``name``: the argument that sets its size."""
    if latent_size % num_outputs:
        raise ValueError(
            f"{name} ({latent_size}) must be divisible by num_outputs ({num_outputs}): the latent axis of "
            f"size {name} splits into one equal group per output"
        )


def _merge(b: Array, t: Array, num_outputs: int) -> Array:
    """Σ_k b_k t_k over each of ``num_outputs`` equal groups of the latent axis."""
    return jnp.sum((b * t).reshape(num_outputs, -1), axis=1)


class DeepONet(eqx.Module):
    """G(a)(y) = Σ_k b_k(a(x₁), ..., a(x_m)) t_k(y) + b₀   (eq. L.1, with an output bias).

    The branch is any module ``(sensor_size,) → (latent_size,)`` (an MLP by default; pass
    ``branch=`` for e.g. a CNN branch); the trunk is an MLP ``(coord_size,) → (latent_size,)``
    with an optional embedding (e.g. the periodic embedding of eq. L.9). Both use
    ``parameterization`` on every dense layer (App. L remark). With ``num_outputs`` = n the
    latent axis is split into n groups, one per output field.

    ``__call__(a, y)``: a ``(sensor_size,)``, y ``(coord_size,)`` → ``(num_outputs,)``.
    """

    branch: eqx.Module
    trunk: MLP
    bias: Float[Array, " n"]
    sensor_size: int = eqx.field(static=True)
    coord_size: int = eqx.field(static=True)
    num_outputs: int = eqx.field(static=True)

    def __init__(
        self,
        sensor_size: int,
        coord_size: int,
        latent_size: int,
        width: int,
        depth: int,
        parameterization: Parameterizations = Plain(),
        *,
        activation: str | Callable = jnp.tanh,
        branch: eqx.Module | None = None,
        trunk_embedding: AbstractEmbedding | None = None,
        num_outputs: int = 1,
        key: PRNGKeyArray,
    ):
        self.sensor_size = positive_int("sensor_size", sensor_size)
        self.coord_size = positive_int("coord_size", coord_size)
        positive_int("latent_size", latent_size)
        self.num_outputs = positive_int("num_outputs", num_outputs)
        _check_latent(latent_size, num_outputs)
        activation = activation_function(activation)
        bkey, tkey = jax.random.split(key)
        if branch is None:
            branch = MLP(sensor_size, latent_size, width, depth, parameterization, activation=activation, key=bkey)
        function("branch", branch)
        branch_out = jax.eval_shape(branch, jax.ShapeDtypeStruct((sensor_size,), jnp.result_type(float)))
        if getattr(branch_out, "shape", None) != (latent_size,):
            raise ValueError(
                f"branch must map ({sensor_size},) sensor values to ({latent_size},) = (latent_size,), "
                f"got output {getattr(branch_out, 'shape', branch_out)}"
            )
        self.branch = branch
        self.trunk = MLP(
            coord_size,
            latent_size,
            width,
            depth,
            parameterization,
            activation=activation,
            embedding=trunk_embedding,
            key=tkey,
        )
        self.bias = jnp.zeros((num_outputs,))

    def __call__(self, a: Float[Array, " m"], y: Float[Array, " d"]) -> Float[Array, " n"]:
        _check_input(a, self.sensor_size, "DeepONet branch (sensor values a)")
        _check_input(y, self.coord_size, "DeepONet trunk (query point y)")
        return _merge(self.branch(a), self.trunk(y), self.num_outputs) + self.bias


class ModifiedDeepONet(eqx.Module):
    """Modified DeepONet (Wang et al. 2021; rwf_paper eq. L.14–L.20).

        U = φ(W_a a + b_a),  V = φ(W_y y + b_y)                              (L.14)
        H_a⁰ = a, H_y⁰ = y;  for l = 1..L−1:                                 (L.15–L.16)
            Z_a = φ(W_a⁽ˡ⁾ H_a + b_a⁽ˡ⁾),  H_a ← (1 − Z_a) ⊙ U + Z_a ⊙ V       (L.17)
            Z_y = φ(W_y⁽ˡ⁾ H_y + b_y⁽ˡ⁾),  H_y ← (1 − Z_y) ⊙ U + Z_y ⊙ V       (L.18)
        H_a⁽ᴸ⁾ = φ(W_a⁽ᴸ⁾ H_a + b_a⁽ᴸ⁾),  H_y⁽ᴸ⁾ = φ(W_y⁽ᴸ⁾ H_y + b_y⁽ᴸ⁾)        (L.19)
        G(a)(y) = ⟨H_a⁽ᴸ⁾, H_y⁽ᴸ⁾⟩                                           (L.20)

    The paper's layer indices overlap between L.15 and L.19; we read them as above (every
    hidden layer gated, the last one activated, as in the authors' code) with ``depth`` = L
    dense layers per sub-network. y is embedded first (``trunk_embedding``, e.g. eq. L.9).
    ``reference_gate=True`` uses the gate of the authors' code instead, H ← Z ⊙ U + (1 − Z) ⊙ V
    (ImprovedDeepONets ``modified_deeponet``; not equivalent under tanh).
    ``__call__(a, y)`` → ``(num_outputs,)``.
    """

    trunk_embedding: AbstractEmbedding
    encoder_a: Linear
    encoder_y: Linear
    branch_layers: tuple[Linear, ...]
    trunk_layers: tuple[Linear, ...]
    activations: tuple[AbstractActivation, ...]
    sensor_size: int = eqx.field(static=True)
    coord_size: int = eqx.field(static=True)
    num_outputs: int = eqx.field(static=True)
    reference_gate: bool = eqx.field(static=True)

    def __init__(
        self,
        sensor_size: int,
        coord_size: int,
        width: int,
        depth: int,
        parameterization: Parameterizations = Plain(),
        *,
        activation: str | Callable = jnp.tanh,
        trunk_embedding: AbstractEmbedding | None = None,
        num_outputs: int = 1,
        reference_gate: bool = False,
        key: PRNGKeyArray,
    ):
        self.sensor_size = positive_int("sensor_size", sensor_size)
        self.coord_size = positive_int("coord_size", coord_size)
        if not isinstance(reference_gate, bool):
            raise ValueError(f"reference_gate must be True or False, got {reference_gate!r}")
        self.reference_gate = reference_gate
        positive_int("width", width)
        positive_int("depth", depth)
        self.num_outputs = positive_int("num_outputs", num_outputs)
        _check_latent(width, num_outputs, "width")
        activation = activation_function(activation)
        self.trunk_embedding = _check_embedding(trunk_embedding, coord_size)
        d = self.trunk_embedding.out_size
        n_dense = 2 + 2 * depth
        params = per_layer(parameterization, n_dense)
        keys = jax.random.split(key, n_dense)
        self.encoder_a = Linear(sensor_size, width, params[0], key=keys[0])
        self.encoder_y = Linear(d, width, params[1], key=keys[1])
        b_sizes = [sensor_size] + [width] * depth
        t_sizes = [d] + [width] * depth
        self.branch_layers = tuple(Linear(b_sizes[i], width, params[2 + i], key=keys[2 + i]) for i in range(depth))
        self.trunk_layers = tuple(
            Linear(t_sizes[i], width, params[2 + depth + i], key=keys[2 + depth + i]) for i in range(depth)
        )
        self.activations = tuple(p.make_activation(activation, width) for p in params)

    def __call__(self, a: Float[Array, " m"], y: Float[Array, " d"]) -> Float[Array, " n"]:
        _check_input(a, self.sensor_size, "ModifiedDeepONet branch (sensor values a)")
        _check_input(y, self.coord_size, "ModifiedDeepONet trunk (query point y)")
        y = self.trunk_embedding(y)
        depth = len(self.branch_layers)
        act_a, act_y = self.activations[0], self.activations[1]
        act_branch = self.activations[2 : 2 + depth]
        act_trunk = self.activations[2 + depth :]
        u = act_a(self.encoder_a(a))
        v = act_y(self.encoder_y(y))
        # paper (L.17–L.18): (1 − Z) ⊙ U + Z ⊙ V; the authors' code: Z ⊙ U + (1 − Z) ⊙ V, i.e. U ↔ V
        first, second = (v, u) if self.reference_gate else (u, v)

        def tower(h, layers, acts):
            for layer, act in zip(layers[:-1], acts[:-1]):
                z = act(layer(h))
                h = (1 - z) * first + z * second
            return acts[-1](layers[-1](h))

        h_a = tower(a, self.branch_layers, act_branch)
        h_y = tower(y, self.trunk_layers, act_trunk)
        return _merge(h_a, h_y, self.num_outputs)
