"""The registries are the only lists of names: every registered activation, loss, optimizer
and schedule is accepted by ``mlp``, the estimators and ``glassnet train``, and the error
messages list them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from glassnet import GlassClassifier, GlassRegressor, fit, mlp
from glassnet.activations import ACTIVATIONS, get_activation
from glassnet.cli import main
from glassnet.errors import ValidationError
from glassnet.initializers import INITIALIZERS
from glassnet.losses import LOSSES, get_loss
from glassnet.optimizers import OPTIMIZERS, get_optimizer
from glassnet.schedules import SCHEDULES

X = np.random.RandomState(0).randn(24, 2)
Y = (X[:, 0] > 0).astype(int)


def glassnet_train(tmp_path, data, *options):
    """``glassnet train DATA OPTIONS… --epochs 1``: its exit code."""
    return main(["train", data, *options, "--epochs", "1", "--out", str(tmp_path / "m.npz")])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_is_accepted_everywhere(name, tmp_path):
    net = mlp([2, 3, 2], activation=name, output="softmax", random_state=0)
    assert isinstance(net.layers[1], ACTIVATIONS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = GlassClassifier(
            hidden_layer_sizes=(3,), activation=name, max_iter=2, random_state=0
        ).fit(X, Y)
    assert isinstance(clf.network_.layers[1], ACTIVATIONS[name])
    assert glassnet_train(tmp_path, "moons", "--hidden", "3", "--activation", name) == 0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_is_accepted_everywhere(name, tmp_path):
    net = mlp([2, 2], output="softmax", random_state=0)
    fit(net, X, Y, optimizer=name, epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = GlassRegressor(hidden_layer_sizes=(3,), solver=name, max_iter=2, random_state=0).fit(
            X, X[:, 0]
        )
    assert isinstance(reg._optimizer, OPTIMIZERS[name])
    assert glassnet_train(tmp_path, "moons", "--hidden", "3", "--optimizer", name) == 0


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_is_accepted_by_fit_and_the_command(name, tmp_path):
    loss = get_loss(name)
    regression = not type(loss).__name__.endswith("CrossEntropy")
    output = "identity" if regression else ("sigmoid" if "binary" in name else "softmax")
    if name == "poisson":
        output = "exp"  # the log link
    n_out = 1 if output == "sigmoid" else 2
    net = mlp([2, n_out], output=output, random_state=0)
    target = X[:, :n_out] if regression else Y
    if name == "poisson":  # counts or rates: non-negative
        target = np.abs(target)
    fit(net, X, target, loss=name, epochs=1)
    dataset = "iris_regression" if regression else "moons"
    # the Poisson loss keeps the targets' own (non-negative) units: the command never scales them
    assert glassnet_train(tmp_path, dataset, "--loss", name, "--output", output) == 0


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_is_a_choice_of_the_command(name, tmp_path):
    spelt = name.replace("_", "-")  # the command spells names with hyphens
    assert glassnet_train(tmp_path, "moons", "--schedule", spelt, "--optimizer", "gd") == 0


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_every_initializer_is_accepted_by_mlp(name):
    net = mlp([2, 3, 1], init=name, random_state=0)
    assert net.layers[0].params["weight"].shape == (2, 3)


@pytest.mark.parametrize(
    ("lookup", "registry"),
    [(get_activation, ACTIVATIONS), (get_loss, LOSSES), (get_optimizer, OPTIMIZERS)],
)
def test_an_unknown_name_lists_the_registry(lookup, registry):
    with pytest.raises(ValidationError) as info:
        lookup("no-such-name")
    for name in registry:
        assert repr(name) in str(info.value) or name in str(info.value)


def test_the_estimators_refuse_an_unknown_name_listing_the_registry():
    with pytest.raises(ValueError, match="solver must be one of") as info:
        GlassClassifier(solver="newton").fit(X, Y)
    assert all(name in str(info.value) for name in OPTIMIZERS)
    with pytest.raises(ValueError, match="activation must be one of") as info:
        GlassClassifier(activation="swish").fit(X, Y)
    assert all(name in str(info.value) for name in ACTIVATIONS)
