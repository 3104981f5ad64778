"""One convergence-order test over every time stepper of the family (AbstractStepper)."""

import numpy as np
import pytest

from pinnrwf.solvers import base, burgers, diffusion_reaction


def _burgers(dt):
    x = np.arange(64) / 64
    return burgers.BurgersETDRK4(64, 0.02, dt), (0.4 * np.sin(2 * np.pi * x) + 0.1)[None]


def _diffusion_reaction(dt):
    x = np.linspace(0, 1, 33)
    src = np.sin(3 * x[1:-1]) + 0.5
    stepper = diffusion_reaction.DiffusionReactionCN(x, dt, diffusivity=0.01, reaction=1.0,
                                                     source=lambda t: src * np.cos(t))
    return stepper, np.sin(np.pi * x)[None]


@pytest.mark.parametrize("factory", [_burgers, _diffusion_reaction], ids=["burgers-etdrk4", "diffusion-reaction-cn"])
def test_observed_order_matches_declared_order(factory):
    t_final = 0.4
    ref_stepper, u0 = factory(t_final / 1024)
    ref = ref_stepper.observe(base.rollout(ref_stepper, ref_stepper.init(u0), 1024))
    errs = []
    for n_steps in (8, 16, 32):
        stepper, _ = factory(t_final / n_steps)
        assert isinstance(stepper, base.AbstractStepper)
        errs.append(np.max(np.abs(stepper.observe(base.rollout(stepper, stepper.init(u0), n_steps)) - ref)))
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(np.abs(orders - stepper.order) < 0.3), orders
