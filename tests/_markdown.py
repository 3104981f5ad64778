"""Code blocks of the documentation pages, for the tests that run them as written."""

import re
from pathlib import Path


def python_block_after(page: Path, marker: str) -> str:
    """The first ```python block after ``marker`` (an HTML comment) in ``page``."""
    text = page.read_text()
    assert marker in text, f"{marker!r} is missing from {page}"
    return re.search(r"```python\n(.*?)```", text.split(marker, 1)[1], re.S).group(1)
