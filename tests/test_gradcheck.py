"""The gradient checker itself: exact on known functions, and it catches wrong gradients."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet import Dense, MeanSquaredError, Network, Tanh, check_backward, gradcheck, mlp
from glassnet.errors import ValidationError
from glassnet.gradcheck import (
    GradcheckReport,
    numerical_gradient,
    numerical_gradient_into,
    relative_error,
)


def test_relative_error():
    a, g = np.array([3.0, 4.0]), np.array([3.0, 4.5])
    assert_allclose(relative_error(a, g), 0.5 / (5.0 + np.hypot(3.0, 4.5)), rtol=1e-15, atol=0)
    assert relative_error(a, g) == relative_error(g, a)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == 1.0


def test_central_difference_of_a_cubic(rng):
    x = rng.randn(3, 4)
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x, eps=1e-6)
    assert_array_equal(x, before)  # every entry restored
    assert grad.shape == x.shape and grad.dtype == np.float64
    assert relative_error(3 * x**2, grad) < 1e-9


def test_central_beats_forward_difference(rng):
    x = rng.randn(10)
    exact = 3 * x**2
    central = numerical_gradient(lambda: float(np.sum(x**3)), x, eps=1e-4)
    forward = numerical_gradient(lambda: float(np.sum(x**3)), x, eps=1e-4, method="forward")
    # central error O(ε²) ≈ 1e-8 here, forward error O(ε) ≈ 3·|x|·ε ≈ 1e-4
    assert relative_error(exact, central) < 1e-7
    assert 1e-6 < relative_error(exact, forward) < 1e-3


def test_numerical_gradient_argument_checks(rng):
    x = rng.randn(4, 4)
    with pytest.raises(ValidationError, match="method must be 'central' or 'forward'"):
        numerical_gradient(lambda: 0.0, x, method="backward")
    # perturbing a copy would change nothing and give a silent zero gradient
    for view in (x[:, :2], x.T):
        with pytest.raises(ValidationError, match="contiguous array"):
            numerical_gradient(lambda: 0.0, view)
    # a strided view that reshapes without copying is fine
    strided = x[:, ::2]
    grad = numerical_gradient(lambda: float(np.sum(strided**2)), strided)
    assert_allclose(grad, 2 * strided, rtol=1e-8, atol=1e-10)


def test_check_backward_passes_a_correct_and_fails_a_wrong_backward(rng):
    class WrongTanh(Tanh):
        def backward(self, grad_out):
            return grad_out * (1 - self._cached())  # forgot to square

    x, g = rng.randn(4, 3), rng.randn(4, 3)
    assert check_backward(Tanh(), x, g)["input"] < 1e-8
    assert check_backward(WrongTanh(), x, g)["input"] > 1e-2


def test_check_backward_reports_every_parameter(rng):
    class WrongBias(Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.grads["bias"] *= 2.0
            return grad_in

    layer = WrongBias(3, 2, random_state=rng)
    errors = check_backward(layer, rng.randn(5, 3), rng.randn(5, 2))
    assert errors["input"] < 1e-8 and errors["weight"] < 1e-8
    assert_allclose(errors["bias"], 1 / 3, rtol=1e-6, atol=0)  # ‖2g − g‖ / (‖2g‖ + ‖g‖)


def test_gradcheck_report_and_failure(rng):
    x, y = rng.randn(6, 3), rng.randn(6, 1)
    good = mlp([3, 4, 1], activation="tanh", random_state=0)
    report = gradcheck(good, x, y, "mse")
    assert isinstance(report, GradcheckReport)
    assert report.passed and report.max_error < 1e-8
    assert_allclose(report.objective, MeanSquaredError()(good.predict(x), y), rtol=1e-14, atol=0)
    text = str(report)
    assert text.splitlines()[0].split() == ["parameter", "relative", "error"]
    assert all(name in text for name in good.parameters())
    assert text.endswith("PASS")

    class LazyDense(Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.grads["weight"] *= 0.5
            return grad_in

    bad_layer = LazyDense(4, 1, random_state=0)
    bad = Network([Dense(3, 4, random_state=0), Tanh(), bad_layer])
    report = gradcheck(bad, x, y)
    assert not report.passed
    assert report.errors["2.weight"] > 0.1
    assert report.errors["0.weight"] < 1e-8
    assert str(report).endswith("FAIL")
    assert GradcheckReport(errors={}, objective=0.0, tolerance=1e-6).max_error == 0.0


def test_gradcheck_leaves_parameters_unchanged(rng):
    net = mlp([3, 4, 2], activation="sigmoid", output="softmax", random_state=0)
    before = {k: v.copy() for k, v in net.parameters().items()}
    gradcheck(net, rng.randn(5, 3), rng.randint(2, size=5))
    for name, param in net.parameters().items():
        assert_array_equal(param, before[name])


def test_numerical_gradient_into_matches_backprop(rng):
    net = mlp([3, 4, 2], activation="tanh", l2=0.1, random_state=0)
    x, y, loss = rng.randn(6, 3), rng.randn(6, 2), MeanSquaredError()
    value = net.gradient(x, y, loss)
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    assert_allclose(numerical_gradient_into(net, x, y, loss), value, rtol=1e-14, atol=0)
    for name, grad in net.gradients().items():
        assert relative_error(analytic[name], grad) < 1e-8


def test_gradcheck_refuses_a_network_on_another_device():
    from glassnet import mlp
    from glassnet.errors import ValidationError

    net = mlp([2, 3, 2], output="softmax", random_state=0)
    net.device = "cuda"  # as Network.to("cuda") leaves it; the check comes before any array work
    with pytest.raises(ValidationError, match="runs on the CPU"):
        gradcheck(net, np.zeros((4, 2)), np.zeros(4, dtype=int))
