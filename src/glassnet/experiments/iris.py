"""The ml4a tutorial (seed 002): iris sepal length and width → petal length.

Inputs and target are divided by their column maxima. First linear regression by gradient
descent — a network with no hidden layer and identity output — on the sum-squared error
½Σ(y − ŷ)² with learning rate 0.001 for 2000 iterations. Then the 2-3-1 network (sigmoid
hidden, identity output, no biases, ``randn`` weights) trained on the same cost with
learning rate 0.01, once by backpropagation and once by the slow numerical gradient, from
the same initial weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..activations import Sigmoid
from ..layers import Dense
from ..losses import SumSquaredError
from ..metrics import r2_score
from ..network import Network
from ..optimizers import GradientDescent
from ..training import fit
from ..validation import check_random_state
from ._common import losses_after_updates

Array = NDArray[Any]

__all__ = ["IrisResult", "iris_regression", "linear_regression_from", "load_iris_regression"]


@dataclass
class IrisResult:
    """The three fits. ``network``/``losses`` are the 2-3-1 network trained by backpropagation."""

    network: Network
    losses: NDArray[np.float64]
    numerical_network: Network
    numerical_losses: NDArray[np.float64]
    linear_network: Network
    linear_losses: NDArray[np.float64]
    initial_cost: float
    linear_initial_cost: float
    r2: float
    linear_r2: float
    X: Array
    y: Array


def load_iris_regression(random_state: Any = 0) -> tuple[Array, Array]:
    """Sepal length and width (X) and petal length (y, as a column), shuffled, scaled by maxima."""
    from sklearn.datasets import load_iris

    iris = load_iris()
    data, labels = iris.data[:, 0:2], iris.data[:, 2]
    order = check_random_state(random_state).permutation(len(labels))
    X, y = data[order], labels[order].reshape(-1, 1)
    return X / np.amax(X, axis=0), y / np.amax(y, axis=0)


def iris_regression(
    *,
    linear_iterations: int = 2000,
    linear_learning_rate: float = 0.001,
    iterations: int = 2000,
    learning_rate: float = 0.01,
    hidden: int = 3,
    numerical_eps: float = 1e-6,
    random_state: Any = 2,
) -> IrisResult:
    """Run the tutorial's three fits; ``random_state`` drives the shuffle and all initial weights.

    The learning rate 0.01 on a cost *summed* over 150 rows sits at the edge of stability
    for the 2-3-1 network: from some initial draws (``random_state`` 0, 1, 3, 4, 6 or 8) the
    cost rises and spikes before it settles, and two runs whose gradients differ only by
    rounding (backpropagation against the numerical gradient) then part ways. The default
    draw, 2, trains smoothly — the cost falls at every update — and both runs end at the
    same cost.
    """
    rng = check_random_state(random_state)
    X, y = load_iris_regression(rng)
    cost = SumSquaredError(scale=0.5)  # ½Σ(y − ŷ)²

    # Linear regression: w1, w2 and b drawn uniformly on [0, 1), as the tutorial does.
    linear = Network([Dense(2, 1, init="uniform", random_state=rng)])
    linear.layers[0].params["bias"][:] = rng.random(1)
    linear_initial = linear.objective(X, y, cost)
    history = fit(
        linear,
        X,
        y,
        loss=cost,
        optimizer=GradientDescent(linear_learning_rate),
        epochs=linear_iterations,
    )
    linear_losses = losses_after_updates(history, linear, X, y, cost)

    # The 2-3-1 network: randn weights, no biases; two copies from the same draw.
    def build() -> Network:
        return Network(
            [
                Dense(2, hidden, bias=False, init="zeros"),
                Sigmoid(),
                Dense(hidden, 1, bias=False, init="zeros"),
            ]
        )

    w1, w2 = rng.standard_normal((2, hidden)), rng.standard_normal((hidden, 1))
    nets = []
    for _ in range(2):
        net = build()
        net.layers[0].params["weight"][...] = w1
        net.layers[2].params["weight"][...] = w2
        nets.append(net)
    backprop, numerical = nets
    initial = backprop.objective(X, y, cost)
    h_bp = fit(
        backprop, X, y, loss=cost, optimizer=GradientDescent(learning_rate), epochs=iterations
    )
    h_num = fit(
        numerical,
        X,
        y,
        loss=cost,
        optimizer=GradientDescent(learning_rate),
        epochs=iterations,
        gradient="numerical",
        numerical_eps=numerical_eps,
    )
    return IrisResult(
        network=backprop,
        losses=losses_after_updates(h_bp, backprop, X, y, cost),
        numerical_network=numerical,
        numerical_losses=losses_after_updates(h_num, numerical, X, y, cost),
        linear_network=linear,
        linear_losses=linear_losses,
        initial_cost=initial,
        linear_initial_cost=linear_initial,
        r2=r2_score(y, backprop.predict(X)),
        linear_r2=r2_score(y, linear.predict(X)),
        X=X,
        y=y,
    )


def linear_regression_from(
    w1: float, w2: float, b: float, *, iterations: int = 2000, learning_rate: float = 0.001
) -> tuple[float, float, tuple[float, float, float]]:
    """The tutorial's linear regression from given starting parameters (e.g. the ones it
    printed): (initial cost, final cost, (w1, w2, b)) after ``iterations`` updates."""
    X, y = load_iris_regression()  # full-batch sums: the row order does not matter
    cost = SumSquaredError(scale=0.5)
    linear = Network([Dense(2, 1)])
    linear.layers[0].params["weight"][:, 0] = (w1, w2)
    linear.layers[0].params["bias"][:] = b
    initial = linear.objective(X, y, cost)
    fit(linear, X, y, loss=cost, optimizer=GradientDescent(learning_rate), epochs=iterations)
    w = linear.layers[0].params["weight"][:, 0]
    return (
        initial,
        linear.objective(X, y, cost),
        (float(w[0]), float(w[1]), float(linear.layers[0].params["bias"][0])),
    )
