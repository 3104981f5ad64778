"""The changelog page, written at build time from CHANGELOG.md (mkdocs-gen-files) so it cannot drift.

The other generated pages: docs/gen_examples.py, docs/gen_reproductions.py, docs/gen_cli.py.
"""

from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent

with mkdocs_gen_files.open("changelog.md", "w") as f:
    f.write((ROOT / "CHANGELOG.md").read_text())
