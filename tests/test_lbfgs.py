"""L-BFGS (SciPy's L-BFGS-B on the engine's objective): against scikit-learn's
``solver="lbfgs"`` from the same initial weights, its limits and warnings, and the run's
hooks — history, callbacks, Ctrl-C, no checkpoints."""

from __future__ import annotations

import os
import signal
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

import glassnet
from glassnet.callbacks import Callback, Checkpoint
from glassnet.errors import TrainingInterrupted, ValidationError
from glassnet.lbfgs import LbfgsHistory, fit_lbfgs, pack_order
from glassnet.sklearn.estimators import GlassClassifier, GlassRegressor

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
X_DIAB, Y_DIAB = load_diabetes(return_X_y=True)
X_DIAB, Y_DIAB = StandardScaler().fit_transform(X_DIAB)[:150], Y_DIAB[:150] / 100


def parameters(model):
    return [*model.coefs_, *model.intercepts_]


def assert_same_weights(ours, theirs, rtol=1e-6):
    for a, b in zip(parameters(ours), parameters(theirs), strict=True):
        assert_allclose(a, b, rtol=rtol, atol=rtol * np.max(np.abs(b)))


def both(ours_cls, theirs_cls, X, y, **settings):
    """Fit glassnet's and scikit-learn's estimator with the same settings (hence the same
    initial weights: glassnet draws scikit-learn's Glorot uniform values in its order)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ours_cls(**settings).fit(X, y), theirs_cls(**settings).fit(X, y)


# -- the same weights as scikit-learn -----------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("target", ["multiclass", "binary"])
def test_classifier_matches_mlpclassifier(activation, target):
    y = Y_IRIS if target == "multiclass" else (Y_IRIS == 1).astype(int)
    settings = dict(solver="lbfgs", hidden_layer_sizes=(7,), activation=activation, alpha=1e-3)
    ours, theirs = both(
        GlassClassifier, MLPClassifier, X_IRIS, y, max_iter=40, random_state=0, **settings
    )
    assert ours.n_iter_ == theirs.n_iter_
    assert_same_weights(ours, theirs)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("hidden", [(5,), (6, 4)])
def test_regressor_matches_mlpregressor(loss, hidden):
    settings = dict(solver="lbfgs", hidden_layer_sizes=hidden, loss=loss, max_iter=40)
    ours, theirs = both(GlassRegressor, MLPRegressor, X_DIAB, Y_DIAB, random_state=1, **settings)
    assert ours.n_iter_ == theirs.n_iter_
    assert_same_weights(ours, theirs)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert_allclose(ours.predict(X_DIAB), theirs.predict(X_DIAB), rtol=1e-6)


def test_sample_weight_matches_mlpregressor():
    weights = np.random.RandomState(0).uniform(0.2, 3, size=len(Y_DIAB))
    settings = dict(solver="lbfgs", hidden_layer_sizes=(4,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = GlassRegressor(**settings).fit(X_DIAB, Y_DIAB, sample_weight=weights)
        theirs = MLPRegressor(**settings).fit(X_DIAB, Y_DIAB, sample_weight=weights)
    assert_same_weights(ours, theirs)


def test_converged_run_matches_and_does_not_warn():
    settings = dict(solver="lbfgs", hidden_layer_sizes=(3,), activation="tanh", tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = GlassClassifier(**settings, max_iter=500, random_state=0).fit(X_IRIS, Y_IRIS)
        theirs = MLPClassifier(**settings, max_iter=500, random_state=0).fit(X_IRIS, Y_IRIS)
    assert ours.n_iter_ == theirs.n_iter_ < 500
    assert_same_weights(ours, theirs)


# -- scikit-learn's limits, warnings and attributes ---------------------------------------------
def convergence_message(model, X, y):
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    return [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]


def test_max_iter_warns_with_scikit_learns_words():
    settings = dict(solver="lbfgs", hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    ours = convergence_message(GlassClassifier(**settings), X_IRIS, Y_IRIS)
    theirs = convergence_message(MLPClassifier(**settings), X_IRIS, Y_IRIS)
    assert ours == theirs
    assert "lbfgs failed to converge after 5 iteration(s)" in ours[0]
    assert "Increase the number of iterations" in ours[0]


@pytest.mark.parametrize("cls", [GlassClassifier, GlassRegressor])
def test_max_fun_limits_the_evaluations(cls):
    y = Y_IRIS if cls is GlassClassifier else X_IRIS[:, 0]
    model = cls(
        solver="lbfgs", hidden_layer_sizes=50, max_iter=150, max_fun=10, tol=0.0, random_state=1
    )
    messages = convergence_message(model, X_IRIS, y)
    assert model.n_iter_ <= 10
    assert "lbfgs failed to converge" in messages[0]


def test_lbfgs_keeps_no_loss_curve_and_has_no_partial_fit():
    model = GlassClassifier(solver="lbfgs", hidden_layer_sizes=(3,), max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_IRIS, Y_IRIS)
    assert not hasattr(model, "loss_curve_")
    assert not hasattr(model, "partial_fit")
    assert hasattr(GlassClassifier(solver="sgd"), "partial_fit")
    assert model.t_ == 0  # as scikit-learn: samples are counted by the stochastic solvers
    with pytest.raises(ValueError, match="max_fun"):
        GlassClassifier(solver="lbfgs", max_fun=0).fit(X_IRIS, Y_IRIS)


def test_lbfgs_refuses_dropout():
    with pytest.raises(ValueError, match="deterministic"):
        GlassClassifier(solver="lbfgs", dropout=0.2).fit(X_IRIS, Y_IRIS)


# -- from Python on a plain network -------------------------------------------------------------
class Recorder(Callback):
    """Keeps every iteration's loss and weights, and what the run said at its ends."""

    def __init__(self, stop_after=None, interrupt_after=None):
        self.events, self.losses, self.weights = [], [], []
        self.stop_after, self.interrupt_after = stop_after, interrupt_after

    def on_train_begin(self, trainer):
        self.events.append("begin")

    def on_epoch_end(self, trainer, epoch, logs):
        self.losses.append(logs["loss"])
        self.weights.append({k: v.copy() for k, v in trainer.network.parameters().items()})
        if epoch + 1 == self.stop_after:
            trainer.stop_training = True
        if epoch + 1 == self.interrupt_after:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C would

    def on_interrupt(self, trainer):
        self.events.append("interrupt")

    def on_train_end(self, trainer):
        self.events.append("end")


