"""The reproduction pages (docs/gen_reproductions.py) from a small fake results tree and from the real one."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_reproductions", ROOT / "docs" / "gen_reproductions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)  # not run as a script: builds nothing, writes nothing
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.fixture
def tree(tmp_path):
    """table12/cpu-test-2c/quick with provenance, a table and figures; mystudy/... with none of it."""
    leaf = tmp_path / "table12" / "cpu-test-2c" / "quick"
    (leaf / "figures").mkdir(parents=True)
    provenance = {
        "date": "2030-01-02T03:04:05",
        "commit": "abcdef1234567",
        "command": "pinnrwf bench table12 --preset quick",
        "preset": "quick",
        "device": {"platform": "cpu", "device_kind": "cpu", "cpu": "Test CPU", "jax": "9.9"},
    }
    (leaf / "results.json").write_text(json.dumps(provenance))
    (leaf / "table.md").write_text(
        "# table12 (quick) (issue 7)\n\n| row | plain | rwf |\n|---|---|---|\n| causal | 91.34 % | 89.67 % |\n\n"
        "See [the curve](curve.png), [the notes](../../../elsewhere/NOTE.md) and [JAX](https://jax.dev).\n\n"
        "```text\n# not a heading\n```\n"
    )
    (leaf / "curve.png").write_bytes(b"\x89PNG fake")
    (leaf / "figures" / "field.png").write_bytes(b"\x89PNG fake")
    other = tmp_path / "mystudy" / "cpu-test-2c" / "default"
    other.mkdir(parents=True)
    (other / "notes.md").write_text("measured once\n")
    return tmp_path


def test_page_shows_the_table_the_provenance_and_the_figures(gen, tree):
    paper = gen.paper_markdown([gen.PaperTable("rwf_paper Table 12", {"causal": {"plain": (5.92, 2.85)}}, str)])
    text, figures = gen.benchmark_page(tree, "table12", paper)
    assert "| causal | 91.34 % | 89.67 % |" in text  # the folder's table, included
    assert "| causal | 5.92 ± 2.85 |" in text  # the paper's numbers beside it
    assert "2030-01-02" in text and "`abcdef1`" in text
    assert "pinnrwf bench table12 --preset quick" in text and "(recorded in `results.json`)" in text
    assert "Test CPU" in text and "cpu-test-2c" in text
    assert "Quick preset" in text
    assert "![curve.png](table12/cpu-test-2c/quick/curve.png)" in text
    assert "![figures/field.png](table12/cpu-test-2c/quick/figures/field.png)" in text
    assert figures == {
        "reproductions/table12/cpu-test-2c/quick/curve.png": tree / "table12/cpu-test-2c/quick/curve.png",
        "reproductions/table12/cpu-test-2c/quick/figures/field.png": tree
        / "table12/cpu-test-2c/quick/figures/field.png",
    }


def test_included_markdown_is_fit_for_the_page(gen, tree):
    text, _ = gen.benchmark_page(tree, "table12")
    assert "[the curve](table12/cpu-test-2c/quick/curve.png)" in text  # a figure of the folder: its copy
    assert "the notes" in text and "NOTE.md)" not in text  # a file the site lacks: the link is dropped
    assert "[JAX](https://jax.dev)" in text  # web links stay
    assert "#### table12 (quick)\n" in text and "# not a heading" in text  # headings move down, code stays


def test_a_folder_without_provenance_gets_dashes(gen, tree):
    text, figures = gen.benchmark_page(tree, "mystudy")
    assert text.startswith("# mystudy\n")
    assert "**Date:** —" in text and "**Commit:** —" in text and "**Command**: —" in text
    assert "measured once" in text and figures == {}


def test_build_writes_an_index_linking_every_page(gen, tree):
    pages = gen.build(tree, paper=lambda name: [])
    assert set(pages) == {
        "reproductions/index.md",
        "reproductions/SUMMARY.md",
        "reproductions/table12.md",
        "reproductions/mystudy.md",
        "reproductions/table12/cpu-test-2c/quick/curve.png",
        "reproductions/table12/cpu-test-2c/quick/figures/field.png",
    }
    index = pages["reproductions/index.md"]
    assert "(table12.md)" in index and "(mystudy.md)" in index
    assert "benchmarks/run_gpu.sh" in index and "pinnrwf bench" in index


def test_every_committed_benchmark_folder_gets_a_page(gen):
    pages = gen.build(RESULTS, paper=lambda name: [])
    names = sorted(p.name for p in RESULTS.iterdir() if p.is_dir())
    assert names
    missing = [n for n in names if f"reproductions/{n}.md" not in pages]
    assert not missing, f"no page for {missing}"
    assert all(f"({n}.md)" in pages["reproductions/index.md"] for n in names)
    assert pages == gen.build(RESULTS, paper=lambda name: [])  # deterministic


@pytest.mark.slow
def test_paper_numbers_come_from_the_code(gen):
    from pinnrwf.benchmarks.tables.pinn_tables import PAPER
    from pinnrwf.benchmarks.tables.vision_tables import TABLES

    table12 = gen.paper_markdown(gen.paper_tables("table12"))
    mean, std = PAPER["table12"]["causal"]["rwf"]
    assert f"{mean:.2f} ± {std:.2f}" in table12
    table11 = gen.paper_markdown(gen.paper_tables("table11"))
    assert f"{TABLES['table11'].blocks[0].paper['gauss']['rwf'][0]:.3f}" in table11
    assert gen.paper_tables("engine") == []


def test_the_section_navigation_lists_every_page(gen):
    pages = gen.build(RESULTS, paper=lambda name: [])
    summary = pages["reproductions/SUMMARY.md"]
    listed = {line.split("](", 1)[1].rstrip(")") for line in summary.splitlines() if "](" in line}
    generated = {p.split("/", 1)[1] for p in pages if p.endswith(".md") and not p.endswith("SUMMARY.md")}
    assert listed == generated
