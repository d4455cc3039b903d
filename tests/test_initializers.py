"""Initialisers: the seeds' exact draws, generator handling, and the distributions' moments."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import Dense, mlp
from glassnet.errors import ValidationError
from glassnet.initializers import (
    INITIALIZERS,
    get_initializer,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    scaled_normal,
    standard_normal,
    uniform,
    zeros,
)
from glassnet.validation import check_random_state

# -- the seeds' draws, exactly ---------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (5, 1), (1, 4)])
def test_scaled_normal_is_randn_over_sqrt_fan_in(shape):
    a, b = shape
    want = np.random.RandomState(0).randn(a, b) / np.sqrt(a)
    assert_array_equal(scaled_normal(shape, random_state=0), want)


def test_standard_normal_and_uniform_are_randn_and_rand():
    assert_array_equal(standard_normal((3, 4), 0), np.random.RandomState(0).randn(3, 4))
    assert_array_equal(uniform((3, 4), 0), np.random.RandomState(0).rand(3, 4))


def test_literal_first_draws():
    # np.random.seed(0); np.random.randn(2, 2) — the numbers every tutorial starts from
    assert_allclose(
        standard_normal((2, 2), 0),
        [[1.764052345967664, 0.4001572083672233], [0.9787379841057392, 2.240893199201458]],
        rtol=1e-15,
        atol=0,
    )


def test_mlp_draws_w1_then_w2_from_one_generator():
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    rs = np.random.RandomState(0)  # what `np.random.seed(0)` then two randn calls draw
    w1 = rs.randn(2, 3) / np.sqrt(2)
    w2 = rs.randn(3, 2) / np.sqrt(3)
    assert_array_equal(net.layers[0].params["weight"], w1)
    assert_array_equal(net.layers[2].params["weight"], w2)
    assert_array_equal(net.layers[0].params["bias"], np.zeros(3))
    assert_array_equal(net.layers[2].params["bias"], np.zeros(2))


def test_mlp_with_uniform_init_matches_rand_in_order():
    net = mlp([3, 4, 1], activation="sigmoid", init="uniform", bias=False, random_state=1)
    rs = np.random.RandomState(1)
    assert_array_equal(net.layers[0].params["weight"], rs.rand(3, 4))
    assert_array_equal(net.layers[2].params["weight"], rs.rand(4, 1))


def test_randomstate_instance_continues_its_stream():
    rs = np.random.RandomState(3)
    first, second = scaled_normal((2, 2), rs), scaled_normal((2, 2), rs)
    ref = np.random.RandomState(3)
    assert_array_equal(first, ref.randn(2, 2) / np.sqrt(2))
    assert_array_equal(second, ref.randn(2, 2) / np.sqrt(2))


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_generator_instances_are_accepted(name):
    got = INITIALIZERS[name]((4, 3), np.random.default_rng(7), np.float64)
    again = INITIALIZERS[name]((4, 3), np.random.default_rng(7), np.float64)
    assert got.shape == (4, 3)
    assert_array_equal(got, again)


def test_generator_draws_are_the_generators():
    assert_array_equal(
        scaled_normal((4, 3), np.random.default_rng(7)),
        np.random.default_rng(7).standard_normal((4, 3)) / 2.0,
    )
    assert_array_equal(
        uniform((4, 3), np.random.default_rng(7)), np.random.default_rng(7).random((4, 3))
    )
    net = mlp([2, 2, 1], random_state=np.random.default_rng(5))
    g = np.random.default_rng(5)
    assert_array_equal(net.layers[0].params["weight"], g.standard_normal((2, 2)) / np.sqrt(2))
    assert_array_equal(net.layers[2].params["weight"], g.standard_normal((2, 1)) / np.sqrt(2))


def test_int_seed_reproduces_and_none_uses_global_generator():
    assert_array_equal(he_normal((5, 5), 11), he_normal((5, 5), 11))
    assert check_random_state(None) is np.random.mtrand._rand
    rs = np.random.RandomState(0)
    assert check_random_state(rs) is rs
    assert isinstance(check_random_state(np.int64(4)), np.random.RandomState)


@pytest.mark.parametrize("bad", ["0", 1.5, True, object()])
def test_bad_random_state(bad):
    with pytest.raises(ValidationError, match="random_state must be None, an int"):
        scaled_normal((2, 2), bad)


# -- the distributions -----------------------------------------------------------------------

# A (400, 600) matrix holds N = 240 000 draws. The relative standard error of the sample
# variance is sqrt(2/N) ≈ 0.29 % for a normal and sqrt(0.8/N) ≈ 0.18 % for a uniform, so
# the 2 % tolerance on the variance is about seven standard errors; the mean's standard
# error is σ/√N ≈ 0.002 σ, so |mean| < 0.01 σ is about five of them.
FAN_IN, FAN_OUT = 400, 600
VAR_RTOL = 0.02


@pytest.mark.parametrize(
    ("init", "variance"),
    [
        (scaled_normal, 1 / FAN_IN),
        (standard_normal, 1.0),
        (glorot_normal, 2 / (FAN_IN + FAN_OUT)),
        (he_normal, 2 / FAN_IN),
        (glorot_uniform, 2 / (FAN_IN + FAN_OUT)),  # l²/3 with l² = 6/(fan_in + fan_out)
        (he_uniform, 2 / FAN_IN),  # l²/3 with l² = 6/fan_in
        (uniform, 1 / 12),
    ],
)
def test_variances(init, variance):
    w = init((FAN_IN, FAN_OUT), 0)
    center = 0.5 if init is uniform else 0.0
    assert abs(w.mean() - center) < 0.01 * np.sqrt(variance)
    assert_allclose(w.var(), variance, rtol=VAR_RTOL)


@pytest.mark.parametrize(
    ("init", "limit"),
    [(glorot_uniform, np.sqrt(6 / (FAN_IN + FAN_OUT))), (he_uniform, np.sqrt(6 / FAN_IN))],
)
def test_uniform_bounds(init, limit):
    w = init((FAN_IN, FAN_OUT), 0)
    assert w.min() >= -limit
    assert w.max() <= limit
    # with 240 000 draws the extremes come within 0.1 % of the bounds
    assert w.min() < -0.999 * limit
    assert w.max() > 0.999 * limit


def test_zeros_draws_nothing():
    rs = np.random.RandomState(0)
    assert_array_equal(zeros((3, 2), rs), np.zeros((3, 2)))
    assert_array_equal(rs.randn(2), np.random.RandomState(0).randn(2))


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_dtype(name):
    assert INITIALIZERS[name]((3, 2), 0, np.float32).dtype == np.float32
    assert INITIALIZERS[name]((3, 2), 0, np.float64).dtype == np.float64


def test_fans_need_a_matrix_shape():
    with pytest.raises(ValidationError, match=r"weight shape must be \(fan_in, fan_out\)"):
        glorot_uniform((2, 3, 4), 0)


def test_get_initializer():
    assert get_initializer("he_normal") is he_normal

    def ones(shape, random_state=None, dtype=np.float64):
        return np.ones(shape, dtype=dtype)

    assert get_initializer(ones) is ones
    assert_array_equal(Dense(2, 3, init=ones).params["weight"], np.ones((2, 3)))
    with pytest.raises(ValidationError) as info:
        get_initializer("xavier")
    assert "'xavier'" in str(info.value)
    assert all(repr(name) in str(info.value) for name in INITIALIZERS)
