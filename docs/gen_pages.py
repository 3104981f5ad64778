"""Pages written at build time (mkdocs-gen-files), so they cannot drift from the repository.

- ``examples/``: one page per script of ``examples/`` (its docstring, then its code);
- ``reproductions/``: one page per paper table and study, from the committed results JSON;
- ``changelog.md``: CHANGELOG.md.
"""

from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent

with mkdocs_gen_files.open("changelog.md", "w") as f:
    f.write((ROOT / "CHANGELOG.md").read_text())
