"""Network modules and pluggable weight parameterizations.

from pinnrwf.nn import Linear, MLP, RWF
layer = Linear(3, 256, parameterization=RWF(mean=1.0, std=0.1), key=key)
net = MLP(2, 1, width=256, depth=5, parameterization=RWF(), key=key)
"""

from ._activations import ACTIVATIONS, AbstractActivation, Activation, AdaptiveSlope
from ._cnn import CNN, Conv2d
from ._deeponet import DeepONet, ModifiedDeepONet
from ._diagonal import FACTOR_LAYOUTS, DiagonalFactor, DiagonalNetwork
from ._embeddings import (
    AbstractEmbedding,
    Chain,
    FourierFeatures,
    Identity,
    PeriodicEmbedding,
    PositionalEncoding,
)
from ._init import AbstractInitializer, GlorotNormal, SirenUniform
from ._linear import Linear
from ._mlp import MLP, ModifiedMLP, siren
from ._output_transform import OutputTransform
from ._parameterizations import (
    RWF,
    AbstractParameterization,
    AbstractScaleDistribution,
    AdaptiveActivation,
    LogNormal,
    LogUniform,
    Normal,
    Plain,
    SirenScale,
    Uniform,
    WeightConditioning,
    WeightNorm,
)
from ._piratenet import PirateBlock, PirateNet, least_squares_readout
from ._registry import PARAMETERIZATION_NAMES, parameterization_classes, parse_parameterizations
from ._weights import (
    AbstractWeight,
    DenseWeight,
    EquilibratedWeight,
    FactorizedWeight,
    NormalizedWeight,
    ScaledWeight,
    column_equilibrate,
    row_equilibrate,
)

__all__ = [
    "CNN",
    "Conv2d",
    "OutputTransform",
    "ACTIVATIONS",
    "AbstractActivation",
    "Activation",
    "AdaptiveSlope",
    "DeepONet",
    "ModifiedDeepONet",
    "AbstractEmbedding",
    "Chain",
    "FourierFeatures",
    "Identity",
    "PeriodicEmbedding",
    "PositionalEncoding",
    "AbstractInitializer",
    "GlorotNormal",
    "SirenUniform",
    "Linear",
    "MLP",
    "ModifiedMLP",
    "siren",
    "PirateBlock",
    "PirateNet",
    "least_squares_readout",
    "RWF",
    "AbstractParameterization",
    "AbstractScaleDistribution",
    "AdaptiveActivation",
    "LogNormal",
    "LogUniform",
    "Normal",
    "Plain",
    "SirenScale",
    "Uniform",
    "WeightConditioning",
    "WeightNorm",
    "PARAMETERIZATION_NAMES",
    "parameterization_classes",
    "parse_parameterizations",
    "AbstractWeight",
    "DenseWeight",
    "EquilibratedWeight",
    "FactorizedWeight",
    "NormalizedWeight",
    "ScaledWeight",
    "column_equilibrate",
    "row_equilibrate",
    "FACTOR_LAYOUTS",
    "DiagonalFactor",
    "DiagonalNetwork",
]
