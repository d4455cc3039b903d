"""Bannier's tutorial (seed 001): a 2-layer sigmoid network on the Pima diabetes table."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from glassnet import experiments
from glassnet.data import load_pima


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_shipped_table_is_mass_pima():
    data = load_pima()
    assert data.X.shape == (532, 7)
    assert (data.split == "train").sum() == 200 and (data.split == "test").sum() == 332
    assert data.feature_names == ["npreg", "glu", "bp", "skin", "bmi", "ped", "age"]
    # MASS: 68 of the 200 training women and 109 of the 332 test women have diabetes
    assert data.y[data.split == "train"].sum() == 68
    assert data.y[data.split == "test"].sum() == 109
    text = resources.files("glassnet").joinpath("data/files/README.md").read_text()
    assert "Smith et al., 1988" in text
    rows = list(
        csv.reader(
            resources.files("glassnet")
            .joinpath("data/files/pima_diabetes.csv")
            .read_text()
            .splitlines()
        )
    )
    assert rows[1][:3] == ["5", "86", "68"]


def test_cost_per_epoch_equals_the_two_layer_loop_written_out():
    hidden, epochs, lr = 4, 300, 0.1
    result = experiments.diabetes(hidden=hidden, epochs=epochs, learning_rate=lr, random_state=0)
    data = load_pima()
    Xtr, ytr = data.subset("train")
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    X, y = (Xtr - mean) / std, ytr.reshape(-1, 1).astype(float)
    rng = np.random.RandomState(0)
    W1, b1 = rng.randn(7, hidden) / np.sqrt(7), np.zeros(hidden)
    W2, b2 = rng.randn(hidden, 1) / np.sqrt(hidden), np.zeros(1)
    m = len(X)
    costs = []
    for _ in range(epochs):
        a1 = sigmoid(X @ W1 + b1)
        out = sigmoid(a1 @ W2 + b2)
        dz2 = (out - y) / m  # dJ/dz2 of the mean cross-entropy through the sigmoid
        dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
        dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
        dW1, db1 = X.T @ dz1, dz1.sum(axis=0)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
        p = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
        costs.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    assert_allclose(result.losses, costs, rtol=1e-9)


def test_default_run_learns_and_generalises():
    result = experiments.diabetes()
    assert result.losses.shape == (1500,)
    # the cost curve falls, fast at first and then flattens, as the tutorial's plot shows
    assert np.all(np.diff(result.losses) < 0)
    assert result.losses[0] - result.losses[299] > 10 * (result.losses[1199] - result.losses[1499])
    # on the held-out test rows it is as good as logistic regression, within 3 points
    data = load_pima()
    Xtr, ytr = data.subset("train")
    Xte, yte = data.subset("test")
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    logreg = LogisticRegression().fit((Xtr - mean) / std, ytr)
    reference = logreg.score((Xte - mean) / std, yte)
    assert result.test_accuracy >= reference - 0.03
    assert result.test_accuracy > 0.75 and result.train_accuracy > 0.75
