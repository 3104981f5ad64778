"""Bad arguments to the residual DSL fail when the object is made (or the objective assembled),
with a ValueError naming the parameter — and, for terms, their key in the terms dict.

One table: (description, call, expected exception, fragment of its message). A new option gets
a case by adding a row.
"""

import jax
import jax.numpy as jnp
import pytest

from pinnrwf import pde

D = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
EQ = pde.Equation(coords=("x", "t"), fields=("u",), params={"c": 1.0}, residual=lambda p: p.u_t + p.c * p.u_x)
R = pde.Residual(D.interior(8))


def _objective(**terms):
    return pde.PINNObjective(EQ, {"r": R, **terms})


class _VectorLoss(pde.AbstractTerm):
    """A user's term whose loss is a vector (it forgot the mean)."""

    weight: float = 1.0

    def components(self, equation):
        return None

    def sample(self, key):
        return jnp.zeros((4, 2))

    def losses(self, equation, model, batch, params, inputs):
        return {"": jnp.sum(jax.vmap(model)(batch) ** 2, axis=1)}, {}


def _vector_loss():
    objective = _objective(data=_VectorLoss())
    model = lambda x: x[:1]  # noqa: E731
    objective.loss_terms(model, objective.sample(jax.random.PRNGKey(0)), jnp.int32(0))


