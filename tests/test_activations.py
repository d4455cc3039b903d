"""Activations: forward values, backward against central differences, stability, dtypes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import check_backward
from glassnet.activations import (
    ACTIVATIONS,
    Exp,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    log_softmax,
    sigmoid,
    softmax,
)
from glassnet.errors import ValidationError

SHAPES = [(1, 1), (1, 5), (4, 1), (3, 4), (7, 3), (2, 9), (16, 6)]
FACTORIES = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "leaky_relu_0.3": lambda: LeakyReLU(negative_slope=0.3),
    "softmax": Softmax,
    "exp": Exp,
}
KINKED = {"relu", "leaky_relu", "leaky_relu_0.3"}


def away_from_kink(z: np.ndarray) -> np.ndarray:
    """Move entries with |z| <= 1e-3 to ±0.5 so that no finite difference straddles 0."""
    z = z.copy()
    small = np.abs(z) <= 1e-3
    z[small] = np.where(z[small] >= 0, 0.5, -0.5)
    assert np.all(np.abs(z) > 1e-3)
    return z


def random_point(rng: np.random.RandomState, shape: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """Inputs of mixed sign and scale and a random (not all-ones) upstream gradient."""
    z = away_from_kink(rng.randn(*shape) * 2.0)
    grad_out = rng.randn(*shape)
    return z, grad_out


# -- backward against central differences -------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_backward_matches_central_differences(name, shape, rng):
    z, grad_out = random_point(rng, shape)
    errors = check_backward(FACTORIES[name](), z, grad_out, eps=1e-6)
    assert set(errors) == {"input"}  # activations have no parameters
    assert errors["input"] < 1e-6, errors


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    name=st.sampled_from(sorted(FACTORIES)),
    n=st.integers(1, 8),
    k=st.integers(1, 8),
    scale=st.floats(0.1, 5.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_backward_matches_central_differences_random_shapes(name, n, k, scale, seed):
    rng = np.random.RandomState(seed)
    z = away_from_kink(rng.randn(n, k) * scale)
    grad_out = rng.uniform(-2.0, 2.0, size=(n, k))
    errors = check_backward(FACTORIES[name](), z, grad_out, eps=1e-6)
    assert errors["input"] < 1e-6, errors


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_backward_returns_upstream_times_local_derivative(name, rng):
    # The closed forms of the docstrings, written out independently.
    z, g = random_point(rng, (5, 4))
    act = FACTORIES[name]()
    a = act.forward(z, training=True)
    got = act.backward(g)
    if name == "identity":
        want = g
    elif name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        want = g * s * (1 - s)
    elif name == "tanh":
        want = g * (1 - np.tanh(z) ** 2)
    elif name == "exp":
        want = g * np.exp(z)
    elif name in KINKED:
        slope = act.negative_slope if isinstance(act, LeakyReLU) else 0.0
        want = g * np.where(z > 0, 1.0, slope)
    else:  # softmax: Jacobian a_k (δ_kj − a_j), applied row by row
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        want = np.stack(
            [(np.diag(row) - np.outer(row, row)) @ gi for row, gi in zip(p, g, strict=True)]
        )
        assert_allclose(a, p, rtol=1e-12, atol=0)
    assert_allclose(got, want, rtol=1e-12, atol=1e-14)


# -- forward values ------------------------------------------------------------------------


def test_forward_values_against_formulas(rng):
    z = rng.randn(6, 4) * 3
    assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)
    assert_allclose(Tanh()(z), np.tanh(z), rtol=0, atol=0)
    assert_allclose(ReLU()(z), np.where(z > 0, z, 0.0), rtol=0, atol=0)
    assert_allclose(LeakyReLU(0.2)(z), np.where(z > 0, z, 0.2 * z), rtol=0, atol=0)
    assert_allclose(Identity()(z), z, rtol=0, atol=0)
    e = np.exp(z)
    assert_allclose(softmax(z), e / e.sum(axis=1, keepdims=True), rtol=1e-13, atol=0)
    assert_allclose(
        log_softmax(z), np.log(e / e.sum(axis=1, keepdims=True)), rtol=1e-13, atol=1e-14
    )


def test_literal_values():
    assert_allclose(
        sigmoid(np.array([0.0, 2.0, -2.0])),
        [0.5, 0.8807970779778823, 0.11920292202211755],
        rtol=1e-15,
        atol=0,
    )
    assert_allclose(softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]], rtol=1e-15, atol=0)
    assert_allclose(LeakyReLU()(np.array([-2.0, 3.0])), [-0.02, 3.0], rtol=1e-15, atol=0)


def test_softmax_rows_sum_to_one_and_ignore_shifts(rng):
    z = rng.randn(5, 7) * 10
    p = softmax(z)
    assert_allclose(p.sum(axis=1), np.ones(5), rtol=1e-14, atol=0)
    assert_allclose(softmax(z + rng.randn(5, 1) * 100), p, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("shift", [-1e4, -300.0, -178.0, -176.0, 0.0, 176.0, 178.0, 300.0, 1e4])
def test_softmax_of_shifted_rows(shift):
    # softmax(z + c) = softmax(z) for every c, on both sides of the engine's shift threshold
    z = np.array([[0.0, -1.0, -3.0]]) + shift
    p = np.exp([0.0, -1.0, -3.0]) / np.exp([0.0, -1.0, -3.0]).sum()
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        assert_allclose(softmax(z), [p], rtol=1e-12, atol=0)
        assert_allclose(log_softmax(z), [np.log(p)], rtol=1e-10, atol=1e-12)


def test_kink_conventions():
    z = np.array([[-1.0, 0.0, 2.0]])
    g = np.array([[3.0, 5.0, 7.0]])
    relu = ReLU()
    relu.forward(z)
    assert_array_equal(relu.backward(g), [[0.0, 0.0, 7.0]])  # ReLU'(0) = 0
    leaky = LeakyReLU(0.1)
    leaky.forward(z)
    assert_allclose(leaky.backward(g), [[0.3, 0.5, 7.0]], rtol=1e-15, atol=0)  # slope α at 0


def test_call_does_not_cache(rng):
    act = Tanh()
    act(rng.randn(2, 2))
    with pytest.raises(ValidationError, match="backward called before forward"):
        act.backward(np.ones((2, 2)))


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_forward_does_not_mutate_input(name, rng):
    z = rng.randn(4, 3)
    before = z.copy()
    act = FACTORIES[name]()
    act.forward(z, training=True)
    act.backward(rng.randn(4, 3))
    act(z)
    assert_array_equal(z, before)


# -- stability and dtypes --------------------------------------------------------------------


def no_float_errors():
    """Overflow, division by zero and invalid operations raise; so does any warning.

    Underflow stays at NumPy's default ("ignore"): ``exp(-2e4)`` rounding to 0.0 is the
    correctly rounded answer, not an error, and NumPy never warns about it by default.
    """
    return np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_logits_give_exact_finite_values_without_warnings(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype)
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        s = sigmoid(z)
        p = softmax(z)
        logp = log_softmax(z)
    assert_array_equal(s, np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]], dtype=dtype))
    assert_allclose(p, [[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]], rtol=0, atol=1e-7)
    assert_allclose(
        logp, [[0.0, -2e4, -1e4], [-2e4 - np.log(2), -np.log(2), -np.log(2)]], rtol=1e-6, atol=1e-6
    )
    for out in (s, p, logp):
        assert out.dtype == dtype
        assert np.all(np.isfinite(out))


# e^z is unbounded: past z ≈ 709 its true value is beyond float64, and +inf says so (the
# Poisson loss, which trains on the log-rate, never computes it through this activation)
@pytest.mark.parametrize("name", sorted(set(FACTORIES) - {"exp"}))
def test_extreme_inputs_backward_is_finite_without_warnings(name, rng):
    z = np.array([[1e4, -1e4, 3.0], [-1e4, 1e4, -2.0]])
    g = rng.randn(2, 3)
    act = FACTORIES[name]()
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        a = act.forward(z, training=True)
        grad = act.backward(g)
    assert np.all(np.isfinite(a))
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_float32_stays_float32(name, rng):
    z = away_from_kink(rng.randn(5, 3)).astype(np.float32)
    g = rng.randn(5, 3).astype(np.float32)
    act = FACTORIES[name]()
    assert act(z).dtype == np.float32
    assert act.forward(z, training=True).dtype == np.float32
    assert act.backward(g).dtype == np.float32


# -- lookup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ("identity", Identity),
        ("linear", Identity),
        ("sigmoid", Sigmoid),
        ("logistic", Sigmoid),
        ("TANH", Tanh),
        ("relu", ReLU),
        ("leaky_relu", LeakyReLU),
        ("softmax", Softmax),
    ],
)
def test_get_activation_by_name(spec, cls):
    act = get_activation(spec)
    assert type(act) is cls
    assert get_activation(spec) is not act  # a fresh instance each time


def test_get_activation_passes_instances_through():
    act = LeakyReLU(0.2)
    assert get_activation(act) is act
    assert repr(act) == "LeakyReLU(negative_slope=0.2)"


def test_get_activation_unknown_lists_the_choices():
    with pytest.raises(ValidationError) as info:
        get_activation("swish")
    message = str(info.value)
    assert "'swish'" in message
    for name in ACTIVATIONS:
        assert repr(name) in message


@pytest.mark.parametrize("slope", [-0.1, 1.0, 2.0])
def test_leaky_relu_slope_is_validated(slope):
    with pytest.raises(ValidationError, match=r"negative_slope must be in \[0, 1\)"):
        LeakyReLU(slope)


# -- GELU (tanh form) ---------------------------------------------------------------------
def test_gelu_is_close_to_the_exact_gaussian_form():
    import math

    from glassnet.activations import GELU

    z = np.linspace(-6, 6, 241)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in z])
    assert np.max(np.abs(GELU()(z.reshape(-1, 1)).ravel() - exact)) < 1e-3
    # written out: ½ z (1 + tanh(√(2/π)(z + 0.044715 z³)))
    by_hand = 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    assert_allclose(GELU()(z.reshape(-1, 1)).ravel(), by_hand, rtol=1e-15, atol=0)


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (16, 7)])
def test_gelu_backward_matches_central_differences(shape, rng):
    from glassnet.activations import GELU

    z = rng.uniform(-4, 4, shape)
    errors = check_backward(GELU(), z, rng.standard_normal(shape))
    assert errors["input"] < 1e-6


def test_gelu_is_stable_for_huge_inputs():
    from glassnet.activations import GELU

    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act = GELU()
        a = act.forward(z)
        g = act.backward(np.ones_like(z))
    assert_allclose(a, [[0.0, 0.0, 0.0, 50.0, 1e4]], atol=1e-12)
    assert_allclose(g, [[0.0, 0.0, 0.5, 1.0, 1.0]], atol=1e-12)


OPPOSITE_EXTREMES = [
    np.array([[3.4e38, -3.4e38], [-3.4e38, 3.4e38]], dtype=np.float32),
    np.array([[np.finfo(np.float32).max, -np.finfo(np.float32).max]], dtype=np.float32),
    np.array([[1e300, -1.7e308], [1e300, -1.8e308]]),  # −1.8e308 is −inf
    np.array([[np.finfo(np.float64).max, -np.finfo(np.float64).max, 0.0]]),
]


@pytest.mark.parametrize("z", OPPOSITE_EXTREMES, ids=lambda z: f"{z.dtype}-{z[0, 0]:.1e}")
def test_opposite_sign_extremes_give_no_overflow(z):
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        p = softmax(z)
        logp = log_softmax(z)
        act = Softmax()
        act.forward(z, training=True)
        grad = act.backward(np.ones_like(z))
    top = np.argmax(z, axis=1)
    assert_array_equal(p, np.eye(z.shape[1], dtype=z.dtype)[top])
    assert_array_equal(logp[np.arange(len(z)), top], 0.0)
    # the others: z − max, which is below the dtype's range (−∞) or exactly representable
    rest = np.ones_like(z, dtype=bool)
    rest[np.arange(len(z)), top] = False
    with np.errstate(over="ignore", invalid="ignore"):
        assert_array_equal(logp[rest], (z - z.max(axis=1, keepdims=True))[rest])
    assert_array_equal(grad, 0.0)
