"""TensorBoard event files, written with tensorboardX (``pip install 'pinnrwf[log]'``)."""

from __future__ import annotations

import json
from pathlib import Path

from ._base import AbstractLogger


def _png(path: Path):
    import matplotlib.image

    image = matplotlib.image.imread(str(path))  # (H, W, 3 or 4), floats in [0, 1] for a PNG
    return image[..., :3]


class TensorBoardLogger(AbstractLogger):
    """One event-file folder per run, ``<directory>/<run>/``, and the figures as images in
    ``<directory>/figures/``. Watch it with ``tensorboard --logdir <directory>``."""

    def __init__(self, directory: str | Path, *, flush_secs: int = 10):
        self.directory = Path(directory)
        self.flush_secs = flush_secs
        self._writer = None

    def _new_writer(self, name: str):
        from tensorboardX import SummaryWriter  # the optional dependency: failing here is one warning

        return SummaryWriter(logdir=str(self.directory / name), flush_secs=self.flush_secs)

    def start(self, name, config):
        self._writer = self._new_writer(name)
        self._writer.add_text("config", "```\n" + json.dumps(config, indent=1, default=str) + "\n```", 0)

    def scalars(self, step, values):
        for tag, value in values.items():
            self._writer.add_scalar(tag, value, step)

    def end(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def figures(self, paths):
        paths = [Path(p) for p in paths if str(p).endswith(".png")]
        if not paths:
            return
        writer = self._new_writer("figures")
        try:
            for path in paths:
                writer.add_image(path.stem, _png(path), 0, dataformats="HWC")
        finally:
            writer.close()
