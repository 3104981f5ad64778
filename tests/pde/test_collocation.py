"""Residual-based adaptive collocation (RAD, RAR-D): the density, the growing buffer, resume, errors."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from pinnrwf import pde
from pinnrwf.train import Adam, TrainConfig, fit, member_keys
from pinnrwf.train._fit import COLLOCATION_STREAM

from .conftest import TinyMLP

LINE = pde.Domain({"x": (0.0, 1.0)}, time=None)
# u'' = -π² sin(πx), u(0) = u(1) = 0: a residual that varies over the line
POISSON = pde.Equation(
    coords=("x",), fields=("u",), params={}, residual=lambda p: p.u_xx + jnp.pi**2 * jnp.sin(jnp.pi * p.x)
)
OBJECTIVE = pde.PINNObjective(
    POISSON,
    {
        "res": pde.Residual(LINE.interior(16)),
        "bc": pde.Dirichlet(lambda pt: 0.0, LINE.boundary(2)),
    },
)


def init(key):
    return TinyMLP(1, 1, width=8, depth=1, key=key)


def config(collocation, steps=20, **kw):
    return TrainConfig(steps=steps, seeds=2, chunk_steps=10, progress=False, collocation=collocation, **kw)


def train(collocation, steps=20, **kw):
    return fit(
        init,
        OBJECTIVE,
        config(collocation, steps, **kw),
        optimizer=Adam(learning_rate=1e-2, decay_steps=20),
        resume="checkpoint_dir" in kw,
    )


def first_set(collocation):
    """Each member's initial points (drawn as ``fit`` draws them), without training."""
    return jax.vmap(lambda k: collocation.init(OBJECTIVE, jax.random.fold_in(k, COLLOCATION_STREAM)))(
        member_keys(config(collocation))
    )


@pytest.mark.parametrize(
    "k, c, cdf",
    [
        (1.0, 0.0, lambda x: x**2),  # density 2x
        (1.0, 1.0, lambda x: (x**2 + x) / 2),  # density (2x + 1) / 2
        (0.0, 0.0, lambda x: x),  # k = 0: uniform
    ],
)
def test_draws_follow_the_target_density_of_a_known_residual(k, c, cdf):
    """ε(x) = x on [0, 1]: p ∝ ε^k / E[ε^k] + c; 400 draws (without replacement) of a pool of
    40 000 pass a Kolmogorov–Smirnov test against the target's CDF (fixed seeds)."""
    pool = jax.random.uniform(jax.random.key(0), (40_000, 1))
    drawn = pde.draw_by_density(jax.random.key(1), pool, pde.residual_density(pool[:, 0], k, c), 400)
    assert stats.kstest(np.asarray(drawn[:, 0]), cdf).pvalue > 0.01
    if (k, c) == (1.0, 0.0):  # and the uniform draw is told apart from it: the test has power
        assert stats.kstest(np.asarray(pool[:400, 0]), cdf).pvalue < 1e-6


RAD = pde.RAD(every=5, pool=48)
RARD = pde.RARD(every=5, added=3, pool=48, capacity=16 + 3 * 3)  # additions at steps 5, 10 and 15


