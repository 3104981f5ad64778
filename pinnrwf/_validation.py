"""One home for argument checks, shared by nn, train, pde, solvers, datasets and the CLI.

Every checker takes the parameter's ``name`` (as the user wrote it: ``"width"``, ``"--steps"``)
and the value, raises ``ValueError`` naming both and what was expected, and returns the value
converted to its canonical Python type. Checks run when a constructor or entry point is called,
never inside a jitted trace.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Collection
from pathlib import Path

MAX_SEED = 2**32 - 1  # PRNG keys and numpy generators both take 32-bit seeds without truncation


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def integer(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer (not a bool, not a float) within ``[minimum, maximum]``."""
    if not _is_int(value):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be ≤ {maximum}, got {value}")
    return value


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """An integer ≥ ``minimum`` (default 1)."""
    return integer(name, value, minimum=minimum)


def seed(name: str, value) -> int:
    """A seed: an integer in [0, 2³² − 1]."""
    return integer(name, value, minimum=0, maximum=MAX_SEED)


def finite_number(name: str, value) -> float:
    """A finite real number (ints, floats and 0-d numpy/JAX scalars)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            import numpy as np

            arr = np.asarray(value)
        except Exception:  # noqa: BLE001 - anything that is not array-like is not a number
            raise ValueError(f"{name} must be a finite number, got {value!r}") from None
        if arr.shape != () or arr.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        value = arr.item()
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def positive_number(name: str, value, *, allow_zero: bool = False) -> float:
    """A finite number > 0 (≥ 0 with ``allow_zero``)."""
    value = finite_number(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'≥' if allow_zero else '>'} 0, got {value!r}")
    return value


def number_in(name: str, value, lower: float, upper: float, *, closed: bool = True) -> float:
    """A finite number in [lower, upper] (open interval if not ``closed``)."""
    value = finite_number(name, value)
    ok = lower <= value <= upper if closed else lower < value < upper
    if not ok:
        bracket = f"[{lower}, {upper}]" if closed else f"({lower}, {upper})"
        raise ValueError(f"{name} must be in {bracket}, got {value!r}")
    return value


def probability(name: str, value) -> float:
    """A number in [0, 1]."""
    return number_in(name, value, 0.0, 1.0)


def one_of(name: str, value, choices: Collection):
    """``value`` must be one of ``choices``."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def existing_file(name: str, path) -> Path:
    """A path to an existing regular file."""
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{name}: no file at {p}")
    if not p.is_file():
        raise ValueError(f"{name}: {p} is not a regular file")
    return p


def output_directory(name: str, path) -> Path:
    """Create (if needed) and check a writable output directory, before any work is done."""
    p = Path(path)
    for parent in [p, *p.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{name}: {parent} exists and is not a directory (output directory {p})")
            break
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(f"{name}: cannot create the output directory {p}: {e.strerror}") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise ValueError(f"{name}: the output directory {p} is not writable")
    return p


def output_file(name: str, path, *, overwrite: bool = False) -> Path:
    """Check an output file path before any work: parent creatable and writable, the path not a
    directory, and not an existing file unless ``overwrite``."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{name}: {p} is a directory; give a file path (e.g. {p / 'data.h5'})")
    if p.exists() and not overwrite:
        raise ValueError(f"{name}: {p} exists (use --overwrite to replace it)")
    output_directory(f"{name} (its folder)", p.parent if str(p.parent) else Path("."))
    return p


def function(name: str, value):
    """A callable (a function, or a module/object with ``__call__``)."""
    if not callable(value):
        raise ValueError(f"{name} must be a callable, got {value!r}")
    return value


def instance(name: str, value, cls: type | tuple[type, ...], expected: str):
    """An instance of ``cls``; ``expected`` says what in words (e.g. ``"a pinnrwf.nn embedding"``)."""
    if not isinstance(value, cls):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value
