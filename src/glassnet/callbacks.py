r"""The training run's record and its hooks: :class:`History` and the callbacks.

A :class:`Callback` sees the run begin and end, every update and every epoch; it may stop
the run (``trainer.stop_training = True``) or change the optimizer's learning rate between
epochs. The engine prints nothing by itself: output comes only from callbacks the caller
asks for. glassnet ships:

- :class:`PrintLoss`: the tutorials' ``Loss after iteration i: …`` lines;
- :class:`EarlyStopping`: stop a stalled run and put its best weights back;
- :class:`Checkpoint`: write checkpoints, so that an interrupted run can be resumed;
- :class:`EpochScores`: add numbers of your own (a validation score, say) to each epoch's logs;
- scikit-learn's rules for its MLP, usable on any run: :class:`PlateauStopping` (``tol`` and
  ``n_iter_no_change`` on the training loss or a validation score, optionally lowering the
  learning rate instead — scikit-learn's ``"adaptive"`` rate) and :class:`InverseScalingRate`
  (its ``"invscaling"`` rate).

A callback that has state a resumed run needs (early stopping's best loss and patience
count, say) returns it from :meth:`Callback.state` and takes it back in
:meth:`Callback.set_state`; checkpoints save and restore it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from numpy.typing import NDArray

from .io.checkpoint import save_checkpoint
from .schedules import as_schedule
from .validation import check_positive

if TYPE_CHECKING:
    from .network import Network
    from .optimizers import Optimizer
    from .trainer import Trainer

Array = NDArray[Any]

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "EpochScores",
    "History",
    "InverseScalingRate",
    "PlateauStopping",
    "PrintLoss",
    "set_learning_rate",
]


@dataclass
class History:
    """What happened during training.

    Attributes
    ----------
    loss : list of float
        Per epoch: the size-weighted mean of the objective (loss + penalty) over the epoch's
        batches, each measured at the weights *before* its update. For full batch that is the
        objective at the start of the epoch.
    val_loss : list of float
        Per epoch, the loss (no penalty) on the validation data after the epoch; empty without
        validation data.
    metrics : dict of str to list of float
        ``"accuracy"`` and ``"val_accuracy"`` per epoch when asked for, and whatever else the
        callbacks put into the epoch's logs (:class:`EpochScores`).
    batch_loss : list of float
        The objective of every batch, before its update (one per update).
    epochs : int
        Epochs run. ``n_updates`` : int, optimizer steps made.
    best_epoch : int or None
        The epoch with the best monitored loss when early stopping was on.
    stopped_early : bool
        Whether a stopping rule ended training before ``epochs``.
    stop_reason : str or None
        What the stopping rule said when it ended the run, such as ``"no improvement of the
        validation loss for 10 epochs; best epoch 12, its weights restored"``; the progress
        output ends with it.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    batch_loss: list[float] = field(default_factory=list)
    epochs: int = 0
    n_updates: int = 0
    best_epoch: int | None = None
    stopped_early: bool = False
    stop_reason: str | None = None

    def record(self, logs: dict[str, float]) -> None:
        """Append one epoch's logs."""
        self.epochs += 1
        self.loss.append(logs["loss"])
        if "val_loss" in logs:
            self.val_loss.append(logs["val_loss"])
        for key, value in logs.items():
            if key not in ("loss", "val_loss"):
                self.metrics.setdefault(key, []).append(value)


class Callback:
    """Hooks into the loop. Set ``trainer.stop_training = True`` to stop after this epoch."""

    def on_train_begin(self, trainer: Trainer) -> None:
        """Called once before the first update (of a fresh or a resumed run)."""

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        """Called after each optimizer step; ``update`` counts from 0."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Called after each epoch with that epoch's numbers (``loss``, ``val_loss``, …),
        which it may add to; later callbacks and the history see the additions."""

    def on_epoch_saved(self, trainer: Trainer, epoch: int) -> None:
        """Called after every callback's ``on_epoch_end`` and the history's record of the
        epoch, when the run's state is complete (checkpoints are written here)."""

    def on_interrupt(self, trainer: Trainer) -> None:
        """Called when Ctrl-C or SIGTERM stops the run between two updates."""

    def on_train_end(self, trainer: Trainer) -> None:
        """Called once when training ends, however it ends."""

    def state(self) -> tuple[dict[str, Any], dict[str, Array]] | None:
        """What a resumed run needs of this callback: JSON-ready values and arrays (or None)."""
        return None

    def set_state(self, values: dict[str, Any], arrays: dict[str, Array]) -> None:
        """Take back what :meth:`state` returned (from a checkpoint)."""


