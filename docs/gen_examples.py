"""examples/index.md and one page per script of examples/, written at build time from the scripts.

Each page is the script's docstring (as Markdown: what it shows, how to run it, what it prints) and
the whole file as a Python code block; the index is a table of every script and the first line of its docstring.
"""

import ast
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "examples").glob("*.py"))


def docstring(path: Path) -> str:
    text = ast.get_docstring(ast.parse(path.read_text()))
    if not text:
        raise ValueError(f"{path}: an example starts with a docstring saying what it shows")
    return text


def summary(path: Path) -> str:
    return docstring(path).split("\n\n")[0].replace("\n", " ").replace("|", "\\|")


with mkdocs_gen_files.open("examples/index.md", "w") as f:
    f.write(
        "# Examples\n\n"
        "Standalone scripts in the repository's `examples/` folder: copy one and edit it. Each shows one\n"
        "idea with the public API, prints its result and saves its figures under `examples_out/<name>/`\n"
        "(or the folder given by `--out`). With `PINNRWF_SMOKE=1` every script runs a tiny version (under\n"
        "a minute, mostly compilation): this is how the test suite runs them all (`tests/test_examples.py`).\n"
        "Without it, each is a small but meaningful run of a few minutes on a CPU; each page gives the output\n"
        "it printed at that setting.\n\n"
        "| script | what it shows |\n|---|---|\n"
    )
    for path in SCRIPTS:
        f.write(f"| [`{path.name}`]({path.stem}.md) | {summary(path)} |\n")

for path in SCRIPTS:
    with mkdocs_gen_files.open(f"examples/{path.stem}.md", "w") as f:
        f.write(f"# `{path.name}`\n\n{docstring(path)}\n\n```python\n{path.read_text()}```\n")

with mkdocs_gen_files.open("examples/SUMMARY.md", "w") as f:  # the section's navigation (mkdocs-literate-nav)
    f.write("- [Overview](index.md)\n" + "".join(f"- [{path.stem}]({path.stem}.md)\n" for path in SCRIPTS))
