"""HDF5 datasets of reference solutions: layout, atomic writer, validating reader, generators.

See :mod:`pinnrwf.datasets.hdf5` for the file layout and :mod:`pinnrwf.datasets.generate` for
the per-problem generators; :mod:`pinnrwf.datasets.cli` registers ``pinnrwf generate``.
"""

from .hdf5 import LAYOUTS, Dataset, DatasetError, DatasetWriter, read_dataset, write_dataset

__all__ = ["LAYOUTS", "Dataset", "DatasetError", "DatasetWriter", "read_dataset", "write_dataset"]
