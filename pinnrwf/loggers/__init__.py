"""Loggers: watch a run live in TensorBoard or W&B, or keep its curves as CSV / JSON Lines.

    from pinnrwf.loggers import CSVLogger, TensorBoardLogger
    fit(init_model, objective, config, loggers=[TensorBoardLogger("runs/x/tensorboard")])

Loggers receive values once per compiled chunk, on the host (the compiled loop never waits on
them), and a logger that fails is dropped with one warning (:class:`LoggerGroup`). On the
command line: ``pinnrwf run NAME --log tensorboard,wandb,csv,jsonl`` (:func:`parse_loggers`).
"""

from __future__ import annotations

from pathlib import Path

from ._base import AbstractLogger, LoggerGroup, scalars_of
from ._files import CSVLogger, JSONLinesLogger
from ._tensorboard import TensorBoardLogger
from ._wandb import WandbLogger

#: ``--log`` names: the sub-folder of the run's output each writes into.
LOGGER_NAMES = ("tensorboard", "wandb", "csv", "jsonl")


def parse_loggers(names: str, out_dir: str | Path, *, group: str = "pinnrwf") -> LoggerGroup:
    """``"tensorboard,csv"`` → the loggers writing under ``out_dir`` (``tensorboard/``, ``wandb/``,
    ``logs/``); W&B runs are grouped under ``group`` (e.g. the problem).

    Raises:
        ValueError: an unknown name.
    """
    out_dir = Path(out_dir)
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in LOGGER_NAMES]
    if unknown:
        raise ValueError(f"--log: unknown logger(s) {', '.join(unknown)}; choose from {', '.join(LOGGER_NAMES)}")
    build = {
        "tensorboard": lambda: TensorBoardLogger(out_dir / "tensorboard"),
        "wandb": lambda: WandbLogger(out_dir, project="pinnrwf", group=group),
        "csv": lambda: CSVLogger(out_dir / "logs"),
        "jsonl": lambda: JSONLinesLogger(out_dir / "logs"),
    }
    return LoggerGroup(build[n]() for n in dict.fromkeys(chosen))


__all__ = [
    "AbstractLogger",
    "LoggerGroup",
    "scalars_of",
    "CSVLogger",
    "JSONLinesLogger",
    "TensorBoardLogger",
    "WandbLogger",
    "LOGGER_NAMES",
    "parse_loggers",
]
