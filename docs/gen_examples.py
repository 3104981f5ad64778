"""examples/index.md (to be written: one page per script of examples/)."""

import mkdocs_gen_files

with mkdocs_gen_files.open("examples/index.md", "w") as f:
    f.write("# Examples\n\n(to be written)\n")
