"""Operator learning with DeepONets (rwf_paper §4.6, App. L): data sets of input functions and
their solutions, minibatches, the supervised and the physics-informed objectives, and the
operator-predictions report. A problem declares its data and network and picks these parts.

- :mod:`._data`: :class:`Split` (a generated dataset's file, or its solutions in memory),
  :func:`default_paths`, :func:`open_train_test`, :func:`grid_operator_data` → :class:`OperatorData`
  (both at once: :func:`load_train_test`), :func:`grid_test_set`, :func:`solved_test_set`
  (as an :class:`OperatorData`: :func:`solved_grid_test_set`);
- :mod:`._supervised`: :class:`FunctionGroups`, :func:`make_batches`, :func:`predict`,
  :class:`SupervisedOperatorObjective` (eq. L.2);
- :mod:`._physics`: :class:`PhysicsInformedOperatorObjective` (eq. L.11–L.13), built from a dataset's
  inputs and a test set by :func:`make_physics_informed_objective`;
- :mod:`._report`: :class:`OperatorPredictionsReport` (a :mod:`pinnrwf.reports` report a problem declares).
"""

from ._data import (
    OperatorData,
    SolvedTestFile,
    Split,
    TrainTestFiles,
    check_count,
    default_paths,
    float_dtype,
    grid_operator_data,
    grid_points,
    grid_test_set,
    load_train_test,
    open_split,
    open_train_test,
    solved_grid_test_set,
    solved_test_set,
)
from ._physics import PhysicsInformedOperatorObjective, PhysicsInformedTraining, make_physics_informed_objective
from ._report import OperatorPredictionsReport, plot_predictions, plot_training
from ._supervised import (
    BRANCH_EVALUATIONS,
    FunctionGroups,
    SupervisedOperatorObjective,
    branch_once,
    make_batches,
    make_supervised_objective,
    predict,
)

__all__ = [
    "BRANCH_EVALUATIONS",
    "FunctionGroups",
    "OperatorData",
    "OperatorPredictionsReport",
    "PhysicsInformedOperatorObjective",
    "PhysicsInformedTraining",
    "SolvedTestFile",
    "Split",
    "SupervisedOperatorObjective",
    "TrainTestFiles",
    "branch_once",
    "check_count",
    "default_paths",
    "float_dtype",
    "grid_operator_data",
    "grid_points",
    "grid_test_set",
    "load_train_test",
    "make_batches",
    "make_physics_informed_objective",
    "make_supervised_objective",
    "open_split",
    "open_train_test",
    "plot_predictions",
    "plot_training",
    "predict",
    "solved_grid_test_set",
    "solved_test_set",
]