def iris_network():
    return glassnet.mlp([4, 6, 3], activation="tanh", output="softmax", l2=1e-3, random_state=0)


def test_fit_lbfgs_feeds_history_and_callbacks_each_iteration():
    net, recorder = iris_network(), Recorder()
    history = fit_lbfgs(net, X_IRIS, Y_IRIS, max_iter=30, tol=1e-8, callbacks=[recorder])
    assert isinstance(history, LbfgsHistory)
    assert history.n_iter == history.epochs == len(recorder.losses) == 30
    assert history.loss == recorder.losses
    assert recorder.events == ["begin", "end"]
    assert not history.converged and "ITERATIONS REACHED LIMIT" in history.message
    # each logged loss is the engine's objective at that iteration's weights
    final = net.objective(X_IRIS, Y_IRIS, glassnet.SoftmaxCrossEntropy())
    assert history.loss[-1] == pytest.approx(final, rel=1e-12)
    assert history.loss[-1] < history.loss[0]
    assert history.how_it_ended().startswith("stopped after 30 iterations")


def test_fit_lbfgs_converges_and_says_so():
    net = glassnet.mlp([4, 3], output="softmax", l2=1.0, random_state=0)
    history = fit_lbfgs(net, X_IRIS, Y_IRIS, max_iter=500, tol=1e-5)
    assert history.converged
    assert history.how_it_ended() == f"converged after {history.n_iter} iterations"
    net.gradient(X_IRIS, Y_IRIS, glassnet.SoftmaxCrossEntropy())
    assert max(np.abs(g).max() for g in net.gradients().values()) <= 1e-5


def test_the_flat_vector_is_weights_then_biases():
    net = glassnet.mlp([4, 6, 5, 3], random_state=0)
    assert pack_order(net) == ["0.weight", "2.weight", "4.weight", "0.bias", "2.bias", "4.bias"]


def test_a_callback_can_stop_the_run():
    recorder = Recorder(stop_after=4)
    history = fit_lbfgs(iris_network(), X_IRIS, Y_IRIS, max_iter=50, callbacks=[recorder])
    assert history.epochs == 4 and history.stopped_early


def test_ctrl_c_keeps_the_weights_of_the_last_completed_iteration():
    net, recorder = iris_network(), Recorder(interrupt_after=3)
    with pytest.raises(TrainingInterrupted, match="after 3 iterations"):
        fit_lbfgs(net, X_IRIS, Y_IRIS, max_iter=50, callbacks=[recorder])
    assert recorder.events == ["begin", "interrupt", "end"]
    assert len(recorder.losses) == 3
    for name, value in net.parameters().items():
        assert_allclose(value, recorder.weights[-1][name], rtol=0, atol=0)


def test_ctrl_c_in_an_estimator_warns_and_keeps_the_weights():
    recorder = Recorder(interrupt_after=2)
    model = GlassClassifier(
        solver="lbfgs", hidden_layer_sizes=(4,), max_iter=50, random_state=0, callbacks=[recorder]
    )
    with pytest.warns(UserWarning, match="interrupted"):
        model.fit(X_IRIS, Y_IRIS)
    assert_allclose(model.coefs_[0], recorder.weights[-1]["0.weight"], rtol=0, atol=0)


def test_checkpoints_are_refused(tmp_path):
    for options in (
        dict(checkpoint=tmp_path / "run.ckpt"),
        dict(resume=tmp_path / "run.ckpt"),
        dict(callbacks=[Checkpoint(tmp_path / "run.ckpt")]),
    ):
        with pytest.raises(ValidationError, match="L-BFGS cannot write checkpoints"):
            fit_lbfgs(iris_network(), X_IRIS, Y_IRIS, **options)


def test_importing_glassnet_does_not_import_scipy_optimize():
    import subprocess
    import sys

    code = "import sys, glassnet; print('scipy.optimize' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
