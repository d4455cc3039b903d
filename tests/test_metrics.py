"""Metrics against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import metrics as skm

from glassnet import metrics
from glassnet.errors import ValidationError


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_accuracy_matches_sklearn(n_classes, rng):
    y_true, y_pred = rng.randint(n_classes, size=50), rng.randint(n_classes, size=50)
    want = skm.accuracy_score(y_true, y_pred)
    assert metrics.accuracy(y_true, y_pred) == want
    assert metrics.accuracy(np.eye(n_classes)[y_true], y_pred) == want  # one-hot truth
    assert metrics.accuracy(y_true[:, None], y_pred) == want  # column vectors


def test_accuracy_multilabel_is_subset_accuracy(rng):
    y_true = rng.randint(2, size=(40, 3))
    y_pred = y_true.copy()
    y_pred[rng.rand(40) < 0.3, rng.randint(3)] ^= 1
    assert metrics.accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)


def test_accuracy_literal():
    assert metrics.accuracy([0, 1, 1, 2], [0, 1, 2, 2]) == 0.75


@pytest.mark.parametrize("n_classes", [2, 4])
def test_log_loss_matches_sklearn(n_classes, rng):
    y = rng.randint(n_classes, size=30)
    y[:n_classes] = np.arange(n_classes)  # every class present
    proba = rng.dirichlet(np.ones(n_classes), size=30)
    want = skm.log_loss(y, proba, labels=np.arange(n_classes))
    assert_allclose(metrics.log_loss(y, proba), want, rtol=1e-12, atol=0)


def test_log_loss_clips_zero_probabilities():
    value = metrics.log_loss([0, 1], np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert_allclose(value, -np.log(np.finfo(np.float64).eps) / 2, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n_classes", [2, 3, 6])
def test_confusion_matrix_matches_sklearn(n_classes, rng):
    y_true, y_pred = rng.randint(n_classes, size=60), rng.randint(n_classes, size=60)
    want = skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))
    assert_array_equal(metrics.confusion_matrix(y_true, y_pred, n_classes), want)
    if set(y_true) | set(y_pred) == set(range(n_classes)):
        assert_array_equal(metrics.confusion_matrix(y_true, y_pred), want)


def test_confusion_matrix_with_absent_classes():
    got = metrics.confusion_matrix([0, 1, 1], [1, 1, 0], n_classes=4)
    assert_array_equal(got, skm.confusion_matrix([0, 1, 1], [1, 1, 0], labels=range(4)))
    assert got.shape == (4, 4)


@pytest.mark.parametrize("shape", [(20,), (20, 1), (20, 3)])
def test_regression_metrics_match_sklearn(shape, rng):
    y_true = rng.randn(*shape)
    y_pred = y_true + 0.5 * rng.randn(*shape)
    assert_allclose(
        metrics.mean_squared_error(y_true, y_pred),
        skm.mean_squared_error(y_true, y_pred),
        rtol=1e-14,
        atol=0,
    )
    assert_allclose(
        metrics.r2_score(y_true, y_pred), skm.r2_score(y_true, y_pred), rtol=1e-13, atol=0
    )


def test_regression_metrics_with_column_predictions(rng):
    y_true = rng.randn(15)
    y_pred = (y_true + rng.randn(15))[:, None]
    assert_allclose(
        metrics.mean_squared_error(y_true, y_pred),
        skm.mean_squared_error(y_true, y_pred[:, 0]),
        rtol=1e-14,
        atol=0,
    )
    assert_allclose(
        metrics.r2_score(y_true, y_pred), skm.r2_score(y_true, y_pred[:, 0]), rtol=1e-13, atol=0
    )


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]),  # constant truth, perfect prediction: 1
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]),  # constant truth, imperfect prediction: 0
        ([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]], [[1.5, 5.0], [2.0, 5.0], [2.5, 5.0]]),
    ],
)
def test_r2_with_constant_targets_matches_sklearn(y_true, y_pred):
    assert_allclose(
        metrics.r2_score(y_true, y_pred), skm.r2_score(y_true, y_pred), rtol=1e-14, atol=0
    )


def test_metric_input_checks():
    with pytest.raises(ValidationError, match="y_true has 3 rows but y_pred has 2"):
        metrics.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValidationError, match="cannot score empty arrays"):
        metrics.mean_squared_error([], [])
