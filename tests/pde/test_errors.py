"""Bad definitions fail with ValueError naming the culprit, when the problem is defined."""

import jax.numpy as jnp
import pytest

from pinnrwf import pde
from pinnrwf.pde import equations

DOMAIN = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})


def _eq(residual, **kw):
    return pde.Equation(coords=("x", "t"), fields=("u",), params={"c": 1.0}, residual=residual, **kw)


@pytest.mark.parametrize(
    "residual, match",
    [
        (lambda p: p.w_x, "unknown name 'w_x'"),
        (lambda p: p.w, "unknown name 'w'"),
        (lambda p: p.u_z, r"'z' is not a run of coordinate names"),
        (lambda p: p.d("u", "z"), "with respect to 'z', which is not a coordinate"),
        (lambda p: p.d("c", "x"), "unknown field or input 'c'"),
        (lambda p: p.kappa * p.u, "unknown name 'kappa'"),
        (lambda p: jnp.stack([p.u, p.u_x]), "scalar or a dict of scalars"),
    ],
)
def test_bad_residuals(residual, match):
    with pytest.raises(ValueError, match=match):
        _eq(residual)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(coords=("x", "x"), fields=("u",)), "distinct"),
        (dict(coords=("x", "t"), fields=("x",)), "repeated"),
        (dict(coords=("x", "t"), fields=("u",), time="s"), "time='s'"),
        (dict(coords="xt", fields=("u",)), "sequences of names"),
        (dict(coords=("x", "t"), fields=("u-v",)), "not a valid name"),
    ],
)
def test_bad_declarations(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pde.Equation(residual=lambda p: p.u, **kwargs)


@pytest.mark.parametrize("weight", [-1.0, float("nan"), {"u": -2.0}, "big"])
def test_negative_or_invalid_weights(weight):
    with pytest.raises(ValueError, match="weight"):
        pde.Residual(DOMAIN.interior(8), weight=weight)


def test_weight_mapping_must_name_the_components():
    domain = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    with pytest.raises(ValueError, match="exactly the components"):
        pde.PINNObjective(equations.navier_stokes(), {"r": pde.Residual(domain.interior(8), weight={"u": 1.0})})


def test_domain_must_match_equation_coordinates():
    eq = _eq(lambda p: p.u_t)
    swapped = pde.Domain({"t": (0.0, 1.0), "x": (0.0, 1.0)})
    with pytest.raises(ValueError, match="same order"):
        pde.PINNObjective(eq, {"r": pde.Residual(swapped.interior(8))})
    other = pde.Domain({"x": (0.0, 1.0), "s": (0.0, 1.0)}, time=None)
    with pytest.raises(ValueError, match="coordinates"):
        pde.PINNObjective(eq, {"r": pde.Residual(other.interior(8))})


@pytest.mark.parametrize("bounds, match", [({"x": (1.0, 0.0)}, "lo < hi"), ({"x": (0.0,)}, "pair"), ({}, "non-empty")])
def test_bad_domains(bounds, match):
    with pytest.raises(ValueError, match=match):
        pde.Domain(bounds)


def test_bad_sampler_sizes():
    with pytest.raises(ValueError, match="n must be ≥ 1, got 0"):
        DOMAIN.interior(0)
    with pytest.raises(ValueError, match="side"):
        DOMAIN.face("x", "left", 8)
    with pytest.raises(ValueError, match="unknown coordinate 'z'"):
        DOMAIN.face("z", "lower", 8)


def test_value_terms_check_fields_and_shapes():
    eq = equations.navier_stokes()
    box = pde.Domain({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    with pytest.raises(ValueError, match="return a dict field -> value"):
        pde.PINNObjective(eq, {"b": pde.Dirichlet(lambda pt: 0.0, box.boundary(8))})
    with pytest.raises(ValueError, match="unknown fields"):
        pde.PINNObjective(eq, {"b": pde.Dirichlet(lambda pt: {"w": 0.0}, box.boundary(8))})
    with pytest.raises(ValueError, match="scalar per field"):
        pde.PINNObjective(eq, {"b": pde.Dirichlet(lambda pt: {"u": jnp.zeros(2)}, box.boundary(8))})
    with pytest.raises(ValueError, match="unknown coordinate 't'"):
        pde.PINNObjective(eq, {"b": pde.Dirichlet(lambda pt: {"u": pt.t}, box.boundary(8))})
    with pytest.raises(ValueError, match="no time coordinate"):
        pde.PINNObjective(eq, {"ic": pde.InitialCondition(lambda pt: {"u": 0.0}, box.face("y", "lower", 8))})


def test_initial_condition_needs_the_initial_slice():
    eq = equations.advection()
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    with pytest.raises(ValueError, match="domain.initial"):
        pde.PINNObjective(eq, {"ic": pde.InitialCondition(jnp.sin, domain.face("t", "upper", 8))})


def test_data_fit_shapes():
    with pytest.raises(ValueError, match="DataFit"):
        pde.DataFit(jnp.zeros((10, 2)), jnp.zeros((9, 1)), fields=("u",))
    with pytest.raises(ValueError, match="DataFit"):
        pde.DataFit(jnp.zeros((10, 2)), jnp.zeros((10, 2)), fields=("u",))
    fit = pde.DataFit(jnp.zeros((10, 3)), jnp.zeros((10,)), fields="u")
    with pytest.raises(ValueError, match="3 columns"):
        pde.PINNObjective(equations.advection(), {"d": fit})


def test_inputs_must_be_declared_and_callable():
    eq = equations.diffusion_reaction()
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    terms = {"r": pde.Residual(domain.interior(8))}
    with pytest.raises(ValueError, match=r"missing \['a'\]"):
        pde.PINNObjective(eq, terms)
    with pytest.raises(ValueError, match=r"unknown \['b'\]"):
        pde.PINNObjective(eq, terms, inputs={"a": lambda pt: pt.x, "b": lambda pt: pt.x})
    with pytest.raises(ValueError, match="callable"):
        pde.PINNObjective(eq, terms, inputs={"a": 1.0})
    with pytest.raises(ValueError, match="scalar"):
        pde.PINNObjective(eq, terms, inputs={"a": lambda pt: jnp.ones(3)})


def test_network_with_wrong_output_size():
    eq = equations.navier_stokes()
    with pytest.raises(ValueError, match=r"shape \(3,\) for fields \('u', 'v', 'p'\)"):
        eq.residuals(lambda z: z, jnp.array([0.1, 0.2]))


def test_neumann_coordinate_and_empty_weight_mapping():
    eq = equations.advection()
    domain = pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)})
    with pytest.raises(ValueError, match="Neumann: coord 'z'"):
        pde.PINNObjective(eq, {"n": pde.Neumann(lambda pt: 0.0, domain.face("x", "upper", 8), coord="z")})
    with pytest.raises(ValueError, match="must not be empty"):
        pde.Residual(domain.interior(8), weight={})
