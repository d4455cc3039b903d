"""Schedules: pure functions of the update count, against their formulas and by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from glassnet import fit, mlp
from glassnet.errors import ValidationError
from glassnet.optimizers import GradientDescent
from glassnet.schedules import (
    Constant,
    Cyclical,
    ExponentialDecay,
    InverseTime,
    StepDecay,
    as_schedule,
)

STEPS = [0, 1, 2, 3, 5, 9, 10, 11, 99, 1000]


@pytest.mark.parametrize("t", STEPS)
def test_constant(t):
    assert Constant(0.3)(t) == 0.3


@pytest.mark.parametrize("t", STEPS)
@pytest.mark.parametrize(("decay", "power"), [(1.0, 1.0), (0.1, 1.0), (1.0, 0.5), (0.01, 2.0)])
def test_inverse_time(t, decay, power):
    assert_allclose(
        InverseTime(0.5, decay, power)(t), 0.5 / (1 + decay * t) ** power, rtol=1e-15, atol=0
    )


@pytest.mark.parametrize("t", STEPS)
def test_inverse_time_is_sklearn_invscaling(t):
    # scikit-learn: learning_rate_init / pow(t + 1, power_t)
    assert_allclose(
        InverseTime(0.1, decay=1.0, power=0.5)(t), 0.1 / (t + 1) ** 0.5, rtol=1e-15, atol=0
    )


@pytest.mark.parametrize("t", STEPS)
def test_step_decay(t):
    assert_allclose(
        StepDecay(0.2, step_size=3, gamma=0.5)(t), 0.2 * 0.5 ** (t // 3), rtol=1e-15, atol=0
    )


def test_step_decay_literal():
    s = StepDecay(1.0, step_size=2, gamma=0.1)
    assert_allclose([s(t) for t in range(6)], [1, 1, 0.1, 0.1, 0.01, 0.01], rtol=1e-15, atol=0)


@pytest.mark.parametrize("t", STEPS)
@pytest.mark.parametrize("step_size", [1.0, 4.0])
def test_exponential_decay(t, step_size):
    got = ExponentialDecay(0.2, gamma=0.9, step_size=step_size)(t)
    assert_allclose(got, 0.2 * 0.9 ** (t / step_size), rtol=1e-14, atol=0)


@pytest.mark.parametrize("t", STEPS)
def test_cyclical_formula(t):
    base, top, s = 0.01, 0.1, 4
    cycle = math.floor(1 + t / (2 * s))
    x = abs(t / s - 2 * cycle + 1)
    want = base + (top - base) * max(0.0, 1 - x)
    assert_allclose(Cyclical(base, top, s)(t), want, rtol=1e-15, atol=1e-18)


def test_cyclical_triangle_by_hand():
    # base 0.1, max 1.0, half-cycle of 4 updates: up 0.225 per update, then down, repeating
    schedule = Cyclical(0.1, 1.0, 4)
    want = [0.1, 0.325, 0.55, 0.775, 1.0, 0.775, 0.55, 0.325, 0.1, 0.325, 0.55, 0.775, 1.0]
    assert_allclose([schedule(t) for t in range(13)], want, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    "schedule",
    [
        Constant(0.1),
        InverseTime(0.1),
        StepDecay(0.1, 2),
        ExponentialDecay(0.1, 0.5),
        Cyclical(0.1, 0.2, 3),
    ],
    ids=lambda s: type(s).__name__,
)
def test_schedules_are_pure(schedule):
    forward = [schedule(t) for t in range(10)]
    backward = [schedule(t) for t in reversed(range(10))][::-1]
    assert forward == backward  # no hidden counter: the order of calls does not matter
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.learning_rate = 1.0
    with pytest.raises(ValidationError, match="step must be >= 0, got -1"):
        schedule(-1)


def test_as_schedule():
    constant = as_schedule(0.25)
    assert isinstance(constant, Constant) and constant(7) == 0.25

    def halving(step):
        return 1.0 / 2**step

    assert as_schedule(halving) is halving
    with pytest.raises(ValidationError, match="learning_rate must be finite and > 0, got 0"):
        as_schedule(0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Constant(0.0), "learning_rate must be finite and > 0"),
        (lambda: InverseTime(-1.0), "learning_rate must be finite and > 0"),
        (lambda: InverseTime(0.1, decay=-1.0), "decay must be finite and >= 0"),
        (lambda: StepDecay(0.1, 0), "step_size must be finite and > 0"),
        (lambda: StepDecay(0.1, 2, gamma=0), "gamma must be finite and > 0"),
        (lambda: ExponentialDecay(0.1, gamma=-0.5), "gamma must be finite and > 0"),
        (lambda: Cyclical(0.2, 0.1, 4), "max_lr must be >= base_lr"),
        (lambda: Cyclical(0.0, 0.1, 4), "base_lr must be finite and > 0"),
    ],
)
def test_bad_schedule_arguments(make, message):
    with pytest.raises(ValidationError, match=message):
        make()


def test_optimizer_uses_schedule_at_update_count(rng):
    # θ after k updates = θ₀ − Σ_{t<k} η(t) g  with a constant gradient g
    schedule = StepDecay(0.1, step_size=2, gamma=0.5)
    w = rng.randn(3)
    w0, g = w.copy(), rng.randn(3)
    opt = GradientDescent(schedule)
    for k in range(1, 6):
        opt.step({"w": w}, {"w": g})
        assert_allclose(w, w0 - sum(schedule(t) for t in range(k)) * g, rtol=1e-14, atol=1e-15)


class Recorder:
    def __init__(self):
        self.steps = []

    def __call__(self, step):
        self.steps.append(step)
        return 0.01


def test_fit_evaluates_schedule_once_per_update_in_order(rng):
    schedule = Recorder()
    opt = GradientDescent(schedule)
    x, y = rng.randn(10, 2), rng.randn(10)
    history = fit(
        mlp([2, 1], random_state=0), x, y, optimizer=opt, epochs=3, batch_size=4, random_state=0
    )
    assert history.n_updates == 9
    assert schedule.steps == list(range(9))
    assert opt.t == 9
    # a second fit with the same optimizer continues the count
    fit(mlp([2, 1], random_state=0), x, y, optimizer=opt, epochs=1, random_state=0)
    assert schedule.steps[-1] == 9
    assert np.isclose(opt.current_learning_rate(), 0.01)
