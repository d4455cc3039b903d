"""The training loop: a hand-worked step, batching, history, validation, stopping, callbacks."""

from __future__ import annotations

import tracemalloc
from itertools import pairwise

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import (
    AdaGrad,
    Adam,
    Callback,
    Dense,
    GradientDescent,
    MeanSquaredError,
    Network,
    RMSProp,
    Sigmoid,
    SoftmaxCrossEntropy,
    SumSquaredError,
    TrainingDiverged,
    fit,
    mlp,
)
from glassnet.errors import GlassnetError, ValidationError
from glassnet.gradcheck import numerical_gradient, relative_error
from glassnet.io import load, save
from glassnet.metrics import accuracy
from glassnet.training import make_trainer


def blobs(rng, n_per_class=20):
    """Two well separated Gaussian blobs: a linearly separable two-class problem."""
    x = np.vstack([rng.randn(n_per_class, 2) + 2.5, rng.randn(n_per_class, 2) - 2.5])
    y = np.repeat([0, 1], n_per_class)
    return x, y


def params_copy(net):
    return {k: v.copy() for k, v in net.parameters().items()}


# -- one step of gradient descent, worked by hand ---------------------------------------------------


def tiny_network():
    """2-2-1: sigmoid hidden layer, identity output, weights chosen by hand."""
    net = Network([Dense(2, 2), Sigmoid(), Dense(2, 1)])
    net.layers[0].params["weight"][...] = [[0.1, 0.2], [0.3, 0.4]]
    net.layers[0].params["bias"][...] = [0.1, -0.1]
    net.layers[2].params["weight"][...] = [[0.5], [-0.5]]
    net.layers[2].params["bias"][...] = [0.2]
    return net


# One example x = [1, 2], target y = 1, loss L = ½ (y − ŷ)² (SumSquaredError, scale ½),
# learning rate η = 0.5.
#
# forward
#   z1 = x W1 + b1 = [1·0.1 + 2·0.3 + 0.1, 1·0.2 + 2·0.4 − 0.1] = [0.8, 0.9]
#   a1 = σ(z1)     = [0.689974481128, 0.710949502625]
#   ŷ  = a1 W2 + b2 = 0.5·0.689974481128 − 0.5·0.710949502625 + 0.2 = 0.189512489251
#   L  = ½ (1 − 0.189512489251)² = 0.328445002540
# backward
#   δ2 = ŷ − y = −0.810487510749
#   ∂L/∂W2 = a1ᵀ δ2 = [[−0.559215699689], [−0.576215692651]],   ∂L/∂b2 = δ2
#   δ1 = δ2 W2ᵀ ∘ a1 (1 − a1)
#      = [−0.405243755374 · 0.213909696520, 0.405243755374 · 0.205500052246]
#      = [−0.086685568729, 0.083277716278]
#   ∂L/∂W1 = xᵀ δ1 = [[−0.086685568729, 0.083277716278], [−0.173371137458, 0.166555432556]]
#   ∂L/∂b1 = δ1
# update θ ← θ − η ∂L/∂θ
#   W1 = [[0.143342784364, 0.158361141861], [0.386685568729, 0.316722283722]]
#   b1 = [0.143342784364, −0.141638858139]
#   W2 = [[0.779607849845], [−0.211892153675]]
#   b2 = [0.605243755374]
X_TINY = np.array([[1.0, 2.0]])
Y_TINY = np.array([[1.0]])
HAND = {
    "z1": [[0.8, 0.9]],
    "a1": [[0.689974481128, 0.710949502625]],
    "output": [[0.189512489251]],
    "loss": 0.328445002540,
    "delta2": [[-0.810487510749]],
    "delta1": [[-0.086685568729, 0.083277716278]],
    "0.weight.grad": [[-0.086685568729, 0.083277716278], [-0.173371137458, 0.166555432556]],
    "0.bias.grad": [-0.086685568729, 0.083277716278],
    "2.weight.grad": [[-0.559215699689], [-0.576215692651]],
    "2.bias.grad": [-0.810487510749],
    "0.weight": [[0.143342784364, 0.158361141861], [0.386685568729, 0.316722283722]],
    "0.bias": [0.143342784364, -0.141638858139],
    "2.weight": [[0.779607849845], [-0.211892153675]],
    "2.bias": [0.605243755374],
}
HAND_TOL = {"rtol": 0, "atol": 5e-12}  # the numbers above are rounded to 12 decimals


