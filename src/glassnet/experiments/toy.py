"""The 4-row toy tutorial (seed 004): 3 inputs → 4 sigmoid units → 1 sigmoid output.

No biases; weights from ``np.random.rand`` (uniform on [0, 1), ``weights1`` then
``weights2``); each iteration runs ``feedforward`` then ``backprop``, which adds
``layer1ᵀ · (2(y − ŷ) ∘ σ'(ŷ))`` — the negative gradient of Σ(y − ŷ)² — with learning rate 1.
After 1500 iterations the tutorial prints ``nn.output``: the outputs of the 1500th forward
pass, computed before the 1500th update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..activations import Sigmoid
from ..data import toy_xor
from ..layers import Dense
from ..losses import SumSquaredError
from ..network import Network
from ..optimizers import GradientDescent
from ..training import History, fit
from ..validation import check_random_state
from ._common import losses_after_updates

__all__ = ["ToyResult", "toy"]


@dataclass
class ToyResult:
    """``outputs`` is the tutorial's final ``nn.output`` (4 × 1); ``losses`` per update."""

    network: Network
    losses: NDArray[np.float64]
    outputs: NDArray[np.float64]
    X: NDArray[Any]
    y: NDArray[Any]
    history: History


def toy(iterations: int = 1500, *, learning_rate: float = 1.0, random_state: Any = 0) -> ToyResult:
    """Reproduce the toy tutorial; ``random_state=0`` draws what ``np.random.seed(0)`` would."""
    X, y = toy_xor()
    rng = check_random_state(random_state)
    network = Network(
        [
            Dense(3, 4, bias=False, init="uniform", random_state=rng),
            Sigmoid(),
            Dense(4, 1, bias=False, init="uniform", random_state=rng),
            Sigmoid(),
        ]
    )
    loss = SumSquaredError(scale=1.0)  # Σ(y − ŷ)², summed over the rows
    optimizer = GradientDescent(learning_rate)
    history = fit(network, X, y, loss=loss, optimizer=optimizer, epochs=iterations - 1)
    outputs = network.raw_output(X)  # the last forward pass, before the last update
    last = fit(network, X, y, loss=loss, optimizer=optimizer, epochs=1)
    history.loss += last.loss
    history.batch_loss += last.batch_loss
    history.epochs += last.epochs
    history.n_updates += last.n_updates
    losses = losses_after_updates(history, network, X, y, loss)
    return ToyResult(network, losses, outputs, X, y, history)
