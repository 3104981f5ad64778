"""The package version (one place; the root package and the writers of files read it)."""

__version__ = "0.1.0"
