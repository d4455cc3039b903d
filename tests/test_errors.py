"""The exception hierarchy, and informative errors for bad input where it enters."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import glassnet
from glassnet import errors
from glassnet.activations import ACTIVATIONS
from glassnet.errors import GlassnetError, NotFittedError, TrainingDiverged, ValidationError
from glassnet.losses import LOSSES
from glassnet.optimizers import OPTIMIZERS


def test_every_glassnet_exception_derives_from_glassnet_error():
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException)
    ]
    assert {c.__name__ for c in classes} >= set(errors.__all__)
    for cls in classes:
        assert issubclass(cls, GlassnetError), cls
    assert issubclass(ValidationError, ValueError)
    assert issubclass(NotFittedError, AttributeError)
    assert issubclass(TrainingDiverged, ArithmeticError)
    for name in errors.__all__:  # and the package re-exports every one of them
        assert getattr(glassnet, name) is getattr(errors, name)


def test_training_diverged_carries_its_context():
    err = TrainingDiverged("boom", epoch=3, last_finite_loss=0.5)
    assert (str(err), err.epoch, err.last_finite_loss) == ("boom", 3, 0.5)


def net():
    return glassnet.mlp([3, 4, 2], random_state=0)


X = np.random.RandomState(0).randn(10, 3)
Y = np.random.RandomState(1).randn(10, 2)
X_NAN = X.copy()
X_NAN[2, 1] = np.nan
X_INF = X.copy()
X_INF[0, 0] = np.inf


BAD_INPUTS = {
    "nan_in_X_fit": (lambda: net().fit(X_NAN, Y), r"X contains NaN or infinite values"),
    "nan_in_X_predict": (lambda: net().predict(X_NAN), r"X contains NaN or infinite values"),
    "inf_in_X": (lambda: net().predict(X_INF), r"NaN or infinite"),
    "nan_in_y": (lambda: net().fit(X, np.where(Y > 1, np.nan, Y)), r"y contains NaN or infinite"),
    "X_1d": (
        lambda: net().predict(X[:, 0]),
        r"X must be 2-D, got an array of shape \(10,\); use x\.reshape\(-1, 1\)",
    ),
    "X_3d": (
        lambda: net().fit(X[:, :, None], Y),
        r"X must be 2-D, got an array of shape \(10, 3, 1\)",
    ),
    "y_3d": (lambda: net().fit(X, Y[:, :, None]), r"y must be 1-D or 2-D, got shape \(10, 2, 1\)"),
    "X_empty": (lambda: net().predict(np.empty((0, 3))), r"X is empty \(shape \(0, 3\)\)"),
    "X_strings": (lambda: net().predict([["a", "b", "c"]]), r"X must hold numbers, got dtype <U1"),
    "X_complex": (lambda: net().predict(X + 1j), r"X must be real, got complex"),
    "X_ragged": (
        lambda: net().predict([[1.0, 2.0, 3.0], [1.0]]),
        r"X could not be read as an array",
    ),
    "y_strings": (
        lambda: net().fit(X, np.array(["a"] * 10)),
        r"y must be numeric .* encode string labels",
    ),
    "lengths": (lambda: net().fit(X, Y[:7]), r"X has 10 rows but y has 7; they must match"),
    "features": (lambda: net().predict(X[:, :2]), r"X has 2 features but the network expects 3"),
    "val_features": (lambda: net().fit(X, Y, validation_data=(X[:, :2], Y)), r"X has 2 features"),
    "learning_rate_zero": (
        lambda: net().fit(X, Y, learning_rate=0),
        r"learning_rate must be finite and > 0, got 0",
    ),
    "learning_rate_negative": (
        lambda: glassnet.Adam(-0.01),
        r"learning_rate must be finite and > 0, got -0.01",
    ),
    "learning_rate_nan": (
        lambda: glassnet.GradientDescent(float("nan")),
        r"learning_rate must be finite and > 0, got nan",
    ),
    "dropout_one": (
        lambda: glassnet.mlp([3, 4, 2], dropout=1.0),
        r"dropout rate must be in \[0, 1\), got 1.0",
    ),
    "dropout_negative": (
        lambda: glassnet.Dropout(-0.2),
        r"dropout rate must be in \[0, 1\), got -0.2",
    ),
    "dropout_no_hidden": (
        lambda: glassnet.mlp([3, 2], dropout=1.5),
        r"dropout rate must be in \[0, 1\), got 1.5",
    ),
    "momentum_one": (
        lambda: glassnet.GradientDescent(0.1, momentum=1.0),
        r"momentum must be in \[0, 1\), got 1.0",
    ),
    "momentum_negative": (
        lambda: net().fit(X, Y, optimizer=glassnet.GradientDescent(momentum=-0.5)),
        r"momentum must be in \[0, 1\), got -0.5",
    ),
    "random_state": (
        lambda: glassnet.mlp([2, 1], random_state="seed"),
        r"random_state must be None, an int, a numpy RandomState or Generator; got 'seed'",
    ),
    "l2_negative": (lambda: glassnet.mlp([2, 1], l2=-0.1), r"l2 must be finite and >= 0, got -0.1"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_raises_validation_error_with_message(case):
    call, message = BAD_INPUTS[case]
    with pytest.raises(ValidationError, match=message) as info:
        call()
    assert isinstance(info.value, ValueError) and isinstance(info.value, GlassnetError)


@pytest.mark.parametrize(
    ("call", "kind", "valid"),
    [
        (lambda: glassnet.mlp([2, 3, 1], activation="relux"), "activation 'relux'", ACTIVATIONS),
        (lambda: glassnet.mlp([2, 1], activation="relux"), "activation 'relux'", ACTIVATIONS),
        (lambda: net().fit(X, Y, loss="hinge"), "loss 'hinge'", LOSSES),
        (lambda: net().fit(X, Y, optimizer="lbfgs"), "optimizer 'lbfgs'", OPTIMIZERS),
        (lambda: glassnet.mlp([2, 1], output="argmax"), "activation 'argmax'", ACTIVATIONS),
    ],
    ids=["activation", "activation_no_hidden", "loss", "optimizer", "output"],
)
def test_unknown_names_list_the_valid_ones(call, kind, valid):
    with pytest.raises(ValueError, match=f"unknown {kind}") as info:
        call()
    assert isinstance(info.value, ValidationError)
    for name in valid:
        assert repr(name) in str(info.value)


def test_not_fitted_error():
    with pytest.raises(NotFittedError, match="no Dense layer") as info:
        glassnet.Network([glassnet.Tanh()]).n_features
    assert isinstance(info.value, GlassnetError) and isinstance(info.value, AttributeError)


def test_errors_can_be_caught_as_the_base_class():
    with pytest.raises(GlassnetError):
        net().predict(X_NAN)
    with pytest.raises(GlassnetError):
        net().fit(X, Y, learning_rate=1e12, epochs=200)
