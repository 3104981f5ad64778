"""Operator learning with DeepONets (rwf_paper §4.6, App. L): data sets of input functions and
their solutions, minibatches, the supervised and the physics-informed objectives, and the
operator-predictions report. A problem declares its data and network and picks these parts.

- :mod:`._data`: :class:`Split` (a generated dataset's file, or its solutions in memory),
  :func:`open_train_test`, :func:`grid_operator_data` → :class:`OperatorData`, :func:`solved_test_set`;
- :mod:`._supervised`: :class:`FunctionGroups`, :func:`make_batches`, :func:`predict`,
  :class:`SupervisedOperatorObjective` (eq. L.2);
- :mod:`._physics`: :class:`PhysicsInformedOperatorObjective` (eq. L.11–L.13);
- :mod:`._report`: :class:`OperatorPredictionsReport`.
"""

from ._data import (
    OperatorData,
    Split,
    check_count,
    float_dtype,
    grid_operator_data,
    grid_points,
    open_split,
    open_train_test,
    solved_test_set,
)
from ._physics import PhysicsInformedOperatorObjective
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

__all__ = ["BRANCH_EVALUATIONS", "FunctionGroups", "OperatorData", "OperatorPredictionsReport",
           "PhysicsInformedOperatorObjective", "Split", "SupervisedOperatorObjective", "branch_once", "check_count",
           "float_dtype", "grid_operator_data", "grid_points", "make_batches", "make_supervised_objective",
           "open_split", "open_train_test", "plot_predictions", "plot_training", "predict", "solved_test_set"]
