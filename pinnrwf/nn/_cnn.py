"""Convolutional branch networks for DeepONets (rwf_paper App. L.2: a CNN over the Darcy coefficient).

The paper does not specify its CNN. :class:`CNN` is a small strided-convolution encoder in the
spirit of the closest public DeepONet CNN branch (Lu et al. 2022, ``deeponet-fno``: strided 5×5
convolutions, flatten, two dense layers), made cheaper for 64 × 64 inputs:

    (C, H, W) → [Conv k×k, stride s, "SAME" → σ] × len(channels) → flatten
              → [Dense → σ] × len(hidden) → Dense

With the defaults on a 1 × 64 × 64 field: 16, 32, 64, 128 channels of 3 × 3 convolutions with
stride 2 (64 → 32 → 16 → 8 → 4), flatten (2048), Dense 128 + σ, Dense ``out_size``: ≈ 4·10⁶
multiply–adds per field.

A convolution is the ``(out, kh·kw·in)`` matrix of a pluggable weight module
(:class:`~pinnrwf.nn.AbstractWeight`) applied to every patch, so every dense parameterization
applies to it unchanged: RWF and weight normalization put one scale per output channel, adaptive
activations one slope per channel. By default only the dense layers are parameterized (rwf_paper
App. L remark: "applied to every dense layer"); ``conv_parameterization`` parameterizes the
convolutions too. Feature maps are channels-last ``(H, W, C)`` inside the network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from pinnrwf._validation import positive_int

from ._activations import AbstractActivation, activation_function
from ._linear import Linear, _check_finite_weight, check_parameterization
from ._mlp import Parameterizations, per_layer
from ._parameterizations import Plain
from ._weights import AbstractWeight


def _pair(name: str, value) -> tuple[int, int]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(f"{name} must be a positive integer or a pair of them, got {value!r}")
        return positive_int(f"{name}[0]", value[0]), positive_int(f"{name}[1]", value[1])
    v = positive_int(name, value)
    return v, v


class Conv2d(eqx.Module):
    """y = W ⋆ x + b, a 2D convolution (cross-correlation, as ``eqx.nn.Conv2d``) computed as the
    effective ``(out, kh·kw·in)`` matrix of a pluggable weight module applied to every patch.

    Channels-last: ``__call__`` maps x ``(H, W, in_channels)`` → ``(H', W', out_channels)``, with
    ⌈H / stride⌉ × ⌈W / stride⌉ outputs for ``padding="SAME"`` (XLA's split of the padding). The
    patches are strided slices and the product a matrix multiply: under ``jax.grad`` inside
    ``lax.scan`` (the training engine) XLA:CPU runs this ≈ 6× faster than its own convolution,
    whose backward pass is slow in loop bodies (jax-ml/jax#12868).

    Initialisation: Glorot normal with the convolution's fans, W ~ N(0, 2 / ((in + out)·kh·kw)),
    re-expressed by ``parameterization`` (so the effective kernel starts equal to it); zero bias.
    """

    weight: AbstractWeight
    bias: Float[Array, " out"]
    in_channels: int = eqx.field(static=True)
    out_channels: int = eqx.field(static=True)
    kernel_size: tuple[int, int] = eqx.field(static=True)
    stride: tuple[int, int] = eqx.field(static=True)
    padding: str = eqx.field(static=True)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: str = "SAME",
        parameterization=Plain(),
        key: PRNGKeyArray,
    ):
        self.in_channels = positive_int("in_channels", in_channels)
        self.out_channels = positive_int("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = _pair("stride", stride)
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
        self.padding = padding
        parameterization = check_parameterization(parameterization)
        taps = self.kernel_size[0] * self.kernel_size[1]
        wkey, pkey = jax.random.split(key)
        std = math.sqrt(2.0 / ((in_channels + out_channels) * taps))
        w0 = std * jax.random.normal(wkey, (out_channels, taps * in_channels))
        self.weight = parameterization.make_weight(w0, key=pkey)
        _check_finite_weight(self.weight(), parameterization, taps * in_channels, out_channels)
        self.bias = jnp.zeros((out_channels,))

    def effective_kernel(self) -> Float[Array, "out in kh kw"]:
        """The kernel actually applied, in ``eqx.nn.Conv2d``'s layout ``(out, in, kh, kw)``."""
        kh, kw = self.kernel_size
        return self.weight().reshape(self.out_channels, kh, kw, self.in_channels).transpose(0, 3, 1, 2)

    def output_shape(self, height: int, width: int) -> tuple[int, int]:
        """Spatial output size for an input of ``height × width``."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if self.padding == "SAME":
            return -(-height // sh), -(-width // sw)
        return (height - kh) // sh + 1, (width - kw) // sw + 1

    def patches(self, x: Float[Array, "h w c"]) -> Float[Array, "hh ww k"]:
        """Every kh × kw patch, flattened in (kh, kw, in) order: ``(H', W', kh·kw·in)``."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        h, w, _ = x.shape
        ho, wo = self.output_shape(h, w)
        if self.padding == "SAME":
            ph, pw = max((ho - 1) * sh + kh - h, 0), max((wo - 1) * sw + kw - w, 0)
            x = jnp.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
        taps = [x[i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] for i in range(kh) for j in range(kw)]
        return jnp.concatenate(taps, axis=-1)

    def __call__(self, x: Float[Array, "h w c"]) -> Float[Array, "hh ww o"]:
        if x.ndim != 3 or x.shape[-1] != self.in_channels:
            raise ValueError(
                f"Conv2d expects one channels-last example of shape (H, W, {self.in_channels}), got {x.shape}"
            )
        if self.padding == "VALID" and (x.shape[0] < self.kernel_size[0] or x.shape[1] < self.kernel_size[1]):
            raise ValueError(f"Conv2d: input {x.shape[:2]} is smaller than the kernel {self.kernel_size}")
        return self.patches(x) @ self.weight().T + self.bias


class CNN(eqx.Module):
    """A convolutional encoder ``(C·H·W,) → (out_size,)``, e.g. a DeepONet branch over a 2D field.

        x → reshape (C, H, W) → [Conv(k, stride) → σ]* → flatten → [Linear → σ]* → Linear

    ``channels``: output channels of the convolutions; ``hidden``: widths of the dense hidden
    layers. ``parameterization`` applies to every dense layer (one, or a sequence of
    ``len(hidden) + 1``) and picks their activations (adaptive activation: a slope per neuron);
    ``conv_parameterization`` to the convolutions (one, or one per convolution; default
    ``Plain()``), with one slope per channel for adaptive activation.

    ``__call__``: the field flattened in C-order, ``(in_size,)``, or shaped ``in_shape``
    → ``(out_size,)``.
    """

    convs: tuple[Conv2d, ...]
    conv_activations: tuple[AbstractActivation, ...]
    layers: tuple[Linear, ...]
    activations: tuple[AbstractActivation, ...]
    in_shape: tuple[int, int, int] = eqx.field(static=True)
    in_size: int = eqx.field(static=True)
    out_size: int = eqx.field(static=True)

    def __init__(
        self,
        in_shape: tuple[int, int, int],
        out_size: int,
        *,
        channels: Sequence[int] = (16, 32, 64, 128),
        kernel_size: int = 3,
        stride: int = 2,
        hidden: Sequence[int] = (128,),
        parameterization: Parameterizations = Plain(),
        conv_parameterization: Parameterizations = Plain(),
        activation: str | Callable = jax.nn.gelu,
        key: PRNGKeyArray,
    ):
        if not isinstance(in_shape, Sequence) or len(in_shape) != 3:
            raise ValueError(f"in_shape must be (channels, height, width), got {in_shape!r}")
        self.in_shape = tuple(positive_int(f"in_shape[{i}]", v) for i, v in enumerate(in_shape))
        self.in_size = math.prod(self.in_shape)
        self.out_size = positive_int("out_size", out_size)
        channels = tuple(positive_int(f"channels[{i}]", c) for i, c in enumerate(channels))
        hidden = tuple(positive_int(f"hidden[{i}]", h) for i, h in enumerate(hidden))
        activation = activation_function(activation)
        conv_params = per_layer(conv_parameterization, len(channels)) if channels else ()
        dense_params = per_layer(parameterization, len(hidden) + 1)
        ckey, dkey = jax.random.split(key)
        convs, c, h, w = [], self.in_shape[0], self.in_shape[1], self.in_shape[2]
        for i, (out, k) in enumerate(zip(channels, jax.random.split(ckey, max(len(channels), 1)))):
            conv = Conv2d(c, out, kernel_size, stride=stride, parameterization=conv_params[i], key=k)
            convs.append(conv)
            (h, w), c = conv.output_shape(h, w), out
        self.convs = tuple(convs)
        self.conv_activations = tuple(p.make_activation(activation, n) for p, n in zip(conv_params, channels))
        sizes = [c * h * w, *hidden, self.out_size]
        keys = jax.random.split(dkey, len(sizes) - 1)
        self.layers = tuple(Linear(sizes[i], sizes[i + 1], dense_params[i], key=keys[i]) for i in range(len(sizes) - 1))
        self.activations = tuple(p.make_activation(activation, n) for p, n in zip(dense_params, hidden))

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        if x.shape not in ((self.in_size,), self.in_shape):
            raise ValueError(
                f"CNN expects one example of shape ({self.in_size},) or {self.in_shape}, got {x.shape}; "
                "vmap over batches"
            )
        h = jnp.moveaxis(x.reshape(self.in_shape), 0, -1)  # channels-last inside
        for conv, act in zip(self.convs, self.conv_activations):
            h = act(conv(h))  # a per-neuron activation (adaptive slope) acts per channel
        h = h.reshape(-1)
        for layer, act in zip(self.layers[:-1], self.activations):
            h = act(layer(h))
        return self.layers[-1](h)
