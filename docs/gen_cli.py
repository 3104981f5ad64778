"""cli.md: the command-line reference, written at build time from the command line's own parser.

Every help text below is ``format_help()`` of the parser that ``pinnrwf`` itself builds
(:func:`pinnrwf.cli.build_parser`), so the page cannot drift from the command. Building the
parser imports the problem modules but starts no JAX backend; the help is wrapped at a fixed
width so that the page is the same on every machine.
"""

from __future__ import annotations

import argparse
import functools

WIDTH = 100

INTRO = """\
# Command line

Installing pinnrwf installs one command, `pinnrwf` (also `python -m pinnrwf`), with three
subcommands:

- `pinnrwf run PROBLEM` trains a problem with one or more weight parameterizations, as a seed
  ensemble each, and compares them; the options shared by every problem come first in its help,
  the problem's own options (its configuration fields) last. `PROBLEM` is a registered name
  (below) or a problem file, `path/to/problem.py[:ClassName]`
  (see [your own problem](how-to/own-problem.md));
- `pinnrwf generate NAME` writes the reference data of a problem (HDF5), see
  [reference solvers and the data layer](concepts/solvers.md);
- `pinnrwf bench BENCHMARK` runs a benchmark (the paper's tables, the engine's speed) and writes
  JSON and Markdown, see [reproductions](reproductions/index.md).

For example:

```bash
pinnrwf run regression1d --preset smoke                  # a first check: the smallest preset
pinnrwf run advection --param plain,rwf --seeds 3 --out runs/advection
pinnrwf run advection --help                             # the options, as listed below
pinnrwf generate burgers-operator --n-samples 100 --out data/burgers_train.h5
```

Every failure prints one line, `pinnrwf: error: ...`, and exits with a non-zero status (2 for a
usage error, 1 for a failure at run time); `--debug` shows the Python traceback instead.
This page is generated from the command's own parser: it is what `--help` prints.
"""


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """``{name: parser}`` of a parser's subcommands, in the order they were added (``{}``: none)."""
    for action in parser._actions:  # argparse keeps its subparsers action only there
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def fixed_width(parser: argparse.ArgumentParser) -> None:
    """Wrap this parser's help, and its subcommands', at ``WIDTH`` columns whatever the terminal."""
    parser.formatter_class = functools.partial(parser.formatter_class, width=WIDTH)
    for child in subcommands(parser).values():
        fixed_width(child)


def distinct(children: dict[str, argparse.ArgumentParser]) -> list[tuple[list[str], argparse.ArgumentParser]]:
    """``[(names, parser)]``: a subcommand's aliases share its parser and are listed with it."""
    grouped: dict[int, tuple[list[str], argparse.ArgumentParser]] = {}
    for name, child in children.items():
        grouped.setdefault(id(child), ([], child))[0].append(name)
    return list(grouped.values())


def help_block(parser: argparse.ArgumentParser) -> str:
    return f"```text\n{parser.format_help().rstrip()}\n```\n"


def page() -> str:
    from pinnrwf.cli import build_parser

    parser = build_parser()
    fixed_width(parser)
    commands = subcommands(parser)
    parts = [INTRO, "## pinnrwf\n", help_block(parser)]
    for name, command in commands.items():
        parts.append(f"## pinnrwf {name}\n")
        parts.append(help_block(command))
        children = subcommands(command)
        if name == "run" and children:
            parts.append(
                "Each problem's help lists the options every run shares, then the problem's own "
                "(its configuration fields). Registered problems: "
                + ", ".join(f"[`{child}`](#pinnrwf-run-{child})" for child in children)
                + ".\n"
            )
        for names, child in distinct(children):
            aliases = f" (alias: {', '.join(names[1:])})" if len(names) > 1 else ""
            parts.append(f"### pinnrwf {name} {names[0]}{aliases}\n")
            parts.append(help_block(child))
    return "\n".join(parts)


if __name__ == "__main__":  # python docs/gen_cli.py: the page on stdout
    print(page())
else:  # run by mkdocs-gen-files during the build
    import mkdocs_gen_files

    with mkdocs_gen_files.open("cli.md", "w") as f:
        f.write(page())
