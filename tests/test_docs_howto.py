"""The how-to guides' code runs as written: every ```python block of docs/how-to/*.md preceded by
``<!-- howto-test -->`` (or ``<!-- howto-test slow -->``) is executed, the blocks of one page in order
in one namespace, inside a temporary folder."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOWTO = ROOT / "docs" / "how-to"
BLOCK = re.compile(r"<!-- howto-test( slow)? -->\n```python\n(.*?)```", re.S)


def _pages() -> dict[str, list[tuple[bool, str]]]:
    return {page.name: BLOCK.findall(page.read_text()) for page in sorted(HOWTO.glob("*.md"))}


def _params():
    for name, blocks in _pages().items():
        if blocks:
            slow = any(flag for flag, _ in blocks)
            yield pytest.param(name, marks=[pytest.mark.slow] if slow else [], id=name.removesuffix(".md"))


def test_every_guide_is_written():
    for name in _pages():
        text = (HOWTO / name).read_text()
        assert "(to be written)" not in text, f"docs/how-to/{name} is still a placeholder"


@pytest.mark.parametrize("page", list(_params()))
def test_tested_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__howto__"}
    for i, (_, code) in enumerate(_pages()[page]):
        exec(compile(code, f"docs/how-to/{page} block {i}", "exec"), namespace)