def test_hand_worked_numbers_derive_from_the_formulas():
    # The same step in plain NumPy, independent of glassnet, reproduces the literals.
    w1, b1 = np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, -0.1])
    w2, b2 = np.array([[0.5], [-0.5]]), np.array([0.2])
    z1 = X_TINY @ w1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    out = a1 @ w2 + b2
    delta2 = out - Y_TINY
    delta1 = (delta2 @ w2.T) * a1 * (1 - a1)
    derived = {
        "z1": z1,
        "a1": a1,
        "output": out,
        "loss": 0.5 * np.sum((Y_TINY - out) ** 2),
        "delta2": delta2,
        "delta1": delta1,
        "0.weight.grad": X_TINY.T @ delta1,
        "0.bias.grad": delta1.sum(axis=0),
        "2.weight.grad": a1.T @ delta2,
        "2.bias.grad": delta2.sum(axis=0),
        "0.weight": w1 - 0.5 * X_TINY.T @ delta1,
        "0.bias": b1 - 0.5 * delta1.sum(axis=0),
        "2.weight": w2 - 0.5 * a1.T @ delta2,
        "2.bias": b2 - 0.5 * delta2.sum(axis=0),
    }
    for key, value in HAND.items():
        assert_allclose(derived[key], value, **HAND_TOL, err_msg=key)


def test_hand_worked_step_through_the_engine():
    net = tiny_network()
    loss = SumSquaredError(scale=0.5)
    assert_allclose(net.forward(X_TINY, training=True), HAND["output"], **HAND_TOL)
    assert_allclose(net.layers[1]._cache, HAND["a1"], **HAND_TOL)  # the cached activation

    value = net.gradient(X_TINY, Y_TINY, loss)
    assert_allclose(value, HAND["loss"], **HAND_TOL)
    for name, grad in net.gradients().items():
        assert_allclose(grad, HAND[f"{name}.grad"], **HAND_TOL, err_msg=name)

    GradientDescent(learning_rate=0.5).step(net.parameters(), net.gradients())
    for name, param in net.parameters().items():
        assert_allclose(param, HAND[name], **HAND_TOL, err_msg=name)


def test_hand_worked_step_through_fit():
    net = tiny_network()
    history = fit(net, X_TINY, Y_TINY, loss=SumSquaredError(0.5), learning_rate=0.5, epochs=1)
    assert history.n_updates == 1
    assert_allclose(history.loss, [HAND["loss"]], **HAND_TOL)
    for name, param in net.parameters().items():
        assert_allclose(param, HAND[name], **HAND_TOL, err_msg=name)


# -- batching against a reference loop ----------------------------------------------------------------


def reference_linear_fit(w, b, x, y, lr, epochs, batch_size, shuffle_seed):
    """Mini-batch gradient descent for ŷ = xw + b under the mean squared error, by hand.

    Returns the final (w, b) and the loss of every batch before its update.
    """
    n = x.shape[0]
    rs = None if shuffle_seed is None else np.random.RandomState(shuffle_seed)
    batch_losses = []
    for _ in range(epochs):
        if batch_size is None:
            batches = [np.arange(n)]
        else:
            order = np.arange(n) if rs is None else rs.permutation(n)
            batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        for idx in batches:
            xb, yb = x[idx], y[idx]
            residual = xb @ w + b - yb
            batch_losses.append(np.mean(residual**2))
            w = w - lr * 2 * xb.T @ residual / len(idx)
            b = b - lr * 2 * residual.sum(axis=0) / len(idx)
    return w, b, batch_losses


