"""glassnet — a see-through neural-network library on NumPy.

Every forward and backward pass is short NumPy code with its derivation beside it, checked
against numerical gradients. Importing ``glassnet`` loads the engine only (NumPy); the
experiments, plots and estimators import scikit-learn and matplotlib when they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import (
    activations,
    callbacks,
    initializers,
    io,
    layers,
    losses,
    metrics,
    optimizers,
    schedules,
)
from .activations import GELU, Exp, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .callbacks import (
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScores,
    History,
    InverseScalingRate,
    PlateauStopping,
    PrintLoss,
)
from .errors import (
    DeviceUnavailable,
    GlassnetError,
    ModelFileError,
    NotFittedError,
    TrainingDiverged,
    TrainingInterrupted,
    ValidationError,
)
from .gradcheck import GradcheckReport, check_backward, gradcheck, numerical_gradient
from .io import load, save
from .layers import Dense, Dropout
from .lbfgs import LbfgsHistory, fit_lbfgs
from .losses import (
    BinaryCrossEntropy,
    MeanAbsoluteError,
    MeanSquaredError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    SumSquaredError,
)
from .network import Network, mlp
from .optimizers import AdaGrad, Adam, GradientDescent, RMSProp
from .schedules import Constant, Cyclical, ExponentialDecay, InverseTime, StepDecay
from .trainer import Trainer
from .training import fit, make_trainer

if TYPE_CHECKING:
    from .sklearn import GlassClassifier, GlassRegressor

__version__ = "0.1.0"

__all__ = [
    "GELU",
    "AdaGrad",
    "Adam",
    "BinaryCrossEntropy",
    "Callback",
    "Checkpoint",
    "Constant",
    "Cyclical",
    "Dense",
    "DeviceUnavailable",
    "Dropout",
    "EarlyStopping",
    "EpochScores",
    "Exp",
    "ExponentialDecay",
    "GlassClassifier",
    "GlassRegressor",
    "GlassnetError",
    "GradcheckReport",
    "GradientDescent",
    "History",
    "Identity",
    "InverseScalingRate",
    "InverseTime",
    "LbfgsHistory",
    "LeakyReLU",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "ModelFileError",
    "Network",
    "NotFittedError",
    "PlateauStopping",
    "PoissonDeviance",
    "PrintLoss",
    "RMSProp",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "SoftmaxCrossEntropy",
    "StepDecay",
    "SumSquaredError",
    "Tanh",
    "Trainer",
    "TrainingDiverged",
    "TrainingInterrupted",
    "ValidationError",
    "__version__",
    "activations",
    "callbacks",
    "check_backward",
    "fit",
    "fit_lbfgs",
    "gradcheck",
    "initializers",
    "io",
    "layers",
    "load",
    "losses",
    "make_trainer",
    "metrics",
    "mlp",
    "numerical_gradient",
    "optimizers",
    "save",
    "schedules",
]


def __getattr__(name: str) -> Any:
    """Import the scikit-learn estimators on first use, so ``import glassnet`` stays NumPy-only."""
    if name in ("GlassClassifier", "GlassRegressor"):
        from .sklearn import GlassClassifier, GlassRegressor

        return {"GlassClassifier": GlassClassifier, "GlassRegressor": GlassRegressor}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
