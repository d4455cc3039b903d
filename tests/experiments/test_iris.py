"""The ml4a tutorial (seed 002): linear regression and a 2-3-1 network on iris."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris

from glassnet import experiments
from glassnet.experiments.iris import load_iris_regression


def reference_data(seed):
    iris = load_iris()
    data, labels = iris.data[:, 0:2], iris.data[:, 2]
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(labels))
    X, y = data[order], labels[order].reshape(-1, 1)
    return X / np.amax(X, axis=0), y / np.amax(y, axis=0), rng


def cost(y_pred, y_actual):
    return 0.5 * np.sum((y_actual - y_pred) ** 2)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_data_is_the_tutorials_scaled_iris():
    X, y = load_iris_regression(random_state=0)
    Xr, yr, _ = reference_data(0)
    assert_allclose(X, Xr)
    assert_allclose(y, yr)
    assert X.max(axis=0).tolist() == [1.0, 1.0] and y.max() == 1.0


def test_linear_regression_equals_gradient_descent_written_out():
    result = experiments.iris_regression(random_state=2)
    X, y, rng = reference_data(2)
    w, b = rng.rand(2, 1), rng.rand(1)  # the tutorial draws w1, w2, b uniformly on [0, 1)
    assert_allclose(cost(X @ w + b, y), result.linear_initial_cost, rtol=1e-12)
    errors = []
    for _ in range(2000):
        residual = y - (X @ w + b)
        # dJ/dw = -Xᵀ(y - ŷ), dJ/db = -Σ(y - ŷ); all parameters updated from the same point
        w, b = w + 0.001 * X.T @ residual, b + 0.001 * residual.sum(axis=0)
        errors.append(cost(X @ w + b, y))
    assert_allclose(result.linear_losses, errors, rtol=1e-9)
    # gradient descent heads for the least-squares plane
    A = np.hstack([X, np.ones((len(X), 1))])
    best = cost(A @ np.linalg.lstsq(A, y, rcond=None)[0], y)
    assert best <= result.linear_losses[-1] < result.linear_initial_cost
    assert result.linear_losses[-1] < 1.5 * best


def test_two_three_one_network_backprop_matches_a_loop_written_out():
    result = experiments.iris_regression(random_state=2, iterations=500)
    X, y, rng = reference_data(2)
    rng.rand(3)  # the linear model's w1, w2, b
    W1, W2 = rng.randn(2, 3), rng.randn(3, 1)
    errors = []
    for _ in range(500):
        a1 = sigmoid(X @ W1)
        delta2 = (a1 @ W2) - y  # dJ/dŷ for J = ½Σ(y - ŷ)²
        dW2 = a1.T @ delta2
        dW1 = X.T @ ((delta2 @ W2.T) * a1 * (1 - a1))
        W1, W2 = W1 - 0.01 * dW1, W2 - 0.01 * dW2
        errors.append(cost(sigmoid(X @ W1) @ W2, y))
    assert_allclose(result.losses, errors, rtol=1e-9)


def test_backprop_and_numerical_gradient_reach_the_same_cost():
    result = experiments.iris_regression()
    assert result.losses.shape == result.numerical_losses.shape == (2000,)
    assert abs(result.losses[-1] - result.numerical_losses[-1]) < 1e-4
    # the default draw trains smoothly: the cost falls at every update
    assert np.all(np.diff(result.losses) < 0)
    # and the network beats the plane, as the tutorial shows (0.562 against 0.665)
    assert result.losses[-1] < result.linear_losses[-1]
    assert result.r2 > result.linear_r2 > 0.8
