"""Optimizers as arguments: typed, frozen configurations that build an ``optax`` transformation.

``fit`` accepts either one of these (recorded in results and checkpoint fingerprints by its
fields) or any ``optax.GradientTransformation`` directly. Adam with the paper's schedule
(rwf_paper App. E, Table 4) is the default.
"""

from __future__ import annotations

import abc
import dataclasses
import functools

import optax

from pinnrwf import _validation as check

from ._schedules import learning_rate_schedule
from ._soap import check_soap_hyperparameters, soap


class AbstractOptimizer(abc.ABC):
    """A frozen dataclass that builds an ``optax.GradientTransformation``."""

    @abc.abstractmethod
    def build(self) -> optax.GradientTransformation: ...

    def to_json(self) -> dict:
        return {"name": type(self).__name__, **dataclasses.asdict(self)}


@dataclasses.dataclass(frozen=True)
class AbstractScheduledOptimizer(AbstractOptimizer):
    """An optimizer with the paper's learning-rate schedule (rwf_paper Table 4): linear warm-up
    over ``warmup_steps``, then lr · decay_rate^(step / decay_steps).

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
        return learning_rate_schedule(
            self.learning_rate,
            decay_rate=self.decay_rate,
            decay_steps=self.decay_steps,
            warmup_steps=self.warmup_steps,
            staircase=self.staircase,
        )

    @classmethod
    def with_schedule_of(cls, optimizer: AbstractOptimizer):
        """This optimizer with the learning-rate schedule of ``optimizer`` when it has one (an
        ``Adam`` or ``Soap``), else with its defaults."""
        if not isinstance(optimizer, AbstractScheduledOptimizer):
            return cls()
        return cls(**{f.name: getattr(optimizer, f.name) for f in dataclasses.fields(AbstractScheduledOptimizer)})


@dataclasses.dataclass(frozen=True)
class Adam(AbstractScheduledOptimizer):
    """Adam with linear warm-up then lr · decay_rate^(step / decay_steps) (rwf_paper Table 4).

    ``decay_steps=None`` keeps the rate constant after warm-up; ``staircase`` decays in steps.
    """

    def build(self) -> optax.GradientTransformation:
        return optax.adam(self.schedule())


@dataclasses.dataclass(frozen=True)
class Soap(AbstractScheduledOptimizer):
    """SOAP (Vyas et al. 2024): Adam in the eigenbasis of Shampoo's preconditioner, with the
    learning-rate schedule of ``Adam`` (warm-up, exponential decay).

    ``b1``, ``b2``: Adam's decay rates (the paper's 0.95, 0.95); ``shampoo_beta``: decay of the
    preconditioners G Gᵀ, Gᵀ G (``None``: ``b2``); ``eps``: added to √v̂;
    ``precondition_frequency``: refresh the eigenbases every this many steps (one power iteration
    and a QR); ``max_precond_dim``: axes longer than this are not preconditioned. Parameters with
    fewer than two axes are updated as by Adam; the first step only initialises the bases (zero
    update). Details: ``pinnrwf.train.scale_by_soap``.
    """

    b1: float = 0.95
    b2: float = 0.95
    shampoo_beta: float | None = None
    eps: float = 1e-8
    precondition_frequency: int = 10
    max_precond_dim: int = 10000

    def __post_init__(self):
        super().__post_init__()
        check_soap_hyperparameters(
            self.b1, self.b2, self.shampoo_beta, self.eps, self.precondition_frequency, self.max_precond_dim
        )

    def build(self) -> optax.GradientTransformation:
        return soap(
            self.schedule(),
            self.b1,
            self.b2,
            self.shampoo_beta,
            self.eps,
            self.precondition_frequency,
            self.max_precond_dim,
        )


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


@dataclasses.dataclass(frozen=True)
class LBFGS(AbstractOptimizer):
    """The second training stage: ``steps`` L-BFGS steps on a fixed set of training points.

    ``optax.lbfgs`` (memory ``memory_size``; initial inverse-Hessian scale from the gradient
    norm) with its zoom line search (strong Wolfe conditions, at most ``linesearch_steps``
    evaluations of the loss and its gradient per step, first trial step 1, Nocedal & Wright
    Alg. 3.5–3.6). It runs after the first-stage optimizer (Adam) in ``fit(..., lbfgs=...)``,
    starting from its parameters, on a fixed set of ``batches`` independent draws of
    ``objective.sample`` per ensemble member (drawn once, from a key of the member's seed), so the
    line search minimises one deterministic function. ``steps=0`` is no second stage.

    The loss it minimises is the objective at the end of its schedules (curricula at their
    target, ``pinnrwf.pde.FINAL_STEP``) with the adaptive term weights frozen at their values at
    the end of the first stage.

    ``vectorize``: step the ensemble members as one ``vmap`` (True) or one after another
    (False); ``None`` vmaps only when the ensemble is sharded over several devices. Under
    ``vmap`` the line search's branches and loops run for all members at once (both branches,
    until the slowest member is done): 2.3x slower per step on a CPU (README heat example,
    2 seeds: 5.5 vs 12.4 steps/s).
    """

    steps: int = 0
    batches: int = 1
    memory_size: int = 10
    linesearch_steps: int = 20
    vectorize: bool | None = None

    def __post_init__(self):
        check.integer("LBFGS: steps", self.steps, minimum=0)
        check.positive_int("LBFGS: batches", self.batches)
        check.positive_int("LBFGS: memory_size", self.memory_size)
        check.positive_int("LBFGS: linesearch_steps", self.linesearch_steps)
        if self.vectorize is not None:
            check.instance("LBFGS: vectorize", self.vectorize, bool, "None, True or False")

    def build(self) -> optax.GradientTransformationExtraArgs:
        linesearch = optax.scale_by_zoom_linesearch(
            max_linesearch_steps=self.linesearch_steps, initial_guess_strategy="one"
        )
        return optax.lbfgs(memory_size=self.memory_size, linesearch=linesearch)


#: What :func:`fit` accepts as its optimizer: an :class:`AbstractOptimizer` or any optax transformation.
Optimizer = AbstractOptimizer | optax.GradientTransformation


def built(optimizer: AbstractOptimizer) -> optax.GradientTransformation:
    """``optimizer.build()``, one transformation per distinct (hashable) configuration: the
    compiled chunks hold the transformation as a static field, so fits with equal optimizers in
    one process share their compilation instead of compiling again."""
    try:
        hash(optimizer)
    except TypeError:  # not a frozen dataclass: built afresh every time
        return optimizer.build()
    return _built(optimizer)


@functools.lru_cache(maxsize=64)
def _built(optimizer: AbstractOptimizer) -> optax.GradientTransformation:
    return optimizer.build()


def build_optimizer(optimizer: Optimizer) -> tuple[optax.GradientTransformation, dict | str]:
    """(transformation, description): the description is the config's fields, or ``"custom"``
    for a raw ``optax.GradientTransformation`` (then pass ``fingerprint_extra`` to ``fit`` to
    tell resumed runs apart)."""
    if isinstance(optimizer, LBFGS):
        raise ValueError(
            "optimizer: LBFGS is a second stage on a fixed batch, not a first-stage optimizer; pass it as "
            "fit(..., lbfgs=LBFGS(steps=N)) after Adam (command line: --lbfgs-steps N)"
        )
    if isinstance(optimizer, AbstractOptimizer):
        return built(optimizer), optimizer.to_json()
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer, "custom"
    raise ValueError(
        "optimizer must be a pinnrwf.train optimizer config (Adam, Soap, SGD, ...) or an optax.GradientTransformation, "
        f"got {type(optimizer).__name__}"
    )
