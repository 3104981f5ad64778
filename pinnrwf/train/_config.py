"""Typed training configuration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pinnrwf import _validation as check

from ._collocation import AbstractCollocation
from ._weighting import AbstractLossWeighting

#: The ``TrainConfig.precision`` choices: JAX's default matmul precision, ``high`` or ``highest``.
PRECISIONS = ("default", "high", "highest")
#: ``pinnrwf.config.NEUTRAL_AT_DEFAULT`` (not imported: pinnrwf.config imports this package)
NEUTRAL_AT_DEFAULT = "pinnrwf_neutral_at_default"


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The training loop's settings (the optimizer is a separate argument of ``fit``).

    Attributes:
        steps: total optimisation steps.
        seeds: ensemble size S; member i is seeded with ``seed + i``, all trained in one compiled
            program. Member i starts from exactly the initialisation and draws exactly the
            training points of a single run with seed ``seed + i``; its trajectory equals that
            run's to float32 round-off for the first steps only, because the vmapped ensemble
            program and the unbatched single-member program round differently and training
            amplifies the difference (the chaos of gradient descent), see README "Training".
        seed: base seed.
        chunk_steps: steps compiled into one ``lax.scan`` program per host call; logging,
            divergence checks and evaluation happen between chunks.
        eval_every: evaluate ``objective.metrics`` every this many steps (a multiple of chunk_steps).
        precision: matmul precision, "highest" (full float32, default), "high" or "default" (TF32 on GPUs).
        checkpoint_dir / checkpoint_every: save an atomic checkpoint every this many steps.
        loss_weighting: optional adaptive term weights (e.g. ``GradNormWeighting``).
        shard: spread the ensemble (and the points, when seeds < devices) over all visible devices.
        progress: show a progress bar.
        log_every: record the loss, its terms and the diagnostics of every this many steps in the
            history (and the loggers), from the values the compiled chunk already returns for each
            of its steps; ``None``: the last step of each chunk (independent of ``chunk_steps``).
            Metrics are still evaluated every ``eval_every`` steps. It changes what is recorded,
            never the training: the parameters are the same bit for bit.
        collocation: optional adaptive collocation points (e.g. ``pinnrwf.pde.RAD``, ``RARD``),
            redrawn from the model every ``collocation.every`` steps inside the compiled chunks,
            kept per member in the training state and in its checkpoints (the L-BFGS stage keeps
            its own fixed set). ``None``: the objective's own sampling, every step.
    """

    steps: int
    seeds: int = 1
    seed: int = 0
    chunk_steps: int = 100
    eval_every: int | None = None
    precision: str = "highest"
    checkpoint_dir: Path | None = None
    checkpoint_every: int | None = None
    loss_weighting: AbstractLossWeighting | None = None
    shard: bool = True
    progress: bool = True
    log_every: int | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})
    collocation: AbstractCollocation | None = dataclasses.field(default=None, metadata={NEUTRAL_AT_DEFAULT: True})

    def __post_init__(self):
        for name in ("steps", "seeds", "chunk_steps"):
            check.positive_int(name, getattr(self, name))
        check.seed("seed", self.seed)
        if self.seed + self.seeds - 1 > check.MAX_SEED:
            raise ValueError(f"seed + seeds - 1 must be ≤ {check.MAX_SEED}, got {self.seed} + {self.seeds} - 1")
        check.one_of("precision", self.precision, PRECISIONS)
        if self.collocation is not None:
            check.instance(
                "collocation",
                self.collocation,
                AbstractCollocation,
                "an adaptive collocation (e.g. pinnrwf.pde.RAD(...)) or None",
            )
        if self.log_every is not None:
            check.positive_int("log_every", self.log_every)
        for name in ("eval_every", "checkpoint_every"):
            v = getattr(self, name)
            if v is not None:
                check.positive_int(name, v)
            if v is not None and v % self.chunk_steps:
                raise ValueError(f"{name} must be a positive multiple of chunk_steps ({self.chunk_steps}), got {v!r}")
        if self.checkpoint_every is not None and self.checkpoint_dir is None:
            raise ValueError("checkpoint_every needs checkpoint_dir")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["checkpoint_dir"] = None if self.checkpoint_dir is None else str(self.checkpoint_dir)
        d["loss_weighting"] = None if self.loss_weighting is None else repr(self.loss_weighting)
        d["collocation"] = None if self.collocation is None else repr(self.collocation)
        for f in dataclasses.fields(self):  # fields added later: absent at their default, as before them
            if f.metadata.get(NEUTRAL_AT_DEFAULT) and d[f.name] == f.default:
                del d[f.name]
        return d
