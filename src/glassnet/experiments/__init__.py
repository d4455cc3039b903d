"""The tutorials' experiments, each a small function on glassnet's public API.

Every function returns a result object with at least ``network`` and ``losses`` (one value
per update: ``losses[i]`` is the loss after update ``i + 1``, which the tutorials print as
"iteration i"), plus ``train_accuracy`` for classifiers and ``test_accuracy`` where data is
held out.

==========================  ===================================================================
:func:`moons`               WildML: make_moons, 2-H-2 tanh/softmax, 20 000 passes
:func:`logistic_baseline`   the same data with no hidden layer
:func:`hidden_size_sweep`   hidden sizes 1, 2, 3, 4, 5, 20, 50 with held-out accuracy
:func:`diabetes`            2-layer sigmoid network on the Pima table, 1500 epochs
:func:`iris_regression`     ml4a: linear regression and a 2-3-1 network, backprop vs numerical
:func:`toy`                 the 4-row table: 3-4-1 sigmoid, no biases, 1500 iterations
:data:`TUTORIALS`           each tutorial's author, title, setting and printed numbers
==========================  ===================================================================
"""

from __future__ import annotations

from .diabetes import DiabetesResult, diabetes
from .iris import IrisResult, iris_regression, linear_regression_from
from .moons import MoonsResult, SweepResult, hidden_size_sweep, logistic_baseline, moons
from .toy import ToyResult, toy
from .tutorials import TUTORIALS, Tutorial

__all__ = [
    "TUTORIALS",
    "DiabetesResult",
    "IrisResult",
    "MoonsResult",
    "SweepResult",
    "ToyResult",
    "Tutorial",
    "diabetes",
    "hidden_size_sweep",
    "iris_regression",
    "linear_regression_from",
    "logistic_baseline",
    "moons",
    "toy",
]
