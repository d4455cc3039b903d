"""Losses: values against their formulas, gradients against central differences, stability."""

from __future__ import annotations

import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from glassnet.errors import ValidationError
from glassnet.gradcheck import numerical_gradient, relative_error
from glassnet.losses import (
    LOSSES,
    BinaryCrossEntropy,
    MeanAbsoluteError,
    MeanSquaredError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    SumSquaredError,
    get_loss,
)

SHAPES = [(1, 1), (1, 4), (5, 1), (4, 3), (9, 2), (12, 6)]
REDUCTIONS = ["mean", "sum"]

# name -> (loss factory, smallest number of outputs it accepts)
CASES = {
    "softmax_ce_index": (SoftmaxCrossEntropy, 2),
    "softmax_ce_onehot": (SoftmaxCrossEntropy, 2),
    "softmax_ce_soft": (SoftmaxCrossEntropy, 2),
    "bce_1d_target": (BinaryCrossEntropy, 1),
    "bce": (BinaryCrossEntropy, 1),
    "bce_soft": (BinaryCrossEntropy, 1),
    "mse": (MeanSquaredError, 1),
    "sse_half": (lambda reduction=None: SumSquaredError(0.5, reduction), 1),
    "sse_one": (lambda reduction=None: SumSquaredError(1.0, reduction), 1),
    "mae": (MeanAbsoluteError, 1),
    "poisson": (PoissonDeviance, 1),
}


def make_case(name, rng, n, k):
    """Logits / outputs of shape (n, k) and a matching target for the named case."""
    if name == "bce_1d_target":
        k = 1
    k = max(k, CASES[name][1])
    output = rng.randn(n, k) * 2
    if name == "softmax_ce_index":
        target = rng.randint(k, size=n)
    elif name == "softmax_ce_onehot":
        target = np.eye(k)[rng.randint(k, size=n)]
    elif name == "softmax_ce_soft":
        target = rng.dirichlet(np.ones(k), size=n)
    elif name == "bce_1d_target":
        target = rng.randint(2, size=n).astype(float)
    elif name == "bce":
        target = rng.randint(2, size=(n, k)).astype(float)
    elif name == "bce_soft":
        target = rng.uniform(size=(n, k))
    elif name == "mae":
        target = rng.randn(n, k)
        # away from the kink: every |output − target| at least 0.1
        diff = output - target
        output = target + np.sign(diff) * np.maximum(np.abs(diff), 0.1)
    elif name == "poisson":  # log-rates, and counts with some zeros
        target = rng.poisson(2.0, size=(n, k)).astype(float)
    else:
        target = rng.randn(n, k)
    return output, target


def check_loss_gradient(loss, output, target):
    loss.forward(output, target)
    analytic = loss.backward()
    assert analytic.shape == output.shape
    numerical = numerical_gradient(lambda: loss.forward(output, target), output, eps=1e-6)
    return relative_error(analytic, numerical)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(CASES))
def test_backward_matches_central_differences(name, n, k, reduction, rng):
    # A loss is the root of the graph: its "upstream gradient" is the scalar dL/dL = 1.
    # The random upstream gradients are in the activation and layer checks.
    output, target = make_case(name, rng, n, k)
    loss = CASES[name][0](reduction=reduction)
    assert check_loss_gradient(loss, output, target) < 1e-6


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    name=st.sampled_from(sorted(CASES)),
    reduction=st.sampled_from(REDUCTIONS),
    n=st.integers(1, 10),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**31 - 1),
)
def test_backward_random_shapes(name, reduction, n, k, seed):
    output, target = make_case(name, np.random.RandomState(seed), n, k)
    loss = CASES[name][0](reduction=reduction)
    assert check_loss_gradient(loss, output, target) < 1e-6


def test_backward_in_float64_has_small_error_not_just_below_tolerance(rng):
    # A correct gradient in float64 sits many orders below the 1e-6 bar.
    output, target = make_case("softmax_ce_index", rng, 6, 4)
    assert check_loss_gradient(SoftmaxCrossEntropy(), output, target) < 1e-8


# -- the weighted backward pass -----------------------------------------------------------------