@pytest.mark.slow  # three short fits each (one compile): ~5-10 s on an idle 2-core machine
@pytest.mark.parametrize("collocation", [RAD, RARD], ids=["rad", "rar-d"])
def test_resume_with_adaptive_collocation_is_bit_exact_and_the_points_move(tmp_path, collocation):
    full = train(collocation)
    train(collocation, steps=10, checkpoint_dir=tmp_path, checkpoint_every=10)
    resumed = train(collocation, checkpoint_dir=tmp_path, checkpoint_every=10)
    for a, b in zip(
        jax.tree.leaves((resumed.params, resumed.collocation)), jax.tree.leaves((full.params, full.collocation))
    ):
        np.testing.assert_array_equal(a, b)
    assert resumed.history["loss"] == full.history["loss"] and np.all(np.isfinite(full.history["loss"]))

    start = first_set(collocation)["res"]
    if collocation is RAD:  # the whole set was redrawn
        assert full.collocation["res"].shape == (2, 16, 1) and not np.array_equal(full.collocation["res"], start)
        return
    points, count = full.collocation["res"]
    assert points.shape == (2, 25, 1) and count.tolist() == [25, 25]  # 16 + 3 additions of 3
    np.testing.assert_array_equal(points[:, :16], start[0][:, :16])  # the first (uniform) set is kept
    assert not np.array_equal(points[:, 16:], start[0][:, 16:]) and np.all((points >= 0) & (points <= 1))
    batch = RARD.batch(OBJECTIVE, {"res": (points[0], count[0])}, {})
    assert int(jnp.sum(batch["res"].mask)) == int(count[0])


def test_a_masked_residual_is_the_mean_over_the_points_in_use():
    model = init(jax.random.key(0))
    x = jax.random.uniform(jax.random.key(1), (8, 1))
    padded = pde.MaskedPoints(jnp.concatenate([x, jnp.full((4, 1), 0.5)]), jnp.arange(12) < 8)
    loss = eqx.filter_jit(lambda m, batch: OBJECTIVE.terms["res"].losses(POISSON, m, batch, {}, {})[0][""])
    np.testing.assert_allclose(loss(model, padded), loss(model, x), rtol=1e-6)


def test_off_by_default_and_absent_from_the_fingerprint():
    assert "collocation" not in TrainConfig(steps=1).to_json()
    assert TrainConfig(steps=1, collocation=pde.RAD(every=7)).to_json()["collocation"] == "RAD(every=7)"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: pde.RAD(k=-1.0), r"^k \(--collocation-k\) must be ≥ 0, got -1.0$"),
        (lambda: pde.RAD(c=-0.5), r"^c \(--collocation-c\) must be ≥ 0, got -0.5$"),
        (lambda: pde.RAD(every=0), r"^every \(--resample-every\) must be ≥ 1, got 0$"),
        (lambda: pde.RARD(added=0), r"^added \(--collocation-added\) must be ≥ 1, got 0$"),
        (lambda: pde.RARD(capacity=0), r"^capacity \(--collocation-capacity\) must be ≥ 1, got 0$"),
        (lambda: TrainConfig(steps=1, collocation="rad"), r"^collocation must be an adaptive collocation"),
    ],
)
def test_bad_values_are_one_line_errors_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "collocation, objective, message",
    [
        (
            pde.RAD(pool=8),
            OBJECTIVE,
            r"pool \(--collocation-pool\) must be ≥ the 16 points of the residual term 'res', got 8",
        ),
        (
            pde.RARD(every=10, added=4, pool=64, capacity=20),
            OBJECTIVE,
            r"capacity \(--collocation-capacity\) must hold .* the 2 additions of 4 over 30 steps \(24 points\), got 20",
        ),
        (
            pde.RAD(),
            pde.PINNObjective(
                pde.equations.heat(),
                {
                    "res": pde.Residual(
                        pde.Domain({"x": (0.0, 1.0), "t": (0.0, 1.0)}).interior(4), causal=pde.Causal(2, 1.0)
                    )
                },
            ),
            r"the residual term 'res' is causal",
        ),
        (
            pde.RAD(),
            pde.PINNObjective(POISSON, {"bc": pde.Dirichlet(lambda pt: 0.0, LINE.boundary(2))}),
            r"the objective has no interior residual term",
        ),
    ],
)
def test_unsuitable_objectives_and_runs_fail_before_training(collocation, objective, message):
    config = TrainConfig(steps=30, chunk_steps=10, progress=False, collocation=collocation)
    with pytest.raises(ValueError, match=message) as error:
        fit(init, objective, config)
    assert "\n" not in str(error.value)
