r"""Optimizers: ``step(params, grads)`` updates the parameter arrays in place.

``params`` and ``grads`` are dicts with the same keys (as :meth:`Network.parameters` and
:meth:`Network.gradients` give). Each optimizer keeps its state — velocities, moments and
the update count ``t`` — keyed by parameter name, never on the layers. The learning rate is
a float or a schedule ``lr(t)`` (see :mod:`glassnet.schedules`), evaluated at the number of
updates already made.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import ValidationError
from .schedules import LearningRate, as_schedule
from .validation import check_positive, lookup

Array = NDArray[Any]

__all__ = [
    "OPTIMIZERS",
    "AdaGrad",
    "Adam",
    "GradientDescent",
    "Optimizer",
    "RMSProp",
    "get_optimizer",
]


def _moving_average(average: Array, decay: float, value: Array, scratch: Array) -> Array:
    r""":math:`s \leftarrow \rho s + (1-\rho)x` in place, for ``average`` :math:`s`, ``decay``
    :math:`\rho` and ``value`` :math:`x` (``scratch`` receives :math:`(1-\rho)x`; it may be
    ``value`` itself)."""
    average *= decay
    average += np.multiply(value, 1 - decay, out=scratch)
    return average


def _adaptive_step(
    param: Array,
    direction: Array,
    square: Array,
    lr: float,
    eps: float,
    scratch: list[Array],
    new: Array,
) -> None:
    r"""The step of AdaGrad, RMSProp and Adam: :math:`\theta \leftarrow \theta - \eta\,d/(\sqrt s + \epsilon)`.

    :math:`d` is ``direction`` (the gradient, or Adam's first moment), :math:`s` ``square``
    (a sum or an average of squared gradients) and :math:`\eta` ``lr``; the two ``scratch``
    arrays receive :math:`\eta d` and :math:`\sqrt s + \epsilon`; the new :math:`\theta` goes
    into ``new`` (``param`` itself for an update in place).
    """
    root = np.sqrt(square, out=scratch[1])
    root += eps  # √s + ε
    step = np.multiply(direction, lr, out=scratch[0])  # η d
    np.subtract(param, np.divide(step, root, out=step), out=new)  # θ ← θ − η d/(√s + ε)


class Optimizer:
    """Base class: holds the schedule, the update count and per-parameter state."""

    name = "optimizer"

    def __init__(self, learning_rate: LearningRate = 0.01) -> None:
        self.learning_rate = learning_rate
        self.schedule = as_schedule(learning_rate)
        self.t = 0
        self.state: dict[str, dict[str, Array]] = {}
        self._buffers: dict[tuple[str, int], Array] = {}

    def current_learning_rate(self) -> float:
        """The learning rate the next update will use."""
        return float(self.schedule(self.t))

    def step(
        self,
        params: Mapping[str, Array],
        grads: Mapping[str, Array],
        out: Mapping[str, Array] | None = None,
    ) -> None:
        """Apply one update to every parameter: in place, or into ``out``.

        ``out`` holds an array shaped like each parameter, under the same name; the new
        parameters are written there and ``params`` keep the values they had (the training
        loop keeps them this way, in case the next loss is not finite).
        """
        lr = self.current_learning_rate()
        self.t += 1
        for name, param in params.items():
            grad = grads[name]
            if grad.shape != param.shape:
                raise ValidationError(
                    f"gradient for {name!r} has shape {grad.shape}, parameter {param.shape}"
                )
            self._update(name, param, grad, lr, param if out is None else out[name])

    def _update(self, name: str, param: Array, grad: Array, lr: float, new: Array) -> None:
        """Write the updated ``param`` into ``new`` (which may be ``param``)."""
        raise NotImplementedError

    def _slot(self, name: str, slot: str, like: Array) -> Array:
        per_param = self.state.setdefault(name, {})
        if slot not in per_param:
            per_param[slot] = np.zeros_like(like)
        return per_param[slot]

    def _work(self, name: str, like: Array, k: int = 0) -> Array:
        """A scratch array shaped like the parameter, reused by every update (not state).

        The updates below write their intermediate products into these with ``out=`` in
        the order the formula reads, so they allocate nothing and round exactly as the
        written-out expression does.
        """
        key = (name, k)
        buf = self._buffers.get(key)
        if (
            buf is None
            or type(buf) is not type(like)
            or buf.shape != like.shape
            or buf.dtype != like.dtype
        ):
            buf = self._buffers[key] = np.empty_like(like)
        return buf

    def _scratch(self, name: str, like: Array) -> list[Array]:
        """The two scratch arrays of :meth:`_work` for ``name``."""
        return [self._work(name, like), self._work(name, like, 1)]

    def reset(self) -> None:
        """Forget the state and the update count."""
        self.t = 0
        self.state = {}
        self._buffers = {}

    def config(self) -> dict[str, Any]:
        lr = self.learning_rate
        return {"learning_rate": lr if isinstance(lr, (int, float)) else repr(lr)}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(Optimizer):
    r"""Gradient descent — full batch, mini-batch or stochastic, by what ``fit`` feeds it.

    Parameters
    ----------
    learning_rate : float or schedule
        :math:`\eta`.
    momentum : float in [0, 1), default 0
        :math:`\mu`. Zero gives plain gradient descent.
    nesterov : bool, default False
        Nesterov's accelerated gradient (needs ``momentum > 0``).

    Notes
    -----
    Plain (:math:`\mu = 0`): :math:`\theta \leftarrow \theta - \eta\,g` — the tutorials'
    ``W1 += -epsilon * dW1``.

    With momentum (the form scikit-learn uses):

    .. math::
        v \leftarrow \mu v - \eta g, \qquad
        \theta \leftarrow \theta + v \quad\text{(classical)}, \qquad
        \theta \leftarrow \theta + \mu v - \eta g \quad\text{(Nesterov)}
    """

    name = "gd"

    def __init__(
        self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if isinstance(momentum, bool) or not 0 <= momentum < 1:
            raise ValidationError(f"momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0:
            raise ValidationError("nesterov=True needs momentum > 0")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, name: str, param: Array, grad: Array, lr: float, new: Array) -> None:
        step = np.multiply(grad, lr, out=self._work(name, param))  # η g
        if self.momentum == 0:
            np.subtract(param, step, out=new)  # θ ← θ − η g
            return
        mu, velocity = self.momentum, self._slot(name, "velocity", param)
        np.subtract(np.multiply(velocity, mu, out=velocity), step, out=velocity)  # v ← μv − ηg
        if self.nesterov:
            ahead = np.multiply(velocity, mu, out=self._work(name, param, 1))
            np.add(param, np.subtract(ahead, step, out=ahead), out=new)  # θ ← θ + μv − ηg
        else:
            np.add(param, velocity, out=new)  # θ ← θ + v

    def config(self) -> dict[str, Any]:
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), in the bias-corrected step-size form scikit-learn uses.

    Notes
    -----
    At update :math:`t = 1, 2, \dots`:

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
        \eta_t = \eta\,\sqrt{1-\beta_2^t}/(1-\beta_1^t), \qquad
        \theta \leftarrow \theta - \eta_t\, m / (\sqrt v + \epsilon)
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        for value, label in ((beta1, "beta1"), (beta2, "beta2")):
            if not 0 <= value < 1:
                raise ValidationError(f"{label} must be in [0, 1), got {value!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = check_positive(eps, "eps")

    def _update(self, name: str, param: Array, grad: Array, lr: float, new: Array) -> None:
        m, v = self._slot(name, "m", param), self._slot(name, "v", param)
        a, _ = scratch = self._scratch(name, param)
        _moving_average(m, self.beta1, grad, a)  # m ← β₁m + (1−β₁)g
        _moving_average(v, self.beta2, np.square(grad, out=a), a)  # v ← β₂v + (1−β₂)g²
        lr_t = lr * math.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)  # η_t
        _adaptive_step(param, m, v, lr_t, self.eps, scratch, new)  # θ ← θ − η_t m/(√v + ε)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


class RMSProp(Optimizer):
    r"""RMSProp (Hinton, 2012).

    Notes
    -----
    .. math::
        s \leftarrow \rho s + (1-\rho) g^2, \qquad
        \theta \leftarrow \theta - \eta\, g / (\sqrt s + \epsilon)
    """

    name = "rmsprop"

    def __init__(
        self, learning_rate: LearningRate = 0.001, rho: float = 0.9, eps: float = 1e-8
    ) -> None:
        super().__init__(learning_rate)
        if not 0 <= rho < 1:
            raise ValidationError(f"rho must be in [0, 1), got {rho!r}")
        self.rho = float(rho)
        self.eps = check_positive(eps, "eps")

    def _update(self, name: str, param: Array, grad: Array, lr: float, new: Array) -> None:
        s = self._slot(name, "square_avg", param)
        a, _ = scratch = self._scratch(name, param)
        _moving_average(s, self.rho, np.square(grad, out=a), a)  # s ← ρs + (1−ρ)g²
        _adaptive_step(param, grad, s, lr, self.eps, scratch, new)  # θ ← θ − η g/(√s + ε)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "rho": self.rho, "eps": self.eps}


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi et al., 2011).

    Notes
    -----
    .. math::
        s \leftarrow s + g^2, \qquad \theta \leftarrow \theta - \eta\, g / (\sqrt s + \epsilon)
    """

    name = "adagrad"

    def __init__(self, learning_rate: LearningRate = 0.01, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.eps = check_positive(eps, "eps")

    def _update(self, name: str, param: Array, grad: Array, lr: float, new: Array) -> None:
        s, scratch = self._slot(name, "sum_squares", param), self._scratch(name, param)
        s += np.square(grad, out=scratch[0])  # s ← s + g²
        _adaptive_step(param, grad, s, lr, self.eps, scratch, new)  # θ ← θ − η g/(√s + ε)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "eps": self.eps}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "gd": GradientDescent,
    "sgd": GradientDescent,
    "adam": Adam,
    "rmsprop": RMSProp,
    "adagrad": AdaGrad,
}


def get_optimizer(spec: str | Optimizer, **kwargs: Any) -> Optimizer:
    """Return a new optimizer for a name in :data:`OPTIMIZERS` (with ``kwargs``), or an instance."""
    if isinstance(spec, Optimizer):
        return spec
    return lookup(spec, OPTIMIZERS, "optimizer")(**kwargs)
