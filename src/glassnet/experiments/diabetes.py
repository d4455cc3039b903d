"""Bannier's tutorial (seed 001): a 2-layer sigmoid network that predicts diabetes.

7 standardised inputs → a sigmoid hidden layer → one sigmoid output, binary cross-entropy,
full-batch gradient descent for 1500 epochs, with the cost recorded every epoch. The data is
the Pima Indians table shipped with glassnet: the network trains on its ``train`` rows and is
scored on its ``test`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..data import load_pima, standardize
from ..losses import BinaryCrossEntropy
from ..metrics import accuracy
from ..network import Network, mlp
from ..optimizers import GradientDescent
from ..training import fit
from ._common import losses_after_updates

Array = NDArray[Any]

__all__ = ["DiabetesResult", "diabetes"]


@dataclass
class DiabetesResult:
    """``losses[i]`` is the cost after epoch ``i + 1`` (one full-batch update per epoch)."""

    network: Network
    losses: NDArray[np.float64]
    train_accuracy: float
    test_accuracy: float
    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array


def diabetes(
    hidden: int = 4,
    epochs: int = 1500,
    *,
    learning_rate: float = 0.1,
    random_state: Any = 0,
) -> DiabetesResult:
    """Train on the Pima ``train`` rows, report accuracy on the ``test`` rows.

    Inputs are standardised with the training rows' mean and standard deviation. The
    network's output is a sigmoid of its logit, and the loss is the mean binary cross-entropy
    (its gradient at the logit is ŷ − y, as the tutorial derives).
    """
    data = load_pima()
    X_train, y_train = data.subset("train")
    X_test, y_test = data.subset("test")
    X_train, X_test = standardize(X_train, X_test)
    network = mlp(
        [X_train.shape[1], hidden, 1],
        activation="sigmoid",
        output="sigmoid",
        random_state=random_state,
    )
    loss = BinaryCrossEntropy()
    history = fit(
        network,
        X_train,
        y_train,
        loss=loss,
        optimizer=GradientDescent(learning_rate),
        epochs=epochs,
    )
    return DiabetesResult(
        network=network,
        losses=losses_after_updates(history, network, X_train, y_train, loss),
        train_accuracy=accuracy(y_train, network.predict(X_train)),
        test_accuracy=accuracy(y_test, network.predict(X_test)),
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
    )
