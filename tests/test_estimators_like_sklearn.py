"""Public behaviour the estimators share with scikit-learn's MLP, checked side by side.

scikit-learn's own MLP tests run against glassnet in ``tests/test_sklearn_mlp_suite.py``; these
cover what they reach only through scikit-learn's private state, and the differences that
run found and that were fixed: training on a single class, the message for a class too small
to stratify, the dtype of multilabel predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_almost_equal, assert_array_equal
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from glassnet.sklearn.estimators import GlassClassifier

quiet = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_sklearns_worked_sgd_step():
    # scikit-learn's test_fit: one SGD step of a 3-2-1 logistic network on one row, worked out
    # by hand in that test's comments. scikit-learn builds the unfitted estimator's private
    # state by hand; here the weights are assigned to a fitted estimator, whose coefs_ and
    # intercepts_ are its network's arrays.
    X, y = np.array([[0.6, 0.8, 0.7]]), np.array([0])
    mlp = GlassClassifier(
        solver="sgd",
        learning_rate_init=0.1,
        alpha=0.1,
        activation="logistic",
        random_state=1,
        max_iter=1,
        hidden_layer_sizes=2,
        momentum=0,
    ).partial_fit(X, y, classes=[0, 1])
    mlp.coefs_ = [np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0]]), np.array([[0.1], [0.2]])]
    mlp.intercepts_ = [np.array([0.1, 0.1]), np.array([1.0])]
    mlp.partial_fit(X, y)
    expected_w1 = [[0.098, 0.195756], [0.2956664, 0.096008], [0.4939998, -0.002244]]
    assert_almost_equal(mlp.coefs_[0], np.array(expected_w1), decimal=3)
    assert_almost_equal(mlp.coefs_[1], np.array([[0.04706], [0.154089]]), decimal=3)
    assert_almost_equal(mlp.intercepts_[0], np.array([0.098333, 0.09626]), decimal=3)
    assert_almost_equal(mlp.intercepts_[1], np.array([0.9235]), decimal=3)
    assert_almost_equal(mlp.predict_proba(X)[0, 1], 0.739, decimal=3)


@quiet
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_single_class_trains_as_in_sklearn(early_stopping):
    rng = np.random.RandomState(0)
    X, y = rng.randn(20, 3), np.full(20, "only")
    common = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    ours = GlassClassifier(early_stopping=early_stopping, **common).fit(X, y)
    theirs = MLPClassifier(early_stopping=early_stopping, **common).fit(X, y)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape == (20, 2)
    assert ours.score(X, y) == theirs.score(X, y) == 1.0
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"


def test_a_class_too_small_to_stratify_gets_sklearns_message():
    X, y = [[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1]
    messages = []
    for Estimator in (GlassClassifier, MLPClassifier):
        with pytest.raises(ValueError) as info:
            Estimator(early_stopping=True).fit(X, y)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "Classes with too few members are: ['True']" in messages[0]


@quiet
@pytest.mark.parametrize("kind", [int, bool, float])
def test_multilabel_predictions_are_integers_as_in_sklearn(kind, tmp_path):
    X, Y = make_multilabel_classification(n_samples=40, random_state=0, return_indicator=True)
    Y = Y.astype(kind)
    ours = GlassClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, Y)
    theirs = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, Y)
    assert ours.predict(X).dtype == theirs.predict(X).dtype
    assert set(np.unique(ours.predict(X))) <= {0, 1}
    ours.save(tmp_path / "multilabel.npz")
    loaded = GlassClassifier.load(tmp_path / "multilabel.npz")
    assert_array_equal(loaded.predict(X), ours.predict(X))
    assert loaded.predict(X).dtype == theirs.predict(X).dtype


def test_first_partial_fit_refuses_labels_outside_classes_as_sklearn():
    X, y = [[3, 2], [1, 6]], [1, 0]
    for Estimator in (GlassClassifier, MLPClassifier):
        with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
            Estimator(solver="sgd").partial_fit(X, y, classes=[2])


@quiet
def test_single_class_partial_fit_then_more_classes_is_refused():
    X = np.arange(6.0).reshape(3, 2)
    clf = GlassClassifier(hidden_layer_sizes=(3,), random_state=0)
    clf.partial_fit(X, [5, 5, 5], classes=[5])
    assert_array_equal(clf.predict(X), [5, 5, 5])
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=r"not in `self\.classes_`"):
            clf.partial_fit(X, [5, 6, 5])
