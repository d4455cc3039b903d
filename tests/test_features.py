"""The extra input features of 2-D data: each column is its formula, names are checked."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from glassnet import ValidationError
from glassnet.data import FEATURES, expand, load_dataset, parse_features

X = np.array([[0.5, -2.0], [1.5, 3.0], [-1.0, 0.25]])


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("x1", X[:, 0]),
        ("x2", X[:, 1]),
        ("x1^2", X[:, 0] * X[:, 0]),
        ("x2^2", X[:, 1] * X[:, 1]),
        ("x1*x2", X[:, 0] * X[:, 1]),
        ("sin(x1)", np.sin(X[:, 0])),
        ("sin(x2)", np.sin(X[:, 1])),
    ],
)
def test_each_feature_is_its_formula(name, column):
    assert_array_equal(expand(X, [name])[:, 0], column)


def test_expand_keeps_the_order_asked_for_and_does_not_touch_X():
    before = X.copy()
    out = expand(X, ["x1*x2", "x1", "sin(x2)"])
    assert out.shape == (3, 3) and out.dtype == np.float64
    assert_array_equal(out, np.column_stack([X[:, 0] * X[:, 1], X[:, 0], np.sin(X[:, 1])]))
    assert_array_equal(X, before)


def test_the_table_lists_the_seven_playground_features():
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def test_parse_features_reads_the_option_spelling():
    assert parse_features("x1, x2,x1^2,sin(x1)") == ["x1", "x2", "x1^2", "sin(x1)"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "at least one"),
        (["x3"], "unknown feature"),
        (["x1", "x1"], "more than once"),
    ],
)
def test_bad_names_are_refused_with_the_valid_ones(names, message):
    with pytest.raises(ValidationError, match=message):
        expand(X, names)


def test_features_need_two_coordinates():
    with pytest.raises(ValidationError, match="two coordinates"):
        expand(np.ones((3, 3)), ["x1"])


@pytest.mark.parametrize("name", ["plane", "multi_gaussian"])
def test_the_regression_planes_take_noise_and_size(name):
    quiet = load_dataset(name, n_samples=50, noise=0.0, random_state=1)
    noisy = load_dataset(name, n_samples=50, noise=0.3, random_state=1)
    assert quiet.X.shape == (50, 2) and quiet.task == "regression"
    assert_array_equal(quiet.X, noisy.X)
    assert not np.array_equal(quiet.y, noisy.y)
    if name == "plane":
        assert_array_equal(quiet.y, (quiet.X[:, 0] + quiet.X[:, 1]) / 2)
    else:  # the bumps: at most 1 in size, both signs present
        assert np.abs(quiet.y).max() <= 1.0 + 1e-12
        assert quiet.y.min() < -0.3 and quiet.y.max() > 0.3
