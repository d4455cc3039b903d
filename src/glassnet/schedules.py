r"""Learning-rate schedules: pure functions of the update count.

A schedule is a callable ``lr(step) -> float`` where ``step`` is the number of updates
already made (0 for the first). It keeps no counter of its own: the optimizer passes its
step. Any callable with that signature works where a schedule is expected.

================================  ===============================================================
schedule                          :math:`\eta(t)`
================================  ===============================================================
:class:`Constant`                 :math:`\eta_0`
:class:`InverseTime` (annealing)  :math:`\eta_0 / (1 + d\,t)^{p}` (scikit-learn's ``invscaling``:
                                  :math:`d=1`, :math:`p=` ``power_t``)
:class:`StepDecay`                :math:`\eta_0\,\gamma^{\lfloor t / s\rfloor}`
:class:`ExponentialDecay`         :math:`\eta_0\,\gamma^{t/s}`
:class:`Cyclical` (triangular)    :math:`\eta_{\min} + (\eta_{\max}-\eta_{\min})\max(0, 1-|t/s - 2c + 1|)`,
                                  :math:`c = \lfloor 1 + t/(2s)\rfloor` (Smith, 2017)
================================  ===============================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ValidationError
from .validation import check_positive

Schedule = Callable[[int], float]
LearningRate = float | Schedule

__all__ = [
    "SCHEDULES",
    "Constant",
    "Cyclical",
    "ExponentialDecay",
    "InverseTime",
    "LearningRate",
    "Schedule",
    "StepDecay",
    "as_schedule",
]


def _check_step(step: int) -> int:
    if step < 0:
        raise ValidationError(f"step must be >= 0, got {step}")
    return step


@dataclass(frozen=True)
class Constant:
    """:math:`\\eta(t) = \\eta_0`."""

    learning_rate: float

    def __post_init__(self) -> None:
        check_positive(self.learning_rate, "learning_rate")

    def __call__(self, step: int) -> float:
        _check_step(step)
        return self.learning_rate


@dataclass(frozen=True)
class InverseTime:
    r"""Inverse-time annealing :math:`\eta(t) = \eta_0 / (1 + d\,t)^{p}`.

    With ``decay=1`` and ``power=power_t`` this is scikit-learn's ``invscaling``
    (:math:`\eta_0 / (t+1)^{p}`); with ``power=1`` the classic :math:`\eta_0/(1+dt)`.
    """

    learning_rate: float
    decay: float = 1.0
    power: float = 1.0

    def __post_init__(self) -> None:
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.decay, "decay", allow_zero=True)
        check_positive(self.power, "power", allow_zero=True)

    def __call__(self, step: int) -> float:
        return self.learning_rate / (1.0 + self.decay * _check_step(step)) ** self.power


@dataclass(frozen=True)
class StepDecay:
    r"""Step decay :math:`\eta(t) = \eta_0\,\gamma^{\lfloor t/s \rfloor}` (drop every ``step_size`` updates)."""

    learning_rate: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.step_size, "step_size")
        check_positive(self.gamma, "gamma")

    def __call__(self, step: int) -> float:
        return self.learning_rate * self.gamma ** (_check_step(step) // self.step_size)


@dataclass(frozen=True)
class ExponentialDecay:
    r"""Exponential decay :math:`\eta(t) = \eta_0\,\gamma^{t/s}` (smooth; ``step_size=1`` by default)."""

    learning_rate: float
    gamma: float
    step_size: float = 1.0

    def __post_init__(self) -> None:
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.gamma, "gamma")
        check_positive(self.step_size, "step_size")

    def __call__(self, step: int) -> float:
        return self.learning_rate * self.gamma ** (_check_step(step) / self.step_size)


@dataclass(frozen=True)
class Cyclical:
    r"""Triangular cyclical learning rate (Smith, 2017, "Cyclical Learning Rates").

    The rate climbs linearly from ``base_lr`` to ``max_lr`` over ``step_size`` updates,
    falls back over the next ``step_size``, and repeats:

    .. math::
        c = \lfloor 1 + t/(2s) \rfloor,\quad x = |t/s - 2c + 1|,\quad
        \eta(t) = \eta_{\min} + (\eta_{\max} - \eta_{\min})\max(0, 1 - x)
    """

    base_lr: float
    max_lr: float
    step_size: int

    def __post_init__(self) -> None:
        check_positive(self.base_lr, "base_lr")
        check_positive(self.step_size, "step_size")
        if not self.max_lr >= self.base_lr:
            raise ValidationError(
                f"max_lr must be >= base_lr, got max_lr={self.max_lr!r}, base_lr={self.base_lr!r}"
            )

    @classmethod
    def from_learning_rate(cls, learning_rate: float, step_size: int) -> Cyclical:
        r"""The cycle glassnet uses for a learning rate :math:`\eta`: from :math:`\eta/10` up
        to :math:`\eta` over ``step_size`` updates and back (the estimators' and the command's
        ``cyclic`` rate)."""
        return cls(learning_rate / 10, learning_rate, step_size=step_size)

    def __call__(self, step: int) -> float:
        t = _check_step(step)
        cycle = math.floor(1 + t / (2 * self.step_size))
        x = abs(t / self.step_size - 2 * cycle + 1)
        return self.base_lr + (self.max_lr - self.base_lr) * max(0.0, 1.0 - x)


SCHEDULES: dict[str, type] = {
    "constant": Constant,
    "inverse_time": InverseTime,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "cyclic": Cyclical,
}
"""The schedules by name: the command's ``--schedule`` choices (spelt with hyphens there)."""


def as_schedule(learning_rate: LearningRate) -> Schedule:
    """A float becomes :class:`Constant`; a callable is returned as it is."""
    if callable(learning_rate):
        return learning_rate
    return Constant(check_positive(learning_rate, "learning_rate"))
