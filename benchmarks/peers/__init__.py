"""The same workloads in peer libraries (DeepXDE, exponax, bare JAX, PyTorch), timed against pinnrwf.

The peer scripts run as files in their own environments (no pinnrwf there) and share one
standard-library harness, :mod:`._harness`: provenance, atomic writes, DeepXDE's timed loop and
the per-round A-B summaries.
"""