def per_sample_gradient(name, output, target):
    """∂ℓᵢ/∂outputᵢ written out for each case, independently of the losses' code."""
    k = output.shape[1]
    if name.startswith("softmax_ce"):
        e = np.exp(output - output.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        onehot = np.eye(k)[target] if name == "softmax_ce_index" else target
        return probs - onehot  # ŷ − y
    if name.startswith("bce"):
        return 1 / (1 + np.exp(-output)) - target.reshape(output.shape)  # σ(z) − y
    if name == "mse":
        return 2 / k * (output - target)
    if name == "sse_half":
        return 2 * 0.5 * (output - target)
    if name == "sse_one":
        return 2 * 1.0 * (output - target)
    if name == "poisson":
        return np.exp(output) - target  # e^z − y
    assert name == "mae"
    return np.sign(output - target) / k


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("n", "k"), [(1, 1), (5, 1), (4, 3), (9, 2), (12, 6)], ids=str)
@pytest.mark.parametrize("name", sorted(CASES))
def test_weighted_backward_matches_central_differences_and_the_formula(name, n, k, reduction, rng):
    output, target = make_case(name, rng, n, k)
    weight = rng.uniform(0.1, 3.0, size=n)
    if n > 1:
        weight[0] = 0.0  # a row that counts for nothing has no gradient
    if n > 2:
        weight[1] = 2.0  # an integer weight acts as a repeated row
    loss = CASES[name][0](reduction=reduction)
    value = loss.forward(output, target, weight)
    analytic = loss.backward()
    numerical = numerical_gradient(lambda: loss.forward(output, target, weight), output, 1e-6)
    assert relative_error(analytic, numerical) < 1e-6
    # dL/d outputᵢ = wᵢ ∂ℓᵢ/∂outputᵢ / Σw (mean) or wᵢ ∂ℓᵢ/∂outputᵢ (sum)
    scale = weight / weight.sum() if reduction == "mean" else weight
    want = per_sample_gradient(name, output, target) * scale[:, None]
    assert_allclose(analytic, want, rtol=1e-12, atol=1e-15)
    # and the value: Σ wᵢ ℓᵢ / Σ w (mean) or Σ wᵢ ℓᵢ (sum), with ℓᵢ the unweighted loss of row i
    per_row = [
        CASES[name][0](reduction="sum")(output[i : i + 1], target[i : i + 1]) for i in range(n)
    ]
    assert_allclose(value, np.dot(per_row, scale), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
def test_integer_weights_act_as_repeated_rows(name, rng):
    output, target = make_case(name, rng, 6, 3)
    weight = np.array([1, 0, 2, 3, 1, 2])
    repeated = np.repeat(np.arange(6), weight)
    for reduction in REDUCTIONS:
        weighted = CASES[name][0](reduction=reduction)
        plain = CASES[name][0](reduction=reduction)
        assert_allclose(
            weighted.forward(output, target, weight.astype(float)),
            plain.forward(output[repeated], target[repeated]),
            rtol=1e-12,
            atol=0,
        )
        # the repeated rows' gradients, summed back per original row
        summed = np.zeros_like(output)
        np.add.at(summed, repeated, plain.backward())
        assert_allclose(weighted.backward(), summed, rtol=1e-12, atol=1e-15)


# -- values against the formulas ---------------------------------------------------------------


def test_softmax_cross_entropy_value_and_gradient(rng):
    z = rng.randn(5, 3)
    y = np.array([0, 2, 1, 1, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[y]
    want = -np.mean(np.log(p[np.arange(5), y]))
    for target in (y, onehot, y.astype(float)):
        loss = SoftmaxCrossEntropy()
        assert_allclose(loss.forward(z, target), want, rtol=1e-13, atol=0)
        assert_allclose(loss.backward(), (p - onehot) / 5, rtol=1e-12, atol=1e-15)
    loss = SoftmaxCrossEntropy(reduction="sum")
    assert_allclose(loss.forward(z, y), 5 * want, rtol=1e-13, atol=0)
    assert_allclose(loss.backward(), p - onehot, rtol=1e-12, atol=1e-15)


def test_binary_cross_entropy_value_and_gradient(rng):
    z = rng.randn(6, 2) * 3
    y = rng.randint(2, size=(6, 2)).astype(float)
    p = 1 / (1 + np.exp(-z))
    want = -np.mean(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1))
    loss = BinaryCrossEntropy()
    assert_allclose(loss.forward(z, y), want, rtol=1e-12, atol=0)
    assert_allclose(loss.backward(), (p - y) / 6, rtol=1e-12, atol=1e-15)


def test_binary_cross_entropy_accepts_1d_and_column_targets(rng):
    z = rng.randn(4, 1)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    a, b = BinaryCrossEntropy(), BinaryCrossEntropy()
    assert a.forward(z, y) == b.forward(z, y[:, None])
    assert_allclose(a.backward(), b.backward(), rtol=0, atol=0)


def test_regression_losses_values(rng):
    out, y = rng.randn(4, 3), rng.randn(4, 3)
    d = out - y
    assert_allclose(MeanSquaredError().forward(out, y), np.mean(d**2), rtol=1e-14, atol=0)
    assert_allclose(MeanAbsoluteError().forward(out, y), np.mean(np.abs(d)), rtol=1e-14, atol=0)
    # SumSquaredError: c Σ (y − ŷ)², summed over samples by default
    assert_allclose(SumSquaredError().forward(out, y), 0.5 * np.sum(d**2), rtol=1e-14, atol=0)
    assert_allclose(SumSquaredError(1.0).forward(out, y), np.sum(d**2), rtol=1e-14, atol=0)
    assert_allclose(
        SumSquaredError(1.0, "mean").forward(out, y), np.sum(d**2) / 4, rtol=1e-14, atol=0
    )
    loss = SumSquaredError(1.0)
    loss.forward(out, y)
    assert_allclose(loss.backward(), 2 * d, rtol=1e-14, atol=0)
    loss = MeanSquaredError()
    loss.forward(out, y)
    assert_allclose(loss.backward(), 2 * d / (4 * 3), rtol=1e-14, atol=0)


def test_literal_values():
    # −log softmax([0, ln 3])[1] = −log 0.75
    assert_allclose(
        SoftmaxCrossEntropy().forward(np.array([[0.0, np.log(3.0)]]), np.array([1])),
        -np.log(0.75),
        rtol=1e-15,
        atol=0,
    )
    # BCE of logit 0 is log 2 whatever the label
    assert_allclose(
        BinaryCrossEntropy().forward(np.zeros((2, 1)), np.array([0.0, 1.0])),
        np.log(2),
        rtol=1e-15,
        atol=0,
    )
    assert SumSquaredError().forward(np.array([[1.0], [3.0]]), np.array([0.0, 0.0])) == 5.0
    assert MeanAbsoluteError().forward(np.array([[1.0, -3.0]]), np.array([[0.0, 0.0]])) == 2.0


def test_mae_subgradient_is_zero_at_the_kink():
    loss = MeanAbsoluteError()
    loss.forward(np.array([[1.0, 2.0, 0.0]]), np.array([[1.0, 0.0, 3.0]]))
    assert_allclose(loss.backward(), [[0.0, 1 / 3, -1 / 3]], rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_reductions_differ_by_n(name, rng):
    output, target = make_case(name, rng, 7, 3)
    factory = CASES[name][0]
    mean, total = factory(reduction="mean"), factory(reduction="sum")
    assert_allclose(
        total.forward(output, target), 7 * mean.forward(output, target), rtol=1e-13, atol=0
    )
    assert_allclose(total.backward(), 7 * mean.backward(), rtol=1e-13, atol=0)


def test_default_reductions_and_output_activations():
    assert SumSquaredError().reduction == "sum"
    for cls in (SoftmaxCrossEntropy, BinaryCrossEntropy, MeanSquaredError, MeanAbsoluteError):
        assert cls().reduction == "mean"
    assert SoftmaxCrossEntropy.output_activation == "softmax"
    assert BinaryCrossEntropy.output_activation == "sigmoid"
    assert MeanSquaredError.output_activation == "identity"


def test_forward_does_not_mutate_inputs(rng):
    for name in sorted(CASES):
        output, target = make_case(name, rng, 5, 3)
        o, t = output.copy(), target.copy()
        loss = CASES[name][0]()
        loss.forward(output, target)
        loss.backward()
        assert np.array_equal(output, o) and np.array_equal(target, t), name


# -- stability ------------------------------------------------------------------------------


def no_float_errors():
    """Raise on overflow, division by zero and invalid values (underflow to 0 is exact)."""
    return np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropies_with_extreme_logits_are_finite_and_exact(dtype):
    z = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, -1e4]], dtype=dtype)
    y = np.array([1, 1, 0])
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        sce = SoftmaxCrossEntropy(reduction="sum")
        value = sce.forward(z, y)
        grad = sce.backward()
    # row 0 is wrong by a margin of 2e4, rows 1 and 2 are right with certainty
    assert_allclose(value, 2e4, rtol=1e-6, atol=0)
    assert_allclose(grad, [[1.0, -1.0], [0.0, 0.0], [0.0, 0.0]], rtol=0, atol=1e-7)
    assert grad.dtype == dtype

    zb = np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype)
    yb = np.array([0.0, 1.0, 1.0, 0.0])
    with warnings.catch_warnings(), no_float_errors():
        warnings.simplefilter("error")
        bce = BinaryCrossEntropy(reduction="sum")
        value = bce.forward(zb, yb)
        grad = bce.backward()
    assert_allclose(value, 2e4, rtol=1e-6, atol=0)
    assert_allclose(grad, [[1.0], [-1.0], [0.0], [0.0]], rtol=0, atol=1e-7)
    assert grad.dtype == dtype


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_gradients_stay_float32(name, rng):
    output, target = make_case(name, rng, 5, 3)
    loss = CASES[name][0]()
    value = loss.forward(output.astype(np.float32), target)
    assert isinstance(value, float)
    assert loss.backward().dtype == np.float32


