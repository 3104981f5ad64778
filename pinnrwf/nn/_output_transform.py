"""Hard constraints: a network whose output is mapped by a fixed function of the input point.

``OutputTransform(network, transform)`` is ``x ↦ transform(x, network(x))``. With e.g.

    u(x, t) = sin(πx) + t · x(1 − x) · N(x, t)

the initial condition u(x, 0) = sin πx and the boundary values u(0, t) = u(1, t) = 0 hold exactly
for every network N (up to floating-point round-off), so those loss terms can be dropped. The
wrapper is an ordinary module: it works with every architecture and parameterization, and the
residual DSL differentiates it as a function of x like any other model.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import equinox as eqx
from jaxtyping import Array, Float

from pinnrwf._validation import function


def _check_two_arguments(transform: Callable) -> None:
    """``transform`` is called as ``transform(x, u)``: refuse one that cannot take two arguments."""
    try:
        signature = inspect.signature(transform)
    except (TypeError, ValueError):  # some builtins have no signature: checked at the first call
        return
    try:
        signature.bind(None, None)
    except TypeError:
        name = getattr(transform, "__name__", type(transform).__name__)
        raise ValueError(
            f"OutputTransform: transform must take two arguments, transform(x, u) -> u' (the point "
            f"and the network's output), got {name}{signature}"
        ) from None


class OutputTransform(eqx.Module):
    """``model(x) = transform(x, network(x))``: a hard-constrained network.

    Args:
        network: the network, ``network(x) -> (n,)`` (an ``MLP``, ``ModifiedMLP``, …), or an
            operator network ``network(a, y) -> (n,)``; the point passed to ``transform`` is the
            *last* argument (the query point y of a DeepONet).
        transform: ``transform(x, u) -> u'`` with ``x`` the point (d,) and ``u`` the network's
            output (n,); it must return the same shape (n,). A plain function, or a module: the
            array leaves of a module are trained like the network's (wrap fixed data in
            ``jax.lax.stop_gradient`` inside ``transform`` to keep it fixed).
    """

    network: Callable
    transform: Callable

    def __init__(self, network: Callable, transform: Callable[[Array, Array], Array]):
        self.network = function("OutputTransform: network", network)
        self.transform = function("OutputTransform: transform", transform)
        _check_two_arguments(transform)

    def __call__(self, *args) -> Float[Array, " n"]:
        if not args:
            raise ValueError("OutputTransform expects the point x (or, for an operator network, (a, y))")
        u = self.network(*args)
        out = self.transform(args[-1], u)
        shape = getattr(out, "shape", None)
        if shape != u.shape:
            raise ValueError(
                f"OutputTransform: transform(x, u) must return the shape of the network's output {u.shape}, got {shape}"
            )
        return out
