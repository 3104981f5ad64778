"""Problems from the user's own files and from installed packages (entry points), and
``python -m pinnrwf``: run from temporary folders outside the repository."""

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pinnrwf
from pinnrwf import registry
from pinnrwf.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "user_problem.py"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def problem_file(tmp_path):
    path = tmp_path / "elsewhere" / "my_heat.py"
    path.parent.mkdir()
    shutil.copy(FIXTURE, path)
    return path


def _clean_env(extra_path: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return env


def test_run_a_problem_file_from_any_folder_then_load_it(problem_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside the repository
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(problem_file),
            "--preset",
            "smoke",
            "--param",
            "plain,rwf",
            "--kappa",
            "0.2",
            "--no-progress",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    assert results["problem"] == "user-heat"
    assert results["problem_config"]["kappa"] == 0.2  # the problem's own option reached its config
    assert all(math.isfinite(v) for r in results["runs"].values() for v in r["final_metrics"]["rel_l2"])
    saved = json.loads((out / "models" / "run.json").read_text())
    assert Path(saved["problem_file"]) == problem_file.resolve()
    run = pinnrwf.load_run(out)  # rebuilt from the recorded file, not the registry
    assert run.problem.name == "user-heat" and run.config.kappa == 0.2
    assert run.model("rwf", member=0)(pinnrwf_point()).shape == (1,)


def pinnrwf_point():
    import jax.numpy as jnp

    return jnp.array([0.5, 0.5])


def test_choosing_a_class_in_a_file_with_several(problem_file):
    text = problem_file.read_text() + textwrap.dedent("""

        class OtherHeat(UserHeat):
            name = "other-heat"
        """)
    problem_file.write_text(text)
    with pytest.raises(ValueError, match=r"several problems \['OtherHeat', 'UserHeat'\]: choose one as .*:OtherHeat"):
        registry.load_problem_file(problem_file)
    assert registry.load_problem_file(f"{problem_file}:OtherHeat").name == "other-heat"
    with pytest.raises(ValueError, match="no problem class 'Nope'"):
        registry.load_problem_file(f"{problem_file}:Nope")


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (None, 2, "no such file"),
        ("x = 1\n", 2, "defines no concrete pinnrwf.problem.AbstractProblem subclass"),
        ("import not_a_module_anywhere\n", 1, "failed to import: ModuleNotFoundError"),
    ],
)
def test_bad_problem_files_fail_in_one_line(tmp_path, capsys, content, code, message):
    path = tmp_path / "bad.py"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(path), "--preset", "smoke"])
    assert exit_info.value.code == code
    err = capsys.readouterr().err
    assert err.startswith("pinnrwf: error: ") and message in err and err.count("\n") == 1


def _install_plugin(site: Path, problem_source: str, entry_point: str) -> None:
    """What ``pip install`` leaves for a package: the module and its dist-info with entry points."""
    (site / "heatplugin").mkdir(parents=True)
    (site / "heatplugin" / "__init__.py").write_text("")
    (site / "heatplugin" / "problems.py").write_text(problem_source)
    info = site / "heatplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: heatplugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[pinnrwf.problems]\n{entry_point}\n")


def test_an_installed_entry_point_runs_by_name_with_python_m(tmp_path):
    site = tmp_path / "site"
    _install_plugin(site, FIXTURE.read_text(), "user-heat = heatplugin.problems:UserHeat")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pinnrwf",
            "run",
            "user-heat",
            "--preset",
            "smoke",
            "--param",
            "plain",
            "--no-progress",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        env=_clean_env(site),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "user-heat" in proc.stdout or "Heat equation" in proc.stdout
    assert json.loads((out / "results.json").read_text())["problem"] == "user-heat"


def test_entry_point_clashing_with_a_builtin_name_is_refused(tmp_path):
    site = tmp_path / "site"
    source = FIXTURE.read_text().replace('name = "user-heat"', 'name = "advection"')
    _install_plugin(site, source, "advection = heatplugin.problems:UserHeat")
    proc = subprocess.run(
        [sys.executable, "-m", "pinnrwf", "run", "--help"],
        cwd=tmp_path,
        env=_clean_env(site),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "pinnrwf: error: two problems are named 'advection': from module "
        "pinnrwf.problems.advection and from entry point advection"
    )


def test_entry_point_must_match_the_problem_name(tmp_path, monkeypatch):
    site = tmp_path / "site"
    _install_plugin(site, FIXTURE.read_text(), "heat = heatplugin.problems:UserHeat")
    monkeypatch.syspath_prepend(str(site))
    registry._registry_with_sources.cache_clear()
    try:
        with pytest.raises(ValueError, match="the entry point's name must be the problem's name 'user-heat'"):
            registry.registry()
    finally:
        sys.modules.pop("heatplugin.problems", None)
        sys.modules.pop("heatplugin", None)
        monkeypatch.undo()
        registry._registry_with_sources.cache_clear()


@pytest.mark.slow
def test_a_problem_file_runs_from_a_wheel_install(problem_file, tmp_path):
    """Build pinnrwf's wheel, install it (no editable link to the repository) and run a user's file."""
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    wheels, target, source = tmp_path / "wheels", tmp_path / "installed", tmp_path / "source"
    # a copy of the sources, so that the build's own folders never land in the repository
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".ci-venv", "build", "results", "runs", "__pycache__", "*.egg-info", "data"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )
    wheel = next(wheels.glob("pinnrwf-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )
    out = tmp_path / "out"
    script = (
        "import sys, pinnrwf; from pinnrwf.cli import main; print('FROM', pinnrwf.__file__); "
        "sys.exit(main(sys.argv[1:]))"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "run",
            str(problem_file),
            "--preset",
            "smoke",
            "--param",
            "plain",
            "--no-progress",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        env=_clean_env(target),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"FROM {target}" in proc.stdout  # the wheel's copy, not the repository's
    assert json.loads((out / "results.json").read_text())["problem"] == "user-heat"
