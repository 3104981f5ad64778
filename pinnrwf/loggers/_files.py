"""Loggers without dependencies: CSV (one row per value) and JSON Lines (one line per step)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from ._base import AbstractLogger

#: seconds between two flushes of a file logger: a file that can be watched, without a system
#: call per recorded step
FLUSH_SECONDS = 1.0


class _Flushed:
    """An open text file flushed at most every ``FLUSH_SECONDS`` (and when closed)."""

    def __init__(self, path: Path):
        self.file = open(path, "w", newline="")
        self.flushed = time.monotonic()

    def written(self) -> None:
        if time.monotonic() - self.flushed > FLUSH_SECONDS:
            self.file.flush()
            self.flushed = time.monotonic()

    def close(self) -> None:
        self.file.close()


class CSVLogger(AbstractLogger):
    """``<directory>/<run>.csv`` with columns ``step,name,value`` (one row per value; floats
    written exactly, ``repr``). Read it with ``pandas.read_csv(...).pivot(index="step",
    columns="name", values="value")``."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._file = None
        self._writer = None

    def start(self, name, config):
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = _Flushed(self.directory / f"{name}.csv")
        self._writer = csv.writer(self._file.file)
        self._writer.writerow(("step", "name", "value"))

    def scalars(self, step, values):
        self._writer.writerows((step, name, repr(value)) for name, value in values.items())
        self._file.written()

    def end(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class JSONLinesLogger(AbstractLogger):
    """``<directory>/<run>.jsonl``: one JSON object per recorded step, ``{"step": s, tag: value, …}``
    (non-finite values as null); the first line is ``{"config": …}``."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._file = None

    def start(self, name, config):
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = _Flushed(self.directory / f"{name}.jsonl")
        self._file.file.write(json.dumps({"config": config}, default=str) + "\n")

    def scalars(self, step, values):
        clean = {k: (v if v == v and abs(v) != float("inf") else None) for k, v in values.items()}
        self._file.file.write(json.dumps({"step": step, **clean}) + "\n")
        self._file.written()

    def end(self):
        if self._file is not None:
            self._file.close()
            self._file = None