CASES = [
    # domains and samplers
    ("domain reversed bounds", lambda: pde.Domain({"x": (1.0, 0.0)}), ValueError, "lo < hi"),
    ("domain bound not a pair", lambda: pde.Domain({"x": (0.0,)}), ValueError, "must be a pair (lo, hi)"),
    ("domain without coordinates", lambda: pde.Domain({}), ValueError, "non-empty mapping"),
    ("domain unknown time", lambda: pde.Domain({"x": (0, 1)}, time="s"), ValueError, "time='s'"),
    ("interior zero points", lambda: D.interior(0), ValueError, "n must be ≥ 1, got 0"),
    ("interior fractional points", lambda: D.interior(2.5), ValueError, "n must be an integer, got 2.5"),
    ("interior zero chunks", lambda: D.interior(8, chunks=0), ValueError, "chunks must be ≥ 1"),
    ("interior chunks not dividing n", lambda: D.interior(10, chunks=3), ValueError, "multiple of chunks"),
    ("face unknown side", lambda: D.face("x", "left", 8), ValueError, "side must be one of 'lower', 'upper'"),
    ("face unknown coordinate", lambda: D.face("z", "lower", 8), ValueError, "unknown coordinate 'z'"),
    ("boundary fewer points than faces", lambda: D.boundary(1), ValueError, "fewer than the 2 faces"),
    ("sampler without a domain", lambda: pde.Uniform("box", 8), ValueError, "domain must be a pinnrwf.pde.Domain"),
    ("grid one point", lambda: D.grid(x=1, t=3), ValueError, "grid: x must be ≥ 2, got 1"),
    ("grid fractional count", lambda: D.grid(x=2.5, t=3), ValueError, "grid: x must be an integer"),
    ("grid missing coordinate", lambda: D.grid(x=4), ValueError, "give a count for each coordinate"),
    ("points not finite", lambda: pde.Points(D, [[0.0, jnp.nan]]), ValueError, "points must be finite"),
    # equations
    (
        "equation non-finite parameter",
        lambda: pde.Equation(("x",), ("u",), lambda p: p.u, params={"c": "fast"}),
        ValueError,
        "params['c'] must be a finite number",
    ),
    (
        "equation params not a mapping",
        lambda: pde.Equation(("x",), ("u",), lambda p: p.u, params=[1.0]),
        ValueError,
        "params must be a mapping",
    ),
    (
        "equation residual not callable",
        lambda: pde.Equation(("x",), ("u",), "u_x"),
        ValueError,
        "residual must be a callable",
    ),
    (
        "misspelled parameter at evaluation",
        lambda: EQ.residuals(lambda y: y[:1], jnp.ones(2), {"kk": 5.0}),
        ValueError,
        "unknown parameter 'kk'; the equation's parameters are ('c',)",
    ),
    # terms
    ("negative weight", lambda: pde.Residual(D.interior(8), weight=-1.0), ValueError, "weight must be ≥ 0"),
    (
        "weight not a number",
        lambda: pde.Residual(D.interior(8), weight="big"),
        ValueError,
        "weight must be a finite number",
    ),
    (
        "nan component weight",
        lambda: pde.Residual(D.interior(8), weight={"u": float("nan")}),
        ValueError,
        "weight['u'] must be a finite number",
    ),
    (
        "residual sampler not a sampler",
        lambda: pde.Residual([[0.0, 0.0]]),
        ValueError,
        "sampler must be a pinnrwf.pde sampler",
    ),
    (
        "causal not a Causal",
        lambda: pde.Residual(D.interior(8), causal=(4, 1.0)),
        ValueError,
        "causal must be a pinnrwf.pde.Causal",
    ),
    ("causal zero chunks", lambda: pde.Causal(0, 1.0), ValueError, "Causal: chunks (M) must be ≥ 1"),
    ("causal negative epsilon", lambda: pde.Causal(4, -1.0), ValueError, "Causal: epsilon (ε) must be ≥ 0"),
    (
        "dirichlet value not callable",
        lambda: pde.Dirichlet(0.0, D.boundary(4)),
        ValueError,
        "value must be a callable of the point's coordinates",
    ),
    (
        "dirichlet empty fields",
        lambda: pde.Dirichlet(lambda pt: 0.0, D.boundary(4), fields=()),
        ValueError,
        "fields must be a non-empty sequence",
    ),
    (
        "neumann unknown coordinate",
        lambda: pde.Neumann(lambda pt: 0.0, D.face("x", "upper", 4), coord="z"),
        ValueError,
        "Neumann: coord 'z'",
    ),
    (
        "periodic negative derivatives",
        lambda: pde.Periodic(D, "x", 8, derivatives=-1),
        ValueError,
        "Periodic: derivatives must be ≥ 0",
    ),
    ("periodic unknown coordinate", lambda: pde.Periodic(D, "z", 8), ValueError, "unknown coordinate 'z'"),
    (
        "data fit batch larger than the data",
        lambda: pde.DataFit(jnp.zeros((10, 2)), jnp.zeros(10), "u", batch_size=11),
        ValueError,
        "DataFit: batch_size must be ≤ 10",
    ),
    (
        "data fit zero batch",
        lambda: pde.DataFit(jnp.zeros((10, 2)), jnp.zeros(10), "u", batch_size=0),
        ValueError,
        "DataFit: batch_size must be ≥ 1",
    ),
    (
        "data fit nan values",
        lambda: pde.DataFit(jnp.zeros((2, 2)), jnp.array([0.0, jnp.nan]), "u"),
        ValueError,
        "must be finite",
    ),
    # objective: a term's error names its key
    (
        "second of two Dirichlet terms",
        lambda: _objective(
            bc_left=pde.Dirichlet(lambda pt: 0.0, D.face("x", "lower", 4)),
            bc_right=pde.Dirichlet(lambda pt: {"w": 0.0}, D.face("x", "upper", 4)),
        ),
        ValueError,
        "terms['bc_right'] (Dirichlet): Dirichlet: unknown fields ['w']",
    ),
    (
        "initial condition on the wrong face",
        lambda: _objective(ic=pde.InitialCondition(lambda pt: 0.0, D.face("t", "upper", 4))),
        ValueError,
        "terms['ic'] (InitialCondition)",
    ),
    (
        "schedules not a mapping",
        lambda: pde.PINNObjective(EQ, {"r": R}, schedules=[lambda s: 1.0]),
        ValueError,
        "schedules must be a mapping",
    ),
    (
        "schedule missing the target",
        lambda: pde.PINNObjective(EQ, {"r": R}, schedules={"c": pde.linear_ramp(0, 2, 10)}),
        ValueError,
        "schedules['c'] ends at 2.0",
    ),
    (
        "schedule of an unknown parameter",
        lambda: pde.PINNObjective(EQ, {"r": R}, schedules={"k": lambda s: 1.0}),
        ValueError,
        "schedules: 'k' is not a parameter",
    ),
    (
        "reference with the wrong columns",
        lambda: pde.PINNObjective(EQ, {"r": R}, reference=pde.Reference(jnp.zeros((4, 3)), jnp.zeros(4), "u")),
        ValueError,
        "reference: points need 2 columns",
    ),
    (
        "reference with NaN values",
        lambda: pde.Reference(jnp.zeros((4, 2)), jnp.array([0.0, jnp.nan, 1.0, 2.0]), "u"),
        ValueError,
        "Reference: values must be finite, got 1 NaN/inf value(s) of 4",
    ),
    (
        "reference with NaN points",
        lambda: pde.Reference(jnp.full((4, 2), jnp.nan), jnp.zeros(4), "u"),
        ValueError,
        "Reference: points must be finite, got 8 NaN/inf value(s)",
    ),
    (
        "a term whose loss is a vector",
        _vector_loss,
        ValueError,
        "terms['data'] (_VectorLoss): the loss 'data' must be a scalar, got shape (4,)",
    ),
    # schedules
    (
        "curriculum zero boundary",
        lambda: pde.curriculum([1.0, 2.0], [0]),
        ValueError,
        "curriculum: boundaries[0] must be ≥ 1",
    ),
    (
        "curriculum fractional boundary",
        lambda: pde.curriculum([1.0, 2.0], [2.5]),
        ValueError,
        "curriculum: boundaries[0] must be an integer",
    ),
    (
        "curriculum nan value",
        lambda: pde.curriculum([1.0, float("nan")], [10]),
        ValueError,
        "curriculum: values[1] must be a finite number",
    ),
    ("curriculum decreasing boundaries", lambda: pde.curriculum([1, 2, 3], [10, 5]), ValueError, "strictly increasing"),
    ("ramp without steps", lambda: pde.linear_ramp(0.0, 1.0, 0), ValueError, "linear_ramp: steps must be ≥ 1"),
    (
        "ramp negative begin",
        lambda: pde.linear_ramp(0.0, 1.0, 10, begin=-1),
        ValueError,
        "linear_ramp: begin must be ≥ 0",
    ),
    # interpolants
    (
        "interpolant unsorted grid",
        lambda: pde.LinearInterpolant([0.0, 1.0, 0.5], [1.0, 2.0, 3.0]),
        ValueError,
        "grid must be strictly increasing",
    ),
    (
        "interpolant coordinate not a name",
        lambda: pde.LinearInterpolant([0.0, 1.0], [1.0, 2.0], coord=0),
        ValueError,
        "coord must be a coordinate name",
    ),
    (
        "bilinear empty box",
        lambda: pde.BilinearInterpolant(jnp.ones((3, 3)), lower=(0.0, 1.0), upper=(1.0, 1.0)),
        ValueError,
        "lower must be below upper",
    ),
]


@pytest.mark.parametrize("description, call, error, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_a_clear_message(description, call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value), str(info.value)
