"""Shared pieces of the benchmark scripts: provenance and Markdown output."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from pinnrwf.train import atomic_write_bytes, write_results

RESULTS_DIR = Path("benchmarks/results")


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in ["pinnrwf", *sys.argv[1:]]) if sys.argv else ""


def write_benchmark(name: str, payload: dict, markdown: str, out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write ``<name>.json`` (with device, command, commit, date) and ``<name>.md``."""
    out_dir = Path(out_dir)
    json_path = write_results(out_dir / f"{name}.json", {"benchmark": name, "command": command_line(), **payload})
    md_path = out_dir / f"{name}.md"
    atomic_write_bytes(md_path, lambda f: f.write(markdown.encode()))
    return json_path, md_path
