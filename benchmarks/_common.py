"""Shared pieces of the benchmark scripts: provenance and Markdown output."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from pinnrwf import _validation as check
from pinnrwf.train import atomic_write_bytes, write_results

# Benchmarks write here unless told otherwise: the committed results under benchmarks/results/
# are replaced only when the user names that folder with --out.
RESULTS_DIR = Path("runs/benchmarks")
COMMITTED_RESULTS_DIR = Path("benchmarks/results")


def command_line() -> str:
    return shlex.join(["pinnrwf", *sys.argv[1:]]) if sys.argv else ""


def add_out_argument(p) -> None:
    p.add_argument("--out", type=Path, default=RESULTS_DIR,
                   help=f"output folder (default: {RESULTS_DIR}; pass {COMMITTED_RESULTS_DIR} to replace the "
                   "committed results)")


def check_out(args) -> Path:
    """Check (and create) the output folder before any work."""
    return check.output_directory("--out", args.out)


def write_benchmark(name: str, payload: dict, markdown: str, out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write ``<name>.json`` (with device, command, commit, date) and ``<name>.md``."""
    out_dir = Path(out_dir)
    json_path = write_results(out_dir / f"{name}.json", {"benchmark": name, "command": command_line(), **payload})
    md_path = out_dir / f"{name}.md"
    atomic_write_bytes(md_path, lambda f: f.write(markdown.encode()))
    return json_path, md_path
