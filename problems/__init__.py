"""Benchmark problems, installed as :mod:`pinnrwf.problems`.

Each runnable problem module defines its configuration (typed dataclasses and presets), its
objective and network, ``configure_parser(parser)`` and ``run(args) -> int``; all of them train
through :func:`pinnrwf.experiment.compare` and :func:`pinnrwf.train.fit`.
"""

RUNNABLE = {
    "regression1d": "pinnrwf.problems.regression1d",
    "advection": "pinnrwf.problems.advection",
    "ldc": "pinnrwf.problems.ldc",
}
