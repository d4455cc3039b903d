"""Callbacks: hooks into the training loop, and the ones glassnet ships.

A :class:`Callback` sees the run begin and end, every update and every epoch; it may ask
the loop to stop (``trainer.stop_training = True``). :class:`PrintLoss` prints the
tutorials' ``Loss after iteration i: …`` lines, :class:`EarlyStopping` stops a stalled run
and restores its best weights, :class:`Checkpoint` makes the run resumable. The engine
prints nothing by itself: output comes only from callbacks the caller asks for.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from numpy.typing import NDArray

from .validation import check_positive

if TYPE_CHECKING:
    from .training import Trainer

Array = NDArray[Any]

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "PrintLoss"]


class Callback:
    """Hooks into the loop. Set ``trainer.stop_training = True`` to stop after this epoch."""

    def on_train_begin(self, trainer: Trainer) -> None:
        """Called once before the first epoch."""

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        """Called after each optimizer step; ``update`` counts from 0."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Called after each epoch with that epoch's numbers (``loss``, ``val_loss``, …)."""

    def on_train_end(self, trainer: Trainer) -> None:
        """Called once when training ends, however it ends."""


class Checkpoint(Callback):
    """Checkpoint the run: ``fit(..., callbacks=[Checkpoint("run.ckpt", every=5)])``.

    The same as ``fit(..., checkpoint=path, checkpoint_every=every)``: a checkpoint
    (:mod:`glassnet.io.checkpoint`) every ``every`` epochs and when Ctrl-C or SIGTERM
    interrupts training; go on with ``fit(..., resume=path)``.
    """

    def __init__(self, path: str | Path, every: int = 1) -> None:
        self.path = path
        self.every = int(check_positive(every, "every"))

    def on_train_begin(self, trainer: Trainer) -> None:
        trainer.checkpoint, trainer.checkpoint_every = self.path, self.every


class PrintLoss(Callback):
    """Print ``Loss after iteration {i}: {loss:.6f}`` every ``every`` updates, as the tutorials do.

    The loss is the objective on the whole training set at the weights *after* update ``i``
    (the WildML tutorial's ``calculate_loss``), divided by the number of examples when the
    loss sums over them, so it is always a per-example figure.
    """

    def __init__(self, every: int = 1000, file: TextIO | None = None) -> None:
        self.every = int(check_positive(every, "every"))
        self.file = file

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        if update % self.every:
            return
        value = trainer.network.objective(trainer.x, trainer.y, trainer.loss)
        if trainer.loss.reduction == "sum":
            value /= trainer.x.shape[0]
        print(f"Loss after iteration {update}: {value:.6f}", file=self.file or sys.stdout)


class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved by ``min_delta`` for ``patience`` epochs.

    The monitored loss is ``val_loss`` when there is validation data, else ``loss``. With
    ``restore_best`` the parameters of the best epoch are put back at the end.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True):
        self.patience = int(check_positive(patience, "patience"))
        self.min_delta = check_positive(min_delta, "min_delta", allow_zero=True)
        self.restore_best = restore_best
        self.best = math.inf
        self.wait = 0
        self.best_params: dict[str, Array] | None = None

    def on_train_begin(self, trainer: Trainer) -> None:
        if trainer.position[:2] == (0, 0):  # a fresh run; a resumed one keeps the checkpoint's
            self.best, self.wait, self.best_params = math.inf, 0, None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = logs.get("val_loss", logs["loss"])
        if value < self.best - self.min_delta:
            self.best, self.wait = value, 0
            trainer.history.best_epoch = epoch
            if self.restore_best:
                self.best_params = {k: v.copy() for k, v in trainer.network.parameters().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop_training = True
                trainer.history.stopped_early = True

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best and self.best_params is not None:
            for name, param in trainer.network.parameters().items():
                param[...] = self.best_params[name]
