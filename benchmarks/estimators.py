"""EST: ``GlassClassifier.fit`` against ``MLPClassifier.fit`` on W2-shaped data.

Both estimators get the same settings — hidden layers (256, 128), relu, the solver under test,
batch 128, one epoch (``max_iter=1``), no early stopping, no shuffling, the same seed — and the
same float32 data, so the timings cover their whole ``fit``: input checks, initialisation,
label binarisation and the epoch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .harness import Contender

Run = Callable[[], Any]

SETTINGS: dict[str, Any] = {
    "hidden_layer_sizes": (256, 128),
    "activation": "relu",
    "batch_size": 128,
    "max_iter": 1,
    "shuffle": False,
    "random_state": 0,
    "alpha": 1e-4,
}


def _fit(factory: Callable[[], Any], X: np.ndarray, y: np.ndarray) -> Run:
    def run() -> Any:
        model = factory()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # max_iter=1: both warn that they did not converge
            model.fit(X, y)
        return model

    return run


def contenders(X: np.ndarray, y: np.ndarray, solver: str) -> list[Contender]:
    """scikit-learn first (the reference), then glassnet, with the same solver."""
    from sklearn.neural_network import MLPClassifier

    from glassnet import GlassClassifier

    def sk() -> Any:
        return MLPClassifier(solver=solver, **SETTINGS)

    def gn() -> Any:
        return GlassClassifier(solver=solver, **SETTINGS)

    return [
        Contender(f"scikit-learn MLPClassifier.fit {solver}", lambda: _fit(sk, X, y)),
        Contender(f"glassnet GlassClassifier.fit {solver}", lambda: _fit(gn, X, y)),
    ]
