"""cli.md (to be written: the command line reference from its parser)."""

import mkdocs_gen_files

with mkdocs_gen_files.open("cli.md", "w") as f:
    f.write("# Command line\n\n(to be written)\n")
