"""Weights & Biases, through the ``wandb`` package (``pip install wandb``).

Offline (``WANDB_MODE=offline`` or ``WandbLogger(mode="offline")``) it needs no network or
account: the runs are written under ``<directory>/wandb/`` and ``wandb sync`` uploads them later.
"""

from __future__ import annotations

from pathlib import Path

from ._base import AbstractLogger


class WandbLogger(AbstractLogger):
    """One W&B run per trained run (``name``), grouped under ``group`` in ``project``; the
    figures as images in one more run of the group, ``<group>-figures``. ``mode``: ``None``
    (W&B's default, from ``WANDB_MODE``), ``"online"``, ``"offline"`` or ``"disabled"``."""

    def __init__(
        self, directory: str | Path, *, project: str = "pinnrwf", group: str | None = None, mode: str | None = None
    ):
        self.directory = Path(directory)
        self.project, self.group, self.mode = project, group, mode
        self._run = None

    def _init(self, name: str, config: dict):
        import wandb  # the optional dependency: failing here is one warning

        self.directory.mkdir(parents=True, exist_ok=True)
        kwargs = {} if self.mode is None else {"mode": self.mode}
        return wandb.init(
            project=self.project,
            group=self.group,
            name=name,
            config=config,
            dir=str(self.directory),
            reinit=True,
            **kwargs,
        )

    def start(self, name, config):
        self._run = self._init(name, dict(config))

    def scalars(self, step, values):
        self._run.log(dict(values), step=step)

    def end(self):
        if self._run is not None:
            self._run.finish()
            self._run = None

    def figures(self, paths):
        paths = [Path(p) for p in paths if str(p).endswith(".png")]
        if not paths:
            return
        import wandb

        run = self._init(f"{self.group or self.project}-figures", {})
        try:
            run.log({path.stem: wandb.Image(str(path)) for path in paths}, step=0)
        finally:
            run.finish()
