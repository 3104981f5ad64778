"""Every script of examples/ runs to the end in its smoke setting and writes only into its output folder.

Parametrized over the files, so a new example is tested without editing this module. Each script
runs in a subprocess with ``PINNRWF_SMOKE=1`` (tiny sizes and steps), ``--out`` a temporary folder
and the working directory another, which must stay empty: a script writes under ``--out`` only.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
#: An example is one idea in a page of code: about 60 lines, docstring included.
MAX_LINES = 70


def test_there_are_enough_short_examples():
    assert len(EXAMPLES) >= 12, [p.name for p in EXAMPLES]
    long = {p.name: n for p in EXAMPLES if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"examples longer than {MAX_LINES} lines: {long}"


@pytest.mark.slow  # 20-50 s of CPU time per script, mostly compilation
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_in_smoke_mode(script, tmp_path):
    text = script.read_text()
    assert text.startswith('"""'), "an example starts with a docstring: what it shows, how to run it"
    assert f"python examples/{script.name}" in text and "PINNRWF_SMOKE=1" in text, (
        "say how to run it and its smoke mode"
    )
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    env = {**os.environ, "PINNRWF_SMOKE": "1", "MPLBACKEND": "Agg"}
    r = subprocess.run(
        [sys.executable, str(script), "--out", str(out)], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    assert r.stdout.strip(), "an example prints its result"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert any(name.endswith(".png") for name in written), f"no figure written under --out: {written}"
    for line in r.stdout.splitlines():  # every file the script says it wrote exists
        if line.startswith("wrote "):
            assert Path(line.removeprefix("wrote ").strip()).is_file(), line
    assert not any(cwd.iterdir()), f"wrote outside --out: {sorted(p.name for p in cwd.iterdir())}"