# -- validation -----------------------------------------------------------------------------


def test_shape_errors(rng):
    with pytest.raises(ValidationError, match=r"shape \(n_samples, n_outputs\)"):
        MeanSquaredError().forward(rng.randn(4), rng.randn(4))
    with pytest.raises(
        ValidationError, match=r"target shape \(4, 2\) does not match output shape \(4, 3\)"
    ):
        MeanSquaredError().forward(rng.randn(4, 3), rng.randn(4, 2))
    with pytest.raises(ValidationError, match="target has 3 labels for 4 outputs"):
        SoftmaxCrossEntropy().forward(rng.randn(4, 3), np.array([0, 1, 2]))


def test_class_index_errors(rng):
    with pytest.raises(ValidationError, match=r"labels must lie in 0..2 for 3 outputs, got 0..3"):
        SoftmaxCrossEntropy().forward(rng.randn(2, 3), np.array([0, 3]))
    with pytest.raises(ValidationError, match="out of range"):
        SoftmaxCrossEntropy().forward(rng.randn(2, 3), np.array([-1, 0]))
    with pytest.raises(ValidationError, match="integer indices"):
        SoftmaxCrossEntropy().forward(rng.randn(2, 3), np.array([0.5, 1.0]))


def test_backward_before_forward():
    with pytest.raises(ValidationError, match="backward called before forward"):
        MeanSquaredError().backward()


