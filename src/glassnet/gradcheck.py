r"""Numerical gradients by finite differences, and a check of backpropagation against them.

For a scalar function :math:`J(\theta)` the central difference

.. math:: \frac{\partial J}{\partial \theta_k} \approx
          \frac{J(\theta + \epsilon e_k) - J(\theta - \epsilon e_k)}{2\epsilon}

has error :math:`O(\epsilon^2)`; the forward difference
:math:`(J(\theta+\epsilon e_k) - J(\theta))/\epsilon` (the ml4a tutorial's) has :math:`O(\epsilon)`.
The relative error of an analytic gradient :math:`a` against a numerical :math:`g` is

.. math:: \frac{\|a - g\|_2}{\max(\|a\|_2 + \|g\|_2,\ 10^{-300})}

— near 1e-10 for a correct backward pass in float64, near 1 for a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ValidationError
from .losses import Loss, default_loss, get_loss, prepare_target
from .network import Network
from .validation import check_array

Array = NDArray[Any]

__all__ = [
    "GradcheckReport",
    "check_backward",
    "gradcheck",
    "numerical_gradient",
    "numerical_gradient_into",
    "relative_error",
]


def relative_error(analytic: ArrayLike, numerical: ArrayLike) -> float:
    """``‖a − g‖ / (‖a‖ + ‖g‖)``; 0 when both are zero."""
    a, g = np.asarray(analytic, dtype=np.float64), np.asarray(numerical, dtype=np.float64)
    denom = float(np.linalg.norm(a) + np.linalg.norm(g))
    return float(np.linalg.norm(a - g)) / max(denom, 1e-300)


def numerical_gradient(
    func: Callable[[], float], array: Array, eps: float = 1e-6, method: str = "central"
) -> Array:
    """Finite-difference gradient of ``func()`` with respect to ``array``, perturbed in place.

    ``func`` takes no argument and reads ``array`` (a parameter or an input) when called;
    every entry is restored afterwards. ``method`` is ``"central"`` or ``"forward"``.
    """
    if method not in ("central", "forward"):
        raise ValidationError(f"method must be 'central' or 'forward', got {method!r}")
    grad = np.zeros(array.shape, dtype=np.float64)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if array.size and not np.may_share_memory(flat, array):  # reshape had to copy
        raise ValidationError("numerical_gradient needs a contiguous array it can perturb in place")
    base = func() if method == "forward" else 0.0
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = func()
        if method == "central":
            flat[k] = old - eps
            minus = func()
            gflat[k] = (plus - minus) / (2 * eps)
        else:
            gflat[k] = (plus - base) / eps
        flat[k] = old
    return grad


def numerical_gradient_into(
    network: Network,
    x: Array,
    y: Array,
    loss: Loss,
    eps: float = 1e-6,
    method: str = "central",
    sample_weight: Array | None = None,
) -> float:
    """Fill the network's ``grads`` with numerical gradients of its objective; return it.

    This is the "slow way" of the ml4a tutorial, usable in training with
    ``fit(..., gradient="numerical")``.
    """

    def objective() -> float:
        return network.objective(x, y, loss, sample_weight)

    value = objective()
    params, grads = network.parameters(), network.gradients()
    for name, param in params.items():
        grads[name][...] = numerical_gradient(objective, param, eps, method)
    return value


@dataclass
class GradcheckReport:
    """Per-parameter relative errors of backpropagation against central differences."""

    errors: dict[str, float]
    objective: float
    tolerance: float

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0

    @property
    def passed(self) -> bool:
        return self.max_error < self.tolerance

    def __str__(self) -> str:
        width = max((len(k) for k in self.errors), default=9)
        lines = [f"{'parameter':<{width}}  relative error"]
        lines += [f"{k:<{width}}  {v:.3e}" for k, v in self.errors.items()]
        verdict = "PASS" if self.passed else "FAIL"
        lines.append(f"max {self.max_error:.3e} (tolerance {self.tolerance:.0e}): {verdict}")
        return "\n".join(lines)


def gradcheck(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    loss: str | Loss | None = None,
    *,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradcheckReport:
    """Compare backpropagation with central differences on every parameter of ``network``.

    The network should be float64 (float32 rounding swamps the difference). Dropout layers
    are checked in prediction mode so that both sides see the same function.

    Returns
    -------
    GradcheckReport
        ``report.errors[name]`` is the relative error of that parameter's gradient;
        ``str(report)`` prints a table.
    """
    if network.device != "cpu":
        raise ValidationError(
            "gradcheck runs on the CPU in float64: check a copy moved with network.to('cpu')"
        )
    xs = network.check_input(check_array(x, "X"))
    loss_fn = default_loss(network.output) if loss is None else get_loss(loss)
    ys = prepare_target(y, xs.shape[0], loss_fn, network.dtype)
    value = network.gradient(xs, ys, loss_fn, training=False)
    analytic = {k: v.copy() for k, v in network.gradients().items()}

    def objective() -> float:
        return network.objective(xs, ys, loss_fn)

    errors = {
        name: relative_error(analytic[name], numerical_gradient(objective, param, eps))
        for name, param in network.parameters().items()
    }
    return GradcheckReport(errors=errors, objective=value, tolerance=tolerance)


def check_backward(
    module: Any, x: Array, grad_out: Array, *, eps: float = 1e-6
) -> dict[str, float]:
    r"""Check one layer or activation: ``backward`` against central differences.

    Uses the scalar :math:`s = \sum (\text{forward}(x) \circ G)` for a given upstream gradient
    :math:`G`, whose gradient is exactly what ``backward(G)`` must return. Returns relative
    errors for ``"input"`` and for every parameter.
    """
    x = np.array(x, dtype=np.float64)
    module.forward(x, training=False)
    grad_in = module.backward(grad_out)
    analytic = {"input": np.array(grad_in)}
    analytic.update({k: v.copy() for k, v in module.grads.items()})

    def scalar() -> float:
        return float(np.sum(module.forward(x, training=False) * grad_out))

    errors = {"input": relative_error(analytic["input"], numerical_gradient(scalar, x, eps))}
    for name, param in module.params.items():
        errors[name] = relative_error(analytic[name], numerical_gradient(scalar, param, eps))
    return errors
