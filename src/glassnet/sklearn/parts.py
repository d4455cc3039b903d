"""The estimators' own callback: scikit-learn's bookkeeping of an MLP's epochs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from ..callbacks import Callback
from ..trainer import Trainer

if TYPE_CHECKING:
    from .base import GlassEstimatorBase


class EpochRecord(Callback):
    r"""Keeps an estimator's ``loss_curve_``, ``n_iter_``, ``t_`` and validation scores.

    scikit-learn reports the epoch's loss as the row-weighted mean over its batches of
    :math:`c\,L_b + P_b`: the batch's data loss :math:`L_b` times the estimator's factor
    :math:`c` (:math:`1/n_\text{outputs}` for the squared error of a regressor, else 1) plus
    the batch's penalty :math:`P_b`, all at the weights before the update. The engine's batch
    objective is :math:`L_b + P_b`; with :math:`c \ne 1` the penalty is taken apart from it,
    measured on the weights the next update starts from.

    ``validate`` (with early stopping) returns the validation loss and score after an epoch;
    they go into the epoch's logs as ``val_loss`` and ``val_score``, where a
    :class:`~glassnet.callbacks.PlateauStopping` reads them. With ``verbose`` it prints
    scikit-learn's lines (``Iteration 3, loss = 0.41234567``).
    """

    def __init__(
        self,
        estimator: GlassEstimatorBase,
        scale: float,
        validate: Callable[[], tuple[float, float]] | None,
        verbose: bool,
    ) -> None:
        self.estimator, self.scale, self.validate = estimator, scale, validate
        self.verbose = verbose
        self._sum = self._rows = 0.0
        self._penalty = 0.0  # the unscaled penalty of the current weights (when scale != 1)

    def _say(self, line: str) -> None:
        if self.verbose:
            print(line, file=sys.stdout, flush=True)

    def on_train_begin(self, trainer: Trainer) -> None:
        if self.scale != 1.0:
            self._penalty = trainer.network.penalty()

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        rows, weight = trainer.last_batch
        reported = batch_loss
        if self.scale != 1.0:  # batch_loss = L_b + P_b; scikit-learn reports c·L_b + P_b
            penalty = self._penalty * trainer.network.penalty_factor(weight)
            reported = self.scale * (batch_loss - penalty) + penalty
            self._penalty = trainer.network.penalty()
        self._sum += rows * reported
        self._rows += rows

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        est = self.estimator
        logs["loss"] = est.loss_ = self._sum / self._rows
        self._sum = self._rows = 0.0
        est.n_iter_ += 1
        est.t_ += trainer.x.shape[0]
        est.loss_curve_.append(est.loss_)
        self._say(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        if self.validate is not None:
            logs["val_loss"], logs["val_score"] = self.validate()
            cast(list, est.validation_scores_).append(logs["val_score"])
            cast(list, est.validation_loss_curve_).append(logs["val_loss"])
            self._say(f"Validation score: {logs['val_score']:f}")


class IterationLines(Callback):
    """Prints ``Iteration 3, loss = 0.41234567`` after each L-BFGS iteration (``verbose=2``)."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        print(f"Iteration {epoch + 1}, loss = {logs['loss']:.8f}", file=sys.stdout, flush=True)
