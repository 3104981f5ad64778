"""The training engine: ``fit(init_model, objective, TrainConfig(...))``."""

from ._checkpoint import atomic_write_bytes, atomic_write_json, load_checkpoint, on_main_process, save_checkpoint
from ._collocation import AbstractCollocation
from ._config import PRECISIONS, TrainConfig
from ._fit import DivergenceError, FitResult, TrainState, fit, member_keys
from ._lbfgs import FIXED_SET_STREAM, TARGET_STEP
from ._objective import AbstractBatchStream, AbstractObjective
from ._optimizers import (
    LBFGS,
    SGD,
    AbstractOptimizer,
    AbstractScheduledOptimizer,
    Adam,
    Optimizer,
    Soap,
    build_optimizer,
)
from ._results import device_description, git_commit, jsonable, summarize, write_results
from ._schedules import learning_rate_schedule
from ._soap import ScaleBySoapState, scale_by_soap, soap
from ._weighting import AbstractLossWeighting, GradNormWeighting, NTKWeighting

__all__ = [
    "atomic_write_bytes",
    "atomic_write_json",
    "load_checkpoint",
    "on_main_process",
    "save_checkpoint",
    "PRECISIONS",
    "TrainConfig",
    "DivergenceError",
    "FitResult",
    "TrainState",
    "fit",
    "AbstractBatchStream",
    "AbstractOptimizer",
    "AbstractScheduledOptimizer",
    "Adam",
    "Soap",
    "SGD",
    "LBFGS",
    "TARGET_STEP",
    "FIXED_SET_STREAM",
    "Optimizer",
    "build_optimizer",
    "member_keys",
    "AbstractObjective",
    "device_description",
    "git_commit",
    "write_results",
    "jsonable",
    "summarize",
    "learning_rate_schedule",
    "ScaleBySoapState",
    "scale_by_soap",
    "soap",
    "AbstractLossWeighting",
    "GradNormWeighting",
    "NTKWeighting",
    "AbstractCollocation",
]
