"""Dense and Dropout: forward values, backward against central differences, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import Dense, Dropout, check_backward
from glassnet.errors import ValidationError
from glassnet.gradcheck import numerical_gradient, relative_error

DENSE_SHAPES = [(1, 1, 1), (1, 3, 2), (5, 1, 4), (4, 3, 1), (6, 5, 3), (10, 2, 7)]


def random_dense(rng, n_in, n_out, bias):
    layer = Dense(n_in, n_out, bias=bias, random_state=rng)
    if bias:  # a non-zero bias, so that its gradient is exercised at a generic point
        layer.params["bias"][...] = rng.randn(n_out)
    return layer


# -- Dense --------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize(("n", "n_in", "n_out"), DENSE_SHAPES, ids=str)
def test_dense_backward_matches_central_differences(n, n_in, n_out, bias, rng):
    layer = random_dense(rng, n_in, n_out, bias)
    x, grad_out = rng.randn(n, n_in), rng.randn(n, n_out)
    errors = check_backward(layer, x, grad_out, eps=1e-6)
    assert set(errors) == ({"input", "weight", "bias"} if bias else {"input", "weight"})
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(
    n=st.integers(1, 7),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 6),
    bias=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_dense_backward_random_shapes(n, n_in, n_out, bias, seed):
    rng = np.random.RandomState(seed)
    layer = random_dense(rng, n_in, n_out, bias)
    errors = check_backward(layer, rng.randn(n, n_in) * 2, rng.uniform(-3, 3, (n, n_out)))
    assert max(errors.values()) < 1e-6, errors


def test_dense_forward_and_backward_formulas(rng):
    layer = random_dense(rng, 3, 2, bias=True)
    w, b = layer.params["weight"], layer.params["bias"]
    x, g = rng.randn(5, 3), rng.randn(5, 2)
    assert_allclose(layer.forward(x, training=True), x @ w + b, rtol=1e-14, atol=1e-15)
    grad_in = layer.backward(g)
    assert_allclose(layer.grads["weight"], x.T @ g, rtol=1e-14, atol=1e-15)
    assert_allclose(layer.grads["bias"], g.sum(axis=0), rtol=1e-14, atol=1e-15)
    assert_allclose(grad_in, g @ w.T, rtol=1e-14, atol=1e-15)


def hand_written_dense_gradients(x, w, g):
    """XᵀG, ΣG and GWᵀ as sums over their indices, with no matrix product or transpose."""
    n, n_in = x.shape
    n_out = w.shape[1]
    grad_w = np.zeros((n_in, n_out))
    grad_x = np.zeros((n, n_in))
    for i in range(n_in):
        for j in range(n_out):
            grad_w[i, j] = sum(x[r, i] * g[r, j] for r in range(n))  # (XᵀG)ᵢⱼ = Σᵣ Xᵣᵢ Gᵣⱼ
    for r in range(n):
        for i in range(n_in):
            grad_x[r, i] = sum(g[r, j] * w[i, j] for j in range(n_out))  # (GWᵀ)ᵣᵢ = Σⱼ Gᵣⱼ Wᵢⱼ
    grad_b = np.array([sum(g[r, j] for r in range(n)) for j in range(n_out)])  # Σᵣ Gᵣⱼ
    return grad_w, grad_b, grad_x


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize(("n", "width"), [(1, 2), (3, 3), (7, 4), (5, 6)], ids=str)
def test_dense_backward_values_on_square_layers(n, width, bias, rng):
    # n_in == n_out: a layer that swapped W for Wᵀ (or X for Xᵀ) would still pass a shape test
    layer = random_dense(rng, width, width, bias)
    w = layer.params["weight"]
    assert not np.allclose(w, w.T)
    x, g = rng.randn(n, width), rng.randn(n, width)
    assert_allclose(layer.forward(x, training=True), x @ w + (layer.params["bias"] if bias else 0))
    grad_in = layer.backward(g)
    grad_w, grad_b, grad_x = hand_written_dense_gradients(x, w, g)
    assert_allclose(layer.grads["weight"], grad_w, rtol=1e-13, atol=1e-14)
    assert_allclose(grad_in, grad_x, rtol=1e-13, atol=1e-14)
    if bias:
        assert_allclose(layer.grads["bias"], grad_b, rtol=1e-13, atol=1e-14)
    errors = check_backward(layer, x, g, eps=1e-6)
    assert max(errors.values()) < 1e-6, errors


def test_dense_shapes_and_initial_bias():
    layer = Dense(4, 3, random_state=0)
    assert layer.params["weight"].shape == (4, 3)
    assert_array_equal(layer.params["bias"], np.zeros(3))
    assert set(layer.grads) == set(layer.params)
    assert Dense(4, 3, bias=False).params.keys() == {"weight"}
    assert repr(layer) == "Dense(4, 3, bias=True)"
    assert layer.config() == {"n_in": 4, "n_out": 3, "bias": True}


def test_dense_writes_gradients_into_the_same_arrays(rng):
    # Network.gradients() hands out these arrays once; backward must not rebind them.
    layer = random_dense(rng, 3, 2, bias=True)
    grads_before = {k: id(v) for k, v in layer.grads.items()}
    layer.forward(rng.randn(4, 3))
    layer.backward(rng.randn(4, 2))
    assert {k: id(v) for k, v in layer.grads.items()} == grads_before


def test_dense_without_bias_is_linear(rng):
    layer = Dense(3, 2, bias=False, random_state=rng)
    x = rng.randn(4, 3)
    assert_allclose(layer(2 * x), 2 * layer(x), rtol=1e-14, atol=1e-15)


def test_dense_call_does_not_cache_and_backward_needs_forward(rng):
    layer = Dense(2, 2, random_state=rng)
    layer(rng.randn(3, 2))
    with pytest.raises(ValidationError, match="before forward"):
        layer.backward(np.ones((3, 2)))


def test_dense_float32(rng):
    layer = Dense(3, 2, random_state=rng, dtype=np.float32)
    x, g = rng.randn(4, 3).astype(np.float32), rng.randn(4, 2).astype(np.float32)
    assert layer.params["weight"].dtype == np.float32
    assert layer.params["bias"].dtype == np.float32
    assert layer.forward(x, training=True).dtype == np.float32
    assert layer.backward(g).dtype == np.float32
    assert all(v.dtype == np.float32 for v in layer.grads.values())


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_dense_rejects_bad_widths(bad):
    with pytest.raises(ValidationError, match="must be a positive integer"):
        Dense(bad, 2)
    with pytest.raises(ValidationError, match="n_out must be a positive integer"):
        Dense(2, bad)


def test_dense_rejects_integer_dtype():
    with pytest.raises(ValidationError, match="floating-point"):
        Dense(2, 2, dtype=np.int64)


# -- Dropout -----------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
@pytest.mark.parametrize(("n", "k"), [(1, 1), (3, 4), (8, 5), (20, 2)], ids=str)
def test_dropout_training_backward_with_fixed_mask(n, k, rate, rng):
    x, grad_out = rng.randn(n, k), rng.randn(n, k)
    seed = rng.randint(2**31)
    layer = Dropout(rate)

    def training_forward(inp):
        # The same mask every call: re-seed the layer's generator before each forward.
        layer.rng = np.random.RandomState(seed)
        return layer.forward(inp, training=True)

    y = training_forward(x)
    analytic = layer.backward(grad_out)
    numerical = numerical_gradient(lambda: float(np.sum(training_forward(x) * grad_out)), x, 1e-6)
    assert relative_error(analytic, numerical) < 1e-6

    # and the closed form: G ∘ M / (1 − p), with M the 0/1 keep mask
    keep = y != 0
    assert_allclose(analytic, grad_out * keep / (1 - rate), rtol=1e-14, atol=0)
    assert_allclose(y, x * keep / (1 - rate), rtol=1e-14, atol=0)


def test_dropout_is_identity_at_prediction(rng):
    x = rng.randn(5, 4)
    layer = Dropout(0.5, random_state=0)
    assert layer(x) is x
    assert layer.forward(x, training=False) is x
    g = rng.randn(5, 4)
    assert layer.backward(g) is g
    assert_array_equal(Dropout(0.0, random_state=0).forward(x, training=True), x)


def test_dropout_mask_statistics():
    x = np.ones((400, 500))
    y = Dropout(0.3, random_state=0).forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.7}
    # 200 000 Bernoulli(0.7) draws: the standard error of the kept fraction is 1e-3
    assert abs(np.mean(y != 0) - 0.7) < 5e-3
    assert abs(y.mean() - 1.0) < 1e-2  # inverted dropout keeps E[Y] = X


def test_dropout_reproducible_and_fresh_masks():
    x = np.ones((6, 6))
    a = Dropout(0.5, random_state=1)
    b = Dropout(0.5, random_state=1)
    first = a.forward(x, training=True)
    assert_array_equal(first, b.forward(x, training=True))
    assert not np.array_equal(first, a.forward(x, training=True))  # a new mask each call


def test_dropout_float32_mask():
    x = np.ones((4, 3), dtype=np.float32)
    layer = Dropout(0.5, random_state=0)
    assert layer.forward(x, training=True).dtype == np.float32
    assert layer.backward(x).dtype == np.float32


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, True, "0.5"])
def test_dropout_rate_is_validated(rate):
    with pytest.raises(ValidationError, match=r"dropout rate must be in \[0, 1\)"):
        Dropout(rate)