def test_bad_reduction_and_scale():
    with pytest.raises(
        ValidationError, match=r"reduction must be one of \('mean', 'sum'\), got 'max'"
    ):
        MeanSquaredError(reduction="max")
    with pytest.raises(ValidationError, match="scale must be > 0, got 0"):
        SumSquaredError(scale=0)


def test_get_loss():
    assert type(get_loss("mse")) is MeanSquaredError
    assert type(get_loss("cross_entropy")) is SoftmaxCrossEntropy
    assert type(get_loss("SSE")) is SumSquaredError
    loss = MeanAbsoluteError(reduction="sum")
    assert get_loss(loss) is loss
    with pytest.raises(ValidationError) as info:
        get_loss("hinge")
    assert all(repr(name) in str(info.value) for name in LOSSES)
    assert repr(SumSquaredError(1.0)) == "SumSquaredError(scale=1.0, reduction='sum')"


@pytest.mark.parametrize("k", [2, 3, 7])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_softmax_cross_entropy_is_the_textbook_formula_to_the_last_bit(k, reduction, rng):
    """The tutorials' formula, written out with NumPy: the same numbers bit for bit (the
    two-class row sum is computed as one addition, which is what e.sum(axis=1) does), down
    to the loss value, −log ŷ at the targets as WildML's calculate_loss writes it."""
    z = rng.uniform(-30, 30, (500, k))
    y = rng.randint(k, size=500)
    loss = SoftmaxCrossEntropy(reduction=reduction)
    value = loss.forward(z, y)
    grad = loss.backward()
    e = np.exp(z)
    total = np.sum(e, axis=1, keepdims=True)
    probs = e / total
    per_sample = -np.log(probs[np.arange(500), y])
    scale = 1.0 / 500 if reduction == "mean" else 1.0
    assert value == float(per_sample.sum() * scale)
    delta = probs.copy()
    delta[np.arange(500), y] -= 1
    if reduction == "mean":
        delta /= 500
    assert np.array_equal(grad, delta)


# -- the value against log-sum-exp worked out exactly --------------------------------------------


def exact_cross_entropy(row, target):
    """ℓ = (m − z_t) + ln Σⱼ e^{zⱼ − m}, m = max z, in 60-digit decimals from the exact floats."""
    with localcontext() as ctx:
        ctx.prec = 60
        z = [Decimal(float(v)) for v in row]  # the Decimal of a float is exact
        m = max(z)
        return float((m - z[target]) + sum((v - m).exp() for v in z).ln())


