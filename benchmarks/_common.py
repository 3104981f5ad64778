"""Shared pieces of the benchmark scripts: where results go, provenance and Markdown output.

Results form a tree ``<root>/<benchmark>/<device>/<preset>/``: ``benchmark`` is the name of the
table, peer comparison or study (``pinnrwf bench NAME`` where registered), ``device`` a short slug
of the machine (:func:`device_slug`, e.g. ``cpu-epyc-2c``) and ``preset`` the setting measured
(``smoke``, ``quick``, ``paper``, or a study's own setting such as ``default``).
``benchmarks/index.py`` lists the committed tree in ``benchmarks/results/INDEX.md``.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
from pathlib import Path

from pinnrwf import _validation as check
from pinnrwf.train import atomic_write_bytes, write_results

# Benchmarks write here unless told otherwise: the committed results under benchmarks/results/
# are replaced only when the user names that folder with --out.
RESULTS_DIR = Path("runs/benchmarks")
COMMITTED_RESULTS_DIR = Path("benchmarks/results")


def device_slug(device: dict | None = None, cores: int | None = None) -> str:
    """A short name of the machine for the results tree: ``<platform>-<model>[-<cores>c]``.

    ``device`` is what :func:`pinnrwf.train.device_description` records (``platform``,
    ``device_kind``, ``cpu``); ``None`` describes this machine (JAX's first device). On a CPU the
    model is the CPU's family (``AMD EPYC`` -> ``epyc``, ``Intel(R) Xeon(R) ...`` -> ``xeon``) and
    ``cores`` its core count (``os.cpu_count()`` for this machine); on an accelerator it is the
    device kind (``NVIDIA H100 80GB HBM3`` -> ``gpu-h100``).
    """
    if device is None:
        import jax

        first = jax.devices()[0]
        device = {"platform": first.platform, "device_kind": first.device_kind, "cpu": cpu_model()}
        cores = os.cpu_count() if cores is None else cores
    kind = str(device.get("platform", "cpu")).lower()
    if kind == "cpu":
        model = _cpu_family(str(device.get("cpu", "")))
        return f"cpu-{model}" + (f"-{cores}c" if cores else "")
    name = str(device.get("device_kind", kind)).lower()
    words = [w for w in re.split(r"[^a-z0-9]+", name) if w and w not in {"nvidia", "amd", "tesla", "google"}]
    return f"{'gpu' if kind in {'gpu', 'cuda', 'rocm'} else kind}-{words[0] if words else 'unknown'}"


def _cpu_family(model: str) -> str:
    for family in ("epyc", "xeon", "ryzen", "threadripper", "core", "graviton", "neoverse", "apple"):
        if family in model.lower():
            return family
    words = [w for w in re.split(r"[^a-z0-9]+", model.lower()) if w and w not in {"r", "tm", "cpu", "processor"}]
    return words[0] if words else (platform.machine().lower() or "unknown")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def result_dir(root: Path | str, benchmark: str, preset: str, device: str | None = None) -> Path:
    """``<root>/<benchmark>/<device>/<preset>``, the folder one run's results go to.

    ``device`` defaults to this machine's :func:`device_slug`.
    """
    return Path(root) / benchmark / (device or device_slug()) / preset


def command_line() -> str:
    return shlex.join(["pinnrwf", *sys.argv[1:]]) if sys.argv else ""


def add_out_argument(p) -> None:
    p.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR,
        help=f"root of the results tree; results go to OUT/<benchmark>/<device>/<preset>/ (default: "
        f"{RESULTS_DIR}; pass {COMMITTED_RESULTS_DIR} to replace the committed results)",
    )


def check_out(args, benchmark: str, preset: str) -> Path:
    """Check (and create) this run's folder ``--out/<benchmark>/<device>/<preset>`` before any work."""
    return check.output_directory("--out", result_dir(args.out, benchmark, preset))


def write_benchmark(name: str, payload: dict, markdown: str, out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write ``<name>.json`` (with device, command, commit, date) and ``<name>.md``."""
    out_dir = Path(out_dir)
    json_path = write_results(
        out_dir / f"{name}.json", {"benchmark": name, "command": command_line(), "cores": os.cpu_count(), **payload}
    )
    md_path = out_dir / f"{name}.md"
    atomic_write_bytes(md_path, lambda f: f.write(markdown.encode()))
    return json_path, md_path


def publish_benchmark(name: str, payload: dict, markdown: str, out_dir: Path = RESULTS_DIR) -> int:
    """:func:`write_benchmark`, then print the table and the paths written; the exit status (0) of a
    benchmark's ``main``."""
    paths = write_benchmark(name, payload, markdown, out_dir)
    print(markdown)
    print("wrote", *paths)
    return 0


def ratio_rounds_table(title: str, rounds: list[dict], baseline: str, names: list[str], ratio_key: str) -> list[str]:
    """Markdown lines of an A/B speed comparison measured in interleaved rounds.

    ``rounds[i]["steps_per_second"][case]`` and ``rounds[i][ratio_key][name]`` (the step-time ratio
    of ``name`` to ``baseline``); one row per round, one column per case.
    """
    lines = [
        title,
        "",
        f"| round | {baseline} (steps/s) | " + " | ".join(f"{k} (steps/s)" for k in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for x in rounds:
        s = x["steps_per_second"]
        lines.append(
            f"| {x['round']} | {s[baseline]:.1f} | "
            + " | ".join(f"{s[k]:.1f} (×{x[ratio_key][k]:.3f})" for k in names)
            + " |"
        )
    return lines


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then a rename)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, lambda f: f.write(text.encode()))
