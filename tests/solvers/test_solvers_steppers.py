"""One convergence-order test over every time stepper of the family (AbstractStepper).

The steppers come from the registry (``base.steppers()``: every concrete subclass), each with its
own ``verification_case``, so a new stepper is tested here without editing this file.
"""

import numpy as np
import pytest

from pinnrwf.solvers import base


def test_the_registry_finds_the_steppers():
    names = {cls.__name__ for cls in base.steppers()}
    assert {"AllenCahnETDRK4", "BurgersETDRK4", "DiffusionReactionCN"} <= names


@pytest.mark.parametrize("stepper_cls", base.steppers(), ids=lambda c: c.__name__)
def test_observed_order_matches_declared_order(stepper_cls):
    t_final = base.VERIFICATION_TIME
    ref_stepper, u0 = stepper_cls.verification_case(t_final / 1024)
    ref = ref_stepper.observe(base.rollout(ref_stepper, ref_stepper.init(u0), 1024))
    errs = []
    for n_steps in (8, 16, 32):
        stepper, _ = stepper_cls.verification_case(t_final / n_steps)
        assert isinstance(stepper, stepper_cls)
        errs.append(np.max(np.abs(stepper.observe(base.rollout(stepper, stepper.init(u0), n_steps)) - ref)))
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(np.abs(orders - stepper.order) < 0.3), orders


@pytest.mark.parametrize("stepper_cls", base.steppers(), ids=lambda c: c.__name__)
def test_step_is_pure_and_batched(stepper_cls):
    """step never mutates its argument, and a batch of two equals its members stepped alone."""
    stepper, u0 = stepper_cls.verification_case(0.01)
    pair = np.concatenate([u0, 0.5 * u0])
    state = stepper.init(pair)
    before = state.copy()
    after = stepper.step(state, 0.0)
    np.testing.assert_array_equal(state, before)
    for i in range(2):
        alone = stepper.step(stepper.init(pair[i : i + 1]), 0.0)
        np.testing.assert_allclose(after[i : i + 1], alone, rtol=1e-13, atol=1e-15)
