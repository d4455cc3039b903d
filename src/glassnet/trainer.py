r"""The :class:`Trainer`: the state of one training run and its loop of updates.

One *update* is one optimizer step on one batch:

.. math::

    J_b = L(f(X_b), y_b) + \text{penalty}, \qquad
    \nabla_\theta J_b \text{ by backpropagation}, \qquad
    \theta \leftarrow \text{optimizer}(\theta, \nabla_\theta J_b)

An epoch is a pass over the training rows in batches; after each, the callbacks see its
logs. :func:`glassnet.training.make_trainer` builds a trainer from checked arguments and
:func:`glassnet.training.fit` runs one to the end.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .backend import namespace_of, to_device, to_numpy
from .callbacks import Callback, Checkpoint, History
from .errors import TrainingDiverged, TrainingInterrupted
from .gradcheck import numerical_gradient_into
from .losses import Loss
from .metrics import accuracy
from .network import Network
from .optimizers import Optimizer

Array = NDArray[Any]

_ALL = slice(None)  # the batch that is the whole training set

__all__ = ["Trainer"]


class Trainer:
    """The state of one training run: :func:`make_trainer` builds one, :func:`fit` runs one.

    :meth:`run` trains to the end; :meth:`step` makes a given number of updates and can be
    called again to go on, with the same results as one uninterrupted run. The position
    between two updates — ``epoch`` (epochs done), ``batch`` (batches done in the current
    epoch) and ``order`` (that epoch's shuffled rows) — is what a checkpoint records.

    Attributes
    ----------
    network, x, y, loss, optimizer
        What is trained on what (``x``, ``y`` on the network's device).
    history : History
    last_batch : tuple of (int, float)
        The row count and weight sum of the batch of the last update.
    stop_training : bool
        Set by a callback to end the run after the current epoch.
    done : bool
        Whether the run has ended (all epochs, a stopping rule, an error or an interruption).
    """

    def __init__(
        self,
        network: Network,
        x: Array,
        y: Array,
        loss: Loss,
        optimizer: Optimizer,
        *,
        epochs: int,
        batch_size: int | None,
        shuffle: bool,
        rng: np.random.RandomState | np.random.Generator,
        validation: tuple[Array, Array] | None,
        callbacks: Sequence[Callback],
        metrics: Sequence[str],
        gradient: str,
        numerical_eps: float,
        sample_weight: Array | None = None,
    ) -> None:
        self.network, self.x, self.y, self.loss, self.optimizer = network, x, y, loss, optimizer
        self.epochs, self.batch_size, self.shuffle, self.rng = epochs, batch_size, shuffle, rng
        self.validation, self.callbacks, self.metrics = validation, list(callbacks), list(metrics)
        self.gradient, self.numerical_eps = gradient, numerical_eps
        self.sample_weight = sample_weight
        self.history = History()
        self.stop_training = self.stop_requested = self.done = False
        self.epoch, self.batch = 0, 0
        self.order: Array | None = None
        self.epoch_total = 0.0  # the current epoch's size-weighted sum of batch losses
        self.last_finite: float | None = None
        self.last_batch: tuple[int, float] = (0, 0.0)
        self._batches: list[Any] = []
        self._started = self._ended = False
        self._params, self._grads = network.parameters(), network.gradients()
        #: the parameters before the last update (a second set of arrays, swapped each update)
        self._kept: dict[str, Array] | None = None

    # -- running ---------------------------------------------------------------------------
    def run(self) -> History:
        """Train until the last epoch or a stopping rule; returns the history."""
        return self.step(math.inf)

    def step(self, updates: float = 1) -> History:
        """Make up to ``updates`` more updates (fewer when the run ends); returns the history.

        Ctrl-C (SIGINT) or SIGTERM during the call stops after the current update (see
        :func:`fit`). Overflow and NaN are how divergence shows: it is reported once, as
        :class:`~glassnet.errors.TrainingDiverged`, rather than as RuntimeWarnings.
        """
        made = 0
        try:
            with np.errstate(over="ignore", invalid="ignore"), self.signals():
                if not self._started:
                    self._begin()
                while made < updates and not self.done:
                    self._next_update()
                    made += 1
                    if self.stop_requested and not self.done:
                        self._interrupt()
                if self.done:
                    self._check_finite()
        except BaseException:
            self._end()
            raise
        if self.done:
            self._end()
        return self.history

    def _begin(self) -> None:
        self._started = True
        self.done = self.epoch >= self.epochs  # a resumed run may have nothing left to do
        for cb in self.callbacks:
            cb.on_train_begin(self)

    def _end(self) -> None:
        """Finish the run (once): the callbacks' ``on_train_end`` and the workspace freed."""
        if not self._started or self._ended:
            return
        self._ended = self.done = True
        try:
            for cb in self.callbacks:
                cb.on_train_end(self)
        finally:
            self.network.release_workspace()
            self._kept = None  # the second set of parameters is needed no more

    # -- one update ------------------------------------------------------------------------
    def _next_update(self) -> None:
        """The next batch's update, and the epoch's end when it was the epoch's last batch."""
        if self.batch == 0:
            self._batches, self.order = self._split_batches(None)
        index = self._batches[self.batch]
        if index is _ALL:  # the whole set: no copy, no new view
            xb, yb, wb = self.x, self.y, self.sample_weight
        else:
            xb, yb = self.x[index], self.y[index]
            wb = None if self.sample_weight is None else self.sample_weight[index]
        self.last_batch = (xb.shape[0], xb.shape[0] if wb is None else float(wb.sum()))
        value = self._update(xb, yb, wb)
        self.epoch_total += value * self.last_batch[1]
        self.batch += 1
        if self.batch == len(self._batches):
            # one batch: its objective itself (value·n/n can differ from value in the last bit)
            self._end_epoch(value if len(self._batches) == 1 else None)

    def _compute_gradient(self, xb: Array, yb: Array, wb: Array | None) -> float:
        if self.gradient == "numerical":
            return numerical_gradient_into(
                self.network, xb, yb, self.loss, self.numerical_eps, sample_weight=wb
            )
        return self.network.gradient(
            xb, yb, self.loss, training=True, sample_weight=wb, validated=True
        )

    def _update(self, xb: Array, yb: Array, wb: Array | None) -> float:
        # A non-finite gradient or step shows up as a non-finite loss at the next update
        # (or in the check of the parameters when training ends). The optimizer writes the
        # new parameters into a second set of arrays, which then take the place of the old
        # ones in the network; the old ones, whose loss was just found finite, are kept, so
        # that divergence puts them back instead of leaving NaNs in the network. Nothing is
        # copied.
        value = self._compute_gradient(xb, yb, wb)
        if not math.isfinite(value):
            self._restore_last_finite()
            raise self._diverged(f"the loss became {value}")
        self.last_finite = value
        if self._kept is None:
            self._kept = {name: param.copy() for name, param in self._params.items()}
        self.optimizer.step(self._params, self._grads, out=self._kept)
        self._swap_parameters()
        update = self.history.n_updates
        self.history.n_updates += 1
        self.history.batch_loss.append(value)
        for cb in self.callbacks:
            cb.on_update_end(self, update, value)
        return value

    def _split_batches(self, order: Array | None) -> tuple[list[Any], Array | None]:
        """The epoch's batches, and the order of rows they follow when shuffled.

        ``order`` replays an epoch interrupted half way (from a checkpoint).
        """
        n = self.x.shape[0]
        if self.batch_size is None or (self.batch_size >= n and not self.shuffle):
            return [_ALL], None
        size = min(self.batch_size, n)
        if not self.shuffle:  # in order: views of consecutive rows, nothing copied
            return [slice(i, i + size) for i in range(0, n, size)], None
        if order is None:  # one copy to the device per epoch
            order = to_device(self.rng.permutation(n), namespace_of(self.x))
        return [order[i : i + size] for i in range(0, n, size)], order

    def resume_at(self, epoch: int, batch: int, order: Array | None, epoch_total: float) -> None:
        """Put the run between two updates: ``batch`` batches of epoch ``epoch`` done."""
        self.epoch, self.batch, self.epoch_total = epoch, batch, epoch_total
        self.order = order
        if batch:
            self._batches, self.order = self._split_batches(order)

    # -- one epoch's end -------------------------------------------------------------------
    def _end_epoch(self, single_batch_loss: float | None) -> None:
        n = self.x.shape[0] if self.sample_weight is None else float(self.sample_weight.sum())
        loss = self.epoch_total / n if single_batch_loss is None else single_batch_loss
        logs = {"loss": loss, **self.epoch_metrics()}
        epoch = self.epoch
        self.epoch, self.batch, self.order, self.epoch_total = epoch + 1, 0, None, 0.0
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, logs)
        self.history.record(logs)
        for cb in self.callbacks:  # the epoch's state is complete: checkpoints are taken here
            cb.on_epoch_saved(self, epoch)
        if self.stop_training or self.epoch >= self.epochs:
            self.done = True

    def epoch_metrics(self) -> dict[str, float]:
        """Validation loss and accuracies after the epoch, as asked for."""
        logs: dict[str, float] = {}
        if self.validation is not None:  # X on the network's device, y on the host
            xv, yv = self.validation
            logs["val_loss"] = self.loss.forward(to_numpy(self.network.raw_output(xv)), yv)
        if "accuracy" in self.metrics:
            logs["accuracy"] = accuracy(to_numpy(self.y), self.network.predict(self.x))
            if self.validation is not None:
                logs["val_accuracy"] = accuracy(self.validation[1], self.network.predict(xv))
        return logs

    # -- what goes wrong -------------------------------------------------------------------
    def _swap_parameters(self) -> None:
        """The kept set of parameters becomes the network's, and the network's is kept."""
        assert self._kept is not None  # an update was made
        self._params, self._kept = self._kept, self._params
        self.network.bind_parameters(self._params)

    def _restore_last_finite(self) -> None:
        """Put back the parameters of the last finite loss (if any update was made)."""
        if self.last_finite is not None and self._kept is not None:
            self._swap_parameters()

    def _diverged(self, what: str) -> TrainingDiverged:
        kept = (
            "the network keeps its initial parameters"
            if self.last_finite is None
            else f"the network keeps the parameters of the last finite loss, {self.last_finite:.6g}"
        )
        return TrainingDiverged(
            f"training diverged in epoch {self.epoch}: {what}; {kept}. "
            "Try a smaller learning rate or standardised inputs.",
            epoch=self.epoch,
            last_finite_loss=self.last_finite,
        )

    def _check_finite(self) -> None:
        if not all(bool(np.isfinite(p).all()) for p in self._params.values()):
            self._restore_last_finite()
            self.epoch -= 1  # reported as the last epoch run
            raise self._diverged("a parameter became NaN or infinite")

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """While training, Ctrl-C (SIGINT) or SIGTERM asks to stop after the current update.

        A second signal before that stops at once (KeyboardInterrupt). Only the main thread
        can install handlers; elsewhere the signals keep their usual effect.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def ask(signum: int, frame: Any) -> None:
            if self.stop_requested:
                raise KeyboardInterrupt
            self.stop_requested = True

        previous = {s: signal.signal(s, ask) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _interrupt(self) -> None:
        """Stop between two updates: the callbacks save what they keep; say how to resume."""
        where = f"epoch {self.epoch + 1}" + (f", batch {self.batch}" if self.batch else "")
        for cb in self.callbacks:
            cb.on_interrupt(self)
        saved = [cb.path for cb in self.callbacks if isinstance(cb, Checkpoint)]
        if saved:
            raise TrainingInterrupted(
                f"training interrupted after {where}; checkpoint written to {saved[-1]}: "
                "resume with the same arguments and resume=<that path> "
                "(glassnet train … --resume PATH)",
                checkpoint=str(saved[-1]),
            )
        raise TrainingInterrupted(
            f"training interrupted after {where}; the network keeps its state "
            "(give a checkpoint path to be able to resume)",
            checkpoint=None,
        )
