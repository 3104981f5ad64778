"""Studies: one question each, in one folder with a README stating the question, the command and
the finding (quoted from the committed results)."""
