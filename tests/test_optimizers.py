"""Optimizers: each update against its formula written out here, and against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from glassnet.errors import ValidationError
from glassnet.optimizers import (
    OPTIMIZERS,
    AdaGrad,
    Adam,
    GradientDescent,
    RMSProp,
    get_optimizer,
)
from glassnet.schedules import ExponentialDecay, StepDecay

SHAPES = {"w": (3, 2), "b": (2,)}


def random_params(rng):
    return {k: rng.randn(*s) for k, s in SHAPES.items()}


def copy(d):
    return {k: v.copy() for k, v in d.items()}


# -- formulas ---------------------------------------------------------------------------------


def test_plain_gradient_descent(rng):
    params = random_params(rng)
    theta = copy(params)
    opt = GradientDescent(learning_rate=0.3)
    for _ in range(3):
        grads = random_params(rng)
        opt.step(params, grads)
        for k in theta:
            theta[k] = theta[k] - 0.3 * grads[k]  # θ ← θ − η g
            assert_allclose(params[k], theta[k], rtol=1e-14, atol=1e-15)
    assert opt.state == {}  # plain descent keeps no state
    assert opt.t == 3


def test_literal_gradient_descent_step():
    w = np.array([1.0, -2.0])
    GradientDescent(0.5).step({"w": w}, {"w": np.array([0.2, -0.4])})
    assert_allclose(w, [0.9, -1.8], rtol=1e-15, atol=0)


@pytest.mark.parametrize("nesterov", [False, True], ids=["classical", "nesterov"])
def test_momentum_from_set_state(nesterov, rng):
    lr, mu = 0.1, 0.9
    params, grads, v0 = random_params(rng), random_params(rng), random_params(rng)
    theta0 = copy(params)
    opt = GradientDescent(lr, momentum=mu, nesterov=nesterov)
    opt.state = {k: {"velocity": v.copy()} for k, v in v0.items()}
    opt.step(params, grads)
    for k in params:
        v1 = mu * v0[k] - lr * grads[k]  # v ← μ v − η g
        if nesterov:
            want = theta0[k] + mu * v1 - lr * grads[k]  # θ ← θ + μ v − η g
        else:
            want = theta0[k] + v1  # θ ← θ + v
        assert_allclose(opt.state[k]["velocity"], v1, rtol=1e-14, atol=1e-15)
        assert_allclose(params[k], want, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True], ids=["classical", "nesterov"])
def test_momentum_several_steps_from_zero(nesterov, rng):
    lr, mu = 0.05, 0.8
    params = random_params(rng)
    theta, v = copy(params), {k: np.zeros(s) for k, s in SHAPES.items()}
    opt = GradientDescent(lr, momentum=mu, nesterov=nesterov)
    for _ in range(4):
        grads = random_params(rng)
        opt.step(params, grads)
        for k in theta:
            v[k] = mu * v[k] - lr * grads[k]
            theta[k] = theta[k] + (mu * v[k] - lr * grads[k] if nesterov else v[k])
            assert_allclose(params[k], theta[k], rtol=1e-13, atol=1e-15)


def test_adam_from_set_state(rng):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    params, grads = random_params(rng), random_params(rng)
    m0 = random_params(rng)
    v0 = {k: rng.uniform(0.1, 1.0, s) for k, s in SHAPES.items()}
    theta0 = copy(params)
    opt = Adam(lr, beta1=b1, beta2=b2, eps=eps)
    opt.t = 3
    opt.state = {k: {"m": m0[k].copy(), "v": v0[k].copy()} for k in SHAPES}
    opt.step(params, grads)
    t = 4
    for k in params:
        m = b1 * m0[k] + (1 - b1) * grads[k]
        v = b2 * v0[k] + (1 - b2) * grads[k] ** 2
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        assert_allclose(opt.state[k]["m"], m, rtol=1e-14, atol=1e-16)
        assert_allclose(opt.state[k]["v"], v, rtol=1e-14, atol=1e-16)
        assert_allclose(
            params[k], theta0[k] - lr_t * m / (np.sqrt(v) + eps), rtol=1e-13, atol=1e-15
        )
    assert opt.t == t


def test_adam_several_steps_from_zero(rng):
    lr, b1, b2, eps = 0.02, 0.8, 0.99, 1e-7
    params = random_params(rng)
    theta = copy(params)
    m = {k: np.zeros(s) for k, s in SHAPES.items()}
    v = {k: np.zeros(s) for k, s in SHAPES.items()}
    opt = Adam(lr, beta1=b1, beta2=b2, eps=eps)
    for t in range(1, 6):
        grads = random_params(rng)
        opt.step(params, grads)
        for k in theta:
            m[k] = b1 * m[k] + (1 - b1) * grads[k]
            v[k] = b2 * v[k] + (1 - b2) * grads[k] ** 2
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            theta[k] = theta[k] - lr_t * m[k] / (np.sqrt(v[k]) + eps)
            assert_allclose(params[k], theta[k], rtol=1e-13, atol=1e-15)


def test_adam_first_step_moves_each_entry_by_about_lr():
    # At t = 1, m = (1−β₁)g and v = (1−β₂)g², so the step is η·sign(g) up to a relative
    # eps/(√(1−β₂)|g|) ≤ 1e-6 here, whatever the scale of g.
    w = np.zeros(3)
    Adam(0.001).step({"w": w}, {"w": np.array([5.0, -0.5, 300.0])})
    assert_allclose(w, [-0.001, 0.001, -0.001], rtol=1e-5, atol=0)


def test_rmsprop_from_set_state(rng):
    lr, rho, eps = 0.01, 0.9, 1e-8
    params, grads = random_params(rng), random_params(rng)
    s0 = {k: rng.uniform(0.1, 1.0, s) for k, s in SHAPES.items()}
    theta0 = copy(params)
    opt = RMSProp(lr, rho=rho, eps=eps)
    opt.state = {k: {"square_avg": s0[k].copy()} for k in SHAPES}
    opt.step(params, grads)
    for k in params:
        s = rho * s0[k] + (1 - rho) * grads[k] ** 2  # s ← ρ s + (1 − ρ) g²
        assert_allclose(opt.state[k]["square_avg"], s, rtol=1e-14, atol=0)
        assert_allclose(
            params[k], theta0[k] - lr * grads[k] / (np.sqrt(s) + eps), rtol=1e-13, atol=1e-15
        )


def test_adagrad_from_set_state_and_several_steps(rng):
    lr, eps = 0.1, 1e-8
    params = random_params(rng)
    s = {k: rng.uniform(0.1, 1.0, sh) for k, sh in SHAPES.items()}
    theta = copy(params)
    opt = AdaGrad(lr, eps=eps)
    opt.state = {k: {"sum_squares": s[k].copy()} for k in SHAPES}
    for _ in range(3):
        grads = random_params(rng)
        opt.step(params, grads)
        for k in theta:
            s[k] = s[k] + grads[k] ** 2  # s ← s + g²
            theta[k] = theta[k] - lr * grads[k] / (np.sqrt(s[k]) + eps)
            assert_allclose(opt.state[k]["sum_squares"], s[k], rtol=1e-14, atol=0)
            assert_allclose(params[k], theta[k], rtol=1e-13, atol=1e-15)


# -- against scikit-learn's own optimizers ---------------------------------------------------------


@pytest.mark.parametrize("nesterov", [False, True], ids=["classical", "nesterov"])
def test_momentum_matches_sklearn(nesterov, rng):
    params = random_params(rng)
    ours = copy(params)
    theirs = [params["w"].copy(), params["b"].copy()]
    sk = SGDOptimizer(theirs, learning_rate_init=0.1, momentum=0.9, nesterov=nesterov)
    opt = GradientDescent(0.1, momentum=0.9, nesterov=nesterov)
    for _ in range(3):
        grads = random_params(rng)
        sk.update_params(theirs, [grads["w"], grads["b"]])
        opt.step(ours, grads)
        assert_allclose(ours["w"], theirs[0], rtol=1e-14, atol=1e-15)
        assert_allclose(ours["b"], theirs[1], rtol=1e-14, atol=1e-15)


def test_adam_matches_sklearn(rng):
    params = random_params(rng)
    ours = copy(params)
    theirs = [params["w"].copy(), params["b"].copy()]
    sk = AdamOptimizer(theirs, learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    opt = Adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    for _ in range(4):
        grads = random_params(rng)
        sk.update_params(theirs, [grads["w"], grads["b"]])
        opt.step(ours, grads)
        assert_allclose(ours["w"], theirs[0], rtol=1e-13, atol=1e-15)
        assert_allclose(ours["b"], theirs[1], rtol=1e-13, atol=1e-15)
    assert opt.t == sk.t


# -- schedules as learning rates -----------------------------------------------------------------


class RecordingSchedule:
    """η(t) = 0.1 / (t + 1), remembering every t it was asked for."""

    def __init__(self):
        self.steps = []

    def __call__(self, step):
        self.steps.append(step)
        return 0.1 / (step + 1)


def test_schedule_is_evaluated_at_number_of_updates_already_made(rng):
    schedule = RecordingSchedule()
    params = random_params(rng)
    theta = copy(params)
    opt = GradientDescent(learning_rate=schedule)
    for t in range(4):
        assert opt.current_learning_rate() == 0.1 / (t + 1)
        grads = random_params(rng)
        opt.step(params, grads)
        for k in theta:
            theta[k] = theta[k] - 0.1 / (t + 1) * grads[k]
            assert_allclose(params[k], theta[k], rtol=1e-14, atol=1e-15)
    assert schedule.steps == [0, 0, 1, 1, 2, 2, 3, 3]  # current_learning_rate(), then step()


def test_schedule_with_adam_uses_lr_of_t_minus_one_and_bias_correction_of_t(rng):
    schedule = StepDecay(0.01, step_size=2, gamma=0.5)
    w = rng.randn(4)
    theta, m, v = w.copy(), np.zeros(4), np.zeros(4)
    opt = Adam(schedule)
    for t in range(1, 6):
        g = rng.randn(4)
        opt.step({"w": w}, {"w": g})
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        lr = 0.01 * 0.5 ** ((t - 1) // 2)  # the schedule at t − 1 updates already made
        theta = theta - lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8)
        assert_allclose(w, theta, rtol=1e-13, atol=1e-15)


def test_schedule_passed_by_name_through_get_optimizer():
    opt = get_optimizer("rmsprop", learning_rate=ExponentialDecay(0.1, gamma=0.5))
    assert opt.current_learning_rate() == 0.1
    opt.step({"w": np.ones(1)}, {"w": np.ones(1)})
    assert opt.current_learning_rate() == 0.05


# -- bookkeeping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.1),
        lambda: GradientDescent(0.1, momentum=0.9),
        lambda: GradientDescent(0.1, momentum=0.9, nesterov=True),
        lambda: Adam(0.1),
        lambda: RMSProp(0.1),
        lambda: AdaGrad(0.1),
    ],
    ids=["gd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"],
)
def test_in_place_state_by_name_dtype_and_reset(make, rng):
    opt = make()
    params = {k: v.astype(np.float32) for k, v in random_params(rng).items()}
    ids = {k: id(v) for k, v in params.items()}
    grads = {k: v.astype(np.float32) for k, v in random_params(rng).items()}
    opt.step(params, grads)
    opt.step(params, grads)
    assert {k: id(v) for k, v in params.items()} == ids  # updated in place
    assert all(v.dtype == np.float32 for v in params.values())
    assert set(opt.state) <= set(params)
    for per_param in opt.state.values():
        assert all(slot.dtype == np.float32 for slot in per_param.values())
    assert opt.t == 2
    opt.reset()
    assert (opt.t, opt.state) == (0, {})


def test_shape_mismatch(rng):
    with pytest.raises(
        ValidationError, match=r"gradient for 'w' has shape \(2,\), parameter \(3,\)"
    ):
        GradientDescent(0.1).step({"w": np.zeros(3)}, {"w": np.zeros(2)})


def test_get_optimizer_and_repr():
    opt = get_optimizer("sgd", learning_rate=0.2, momentum=0.5)
    assert type(opt) is GradientDescent and opt.momentum == 0.5
    assert type(get_optimizer("ADAM")) is Adam
    same = AdaGrad()
    assert get_optimizer(same) is same
    with pytest.raises(ValidationError) as info:
        get_optimizer("lbfgs")
    assert all(repr(name) in str(info.value) for name in OPTIMIZERS)
    assert repr(GradientDescent(0.2, momentum=0.5)) == (
        "GradientDescent(learning_rate=0.2, momentum=0.5, nesterov=False)"
    )


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, True])
def test_momentum_range(momentum):
    with pytest.raises(ValidationError, match=r"momentum must be in \[0, 1\)"):
        GradientDescent(0.1, momentum=momentum)


def test_other_hyperparameter_checks():
    with pytest.raises(ValidationError, match="nesterov=True needs momentum > 0"):
        GradientDescent(0.1, nesterov=True)
    with pytest.raises(ValidationError, match=r"beta1 must be in \[0, 1\), got 1.0"):
        Adam(beta1=1.0)
    with pytest.raises(ValidationError, match=r"beta2 must be in \[0, 1\), got -0.5"):
        Adam(beta2=-0.5)
    with pytest.raises(ValidationError, match=r"rho must be in \[0, 1\)"):
        RMSProp(rho=1.2)
    with pytest.raises(ValidationError, match="eps must be finite and > 0"):
        AdaGrad(eps=0.0)


@pytest.mark.parametrize("cls", [GradientDescent, Adam, RMSProp, AdaGrad])
@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("nan"), float("inf"), "0.1"])
def test_learning_rate_must_be_positive(cls, lr):
    with pytest.raises(ValidationError, match="learning_rate must be"):
        cls(lr)


def test_state_is_not_on_the_arrays(rng):
    params = random_params(rng)
    a, b = Adam(0.1), Adam(0.1)
    a.step(params, random_params(rng))
    assert b.state == {}
    assert_array_equal(sorted(a.state), ["b", "w"])