def set_learning_rate(optimizer: Optimizer, value: float) -> None:
    """Give ``optimizer`` the constant learning rate ``value`` from its next update on."""
    optimizer.learning_rate = value
    optimizer.schedule = as_schedule(value)


def _copy_parameters(network: Network) -> dict[str, Array]:
    return {name: param.copy() for name, param in network.parameters().items()}


def _put_parameters(network: Network, values: dict[str, Array]) -> None:
    for name, param in network.parameters().items():
        param[...] = values[name]


class Checkpoint(Callback):
    """Checkpoint the run: ``fit(..., callbacks=[Checkpoint("run.ckpt", every=5)])``.

    Writes a checkpoint (:mod:`glassnet.io.checkpoint`) every ``every`` epochs, and when
    Ctrl-C or SIGTERM interrupts training; go on with ``fit(..., resume=path)``. The same as
    ``fit(..., checkpoint=path, checkpoint_every=every)``.
    """

    def __init__(self, path: str | Path, every: int = 1) -> None:
        self.path = path
        self.every = int(check_positive(every, "every"))

    def on_epoch_saved(self, trainer: Trainer, epoch: int) -> None:
        if (epoch + 1) % self.every == 0:
            save_checkpoint(trainer, self.path)

    def on_interrupt(self, trainer: Trainer) -> None:
        save_checkpoint(trainer, self.path)


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
        if (trainer.epoch, trainer.batch) == (0, 0):  # a fresh run; a resumed one keeps its own
            self.best, self.wait, self.best_params = math.inf, 0, None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = logs.get("val_loss", logs["loss"])
        if value < self.best - self.min_delta:
            self.best, self.wait = value, 0
            trainer.history.best_epoch = epoch
            if self.restore_best:
                self.best_params = _copy_parameters(trainer.network)
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop_training = True
                trainer.history.stopped_early = True
                best = trainer.history.best_epoch
                restored = (
                    ", its weights restored" if self.restore_best and best is not None else ""
                )
                where = "" if best is None else f"; best epoch {best + 1}{restored}"
                watched = "validation loss" if "val_loss" in logs else "training loss"
                by = f" by more than {self.min_delta:g}" if self.min_delta else ""
                trainer.history.stop_reason = (
                    f"no improvement of the {watched}{by} for {self.patience} epochs{where}"
                )

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best and self.best_params is not None:
            _put_parameters(trainer.network, self.best_params)

    def state(self) -> tuple[dict[str, Any], dict[str, Array]]:
        return {"best": self.best, "wait": self.wait}, dict(self.best_params or {})

    def set_state(self, values: dict[str, Any], arrays: dict[str, Array]) -> None:
        self.best, self.wait = float(values["best"]), int(values["wait"])
        self.best_params = dict(arrays) or None


class EpochScores(Callback):
    """Add numbers of your own to every epoch's logs: ``logs.update(score(network))``.

    ``score`` maps the network, after the epoch's last update, to a dict of floats, such as
    ``{"val_score": accuracy on held-out rows}``; callbacks after this one (a
    :class:`PlateauStopping` that monitors it, a progress bar) and the history see them.
    """

    def __init__(self, score: Callable[[Network], dict[str, float]]) -> None:
        self.score = score

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        logs.update(self.score(trainer.network))


