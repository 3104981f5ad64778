"""Command-line argument types shared by ``pinnrwf`` and the benchmarks: each turns a bad value
into argparse's one-line usage error naming the option and what was expected."""

from __future__ import annotations

import argparse

from pinnrwf import _validation as check


def _typed(convert, expected: str):
    def parse(text: str):
        try:
            return convert(text)
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None

    parse.__name__ = expected  # argparse names the type in some messages
    return parse


def _parse_int(text: str) -> int:
    value = int(text.replace("_", ""))
    return value


positive_int_arg = _typed(lambda t: check.positive_int("value", _parse_int(t)), "a positive integer")
seed_arg = _typed(lambda t: check.seed("value", _parse_int(t)), f"a seed, an integer in [0, {check.MAX_SEED}]")
nonnegative_int_arg = _typed(lambda t: check.integer("value", _parse_int(t), minimum=0), "an integer ≥ 0")
process_id_arg = nonnegative_int_arg


def _host_port(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host.strip("[]") or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(text)
    return text


coordinator_arg = _typed(_host_port, "HOST:PORT with a port in [1, 65535]")


def int_list_arg(text: str) -> list[int]:
    """A comma list of positive integers (``1,10``)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [check.positive_int("value", _parse_int(p)) for p in parts]
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"expected a comma list of positive integers, got {text!r}") from None
    return values
