"""reproductions/index.md (to be written: one page per paper table and study)."""

import mkdocs_gen_files

with mkdocs_gen_files.open("reproductions/index.md", "w") as f:
    f.write("# Reproductions\n\n(to be written)\n")