def rows_up_to_the_largest_logits(dtype):
    """Tied and nearly tied rows, and rows of opposite signs, for logits from 0 to the max."""
    big = float(np.finfo(dtype).max)
    scales = [0.0, 1.0, 10.0, 20.0, 22.0, 30.0, 88.0, 100.0, 177.0, 700.0, 1e4, 1e10, 1e30]
    scales += [1e38, 1e100, 1e300, big / 2, big]
    rows = []
    for c in (dtype(c) for c in scales if c <= big):
        below = np.nextafter(c, dtype(-np.inf))
        rows += [([c, c], 0), ([c, c, c], 2), ([c, below], 1), ([below, c], 1), ([-c, -c], 1)]
        rows += [([c, c, -c], 0), ([c, dtype(c / 2)], 1), ([c, below, c], 0)]
    return rows


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_equals_log_sum_exp_worked_out_exactly(dtype):
    eps = float(np.finfo(dtype).eps)
    for row, target in rows_up_to_the_largest_logits(dtype):
        z = np.array([row], dtype=dtype)
        want = exact_cross_entropy(z[0], target)
        got = SoftmaxCrossEntropy()(z, np.array([target]))
        assert abs(got - want) <= 4 * eps * max(1.0, abs(want)), (row, target, got, want)
        # beside a moderate row (the whole batch takes the shifted path), and one-hot
        pair = np.array([row, np.zeros(len(row))], dtype=dtype)
        want_pair = want + exact_cross_entropy(pair[1], 0)
        for y in (np.array([target, 0]), np.eye(len(row))[[target, 0]]):
            got = SoftmaxCrossEntropy(reduction="sum")(pair, y)
            assert abs(got - want_pair) <= 8 * eps * max(1.0, abs(want_pair)), (row, got, want)


@pytest.mark.parametrize(
    ("z", "want"),
    [
        (np.array([[1e300, 1e300]]), np.log(2)),
        (np.array([[1e4, 1e4]], dtype=np.float32), np.log(2)),
        (np.array([[88, 88]], dtype=np.float32), np.log(2)),
    ],
)
def test_tied_large_logits_give_log_2(z, want):
    assert_allclose(SoftmaxCrossEntropy()(z, np.array([0])), want, rtol=2e-7, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_opposite_sign_extremes_give_no_overflow(dtype):
    big = np.finfo(dtype).max
    z = np.array([[big, -big], [-big, big], [big / 2, -big]], dtype=dtype)
    right, wrong = np.array([0, 1, 0]), np.array([1, 0, 1])
    # right: a loss of 0; wrong: z_max − z_target, beyond the dtype's range: +∞
    for labels, want in ((right, 0.0), (wrong, np.inf)):
        for target in (labels, np.eye(2)[labels]):
            loss = SoftmaxCrossEntropy(reduction="sum")
            with warnings.catch_warnings(), no_float_errors():
                warnings.simplefilter("error")
                value = loss.forward(z, target)
                grad = loss.backward()
            assert value == want
            assert_allclose(grad, np.eye(2)[right] - np.eye(2)[labels], rtol=0, atol=0)  # ŷ − y


# -- the Poisson deviance --------------------------------------------------------------------
def test_poisson_deviance_is_scikit_learns_half_deviance(rng):
    from sklearn.neural_network._base import poisson_loss

    z = rng.randn(20, 3)
    y = rng.poisson(1.5, size=(20, 3)).astype(float)
    weights = rng.uniform(0, 2, size=20)
    assert_allclose(PoissonDeviance()(z, y), poisson_loss(y, np.exp(z)), rtol=1e-13)
    assert_allclose(
        PoissonDeviance()(z, y, weights), poisson_loss(y, np.exp(z), weights), rtol=1e-13
    )
    # written out: y log(y/ŷ) − y + ŷ, with 0 log 0 = 0, averaged over rows, summed over outputs
    yhat = np.exp(z)
    by_hand = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / yhat), 0) - y + yhat
    assert_allclose(PoissonDeviance()(z, y), by_hand.sum() / 20, rtol=1e-13)
    loss = PoissonDeviance()
    loss.forward(z, y)
    assert_allclose(loss.backward(), (yhat - y) / 20, rtol=1e-14)  # δ = ŷ − y


def test_poisson_deviance_is_zero_at_the_targets_and_refuses_negative_ones():
    y = np.array([[0.0], [1.0], [4.0]])
    assert PoissonDeviance()(np.log(np.maximum(y, 1e-300)), y) == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValidationError, match="non-negative targets"):
        PoissonDeviance()(np.zeros((2, 1)), np.array([1.0, -1.0]))
