"""Pieces of the estimators' training loop: the scaled objective and the callback relay."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..losses import Loss
from ..network import Network
from ..training import Callback, Trainer

Array = NDArray[Any]


class _Objective(Loss):
    r"""scikit-learn's batch objective: a loss plus the penalties scaled by :math:`1/s_b`.

    Wraps ``loss``; before each batch it sets ``network.l2 = alpha / s_b`` and
    ``network.l1 = l1 / s_b`` (see the module notes). A batch whose weights are all zero
    carries no data: its loss and gradient are zero, and so are its penalties.
    """

    def __init__(self, loss: Loss, network: Network, alpha: float, l1: float) -> None:
        super().__init__(loss.reduction)
        self.loss, self.network, self.alpha, self.l1 = loss, network, alpha, l1
        self.output_activation = loss.output_activation
        self.last: tuple[int, float] = (0, 0.0)  # rows and data loss of the last batch
        self._empty: Array | None = None

    def check_target(self, target: Array, n_outputs: int, dtype: Any) -> Array:
        return self.loss.check_target(target, n_outputs, dtype)

    def forward(
        self,
        output: Array,
        target: Array,
        sample_weight: Array | None = None,
        *,
        validated: bool = False,
    ) -> float:
        rows = output.shape[0]
        total = float(rows) if sample_weight is None else float(np.sum(sample_weight))
        if total > 0:
            self.network.l2, self.network.l1 = self.alpha / total, self.l1 / total
            self._empty = None
            value = self.loss.forward(output, target, sample_weight, validated=validated)
        else:
            self.network.l2 = self.network.l1 = 0.0
            self._empty, value = np.zeros_like(output), 0.0
        self.last = (rows, value)
        return value

    def backward(self) -> Array:
        return self.loss.backward() if self._empty is None else self._empty.copy()


class _Relay(Callback):
    """The estimator's link into the engine's loop, one ``fit`` call per epoch.

    It sums the batch losses the way scikit-learn does (weighted by the batch's row count),
    runs the validation, puts both into the epoch's logs, and passes the hooks on to the
    user's callbacks as if the epochs were one run: ``on_train_begin`` once, epochs and
    updates numbered across calls. The estimator calls :meth:`end` when training ends.
    """

    def __init__(
        self, objective: _Objective, callbacks: Sequence[Callback], scale: float, validate: Any
    ) -> None:
        self.objective, self.callbacks = objective, list(callbacks)
        self.scale, self.validate = scale, validate
        self.trainer: Trainer | None = None
        self.epoch = self.updates = 0
        self.logs: dict[str, float] = {}
        self._started = False
        self._sum = self._rows = 0.0

    def on_train_begin(self, trainer: Trainer) -> None:
        self.trainer, self._sum, self._rows = trainer, 0.0, 0.0
        if not self._started:
            self._started = True
            for cb in self.callbacks:
                cb.on_train_begin(trainer)

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        rows, data = self.objective.last
        # batch_loss = data + penalty; scikit-learn reports data * scale + penalty
        self._sum += rows * (batch_loss + data * (self.scale - 1.0))
        self._rows += rows
        for cb in self.callbacks:
            cb.on_update_end(trainer, self.updates, batch_loss)
        self.updates += 1

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        logs["loss"] = self._sum / self._rows
        if self.validate is not None:
            logs["val_loss"], logs["val_score"] = self.validate()
        self.logs = dict(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(trainer, self.epoch, logs)

    def end(self) -> None:
        if self._started and self.trainer is not None:
            for cb in self.callbacks:
                cb.on_train_end(self.trainer)


def _check_number(value: Any, name: str, low: float, high: float = math.inf, *,
                  low_open: bool = False, integer: bool = False) -> None:  # fmt: skip
    """Check that ``value`` is a number (an integer) in ``[low, high)``, or ``(low, high)``."""
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if not (ok and (value > low if low_open else value >= low) and value < high):
        span = f"{'(' if low_open else '['}{low}, {high})"
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what} in {span}, got {value!r}")


def _check_choice(value: Any, name: str, choices: Sequence[str]) -> None:
    if not (isinstance(value, str) and value in choices):
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
