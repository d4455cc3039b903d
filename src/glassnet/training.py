r"""The training loop: epochs, (mini-)batches, shuffling, validation, callbacks, stopping.

:func:`fit` trains a :class:`~glassnet.network.Network` in place and returns a
:class:`History`. One *update* is one optimizer step on one batch; with
``batch_size=None`` (full batch, the tutorials' choice) an epoch is one update.

The engine prints nothing by itself: output comes from callbacks the caller asks for,
such as :class:`PrintLoss`, which prints the tutorials' ``Loss after iteration i: …``.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import (
    RandomStateLike,
    all_finite,
    check_array,
    check_positive,
    check_random_state,
)
from .activations import Sigmoid, Softmax
from .backend import namespace_of, to_device, to_numpy
from .callbacks import Callback, Checkpoint, EarlyStopping, PrintLoss
from .checkpoint import load_checkpoint, save_checkpoint
from .errors import TrainingDiverged, TrainingInterrupted, ValidationError
from .losses import BinaryCrossEntropy, Loss, MeanSquaredError, SoftmaxCrossEntropy, get_loss
from .metrics import accuracy
from .network import Network
from .optimizers import Optimizer, get_optimizer

Array = NDArray[Any]

_ALL = slice(None)  # the batch that is the whole training set

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "PrintLoss",
    "Trainer",
    "default_loss",
    "fit",
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
        ``"accuracy"`` and ``"val_accuracy"`` per epoch when asked for.
    batch_loss : list of float
        The objective of every batch, before its update (one per update).
    epochs : int
        Epochs run. ``n_updates`` : int, optimizer steps made.
    best_epoch : int or None
        The epoch with the best monitored loss when early stopping was on.
    stopped_early : bool
        Whether a stopping rule ended training before ``epochs``.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    batch_loss: list[float] = field(default_factory=list)
    epochs: int = 0
    n_updates: int = 0
    best_epoch: int | None = None
    stopped_early: bool = False


def default_loss(network: Network) -> Loss:
    """The loss that pairs with the network's output: softmax → cross-entropy, sigmoid → BCE,
    anything else → mean squared error."""
    if isinstance(network.output, Softmax):
        return SoftmaxCrossEntropy()
    if isinstance(network.output, Sigmoid):
        return BinaryCrossEntropy()
    return MeanSquaredError()


def _prepare_target(y: ArrayLike, n: int, loss: Loss, dtype: np.dtype[Any]) -> Array:
    arr = np.asarray(y)
    if arr.ndim not in (1, 2):
        raise ValidationError(f"y must be 1-D or 2-D, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValidationError(f"X has {n} rows but y has {arr.shape[0]}; they must match")
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise ValidationError(
            f"y must be numeric (class indices or values), got dtype {arr.dtype}; "
            "encode string labels first"
        )
    if not all_finite(arr):
        raise ValidationError("y contains NaN or infinite values")
    if isinstance(loss, SoftmaxCrossEntropy) and arr.ndim == 1:
        return arr
    return arr.astype(dtype, copy=False)


class Trainer:
    """The state of one training run; :func:`fit` builds and runs one."""

    def __init__(
        self,
        network: Network,
        x: Array,
        y: Array,
        loss: Loss,
        optimizer: Optimizer,
        *,
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
        self.batch_size, self.shuffle, self.rng = batch_size, shuffle, rng
        self.validation, self.callbacks, self.metrics = validation, list(callbacks), list(metrics)
        self.gradient, self.numerical_eps = gradient, numerical_eps
        self.sample_weight = sample_weight
        self._params, self._grads = network.parameters(), network.gradients()
        self._kept = {name: param.copy() for name, param in self._params.items()}
        self.history = History()
        self.stop_training = False
        self.stop_requested = False
        #: (epochs done, batches done in the current epoch, its row order, its loss so far)
        self.position: tuple[int, int, Array | None, float] = (0, 0, None, 0.0)
        self.checkpoint: str | Path | None = None
        self.checkpoint_every = 1
        self._last_finite: float | None = None

    # -- one update -----------------------------------------------------------------------
    def _compute_gradient(self, xb: Array, yb: Array, wb: Array | None) -> float:
        if self.gradient == "numerical":
            from .gradcheck import numerical_gradient_into

            return numerical_gradient_into(
                self.network, xb, yb, self.loss, self.numerical_eps, sample_weight=wb
            )
        return self.network.gradient(
            xb, yb, self.loss, training=True, sample_weight=wb, validated=True
        )

    def _restore_last_finite(self) -> None:
        """Put back the parameters of the last finite loss (if any update was made)."""
        if self._last_finite is not None:
            for name, param in self._params.items():
                np.copyto(param, self._kept[name])

    def _diverged(self, epoch: int, what: str) -> TrainingDiverged:
        kept = (
            "the network keeps its initial parameters"
            if self._last_finite is None
            else f"the network keeps the parameters of the last finite loss, {self._last_finite:.6g}"
        )
        return TrainingDiverged(
            f"training diverged in epoch {epoch}: {what}; {kept}. "
            "Try a smaller learning rate or standardised inputs.",
            epoch=epoch,
            last_finite_loss=self._last_finite,
        )

    def _update(self, xb: Array, yb: Array, wb: Array | None, epoch: int) -> float:
        # A non-finite gradient or step shows up as a non-finite loss at the next update
        # (or in the check of the parameters when training ends): see run(). Before each
        # step the parameters, whose loss was just found finite, are copied aside, so that
        # divergence puts them back instead of leaving NaNs in the network.
        value = self._compute_gradient(xb, yb, wb)
        if not math.isfinite(value):
            self._restore_last_finite()
            raise self._diverged(epoch, f"the loss became {value}")
        self._last_finite = value
        for name, param in self._params.items():
            np.copyto(self._kept[name], param)
        self.optimizer.step(self._params, self._grads)
        update = self.history.n_updates
        self.history.n_updates += 1
        self.history.batch_loss.append(value)
        for cb in self.callbacks:
            cb.on_update_end(self, update, value)
        return value

    def _batches(self, order: Array | None = None) -> tuple[list[Any], Array | None]:
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

    def run_epoch(self, epoch: int) -> dict[str, float]:
        """Run one epoch (or the rest of one, after a checkpoint) and return its logs."""
        n = self.x.shape[0]
        start_epoch, start, saved_order, total = self.position
        if start_epoch != epoch or start == 0:
            start, saved_order, total = 0, None, 0.0
        batches, order = self._batches(saved_order)
        w = self.sample_weight
        for b in range(start, len(batches)):
            index = batches[b]
            if index is _ALL:  # the whole set: no copy, no new view
                xb, yb, wb = self.x, self.y, w
            else:
                xb, yb = self.x[index], self.y[index]
                wb = None if w is None else w[index]
            size = xb.shape[0] if wb is None else float(wb.sum())
            total += self._update(xb, yb, wb, epoch) * size
            self.position = (epoch, b + 1, order, total)
            if self.stop_requested and b + 1 < len(batches):
                self._interrupt()
        self.position = (epoch + 1, 0, None, 0.0)
        logs = {"loss": total / (n if w is None else float(w.sum()))}
        if self.validation is not None:  # X on the network's device, y on the host
            xv, yv = self.validation
            logs["val_loss"] = self.loss.forward(to_numpy(self.network.raw_output(xv)), yv)
        if "accuracy" in self.metrics:
            logs["accuracy"] = accuracy(to_numpy(self.y), self.network.predict(self.x))
            if self.validation is not None:
                logs["val_accuracy"] = accuracy(self.validation[1], self.network.predict(xv))
        return logs

    def run(self, epochs: int) -> History:
        """Run up to ``epochs`` epochs with the callbacks; returns the history."""
        for cb in self.callbacks:
            cb.on_train_begin(self)
        # Overflow and NaN are how divergence shows: it is reported once, as
        # TrainingDiverged, rather than as RuntimeWarnings (errors under warning filters).
        try:
            with np.errstate(over="ignore", invalid="ignore"), self._signals():
                for epoch in range(self.position[0], epochs):
                    logs = self.run_epoch(epoch)
                    self.record(logs)
                    for cb in self.callbacks:
                        cb.on_epoch_end(self, epoch, logs)
                    if self.checkpoint is not None and (epoch + 1) % self.checkpoint_every == 0:
                        save_checkpoint(self, self.checkpoint)
                    if self.stop_requested and epoch + 1 < epochs and not self.stop_training:
                        self._interrupt()  # a run that is over anyway just ends
                    if self.stop_training:
                        break
                if not all(np.isfinite(p).all() for p in self._params.values()):
                    self._restore_last_finite()
                    raise self._diverged(
                        self.history.epochs - 1, "a parameter became NaN or infinite"
                    )
        finally:
            for cb in self.callbacks:
                cb.on_train_end(self)
            self.network.release_workspace()
        return self.history

    @contextlib.contextmanager
    def _signals(self) -> Iterator[None]:
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
        """Stop between two updates: write the checkpoint (if any) and say how to resume."""
        epoch, batch = self.position[0], self.position[1]
        where = f"epoch {epoch + 1}" + (f", batch {batch}" if batch else "")
        if self.checkpoint is not None:
            save_checkpoint(self, self.checkpoint)
            raise TrainingInterrupted(
                f"training interrupted after {where}; checkpoint written to {self.checkpoint}: "
                "resume with the same arguments and resume=<that path> "
                "(glassnet train … --resume PATH)",
                checkpoint=str(self.checkpoint),
            )
        raise TrainingInterrupted(
            f"training interrupted after {where}; the network keeps its state "
            "(give a checkpoint path to be able to resume)",
            checkpoint=None,
        )

    def record(self, logs: dict[str, float]) -> None:
        h = self.history
        h.epochs += 1
        h.loss.append(logs["loss"])
        if "val_loss" in logs:
            h.val_loss.append(logs["val_loss"])
        for key, value in logs.items():
            if key not in ("loss", "val_loss"):
                h.metrics.setdefault(key, []).append(value)


def _split_validation(
    n: int, fraction: float, rng: np.random.RandomState | np.random.Generator
) -> tuple[Array, Array]:
    """Row indices (train, validation) for a random split."""
    if not 0 < fraction < 1:
        raise ValidationError(f"validation_fraction must be in (0, 1), got {fraction!r}")
    n_val = round(n * fraction)
    if n_val < 1 or n_val >= n:
        raise ValidationError(
            f"validation_fraction={fraction} leaves {n_val} of {n} rows for validation; "
            "it needs at least one row on each side"
        )
    order = rng.permutation(n)
    return order[n_val:], order[:n_val]


def fit(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    *,
    loss: str | Loss | None = None,
    optimizer: str | Optimizer = "gd",
    learning_rate: float = 0.01,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    random_state: RandomStateLike = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    validation_fraction: float | None = None,
    early_stopping: bool = False,
    patience: int = 10,
    min_delta: float = 0.0,
    restore_best: bool = True,
    callbacks: Sequence[Callback] = (),
    metrics: Sequence[str] = (),
    gradient: str = "backprop",
    numerical_eps: float = 1e-6,
    sample_weight: ArrayLike | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: str | Path | None = None,
) -> History:
    r"""Train ``network`` on ``(x, y)`` in place and return its :class:`History`.

    Parameters
    ----------
    network : Network
    x : array of shape (n_samples, n_features)
        Cast to the network's dtype (float32 networks train in float32). It is checked where
        it is, then copied once to the network's device (see :meth:`Network.to`), with ``y``,
        ``sample_weight`` and the validation rows; the targets are checked on the host.
    y : array
        Class indices ``(n,)`` or one-hot rows for softmax cross-entropy; 0/1 for binary
        cross-entropy; values ``(n,)`` or ``(n, n_outputs)`` for regression losses.
    loss : str or Loss, optional
        Defaults to the loss that pairs with ``network.output`` (:func:`default_loss`).
    optimizer : str or Optimizer, default "gd"
        A name builds one with ``learning_rate``; an instance is used as it is (and keeps its
        state across calls, so ``fit`` can be called again to continue).
    epochs : int
        Passes over the data. With ``batch_size=None`` each is one full-batch update.
    batch_size : int or None
        ``None`` is full batch; 1 is stochastic gradient descent.
    shuffle : bool
        Reshuffle the rows each epoch (mini-batches only).
    random_state : int, RandomState, Generator or None
        Shuffling and the validation split draw from it.
    validation_data, validation_fraction
        Held-out data, given or split off at random; gives ``val_loss``.
    early_stopping, patience, min_delta, restore_best
        Stop when the monitored loss stalls (see :class:`EarlyStopping`).
    callbacks : sequence of Callback
    metrics : sequence of str
        ``("accuracy",)`` records training (and validation) accuracy each epoch.
    gradient : {"backprop", "numerical"}
        ``"numerical"`` replaces backpropagation by central differences — slow, for teaching
        (the ml4a tutorial trains this way).
    numerical_eps : float
        The step of the numerical gradient.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights of the rows in the loss (see :meth:`Loss.forward`); integer
        weights act as repeated rows. The validation loss is unweighted.
    checkpoint : path, optional
        Write a checkpoint (:mod:`glassnet.checkpoint`) here every ``checkpoint_every``
        epochs, and when training is interrupted.
    resume : path, optional
        Go on from this checkpoint. With the same network (as built, before training), data
        and arguments — ``epochs`` counting the whole run — the run ends with exactly the
        weights of a run that was never interrupted.

    Ctrl-C (SIGINT) or SIGTERM stops training after the current update: the network keeps
    its state, the checkpoint is written (when a path was given) and
    :class:`~glassnet.errors.TrainingInterrupted` (a ``KeyboardInterrupt``) says how to resume.

    Raises
    ------
    TrainingDiverged
        When the loss, a gradient or a parameter becomes NaN or infinite.
    TrainingInterrupted
        After Ctrl-C or SIGTERM, between two updates.
    """
    if not isinstance(network, Network):
        raise ValidationError(f"network must be a glassnet Network, got {type(network).__name__}")
    xs = check_array(x, "X").astype(network.dtype, copy=False)
    if xs.shape[1] != network.n_features:
        raise ValidationError(
            f"X has {xs.shape[1]} features but the network expects {network.n_features}"
        )
    loss_fn = default_loss(network) if loss is None else get_loss(loss)
    ys = loss_fn.check_target(_prepare_target(to_numpy(y), xs.shape[0], loss_fn, network.dtype),
                              network.n_outputs, network.dtype)  # fmt: skip
    weights = None
    if sample_weight is not None:
        weights = loss_fn._check_weights(to_numpy(sample_weight), xs.shape[0], network.dtype)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValidationError(f"epochs must be a positive integer, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValidationError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if gradient not in ("backprop", "numerical"):
        raise ValidationError(f"gradient must be 'backprop' or 'numerical', got {gradient!r}")
    if gradient == "numerical" and network.device != "cpu":
        raise ValidationError(
            "gradient='numerical' perturbs one weight at a time on the CPU; "
            "train this network there: network.to('cpu')"
        )
    unknown = set(metrics) - {"accuracy"}
    if unknown:
        raise ValidationError(f"unknown metrics {sorted(unknown)}; available: ['accuracy']")
    opt = get_optimizer(optimizer, learning_rate=learning_rate)
    rng = check_random_state(random_state)

    validation = None
    if validation_data is not None and validation_fraction is not None:
        raise ValidationError("give validation_data or validation_fraction, not both")
    if validation_fraction is not None:
        train, val = _split_validation(xs.shape[0], validation_fraction, rng)
        validation = (xs[val], ys[val])
        xs, ys = xs[train], ys[train]
        weights = None if weights is None else weights[train]
    elif validation_data is not None:
        xv = network._check_input(validation_data[0])
        yv = to_numpy(validation_data[1])
        validation = (xv, _prepare_target(yv, xv.shape[0], loss_fn, network.dtype))
    xp = network.xp  # the data go to the network's device once, checked
    xs, ys = to_device(xs, xp), to_device(ys, xp)
    weights = None if weights is None else to_device(weights, xp)
    if validation is not None:  # its targets stay on the host, where its loss is taken
        validation = (to_device(validation[0], xp), validation[1])

    all_callbacks = list(callbacks)
    if early_stopping:
        all_callbacks.append(EarlyStopping(patience, min_delta, restore_best))
    trainer = Trainer(
        network, xs, ys, loss_fn, opt,
        batch_size=batch_size, shuffle=shuffle, rng=rng, validation=validation,
        callbacks=all_callbacks, metrics=metrics, gradient=gradient,
        numerical_eps=check_positive(numerical_eps, "numerical_eps"), sample_weight=weights,
    )  # fmt: skip
    trainer.checkpoint = checkpoint
    trainer.checkpoint_every = int(check_positive(checkpoint_every, "checkpoint_every"))
    if resume is not None:
        load_checkpoint(trainer, resume)
    return trainer.run(int(epochs))