@pytest.mark.parametrize("batch_size", [None, 10, 4, 3, 1], ids=lambda b: f"batch_{b}")
@pytest.mark.parametrize("shuffle", [False, True], ids=["in_order", "shuffled"])
def test_batching_matches_reference_loop(batch_size, shuffle, rng):
    x, y = rng.randn(10, 3), rng.randn(10, 1)
    net = mlp([3, 1], random_state=rng)
    w0, b0 = net.layers[0].params["weight"].copy(), net.layers[0].params["bias"].copy()
    history = fit(
        net,
        x,
        y,
        learning_rate=0.05,
        epochs=3,
        batch_size=batch_size,
        shuffle=shuffle,
        random_state=42,
    )
    w, b, batch_losses = reference_linear_fit(
        w0, b0, x, y, 0.05, 3, batch_size, 42 if shuffle and batch_size is not None else None
    )
    assert_allclose(net.layers[0].params["weight"], w, rtol=1e-12, atol=1e-14)
    assert_allclose(net.layers[0].params["bias"], b, rtol=1e-12, atol=1e-14)
    assert_allclose(history.batch_loss, batch_losses, rtol=1e-12, atol=0)
    per_epoch = 1 if batch_size is None else -(-10 // batch_size)
    assert history.n_updates == 3 * per_epoch == len(history.batch_loss)


def test_full_batch_history():
    x, y = blobs(np.random.RandomState(1))
    net = mlp([2, 4, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, x, y, learning_rate=0.1, epochs=5)
    assert (history.epochs, history.n_updates) == (5, 5)
    assert history.loss == history.batch_loss  # full batch: one update per epoch
    assert history.val_loss == [] and history.metrics == {}
    assert history.best_epoch is None and history.stopped_early is False


def test_epoch_loss_is_size_weighted_mean_of_batch_losses(rng):
    x, y = rng.randn(10, 2), rng.randn(10)
    history = fit(mlp([2, 3, 1], random_state=0), x, y, epochs=4, batch_size=4, random_state=0)
    assert history.n_updates == 12
    b = np.array(history.batch_loss).reshape(4, 3)
    assert_allclose(
        history.loss, (4 * b[:, 0] + 4 * b[:, 1] + 2 * b[:, 2]) / 10, rtol=1e-14, atol=0
    )


def test_batch_size_one_is_one_update_per_example(rng):
    x, y = rng.randn(7, 2), rng.randn(7)
    history = fit(mlp([2, 1], random_state=0), x, y, epochs=2, batch_size=1, random_state=0)
    assert history.n_updates == 14


def test_shuffling_is_reproducible_and_depends_on_the_seed(rng):
    x, y = rng.randn(12, 2), rng.randn(12)

    def run(seed):
        net = mlp([2, 3, 1], activation="tanh", random_state=0)
        history = fit(net, x, y, epochs=3, batch_size=2, random_state=seed)
        return params_copy(net), history

    (p1, h1), (p2, h2), (p3, h3) = run(5), run(5), run(6)
    assert h1 == h2
    for k in p1:
        assert_array_equal(p1[k], p2[k])
    assert h1.batch_loss != h3.batch_loss
    assert not np.array_equal(p1["0.weight"], p3["0.weight"])


def test_seed_gives_the_same_result_twice(rng):
    x, y = blobs(rng)

    def run():
        net = mlp([2, 6, 2], activation="relu", output="softmax", dropout=0.2, random_state=0)
        history = net.fit(
            x,
            y,
            optimizer="adam",
            learning_rate=0.01,
            epochs=5,
            batch_size=8,
            validation_fraction=0.25,
            random_state=3,
            metrics=("accuracy",),
        )
        return net, history

    (net1, h1), (net2, h2) = run(), run()
    assert h1 == h2
    for (k, a), b in zip(net1.parameters().items(), net2.parameters().values(), strict=True):
        assert_array_equal(a, b, err_msg=k)


def test_training_reduces_the_loss_on_a_separable_problem(rng):
    x, y = blobs(rng)
    net = mlp([2, 8, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, x, y, learning_rate=0.5, epochs=100, metrics=("accuracy",))
    assert history.loss[-1] < 0.02 * history.loss[0]
    assert all(b <= a for a, b in pairwise(history.loss))  # monotone here
    assert accuracy(y, net.predict(x)) == 1.0
    assert history.metrics["accuracy"][-1] == 1.0


def test_sigmoid_binary_training(rng):
    x, y = blobs(rng)
    net = mlp([2, 4, 1], activation="tanh", output="sigmoid", random_state=0)
    history = fit(net, x, y, optimizer="adam", learning_rate=0.05, epochs=50)
    assert history.loss[-1] < 0.05 * history.loss[0]
    assert_array_equal(net.predict(x), y)


# -- validation ----------------------------------------------------------------------------------------


def test_validation_data_gives_val_loss(rng):
    x, y = rng.randn(20, 2), rng.randn(20, 2)
    xv, yv = rng.randn(8, 2), rng.randn(8, 2)
    net = mlp([2, 3, 2], activation="tanh", random_state=0)
    history = fit(net, x, y, epochs=4, validation_data=(xv, yv), metrics=("accuracy",))
    assert len(history.val_loss) == 4
    assert_allclose(
        history.val_loss[-1], MeanSquaredError()(net.predict(xv), yv), rtol=1e-14, atol=0
    )
    assert len(history.metrics["accuracy"]) == len(history.metrics["val_accuracy"]) == 4


def test_validation_fraction_splits_off_rows(rng):
    x, y = rng.randn(10, 2), rng.randn(10)
    net = mlp([2, 1], random_state=0)
    history = fit(net, x, y, epochs=2, batch_size=1, validation_fraction=0.3, random_state=7)
    assert history.n_updates == 2 * 7  # 7 training rows, one update each
    val = np.random.RandomState(7).permutation(10)[:3]  # the split draws first
    assert_allclose(
        history.val_loss[-1], MeanSquaredError()(net.predict(x[val]), y[val]), rtol=1e-14, atol=0
    )


def test_validation_accuracy(rng):
    x, y = blobs(rng)
    xv, yv = blobs(np.random.RandomState(9), 5)
    net = mlp([2, 5, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(
        net, x, y, epochs=30, learning_rate=0.5, validation_data=(xv, yv), metrics=["accuracy"]
    )
    assert history.metrics["val_accuracy"][-1] == accuracy(yv, net.predict(xv)) == 1.0
    assert_allclose(
        history.val_loss[-1], SoftmaxCrossEntropy()(net.raw_output(xv), yv), rtol=1e-14, atol=0
    )


# -- numerical gradients, divergence, inputs -------------------------------------------------------------


def test_numerical_gradient_training_matches_backprop(rng):
    x, y = blobs(rng, 5)

    def run(gradient):
        net = mlp([2, 3, 2], activation="tanh", output="softmax", l2=0.01, random_state=0)
        history = fit(net, x, y, learning_rate=0.5, epochs=5, gradient=gradient)
        return net, history

    (net_b, h_b), (net_n, h_n) = run("backprop"), run("numerical")
    assert_allclose(h_n.loss, h_b.loss, rtol=1e-8, atol=0)
    for (name, a), b in zip(net_b.parameters().items(), net_n.parameters().values(), strict=True):
        assert_allclose(b, a, rtol=1e-7, atol=1e-9, err_msg=name)


def test_training_diverged_with_a_huge_learning_rate(rng):
    x, y = rng.randn(20, 3), rng.randn(20)
    net = mlp([3, 4, 1], activation="tanh", random_state=0)
    with pytest.raises(TrainingDiverged, match="Try a smaller learning rate") as info:
        fit(net, x, y, learning_rate=1e10, epochs=100)
    err = info.value
    assert isinstance(err, GlassnetError) and isinstance(err, ArithmeticError)
    assert 0 <= err.epoch < 100
    assert err.last_finite_loss is not None and np.isfinite(err.last_finite_loss)


def test_inputs_are_not_mutated(rng):
    x, y = rng.randn(12, 2), rng.randn(12, 2)
    xv, yv = rng.randn(4, 2), rng.randn(4, 2)
    originals = [a.copy() for a in (x, y, xv, yv)]
    net = mlp([2, 3, 2], activation="tanh", l2=0.1, random_state=0)
    for batch_size in (None, 5):
        fit(net, x, y, epochs=3, batch_size=batch_size, validation_data=(xv, yv), random_state=0)
    net.predict(x)
    net.raw_output(x)
    for a, b in zip((x, y, xv, yv), originals, strict=True):
        assert_array_equal(a, b)

    labels = blobs(rng)[1]
    xc, labels_before = rng.randn(len(labels), 2), labels.copy()
    xc_before = xc.copy()
    clf = mlp([2, 3, 2], output="softmax", random_state=0)
    fit(clf, xc, labels, epochs=2, optimizer="adam")
    clf.predict_proba(xc)
    assert_array_equal(labels, labels_before)
    assert_array_equal(xc, xc_before)


# -- float32 end to end -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.1),
        lambda: GradientDescent(0.1, momentum=0.9),
        lambda: GradientDescent(0.1, momentum=0.9, nesterov=True),
        lambda: Adam(0.01),
        lambda: RMSProp(0.01),
        lambda: AdaGrad(0.1),
    ],
    ids=["gd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"],
)
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
def test_float32_stays_float32(make, output, rng):
    x, labels = blobs(rng)
    x = x.astype(np.float32)
    y = {"softmax": labels, "sigmoid": labels.astype(np.float32), "identity": x[:, ::-1].copy()}[
        output
    ]
    n_out = {"softmax": 2, "sigmoid": 1, "identity": 2}[output]
    net = mlp(
        [2, 4, n_out],
        activation="tanh",
        output=output,
        l2=1e-3,
        l1=1e-4,
        dropout=0.1,
        random_state=0,
        dtype=np.float32,
    )
    opt = make()
    history = fit(
        net,
        x,
        y,
        optimizer=opt,
        epochs=3,
        batch_size=16,
        random_state=0,
        validation_fraction=0.2,
        metrics=["accuracy"] if output != "identity" else [],
    )

    assert all(p.dtype == np.float32 for p in net.parameters().values())
    assert all(g.dtype == np.float32 for g in net.gradients().values())
    assert all(s.dtype == np.float32 for slots in opt.state.values() for s in slots.values())
    assert all(np.isfinite(v) for v in history.loss + history.val_loss)

    out = net.forward(x, training=True)
    assert out.dtype == np.float32
    assert net.backward(np.ones_like(out)).dtype == np.float32
    assert net.raw_output(x).dtype == np.float32
    assert net.raw_output(x.astype(np.float64)).dtype == np.float32  # cast to the network's dtype
    if output == "identity":
        assert net.predict(x).dtype == np.float32
    else:
        assert net.predict_proba(x).dtype == np.float32
        assert np.issubdtype(net.predict(x).dtype, np.integer)


# -- argument checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"epochs": 2.5}, "epochs must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer, .auto. or None, got 0"),
        ({"batch_size": True}, "batch_size must be a positive integer, .auto. or None"),
        ({"gradient": "finite"}, "gradient must be 'backprop' or 'numerical', got 'finite'"),
        ({"metrics": ["f1"]}, r"unknown metrics \['f1'\]; available: \['accuracy'\]"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be in \(0, 1\), got 1.0"),
        ({"validation_fraction": 0.01}, "leaves 0 of 10 rows for validation"),
        ({"validation_fraction": 0.2, "validation_data": ([[0.0, 0.0]], [0.0])}, "not both"),
        ({"numerical_eps": 0.0}, "numerical_eps must be finite and > 0"),
        ({"learning_rate": 0.0}, "learning_rate must be finite and > 0, got 0.0"),
    ],
)
def test_fit_argument_checks(kwargs, message, rng):
    with pytest.raises(ValidationError, match=message):
        fit(mlp([2, 1], random_state=0), rng.randn(10, 2), rng.randn(10), **kwargs)


def test_fit_needs_a_network(rng):
    with pytest.raises(ValidationError, match="network must be a glassnet Network, got Dense"):
        fit(Dense(2, 1), rng.randn(3, 2), rng.randn(3))


# -- sample weights -----------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_weighted_network_gradient_matches_central_differences(reduction, rng):
    from glassnet import SoftmaxCrossEntropy, gradcheck
    from glassnet.gradcheck import numerical_gradient, relative_error

    net = mlp([3, 4, 3], activation="tanh", output="softmax", l2=0.1, random_state=rng)
    x, y, w = rng.randn(12, 3), rng.randint(0, 3, 12), rng.uniform(0, 3, 12)
    loss = SoftmaxCrossEntropy(reduction=reduction)
    net.gradient(x, y, loss, sample_weight=w)
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    for name, param in net.parameters().items():
        numeric = numerical_gradient(lambda: net.objective(x, y, loss, w), param)
        assert relative_error(analytic[name], numeric) < 1e-6, name
    assert gradcheck(net, x, y, loss).passed  # unweighted still fine


def test_integer_weights_act_as_repeated_rows_in_full_batch_training(rng):
    x, y = rng.randn(15, 2), rng.randn(15, 1)
    w = rng.randint(0, 4, 15)
    w[0] = 2
    repeated_x, repeated_y = np.repeat(x, w, axis=0), np.repeat(y, w, axis=0)
    a = mlp([2, 5, 1], activation="tanh", l2=0.01, random_state=0)
    b = mlp([2, 5, 1], activation="tanh", l2=0.01, random_state=0)
    ha = fit(a, x, y, sample_weight=w, epochs=30, learning_rate=0.1)
    hb = fit(b, repeated_x, repeated_y, epochs=30, learning_rate=0.1)
    assert_allclose(ha.loss, hb.loss, rtol=1e-12)
    for name, param in a.parameters().items():
        assert_allclose(param, b.parameters()[name], rtol=1e-12, atol=1e-14)


def test_weights_of_ones_change_nothing_and_bad_weights_are_refused(rng):
    x, y = rng.randn(10, 2), rng.randint(0, 2, 10)
    a = mlp([2, 3, 2], output="softmax", random_state=0)
    b = mlp([2, 3, 2], output="softmax", random_state=0)
    fit(a, x, y, epochs=5, batch_size=4, random_state=1)
    fit(b, x, y, epochs=5, batch_size=4, random_state=1, sample_weight=np.ones(10))
    for name, param in a.parameters().items():
        assert_allclose(param, b.parameters()[name], rtol=1e-13)
    for bad, match in (
        ([1.0] * 9, "shape"),
        ([-1.0] + [1.0] * 9, "non-negative"),
        ([0.0] * 10, "not all zero"),
        ([np.nan] * 10, "finite"),
    ):
        with pytest.raises(ValidationError, match=match):
            fit(mlp([2, 3, 2], output="softmax", random_state=0), x, y, sample_weight=bad)


def test_a_batch_whose_rows_all_weigh_zero_contributes_nothing(rng):
    x, y = rng.randn(8, 2), rng.randn(8, 1)
    w = np.array([0, 0, 0, 0, 1, 2, 1, 1], dtype=float)  # the first batch of 4 weighs nothing
    a = mlp([2, 3, 1], activation="tanh", random_state=0)
    b = mlp([2, 3, 1], activation="tanh", random_state=0)
    ha = fit(a, x, y, sample_weight=w, batch_size=4, shuffle=False, epochs=3, learning_rate=0.1)
    hb = fit(
        b,
        x[4:],
        y[4:],
        sample_weight=w[4:],
        batch_size=4,
        shuffle=False,
        epochs=3,
        learning_rate=0.1,
    )
    assert ha.batch_loss[0::2] == [0.0, 0.0, 0.0]
    assert_allclose(ha.batch_loss[1::2], hb.batch_loss, rtol=1e-13)
    for name, param in a.parameters().items():
        assert_allclose(param, b.parameters()[name], rtol=1e-13)


@pytest.mark.parametrize(("optimizer", "lr"), [("gd", 1e12), ("adam", 1e200)])
def test_divergence_keeps_the_parameters_of_the_last_finite_loss(optimizer, lr, rng):
    x, y = rng.randn(20, 3) * 100, rng.randn(20) * 1e3
    net = mlp([3, 4, 1], activation="relu", random_state=0)
    with pytest.raises(TrainingDiverged, match="keeps the parameters of the last finite") as info:
        fit(net, x, y, optimizer=optimizer, learning_rate=lr, epochs=200)
    assert all(np.isfinite(p).all() for p in net.parameters().values())
    # they are the parameters at which that loss was measured
    assert_allclose(
        net.objective(x, y.reshape(-1, 1), MeanSquaredError()),
        info.value.last_finite_loss,
        rtol=1e-12,
    )


# -- stepping a run a few updates at a time --------------------------------------------------------------


def stepping_setup(rng):
    x, y = blobs(rng)
    net = mlp([2, 5, 2], activation="tanh", output="softmax", dropout=0.2, random_state=0)
    options = dict(
        optimizer="adam",
        learning_rate=0.05,
        epochs=6,
        batch_size=7,
        random_state=3,
        validation_fraction=0.25,
        early_stopping=True,
        patience=2,
        metrics=["accuracy"],
    )
    return net, x, y, options


@pytest.mark.parametrize("chunk", [1, 3, 5, 100])
def test_stepping_a_trainer_gives_the_uninterrupted_run(chunk, rng):
    net, x, y, options = stepping_setup(rng)
    whole = fit(net, x, y, **options)
    expected = params_copy(net)
    net2, x, y, options = stepping_setup(np.random.RandomState(0))
    trainer = make_trainer(net2, x, y, **options)
    calls = 0
    while not trainer.done:
        before = trainer.history.n_updates
        trainer.step(chunk)
        calls += 1
        assert trainer.history.n_updates - before <= chunk
    assert calls >= whole.n_updates // chunk
    assert trainer.history == whole
    for name, param in net2.parameters().items():
        assert_array_equal(param, expected[name])
    assert trainer.step(5) == whole  # a finished run makes no more updates


def test_a_trainer_calls_begin_once_and_end_when_done(rng):
    x, y = rng.randn(6, 2), rng.randn(6)
    events = []

    class Events(Callback):
        def on_train_begin(self, trainer):
            events.append("begin")

        def on_train_end(self, trainer):
            events.append("end")

    trainer = make_trainer(
        mlp([2, 1], random_state=0),
        x,
        y,
        epochs=2,
        batch_size=2,
        shuffle=False,
        callbacks=[Events()],
    )
    trainer.step(2)
    trainer.step(2)
    assert events == ["begin"] and not trainer.done
    trainer.step(2)
    assert events == ["begin", "end"] and trainer.done and trainer.history.n_updates == 6


# -- the penalty's scaling --------------------------------------------------------------------------------


def test_batch_weight_penalty_scaling_divides_the_penalty_by_the_batch_weight(rng):
    x, y = rng.randn(9, 3), rng.randint(0, 2, 9)
    w = rng.uniform(0.5, 2.0, 9)
    net = mlp([3, 4, 2], activation="tanh", output="softmax", l2=0.3, l1=0.05, random_state=0)
    plain = SoftmaxCrossEntropy()(net.raw_output(x), y, w)
    weights = [net.layers[0].params["weight"], net.layers[2].params["weight"]]
    penalty = 0.3 / 2 * sum(np.sum(W**2) for W in weights)
    penalty += 0.05 * sum(np.sum(np.abs(W)) for W in weights)
    assert_allclose(
        net.gradient(x, y, SoftmaxCrossEntropy(), sample_weight=w), plain + penalty, rtol=1e-13
    )
    net.penalty_scaling = "batch_weight"
    value = net.gradient(x, y, SoftmaxCrossEntropy(), sample_weight=w)
    assert_allclose(value, plain + penalty / w.sum(), rtol=1e-13)
    # its gradient is the gradient of that objective, by central differences
    analytic = {k: v.copy() for k, v in net.gradients().items()}

    def objective():
        return net.objective(x, y, SoftmaxCrossEntropy(), sample_weight=w)

    for name, param in net.parameters().items():
        numeric = numerical_gradient(objective, param, 1e-6)
        assert relative_error(analytic[name], numeric) < 1e-7, name


def test_fit_declares_the_penalty_scaling_and_a_saved_network_keeps_it(rng, tmp_path):
    x, y = blobs(rng)
    net = mlp([2, 3, 2], activation="tanh", output="softmax", l2=0.1, random_state=0)
    fit(net, x, y, epochs=2, batch_size=10, penalty_scaling="batch_weight", random_state=0)
    assert (net.l2, net.penalty_scaling) == (0.1, "batch_weight")
    save(net, tmp_path / "net.npz")
    loaded = load(tmp_path / "net.npz")
    assert (loaded.l2, loaded.penalty_scaling) == (0.1, "batch_weight")
    # continuing the loaded network optimises the same objective as continuing the original
    fit(net, x, y, epochs=2, batch_size=10, random_state=1)
    fit(loaded, x, y, epochs=2, batch_size=10, random_state=1)
    for name, param in net.parameters().items():
        assert_array_equal(param, loaded.parameters()[name])
    with pytest.raises(ValidationError, match="penalty_scaling must be one of"):
        fit(net, x, y, penalty_scaling="rows")
    built = mlp([2, 2], l2=0.1, penalty_scaling="batch_weight", random_state=0)
    assert built.penalty_scaling == "batch_weight"
    with pytest.raises(ValidationError, match="penalty_scaling must be one of"):
        mlp([2, 2], penalty_scaling="rows")


def test_keeping_the_last_finite_parameters_copies_nothing_per_update(rng):
    """The optimizer writes into a second set of arrays, which then swaps with the first."""
    x, y = rng.randn(64, 20), rng.randint(0, 3, 64)
    net = mlp([20, 200, 200, 3], activation="relu", output="softmax", random_state=0)
    trainer = make_trainer(
        net, x, y, optimizer="sgd", learning_rate=0.01, epochs=50, batch_size=8, shuffle=False
    )
    trainer.step(2)  # warm: the workspace and the second set of parameters exist
    first = {name: id(p) for name, p in net.parameters().items()}
    trainer.step(1)
    second = {name: id(p) for name, p in net.parameters().items()}
    trainer.step(1)
    assert {name: id(p) for name, p in net.parameters().items()} == first != second
    weights = sum(p.nbytes for p in net.parameters().values())
    xb, yb = trainer.x[:8], trainer.y[:8]
    tracemalloc.start()
    try:
        net.gradient(xb, yb, trainer.loss, validated=True)  # what the passes themselves take
        _, passes = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        trainer.step(8)
        _, steps = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert steps < passes + 0.25 * weights  # no copy of the parameters (a copy is 1.0×)
