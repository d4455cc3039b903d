"""glassnet.data.preprocessing: the (stratified) split and the Standardizer."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.preprocessing import StandardScaler

from glassnet.data import (
    Standardizer,
    load_dataset,
    standardize,
    train_test_split,
)
from glassnet.errors import NotFittedError, ValidationError

# ---------------------------------------------------------------- train_test_split


def test_stratified_split_keeps_class_proportions():
    data = load_dataset("breast_cancer")
    X_tr, X_te, y_tr, y_te = train_test_split(data.X, data.y, test_size=0.3, random_state=0)
    assert X_te.shape == (171, 30) and X_tr.shape == (398, 30)
    full = np.bincount(data.y) / len(data.y)
    assert_allclose(np.bincount(y_tr) / len(y_tr), full, atol=0.005)
    assert_allclose(np.bincount(y_te) / len(y_te), full, atol=0.005)


def test_unstratified_split_is_a_plain_random_split():
    y = np.repeat([0, 1], [90, 10])
    X = np.arange(100.0).reshape(-1, 1)
    strat = train_test_split(X, y, test_size=0.2, random_state=1)
    plain = train_test_split(X, y, test_size=0.2, stratify=False, random_state=1)
    assert strat[3].sum() == 2  # exactly 10 % of the test rows
    X_tr, X_te, _, _ = plain
    assert X_te.shape == (20, 1)
    assert sorted(np.r_[X_tr[:, 0], X_te[:, 0]]) == list(range(100))


@pytest.mark.parametrize(
    "y", [np.array([0, 0, 0, 0, 0, 0, 0, 1]), np.array([0, 0, 1, 1, 2, 2, 3, 3])]
)
def test_split_falls_back_to_unstratified(y):
    # a singleton class, or fewer test rows (2) than classes (4)
    X = np.arange(8.0).reshape(-1, 1)
    _, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25)
    assert X_te.shape == (2, 1) and y_tr.shape == (6,)
    assert sorted(np.r_[y_tr, y_te]) == sorted(y)


def test_split_regression_targets_and_reproducibility():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), rng.randn(40, 2)
    a = train_test_split(X, y, random_state=5)
    b = train_test_split(X, y, random_state=5)
    for p, q in zip(a, b, strict=True):
        assert_array_equal(p, q)
    assert a[3].shape == (10, 2)
    # each row keeps its own target
    for X_part, y_part in ((a[0], a[2]), (a[1], a[3])):
        idx = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in X_part]
        assert_array_equal(y[idx], y_part)
    g = train_test_split(X, y, random_state=np.random.default_rng(0))
    assert g[1].shape == (10, 3)


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2, True, "0.2", None])
def test_split_validates_test_size(test_size):
    with pytest.raises(ValidationError, match="test_size") as info:
        train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=test_size)
    assert repr(test_size) in str(info.value)


def test_split_checks_lengths_and_tiny_data():
    with pytest.raises(ValidationError, match="X has 10 rows but y"):
        train_test_split(np.zeros((10, 1)), np.zeros(9))
    with pytest.raises(ValidationError, match="would be empty"):
        train_test_split(np.zeros((1, 1)), np.zeros(1))


def test_split_does_not_mutate_inputs():
    X, y = np.arange(20.0).reshape(10, 2), np.repeat([0, 1], 5)
    X0, y0 = X.copy(), y.copy()
    parts = train_test_split(X, y)
    parts[0][:] = -1
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)


# ---------------------------------------------------------------- Standardizer


def test_standardizer_matches_standard_scaler():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 4) * [1.0, 10.0, 0.1, 3.0] + [0.0, 5.0, -2.0, 100.0]
    X[:, 2] = 7.0  # a constant column: scale 1, as StandardScaler does
    X_new = rng.randn(5, 4)
    ours, ref = Standardizer().fit(X), StandardScaler().fit(X)
    assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=0)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-12, atol=0)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)
    Z = ours.fit_transform(X)
    assert_allclose(Z, ref.transform(X), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.inverse_transform(Z), X, rtol=1e-12, atol=1e-12)


def test_standardizer_round_trips_through_arrays():
    X = np.random.RandomState(1).randn(20, 3)
    fitted = Standardizer().fit(X)
    arrays = fitted.to_arrays()
    assert set(arrays) == {"mean", "scale"}
    arrays["mean"][:] = 0  # a copy: the fitted scaler is unchanged
    assert not np.all(fitted.mean_ == 0)
    restored = Standardizer.from_arrays(fitted.to_arrays())
    assert_array_equal(restored.transform(X), fitted.transform(X))
    with pytest.raises(ValidationError, match="missing"):
        Standardizer.from_arrays({"mean": [0.0]})
    with pytest.raises(ValidationError, match="scale must be > 0"):
        Standardizer.from_arrays({"mean": [0.0], "scale": [0.0]})
    with pytest.raises(ValidationError, match="same shape"):
        Standardizer.from_arrays({"mean": [0.0, 1.0], "scale": [1.0]})


def test_standardizer_errors():
    scaler = Standardizer()
    for method in (scaler.transform, scaler.inverse_transform):
        with pytest.raises(NotFittedError, match="fit"):
            method(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        scaler.to_arrays()
    scaler.fit(np.random.RandomState(0).randn(5, 3))
    with pytest.raises(
        ValidationError, match="X has 2 features but the Standardizer was fitted on 3"
    ):
        scaler.transform(np.zeros((4, 2)))
    with pytest.raises(ValidationError, match="NaN"):
        Standardizer().fit([[1.0], [np.nan]])


def test_standardizer_keeps_float32_and_does_not_mutate():
    X = np.random.RandomState(0).randn(10, 2).astype(np.float32)
    X0 = X.copy()
    Z = Standardizer().fit_transform(X)
    assert Z.dtype == np.float32
    assert_array_equal(X, X0)


def test_standardize_uses_training_statistics_only():
    rng = np.random.RandomState(0)
    train, test = rng.randn(30, 3) * 4 + 2, rng.randn(10, 3)
    train0, test0 = train.copy(), test.copy()
    a, b = standardize(train, test)
    mean, std = train.mean(axis=0), train.std(axis=0)
    assert_array_equal(a, (train - mean) / std)  # bit for bit: the experiments rely on it
    assert_array_equal(b, (test - mean) / std)
    assert_array_equal(train, train0)
    assert_array_equal(test, test0)
