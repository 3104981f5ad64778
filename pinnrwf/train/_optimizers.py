"""Optimizers as arguments: typed, frozen configurations that build an ``optax`` transformation.

``fit`` accepts either one of these (recorded in results and checkpoint fingerprints by its
fields) or any ``optax.GradientTransformation`` directly. Adam with the paper's schedule
(rwf_paper App. E, Table 4) is the default.
"""

from __future__ import annotations

import abc
import dataclasses

import optax

from pinnrwf import _validation as check

from ._schedules import learning_rate_schedule


class AbstractOptimizer(abc.ABC):
    """A frozen dataclass that builds an ``optax.GradientTransformation``."""

    @abc.abstractmethod
    def build(self) -> optax.GradientTransformation: ...

    def to_json(self) -> dict:
        return {"name": type(self).__name__, **dataclasses.asdict(self)}


@dataclasses.dataclass(frozen=True)
class Adam(AbstractOptimizer):
    """Adam with linear warm-up then lr · decay_rate^(step / decay_steps) (rwf_paper Table 4).

    ``decay_steps=None`` keeps the rate constant after warm-up; ``staircase`` decays in steps.
    """

    learning_rate: float = 1e-3
    decay_rate: float | None = 0.9
    decay_steps: int | None = 5000
    warmup_steps: int = 0
    staircase: bool = False

    def __post_init__(self):
        check.positive_number("learning_rate", self.learning_rate)
        if self.decay_rate is not None:
            check.number_in("decay_rate", self.decay_rate, 0.0, 1.0)
            if self.decay_rate == 0:
                raise ValueError("decay_rate must be > 0, got 0")
        if self.decay_steps is not None:
            check.positive_int("decay_steps", self.decay_steps)
        check.integer("warmup_steps", self.warmup_steps, minimum=0)

    def schedule(self) -> optax.Schedule:
        return learning_rate_schedule(self.learning_rate, decay_rate=self.decay_rate, decay_steps=self.decay_steps,
                                      warmup_steps=self.warmup_steps, staircase=self.staircase)

    def build(self) -> optax.GradientTransformation:
        return optax.adam(self.schedule())


@dataclasses.dataclass(frozen=True)
class SGD(AbstractOptimizer):
    """(Stochastic) gradient descent with a constant step, optionally with (Nesterov) momentum."""

    learning_rate: float = 1e-3
    momentum: float | None = None
    nesterov: bool = False

    def __post_init__(self):
        check.positive_number("learning_rate", self.learning_rate)
        if self.momentum is not None:
            check.number_in("momentum", self.momentum, 0.0, 1.0)
        if self.nesterov and self.momentum is None:
            raise ValueError("nesterov=True needs a momentum")

    def build(self) -> optax.GradientTransformation:
        return optax.sgd(self.learning_rate, momentum=self.momentum, nesterov=self.nesterov)


Optimizer = AbstractOptimizer | optax.GradientTransformation


def build_optimizer(optimizer: Optimizer) -> tuple[optax.GradientTransformation, dict | str]:
    """(transformation, description): the description is the config's fields, or ``"custom"``
    for a raw ``optax.GradientTransformation`` (then pass ``fingerprint_extra`` to ``fit`` to
    tell resumed runs apart)."""
    if isinstance(optimizer, AbstractOptimizer):
        return optimizer.build(), optimizer.to_json()
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer, "custom"
    raise ValueError(
        "optimizer must be a pinnrwf.train optimizer config (Adam, SGD, ...) or an optax.GradientTransformation, "
        f"got {type(optimizer).__name__}"
    )