class PlateauStopping(Callback):
    r"""scikit-learn's stopping rule: stop when the monitored number stalls for a while.

    After each epoch the monitored value :math:`v` (``logs[monitor]``) is compared with the
    best so far, :math:`b`. With ``mode="min"`` (a loss) the epoch counts as *no improvement*
    when :math:`v > b - \mathrm{tol}`; with ``mode="max"`` (a score) when
    :math:`v < b + \mathrm{tol}`. Any better value becomes the new best, even by less than
    ``tol``. An epoch that improves by more than ``tol`` resets the count to 0; once the count
    exceeds ``n_iter_no_change`` the run stops — or, with ``reduce_learning_rate``, the
    learning rate is divided by 5 and the count starts again, until the rate is 1e-6 or below
    (scikit-learn's ``learning_rate="adaptive"``). This is what ``MLPClassifier`` does with ``tol`` and
    ``n_iter_no_change``, on the training loss or, with ``early_stopping``, on the validation
    score (its ``_update_no_improvement_count`` and ``trigger_stopping``).

    Parameters
    ----------
    monitor : str, default "loss"
        The key of the epoch's logs to watch (``"val_score"`` from an :class:`EpochScores`).
    mode : {"min", "max"}
    tol : float, default 1e-4
    n_iter_no_change : int or float, default 10
        ``math.inf`` never stops (but still tracks the best value).
    reduce_learning_rate : bool, default False
    restore_best : bool, default False
        Keep a copy of the parameters at each new best and put them back when training ends.
    best, count, best_params : optional
        Where a previous run left off (the estimators' ``warm_start`` and ``partial_fit``).
    file : text stream, optional
        Where to say why the rule acts, in scikit-learn's words (``verbose``); silent if None.
    """

    def __init__(
        self,
        monitor: str = "loss",
        mode: str = "min",
        tol: float = 1e-4,
        n_iter_no_change: float = 10,
        *,
        reduce_learning_rate: bool = False,
        restore_best: bool = False,
        best: float | None = None,
        count: int = 0,
        best_params: dict[str, Array] | None = None,
        file: TextIO | None = None,
    ) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.mode = monitor, mode
        self.tol = check_positive(tol, "tol", allow_zero=True)
        self.n_iter_no_change = n_iter_no_change
        self.reduce_learning_rate, self.restore_best = reduce_learning_rate, restore_best
        self.best = (math.inf if mode == "min" else -math.inf) if best is None else best
        self.count = count
        self.file = file
        self.best_params = best_params

    def _say(self, line: str) -> None:
        if self.file is not None:
            print(line, file=self.file, flush=True)

    def _observe(self, value: float, trainer: Trainer) -> None:
        sign = 1.0 if self.mode == "min" else -1.0  # compare as losses: lower is better
        stalled = sign * value > sign * self.best - self.tol
        self.count = self.count + 1 if stalled else 0
        if sign * value < sign * self.best:
            self.best = value
            if self.restore_best:
                self.best_params = _copy_parameters(trainer.network)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self._observe(float(logs[self.monitor]), trainer)
        if self.count <= self.n_iter_no_change:
            return
        what = "Training loss" if self.monitor == "loss" else "Validation score"
        message = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        rate = trainer.optimizer.current_learning_rate()
        if self.reduce_learning_rate and rate > 1e-6:
            set_learning_rate(trainer.optimizer, rate / 5.0)
            self.count = 0
            self._say(message + f" Setting learning rate to {rate / 5.0:f}")
            return
        too_small = " Learning rate too small." if self.reduce_learning_rate else ""
        self._say(message + too_small + " Stopping.")
        trainer.stop_training = True
        trainer.history.stopped_early = True
        restored = "; the best weights restored" if self.best_params is not None else ""
        trainer.history.stop_reason = (
            f"{self.monitor} did not improve by more than tol={self.tol:g} "
            f"for {self.n_iter_no_change} epochs{restored}"
        )

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best and self.best_params is not None:
            _put_parameters(trainer.network, self.best_params)


class InverseScalingRate(Callback):
    r"""scikit-learn's ``learning_rate="invscaling"``: after each epoch,
    :math:`\eta = \eta_0 / (t + 1)^{p}`, with :math:`t` the number of training rows seen.

    ``samples_seen`` starts the count where a previous run left it (``partial_fit``).
    """

    def __init__(self, initial: float, power_t: float = 0.5, samples_seen: int = 0) -> None:
        self.initial = check_positive(initial, "initial")
        self.power_t = check_positive(power_t, "power_t", allow_zero=True)
        self.samples_seen = samples_seen

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.samples_seen += trainer.x.shape[0]
        rate = self.initial / (self.samples_seen + 1) ** self.power_t
        set_learning_rate(trainer.optimizer, rate)
