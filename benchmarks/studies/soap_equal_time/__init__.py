"""See README.md in this folder: the question, the command and the finding."""
