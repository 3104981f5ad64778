"""The data layer: HDF5 datasets of reference solutions (layout, atomic writer, lazy validating
reader, generators) and minibatches drawn from them on the device or streamed from the host.

See :mod:`pinnrwf.datasets.hdf5` for the file layout and :mod:`pinnrwf.datasets.generate` for
the per-problem generators; :mod:`pinnrwf.datasets.cli` registers ``pinnrwf generate``;
:mod:`pinnrwf.datasets.fem` holds finite-element references (mesh + fields, the ``fem`` extra).
"""

from ._batches import DeviceRows, FunctionPointPairs, HostRows
from .hdf5 import (
    LAYOUTS,
    Dataset,
    DatasetError,
    DatasetWriter,
    open_dataset,
    open_splits,
    read_dataset,
    write_dataset,
)

__all__ = [
    "LAYOUTS",
    "Dataset",
    "DatasetError",
    "DatasetWriter",
    "open_dataset",
    "open_splits",
    "read_dataset",
    "write_dataset",
    "DeviceRows",
    "FunctionPointPairs",
    "HostRows",
]
