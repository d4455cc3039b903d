"""Network: parameters and gradients, penalties, whole-network gradchecks, prediction, mlp."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import (
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    MeanSquaredError,
    Network,
    ReLU,
    Sigmoid,
    Softmax,
    SumSquaredError,
    Tanh,
    gradcheck,
    mlp,
)
from glassnet.errors import NotFittedError, ValidationError

N_FEATURES = 3
HIDDEN = [4, 3, 5]
N_OUT = {"softmax": 3, "sigmoid": 2, "identity": 2}
PENALTIES = {"none": {}, "l2": {"l2": 0.1}, "l1": {"l1": 0.05}, "l1+l2": {"l1": 0.03, "l2": 0.2}}


def targets(output, rng, n):
    if output == "softmax":
        return rng.randint(N_OUT[output], size=n)
    if output == "sigmoid":  # multilabel 0/1
        return rng.randint(2, size=(n, N_OUT[output])).astype(float)
    return rng.randn(n, N_OUT[output])


def rows_away_from_kinks(net, x, threshold=1e-3):
    """Keep the rows whose pre-activations into every (leaky) ReLU satisfy |z| > threshold."""
    keep = np.ones(x.shape[0], dtype=bool)
    out = x
    for layer, nxt in zip(net.layers, [*net.layers[1:], None], strict=True):
        out = layer(out)
        if isinstance(nxt, (ReLU, LeakyReLU)):
            keep &= np.all(np.abs(out) > threshold, axis=1)
    return x[keep]


def weights_away_from_zero(net, threshold=1e-3):
    """|W| > threshold everywhere, so that the l1 kink at W = 0 is never straddled."""
    for layer in net.dense_layers:
        w = layer.params["weight"]
        small = np.abs(w) <= threshold
        w[small] = np.where(w[small] >= 0, 0.1, -0.1)


# -- whole networks against central differences -------------------------------------------------


@pytest.mark.parametrize("penalty", sorted(PENALTIES))
@pytest.mark.parametrize("output", sorted(N_OUT))
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_gradcheck_whole_network(depth, activation, output, penalty, rng):
    sizes = [N_FEATURES, *HIDDEN[:depth], N_OUT[output]]
    net = mlp(sizes, activation=activation, output=output, random_state=rng, **PENALTIES[penalty])
    for layer in net.dense_layers:  # non-zero biases: a generic point, not the initial one
        layer.params["bias"][...] = rng.randn(layer.n_out) * 0.5
    weights_away_from_zero(net)
    x = rows_away_from_kinks(net, rng.randn(12, N_FEATURES))
    assert x.shape[0] >= 6
    y = targets(output, rng, x.shape[0])
    report = gradcheck(net, x, y)  # the default loss for the output: CE, BCE or MSE
    assert set(report.errors) == set(net.parameters())
    assert report.max_error < 1e-6, str(report)
    assert report.passed


@pytest.mark.parametrize(
    ("loss", "output", "n_out", "make_y"),
    [
        (SumSquaredError(0.5), "identity", 1, lambda rng, n: rng.randn(n)),
        (SumSquaredError(1.0), "identity", 2, lambda rng, n: rng.randn(n, 2)),
        ("mae", "identity", 2, lambda rng, n: rng.randn(n, 2) * 5),
        ("binary_cross_entropy", "sigmoid", 1, lambda rng, n: rng.randint(2, size=n)),
        ("cross_entropy", "softmax", 3, lambda rng, n: np.eye(3)[rng.randint(3, size=n)]),
    ],
)
def test_gradcheck_other_losses(loss, output, n_out, make_y, rng):
    net = mlp([N_FEATURES, 4, n_out], activation="tanh", output=output, l2=0.01, random_state=rng)
    x = rng.randn(7, N_FEATURES)
    report = gradcheck(net, x, make_y(rng, 7), loss)
    assert report.max_error < 1e-6, str(report)


def test_gradcheck_without_bias_and_with_dropout(rng):
    net = mlp([3, 5, 4, 2], activation="tanh", bias=False, dropout=0.5, random_state=rng)
    report = gradcheck(net, rng.randn(6, 3), rng.randn(6, 2))
    assert set(report.errors) == {"0.weight", "3.weight", "6.weight"}
    assert report.max_error < 1e-6, str(report)


# -- parameters and gradients --------------------------------------------------------------------


def test_parameter_names_and_aliasing(rng):
    net = mlp([3, 4, 2], random_state=rng)
    params, grads = net.parameters(), net.gradients()
    assert list(params) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(grads) == list(params)
    for name, arr in params.items():
        index, key = name.split(".")
        assert arr is net.layers[int(index)].params[key]
        assert grads[name] is net.layers[int(index)].grads[key]
        assert grads[name].shape == arr.shape
    assert net.n_parameters() == 3 * 4 + 4 + 4 * 2 + 2

    x = rng.randn(5, 3)
    before = net.raw_output(x)
    params["2.bias"] += 1.0  # in-place update through the dict changes the network
    assert_allclose(net.raw_output(x), before + 1.0, rtol=1e-14, atol=1e-14)

    net.gradient(x, rng.randn(5, 2), MeanSquaredError())
    for name, grad in net.gradients().items():
        assert grad is grads[name]  # the same arrays, now holding the new gradient
    assert np.any(grads["0.weight"] != 0)


def test_parameter_names_with_dropout(rng):
    net = mlp([3, 4, 4, 2], dropout=0.2, random_state=rng)
    assert list(net.parameters()) == [
        "0.weight",
        "0.bias",
        "3.weight",
        "3.bias",
        "6.weight",
        "6.bias",
    ]


def test_l2_penalty_value_excludes_biases(rng):
    net = mlp([3, 4, 2], l2=0.3, random_state=rng)
    w1, w2 = net.layers[0].params["weight"], net.layers[2].params["weight"]
    want = 0.3 / 2 * (np.sum(w1**2) + np.sum(w2**2))
    assert_allclose(net.penalty(), want, rtol=1e-14, atol=0)
    for layer in net.dense_layers:
        layer.params["bias"][...] = 100.0  # biases are not penalised
    assert_allclose(net.penalty(), want, rtol=1e-14, atol=0)


def test_l1_and_combined_penalty_values(rng):
    net = mlp([2, 3, 1], l1=0.2, random_state=rng)
    w1, w2 = net.layers[0].params["weight"], net.layers[2].params["weight"]
    l1_part = np.sum(np.abs(w1)) + np.sum(np.abs(w2))
    assert_allclose(net.penalty(), 0.2 * l1_part, rtol=1e-14, atol=0)
    net.l2 = 0.5
    assert_allclose(
        net.penalty(), 0.2 * l1_part + 0.25 * (np.sum(w1**2) + np.sum(w2**2)), rtol=1e-14, atol=0
    )
    assert mlp([2, 1], random_state=0).penalty() == 0.0


def test_literal_penalty():
    net = Network([Dense(2, 1, init="zeros")], l2=0.5, l1=0.1)
    net.layers[0].params["weight"][...] = [[3.0], [-4.0]]
    # 0.5/2 · (9 + 16) + 0.1 · (3 + 4)
    assert_allclose(net.penalty(), 6.25 + 0.7, rtol=1e-15, atol=0)


def test_penalty_gradients_are_added_to_weights_only(rng):
    x, y = rng.randn(6, 3), rng.randn(6, 2)
    plain = mlp([3, 4, 2], random_state=1)
    penalised = mlp([3, 4, 2], l2=0.3, l1=0.1, random_state=1)
    j_plain = plain.gradient(x, y, MeanSquaredError())
    j_pen = penalised.gradient(x, y, MeanSquaredError())
    assert_allclose(j_pen - j_plain, penalised.penalty(), rtol=1e-12, atol=0)
    for name, grad in penalised.gradients().items():
        param = penalised.parameters()[name]
        extra = 0.3 * param + 0.1 * np.sign(param) if name.endswith("weight") else 0.0
        assert_allclose(grad, plain.gradients()[name] + extra, rtol=1e-12, atol=1e-14)


def test_objective_equals_loss_plus_penalty(rng):
    net = mlp([3, 4, 2], l2=0.1, random_state=rng)
    x, y = rng.randn(5, 3), rng.randn(5, 2)
    want = MeanSquaredError().forward(net.raw_output(x), y) + net.penalty()
    assert_allclose(net.objective(x, y, MeanSquaredError()), want, rtol=1e-14, atol=0)
    assert_allclose(net.gradient(x, y, MeanSquaredError()), want, rtol=1e-14, atol=0)


def test_backward_returns_input_gradient(rng):
    net = mlp([3, 4, 2], activation="tanh", random_state=rng)
    x, g = rng.randn(5, 3), rng.randn(5, 2)
    net.forward(x, training=True)
    w1, w2 = net.layers[0].params["weight"], net.layers[2].params["weight"]
    a1 = np.tanh(x @ w1 + net.layers[0].params["bias"])
    assert_allclose(net.backward(g), ((g @ w2.T) * (1 - a1**2)) @ w1.T, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_square_network_gradients_by_value(activation, rng):
    # every layer 4 → 4: a transposed W or δ would keep every shape right
    f, df = {
        "tanh": (np.tanh, lambda a: 1 - a**2),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
        "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    }[activation]
    net = mlp([4, 4, 4], activation=activation, l2=0.1, random_state=rng)
    w1, w2 = (layer.params["weight"] for layer in net.dense_layers)
    b1, b2 = (layer.params["bias"] for layer in net.dense_layers)
    b1[...], b2[...] = rng.randn(4), rng.randn(4)
    x, y = rng.randn(6, 4), rng.randn(6, 4)
    a1 = f(x @ w1 + b1)
    out = a1 @ w2 + b2
    delta2 = 2 / (6 * 4) * (out - y)  # ∂MSE/∂out
    delta1 = (delta2 @ w2.T) * df(a1)  # δ₁ = (δ₂W₂ᵀ) ∘ f′(z₁)
    want = {
        "0.weight": x.T @ delta1 + 0.1 * w1,
        "0.bias": delta1.sum(axis=0),
        "2.weight": a1.T @ delta2 + 0.1 * w2,
        "2.bias": delta2.sum(axis=0),
    }
    for _ in range(2):  # cold and warm workspace
        net.gradient(x, y, MeanSquaredError())
        for name, grad in net.gradients().items():
            assert_allclose(grad, want[name], rtol=1e-12, atol=1e-14, err_msg=name)
    net.forward(x, training=True)
    assert_allclose(net.backward(delta2), delta1 @ w1.T, rtol=1e-12, atol=1e-14)
    assert gradcheck(net, x, y, loss=MeanSquaredError()).passed


# -- prediction ------------------------------------------------------------------------------------


def test_predict_softmax(rng):
    net = mlp([3, 5, 4], activation="tanh", output="softmax", random_state=rng)
    x = rng.randn(10, 3)
    z = net.raw_output(x)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    proba = net.predict_proba(x)
    assert_allclose(proba, e / e.sum(axis=1, keepdims=True), rtol=1e-13, atol=0)
    assert_allclose(proba.sum(axis=1), np.ones(10), rtol=1e-14, atol=0)
    assert_array_equal(net.predict(x), np.argmax(z, axis=1))
    assert net.predict(x).shape == (10,)


def test_predict_sigmoid_single_output(rng):
    net = mlp([3, 5, 1], output="sigmoid", random_state=rng)
    x = rng.randn(20, 3) * 3
    z = net.raw_output(x)
    proba = net.predict_proba(x)
    assert proba.shape == (20, 1)
    assert_allclose(proba, 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)
    pred = net.predict(x)
    assert pred.shape == (20,)
    assert_array_equal(pred, (z[:, 0] > 0).astype(int))
    assert set(np.unique(pred)) <= {0, 1}


def test_predict_sigmoid_multilabel(rng):
    net = mlp([3, 5, 4], output="sigmoid", random_state=rng)
    x = rng.randn(20, 3) * 3
    pred = net.predict(x)
    assert pred.shape == (20, 4)
    assert_array_equal(pred, (net.raw_output(x) > 0).astype(int))


def test_predict_identity(rng):
    net = mlp([3, 5, 2], random_state=rng)
    x = rng.randn(6, 3)
    w1, b1 = net.layers[0].params["weight"], net.layers[0].params["bias"]
    w2, b2 = net.layers[2].params["weight"], net.layers[2].params["bias"]
    assert_allclose(net.predict(x), np.maximum(x @ w1 + b1, 0) @ w2 + b2, rtol=1e-13, atol=1e-15)
    with pytest.raises(ValidationError, match="predict_proba needs a softmax or sigmoid output"):
        net.predict_proba(x)


def test_predict_accepts_lists_and_does_not_mutate(rng):
    net = mlp([2, 3, 1], random_state=rng)
    x = rng.randn(4, 2)
    before = x.copy()
    assert_allclose(net.predict(x.tolist()), net.predict(x), rtol=0, atol=0)
    assert_array_equal(x, before)


def test_wrong_feature_count(rng):
    net = mlp([3, 4, 2], random_state=rng)
    with pytest.raises(ValidationError, match="X has 2 features but the network expects 3"):
        net.predict(rng.randn(5, 2))
    with pytest.raises(ValidationError, match=r"must be 2-D.*reshape\(-1, 1\)"):
        net.predict(rng.randn(3))
    with pytest.raises(ValidationError, match="X has 4 features"):
        net.fit(rng.randn(5, 4), rng.randn(5, 2))


# -- summary, repr, structure ---------------------------------------------------------------------


def test_summary(rng):
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=rng)
    text = net.summary()
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "output", "params"]
    assert lines[1].split() == ["0:", "Dense(2,", "3,", "bias=True)", "(n,", "3)", "9"]
    assert lines[2].split() == ["1:", "Tanh()", "(n,", "3)", "0"]
    assert lines[3].split() == ["2:", "Dense(3,", "2,", "bias=True)", "(n,", "2)", "8"]
    assert lines[-1] == "total parameters: 17   output: softmax"


def test_repr_and_properties(rng):
    net = mlp([3, 4, 2], output="sigmoid", l2=0.5, random_state=rng)
    assert repr(net) == (
        "Network([Dense(3, 4, bias=True), ReLU(), Dense(4, 2, bias=True)], "
        "output='sigmoid', l2=0.5, l1=0.0)"
    )
    assert (net.n_features, net.n_outputs, net.dtype) == (3, 2, np.dtype(np.float64))


def test_mlp_layer_sequence():
    net = mlp([2, 3, 4, 1], activation="tanh", output="sigmoid", random_state=0)
    assert [type(layer) for layer in net.layers] == [Dense, Tanh, Dense, Tanh, Dense]
    assert isinstance(net.output, Sigmoid)
    assert [type(layer) for layer in mlp([2, 1], random_state=0).layers] == [Dense]
    assert isinstance(mlp([2, 2], output="softmax", random_state=0).output, Softmax)
    assert isinstance(mlp([2, 2], random_state=0).output, Identity)


def test_mlp_activation_instance_is_a_template():
    template = LeakyReLU(0.2)
    net = mlp([2, 3, 3, 1], activation=template, random_state=0)
    acts = [layer for layer in net.layers if isinstance(layer, LeakyReLU)]
    assert len(acts) == 2
    assert all(a.negative_slope == 0.2 and a is not template for a in acts)
    assert acts[0] is not acts[1]


def test_mlp_dropout_follows_each_hidden_activation(rng):
    net = mlp([3, 5, 4, 2], activation="relu", dropout=0.5, random_state=0)
    kinds = [type(layer) for layer in net.layers]
    assert kinds == [Dense, ReLU, Dropout, Dense, ReLU, Dropout, Dense]
    assert all(layer.rate == 0.5 for layer in net.layers if isinstance(layer, Dropout))

    # Dropout draws nothing while the network is built: the weights equal the plain mlp's.
    plain = mlp([3, 5, 4, 2], activation="relu", random_state=0)
    for a, b in zip(net.dense_layers, plain.dense_layers, strict=True):
        assert_array_equal(a.params["weight"], b.params["weight"])

    x = rng.randn(50, 3)
    # prediction: dropout is inactive, the output is deterministic and equals the plain net's
    assert_array_equal(net.predict(x), net.predict(x))
    assert_allclose(net.predict(x), plain.predict(x), rtol=0, atol=0)
    assert_allclose(net.forward(x, training=False), plain.predict(x), rtol=0, atol=0)
    # training: dropout is active
    assert not np.allclose(net.forward(x, training=True), plain.predict(x))


def test_network_validation(rng):
    with pytest.raises(ValidationError, match="at least one layer"):
        Network([])
    with pytest.raises(ValidationError, match="is not a layer"):
        Network([Dense(2, 2), "relu"])
    with pytest.raises(ValidationError, match="l2 must be finite and >= 0, got -1"):
        Network([Dense(2, 2)], l2=-1)
    with pytest.raises(ValidationError, match="sizes needs at least an input and an output"):
        mlp([3])
    with pytest.raises(NotFittedError, match="no Dense layer"):
        Network([Tanh()]).n_features


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gelu"])
def test_in_place_passes_leave_callers_arrays_alone_and_match(activation, rng):
    from glassnet.activations import get_activation
    from glassnet.layers import Dense

    # an activation first (its input is the caller's array) and after each Dense layer
    net = Network(
        [
            get_activation(activation),
            Dense(3, 4, random_state=rng),
            get_activation(activation),
            Dense(4, 2, random_state=rng),
        ]
    )
    x = rng.uniform(-2, 2, (6, 3))
    x_before = x.copy()
    out = net.forward(x, training=True)
    assert np.array_equal(x, x_before)
    # the same values as the allocating passes, layer by layer
    ref = x
    for layer in net.layers:
        ref = layer(ref)
    assert np.array_equal(out, ref)
    g = rng.standard_normal(out.shape)
    g_before = g.copy()
    grad_in = net.backward(g)  # overwrite=False: the caller's gradient is kept
    assert np.array_equal(g, g_before)
    net.forward(x, training=True)
    grad_in_overwriting = net.backward(g.copy(), overwrite=True)
    assert np.array_equal(grad_in, grad_in_overwriting)


# -- the training pass's workspace ----------------------------------------------------------------


def allocating_gradient(net, x, y, loss):
    """Network.gradient written with the public, allocating passes: the reference."""
    out = net.forward(x, training=True)
    value = loss.forward(out, y) + net.penalty()
    net.backward(loss.backward(), input_grad=False, overwrite=True)
    return value, {k: g.copy() for k, g in net.gradients().items()}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_gradient_in_the_workspace_equals_the_allocating_passes(activation, dtype, rng):
    from glassnet import SoftmaxCrossEntropy

    net = mlp([5, 8, 6, 3], activation=activation, l2=0.1, l1=0.01, dtype=dtype, random_state=0)
    loss = SoftmaxCrossEntropy()
    # a full batch, a smaller one (a view of the first rows of each buffer), a larger one
    # (the buffers grow), then the first again
    for n in (40, 17, 64, 40):
        x = rng.standard_normal((n, 5)).astype(dtype)
        y = rng.randint(3, size=n)
        ref_value, ref_grads = allocating_gradient(net, x, y, loss)
        for _ in range(2):  # cold, then warm: the reused arrays hold the last pass's numbers
            value = net.gradient(x, y, loss)
            assert value == pytest.approx(ref_value, rel=1e-12 if dtype == np.float64 else 1e-6)
            for name, grad in net.gradients().items():
                assert grad.dtype == dtype
                assert_array_equal(grad, ref_grads[name], err_msg=f"{name}, {n} rows")
    assert net._workspace  # kept between calls to gradient …
    net.release_workspace()  # … until released (fit does this when it ends)
    assert not net._workspace


def test_a_warm_training_pass_allocates_less_than_one_hidden_layer(rng):
    import tracemalloc

    from glassnet import SoftmaxCrossEntropy

    net = mlp([20, 512, 256, 4], activation="relu", random_state=0)
    x, y = rng.standard_normal((2000, 20)), rng.randint(4, size=2000)
    loss = SoftmaxCrossEntropy()
    net.gradient(x, y, loss)  # warm: the workspace is allocated here
    tracemalloc.start()
    try:
        net.gradient(x, y, loss)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    hidden_output = 2000 * 512 * 8  # bytes of the first hidden layer's output
    # what is left is the ReLU masks (1 byte per unit), the softmax and the per-row losses
    assert peak < hidden_output / 2
    # the public forward pass still allocates its outputs (and is what the peak would be)
    tracemalloc.start()
    try:
        net.forward(x, training=True)
        _, peak_forward = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_forward > hidden_output


def test_dense_subclasses_keep_their_own_passes(rng):
    class Halved(Dense):
        def forward(self, x, training=False):
            return super().forward(x, training) * 0.5

        def backward(self, grad_out):
            return super().backward(grad_out * 0.5)

    net = Network([Dense(3, 4, random_state=0), Tanh(), Halved(4, 2, random_state=1)])
    x, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
    loss = MeanSquaredError()
    ref_value, ref_grads = allocating_gradient(net, x, y, loss)
    assert net.gradient(x, y, loss) == ref_value
    for name, grad in net.gradients().items():
        assert_array_equal(grad, ref_grads[name])


def test_copies_and_pickles_leave_the_workspace_behind(rng):
    import copy
    import pickle

    from glassnet import SoftmaxCrossEntropy

    net = mlp([3, 16, 2], random_state=0)
    net.gradient(rng.standard_normal((50, 3)), rng.randint(2, size=50), SoftmaxCrossEntropy())
    assert net._workspace
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert not clone._workspace
        for name, param in clone.parameters().items():
            assert_array_equal(param, net.parameters()[name])
