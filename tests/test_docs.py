"""The documentation site builds with ``mkdocs build --strict`` and documents every public name;
the command-line page is generated from the command's own parser."""

import html
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The public packages whose ``__all__`` the API reference must cover.
PUBLIC = [
    "pinnrwf.nn",
    "pinnrwf.train",
    "pinnrwf.pde",
    "pinnrwf.geometry",
    "pinnrwf.operator",
    "pinnrwf.vision",
    "pinnrwf.solvers",
    "pinnrwf.datasets",
    "pinnrwf.loggers",
    "pinnrwf.solvers.fem",
    "pinnrwf.datasets.fem",
]

#: The experiment layer's modules, documented on reference/problems.md: their ``__all__``, else
#: every public class and function they define.
EXPERIMENT = [
    "pinnrwf.problem",
    "pinnrwf.config",
    "pinnrwf.registry",
    "pinnrwf.runner",
    "pinnrwf.saved",
    "pinnrwf.reports",
    "pinnrwf.plotting",
    "pinnrwf.analysis",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-5000:]
    return out


@pytest.mark.slow
def test_site_builds_strictly(site):
    assert (site / "index.html").exists()


def api_anchors(site) -> set[str]:
    text = html.unescape("\n".join(p.read_text() for p in (site / "reference").rglob("*.html")))
    return set(re.findall(r'id="([\w.]+)"', text))


@pytest.mark.slow
@pytest.mark.parametrize("package", PUBLIC)
def test_every_public_name_has_an_entry(site, package):
    names = importlib.import_module(package).__all__
    anchors = api_anchors(site)
    missing = [n for n in names if f"{package}.{n}" not in anchors]
    assert not missing, f"{package}: no API entry for {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("module", EXPERIMENT)
def test_every_experiment_layer_name_has_an_entry(site, module):
    m = importlib.import_module(module)
    names = getattr(m, "__all__", None) or [
        name
        for name, obj in vars(m).items()
        if not name.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ == module
    ]
    anchors = api_anchors(site) | {"pinnrwf.load_run"}
    # a re-exported name is documented where it is defined
    missing = [n for n in names if f"{getattr(m, n).__module__}.{n}" not in anchors]
    assert not missing, f"{module}: no API entry for {missing}"
    assert "pinnrwf.load_run" in api_anchors(site)


def command_names() -> tuple[list[str], list[str]]:
    """The ``pinnrwf`` subcommands and the registered problems (``pinnrwf run`` choices)."""
    from pinnrwf.cli import build_parser
    from pinnrwf.registry import registry

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return list(commands.choices), list(registry())


@pytest.mark.slow
def test_cli_page_lists_every_subcommand_and_problem(site):
    page = html.unescape((site / "cli" / "index.html").read_text())
    subcommands, problems = command_names()
    assert {"run", "generate", "bench"} <= set(subcommands)
    for name in subcommands:
        assert f'id="pinnrwf-{name}"' in page, f"cli page: no section for pinnrwf {name}"
    for name in problems:
        assert f'id="pinnrwf-run-{name}"' in page, f"cli page: no section for pinnrwf run {name}"
        assert f"usage: pinnrwf run {name} " in page


@pytest.mark.slow
def test_cli_page_is_deterministic_and_starts_no_jax_backend():
    script = (
        "import json, runpy, io, contextlib\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    module = runpy.run_path('docs/gen_cli.py', run_name='__main__')\n"
        "import jax._src.xla_bridge as xb\n"
        "import os; os.environ['COLUMNS'] = '250'\n"
        "print(json.dumps({'page': out.getvalue(), 'again': module['page']() + '\\n', "
        "'backends': list(xb._backends)}))\n"
    )
    env = {**os.environ, "COLUMNS": "37"}  # the page must not follow the terminal's width
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(r.stdout)
    assert data["backends"] == [], "generating the command-line page started a JAX backend"
    assert data["page"] == data["again"], "the command-line page changes with the terminal's width"
    subcommands, problems = command_names()
    for name in [*subcommands, *(f"run {p}" for p in problems)]:
        assert f"## pinnrwf {name}\n" in data["page"]
