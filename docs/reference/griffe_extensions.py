"""Griffe extensions for the API reference: sub-packages installed from other folders, Sphinx roles.

pyproject.toml installs top-level folders inside the package (``package-dir``: ``solvers/`` is
``pinnrwf.solvers``, ``problems/`` is ``pinnrwf.problems``). Griffe reads ``pinnrwf/`` from the
source tree and does not know that mapping, so ``::: pinnrwf.solvers`` would not be found; this
extension loads each mapped folder as the sub-package it is installed as.
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
import tomllib
from pathlib import Path
from typing import Any

import griffe

ROOT = Path(__file__).resolve().parents[2]


def mapped_packages(package: str) -> dict[str, Path]:
    """``{"solvers": Path("solvers"), ...}``: the folders pyproject.toml installs under ``package``."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        package_dir = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {
        name.removeprefix(package + "."): ROOT / folder
        for name, folder in package_dir.items()
        if name.startswith(package + ".") and name.count(".") == 1
    }


class PackageDirs(griffe.Extension):
    """Attach each folder that pyproject.toml maps into ``pinnrwf`` as that sub-package."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.name != "pinnrwf":
            return
        for name, folder in mapped_packages(pkg.name).items():
            if name in pkg.members or not (folder / "__init__.py").exists():
                continue
            # griffe has no public call for "load this folder as that sub-package"
            sub = loader._load_module(name, folder / "__init__.py", submodules=True, parent=pkg)
            pkg.set_member(name, sub)
            loader.expand_exports(sub)


#: ``:class:`X```, ``:func:`~pinnrwf.train.fit``` ...: a Sphinx role around a name.
SPHINX_ROLE = re.compile(r":(?:py:)?(?:class|func|mod|meth|attr|data|obj|exc|const):`(~?)([^`]+)`")

#: ``text::`` at the end of a line (reStructuredText's literal-block marker).
LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _target(obj: griffe.Object, name: str) -> str | None:
    """The full path ``name`` stands for in ``obj``'s docstring (``None``: not found)."""
    name = name.removesuffix("()")
    if name.startswith("pinnrwf"):
        return name
    try:
        if name.startswith("."):  # relative to the package, as in an import
            base = obj.module if obj.module.is_package else obj.module.parent
            for _ in range(len(name) - len(name.lstrip(".")) - 1):
                base = base.parent
            return f"{base.path}.{name.lstrip('.')}"
        head, _, rest = name.partition(".")
        path = obj.resolve(head)
    except Exception:  # noqa: BLE001 - a name griffe cannot place: shown without a link
        return None
    return f"{path}.{rest}" if rest else path


class SphinxRoles(griffe.Extension):
    """Show the Sphinx roles of the docstrings (``:class:`Linear```) as code (`Linear`), linked to
    the name's entry where the reference has one, and drop the second colon of a literal-block
    marker (``Usage::``): the docstrings are written to read well as plain text, the site renders
    them as Markdown."""

    def _rewrite(self, obj: griffe.Object, loader: griffe.GriffeLoader) -> None:
        if obj.docstring is None and obj.is_attribute:
            _comment_docstring(obj, loader)
        if obj.docstring is None:
            return

        def role(match: re.Match) -> str:
            short, name = match.groups()
            code = f"<code>{html.escape(name.rsplit('.', 1)[-1] if short else name)}</code>"
            target = _target(obj, name.lstrip("~"))
            # optional: autorefs links it when the target has an entry, else leaves the code as it is
            return code if target is None else f'<autoref identifier="{html.escape(target)}" optional>{code}</autoref>'

        text = SPHINX_ROLE.sub(role, obj.docstring.value)
        # "Usage::" introducing an indented literal block: the block renders as code already
        obj.docstring.value = LITERAL_BLOCK.sub(":", text)

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(obj, loader)

    def on_module(self, *, mod: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(mod, loader)


def _comment_docstring(attr: griffe.Object, loader: griffe.GriffeLoader) -> None:
    """A constant documented Sphinx's way, by ``#:`` comment lines just above it, gets them as its docstring."""
    try:
        lines = loader.lines_collection[attr.filepath]
    except (KeyError, TypeError):
        return
    comment: list[str] = []
    index = (attr.lineno or 0) - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        comment.insert(0, lines[index].strip().removeprefix("#:").strip())
        index -= 1
    if comment:
        attr.docstring = griffe.Docstring(
            "\n".join(comment),
            lineno=index + 2,
            endlineno=attr.lineno - 1,
            parent=attr,
            parser=loader.docstring_parser,
            parser_options=loader.docstring_options,
        )


class EquinoxInit(griffe.Extension):
    """Give each ``equinox.Module`` its ``__init__`` signature.

    Equinox makes every module a dataclass without a ``@dataclass`` decorator, so griffe would
    show those classes without parameters. Their real signature is read from the imported class
    (``inspect.signature``); annotations and defaults come from the source where it declares the
    field (keeping cross-references), else from the runtime signature.
    """

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if pkg.name == "pinnrwf":
            self._walk(pkg, set())

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        for member in list(obj.members.values()):
            if member.is_alias or member.path in seen:
                continue
            seen.add(member.path)
            if member.is_class:
                self._set_init(member)
            if member.is_module or member.is_class:
                self._walk(member, seen)

    def _set_init(self, cls: griffe.Class) -> None:
        if "__init__" in cls.members:
            return
        try:
            import equinox as eqx

            runtime = importlib.import_module(cls.module.path)
            for part in cls.path.removeprefix(cls.module.path + ".").split("."):
                runtime = getattr(runtime, part)
            if not (isinstance(runtime, type) and issubclass(runtime, eqx.Module)):
                return
            signature = inspect.signature(runtime)
        except Exception:  # noqa: BLE001 - an optional dependency missing: leave the class as it is
            return
        fields: dict[str, griffe.Attribute] = {}
        for parent in reversed(_source_mro(cls)):
            fields.update({n: m for n, m in parent.members.items() if not m.is_alias and m.is_attribute})
        parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for p in signature.parameters.values():
            field = fields.get(p.name)
            annotation = field.annotation if field is not None and field.annotation is not None else None
            if annotation is None and p.annotation is not inspect.Parameter.empty:
                annotation = p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation)
            default = None if p.default is inspect.Parameter.empty else repr(p.default)
            kind = griffe.ParameterKind(p.kind.description)
            parameters.append(griffe.Parameter(p.name, annotation=annotation, kind=kind, default=default))
        init = griffe.Function("__init__", lineno=0, endlineno=0, parent=cls, returns="None")
        init.parameters = griffe.Parameters(*parameters)
        cls.set_member("__init__", init)


def _source_mro(cls: griffe.Class) -> list[griffe.Class]:
    """The class and the classes it derives from that griffe has loaded, nearest first."""
    try:
        return [cls, *cls.mro()]
    except Exception:  # noqa: BLE001 - a base outside the loaded packages
        return [cls]
