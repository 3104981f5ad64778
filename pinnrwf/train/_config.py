"""Typed training configuration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ._weighting import AbstractLossWeighting

PRECISIONS = ("default", "high", "highest")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything the engine needs besides the model and objective.

    Attributes:
        steps: total optimisation steps.
        seeds: ensemble size S; member i is seeded with ``seed + i`` (so an S-seed ensemble equals
            S single runs with seeds seed, seed+1, ...), all trained in one compiled program.
        seed: base seed.
        learning_rate, decay_rate, decay_steps, warmup_steps, staircase: Adam's schedule
            (rwf_paper Table 4); ``decay_steps=None`` for a constant rate.
        chunk_steps: steps compiled into one ``lax.scan`` program per host call; logging,
            divergence checks and evaluation happen between chunks.
        eval_every: evaluate ``objective.metrics`` every this many steps (a multiple of chunk_steps).
        precision: matmul precision, "highest" (full float32, default), "high" or "default" (TF32 on GPUs).
        checkpoint_dir / checkpoint_every: save an atomic checkpoint every this many steps.
        loss_weighting: optional adaptive term weights (e.g. ``GradNormWeighting``).
        shard: spread the ensemble (and the points, when seeds < devices) over all visible devices.
        progress: show a progress bar.
    """

    steps: int
    seeds: int = 1
    seed: int = 0
    learning_rate: float = 1e-3
    decay_rate: float | None = 0.9
    decay_steps: int | None = 5000
    warmup_steps: int = 0
    staircase: bool = False
    chunk_steps: int = 100
    eval_every: int | None = None
    precision: str = "highest"
    checkpoint_dir: Path | None = None
    checkpoint_every: int | None = None
    loss_weighting: AbstractLossWeighting | None = None
    shard: bool = True
    progress: bool = True

    def __post_init__(self):
        for name in ("steps", "seeds", "chunk_steps"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        for name in ("eval_every", "checkpoint_every"):
            v = getattr(self, name)
            if v is not None and (v < 1 or v % self.chunk_steps):
                raise ValueError(
                    f"{name} must be a positive multiple of chunk_steps ({self.chunk_steps}), got {v!r}"
                )
        if self.checkpoint_every is not None and self.checkpoint_dir is None:
            raise ValueError("checkpoint_every needs checkpoint_dir")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["checkpoint_dir"] = None if self.checkpoint_dir is None else str(self.checkpoint_dir)
        d["loss_weighting"] = None if self.loss_weighting is None else repr(self.loss_weighting)
        return d
