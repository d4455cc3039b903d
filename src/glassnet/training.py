r"""The training loop: epochs, (mini-)batches, shuffling, validation, callbacks, stopping.

This is glassnet's only training loop: :func:`fit`, :meth:`Network.fit
<glassnet.network.Network.fit>`, the scikit-learn estimators, the ``glassnet`` command and
the playground all run a :class:`Trainer`. One *update* is one optimizer step on one batch;
with ``batch_size=None`` (full batch, the tutorials' choice) an epoch is one update.

:func:`fit` runs a whole training at once. :func:`make_trainer` takes the same arguments and
returns the :class:`Trainer` without running it, to be stepped a few updates at a time
(:meth:`Trainer.step`, as the playground does each frame, or a notebook cell) with exactly
the results of one uninterrupted run.

Each update:

.. math::

    J_b = L(f(X_b), y_b) + \text{penalty}, \qquad
    \nabla_\theta J_b \text{ by backpropagation}, \qquad
    \theta \leftarrow \text{optimizer}(\theta, \nabla_\theta J_b)

The engine prints nothing by itself: output comes from callbacks the caller asks for
(:mod:`glassnet.callbacks`), such as :class:`~glassnet.callbacks.PrintLoss`, which prints
the tutorials' ``Loss after iteration i: …``.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .backend import namespace_of, to_device, to_numpy
from .callbacks import Callback, Checkpoint, EarlyStopping, History, PrintLoss
from .errors import TrainingDiverged, TrainingInterrupted, ValidationError
from .gradcheck import numerical_gradient_into
from .io.checkpoint import load_checkpoint
from .losses import Loss, default_loss, get_loss, prepare_target
from .metrics import accuracy
from .network import Network
from .optimizers import Optimizer, get_optimizer
from .validation import (
    RandomStateLike,
    check_array,
    check_positive,
    check_random_state,
    check_sample_weight,
)

Array = NDArray[Any]

_ALL = slice(None)  # the batch that is the whole training set

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "PrintLoss",
    "Trainer",
    "fit",
    "make_trainer",
    "resolve_batch_size",
]


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
            with np.errstate(over="ignore", invalid="ignore"), self._signals():
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
        logs = {"loss": loss, **self._epoch_metrics()}
        epoch = self.epoch
        self.epoch, self.batch, self.order, self.epoch_total = epoch + 1, 0, None, 0.0
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, logs)
        self.history.record(logs)
        for cb in self.callbacks:  # the epoch's state is complete: checkpoints are taken here
            cb.on_epoch_saved(self, epoch)
        if self.stop_training or self.epoch >= self.epochs:
            self.done = True

    def _epoch_metrics(self) -> dict[str, float]:
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


def _split_validation(
    x: Array, y: Array, weights: Array | None, fraction: float, rng: Any
) -> tuple[Array, Array, Array | None, tuple[Array, Array]]:
    """Split ``fraction`` of the rows off at random: training rows, and validation rows."""
    n = x.shape[0]
    if not 0 < fraction < 1:
        raise ValidationError(f"validation_fraction must be in (0, 1), got {fraction!r}")
    n_val = round(n * fraction)
    if n_val < 1 or n_val >= n:
        raise ValidationError(
            f"validation_fraction={fraction} leaves {n_val} of {n} rows for validation; "
            "it needs at least one row on each side"
        )
    order = rng.permutation(n)
    train, val = order[n_val:], order[:n_val]
    return x[train], y[train], None if weights is None else weights[train], (x[val], y[val])


def _validation_data(
    network: Network, data: tuple[ArrayLike, ArrayLike] | None, loss: Loss
) -> tuple[Array, Array] | None:
    """Given validation rows checked: X for the network, y on the host."""
    if data is None:
        return None
    xv = network.check_input(data[0])
    return xv, prepare_target(to_numpy(data[1]), xv.shape[0], loss, network.dtype)


AUTO_BATCH_SIZE = 200


def resolve_batch_size(batch_size: int | str | None, n: int) -> int | None:
    """The rows per update for ``n`` training rows: ``None`` is the full batch, ``"auto"`` is
    ``min(200, n)`` (scikit-learn's rule, which the estimators and the command follow too)."""
    if batch_size == "auto":
        return min(AUTO_BATCH_SIZE, n)
    if batch_size is not None and (
        isinstance(batch_size, (bool, str))
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValidationError(
            f"batch_size must be a positive integer, 'auto' or None, got {batch_size!r}"
        )
    return None if batch_size is None else int(batch_size)


def _check_settings(network: Network, epochs: Any, gradient: str, metrics: Sequence[str]) -> None:
    if not isinstance(network, Network):
        raise ValidationError(f"network must be a glassnet Network, got {type(network).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValidationError(f"epochs must be a positive integer, got {epochs!r}")
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


def _training_data(
    network: Network, x: ArrayLike, y: ArrayLike, loss: Loss, sample_weight: ArrayLike | None
) -> tuple[Array, Array, Array | None]:
    """``x``, ``y`` and the weights checked, on the host, in the network's dtype."""
    xs = check_array(x, "X").astype(network.dtype, copy=False)
    if xs.shape[1] != network.n_features:
        raise ValidationError(
            f"X has {xs.shape[1]} features but the network expects {network.n_features}"
        )
    target = prepare_target(to_numpy(y), xs.shape[0], loss, network.dtype)
    ys = loss.check_target(target, network.n_outputs, network.dtype)
    weights = None
    if sample_weight is not None:
        weights = check_sample_weight(to_numpy(sample_weight), xs.shape[0], network.dtype)
    return xs, ys, weights


def make_trainer(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    *,
    loss: str | Loss | None = None,
    optimizer: str | Optimizer = "gd",
    learning_rate: float = 0.01,
    epochs: int = 100,
    batch_size: int | str | None = None,
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
    penalty_scaling: str | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: str | Path | None = None,
) -> Trainer:
    """The :class:`Trainer` that :func:`fit` would run, with the same arguments, not yet run.

    ``trainer.step(k)`` makes ``k`` updates at a time; ``trainer.run()`` goes to the end.
    """
    _check_settings(network, epochs, gradient, metrics)
    loss_fn = default_loss(network.output) if loss is None else get_loss(loss)
    xs, ys, weights = _training_data(network, x, y, loss_fn, sample_weight)
    if penalty_scaling is not None:
        network.penalty_scaling = network.check_penalty_scaling(penalty_scaling)
    opt = get_optimizer(optimizer, learning_rate=learning_rate)
    rng = check_random_state(random_state)
    if validation_data is not None and validation_fraction is not None:
        raise ValidationError("give validation_data or validation_fraction, not both")
    validation: tuple[Array, Array] | None
    if validation_fraction is not None:
        xs, ys, weights, validation = _split_validation(xs, ys, weights, validation_fraction, rng)
    else:
        validation = _validation_data(network, validation_data, loss_fn)
    all_callbacks = list(callbacks)
    if early_stopping:
        all_callbacks.append(EarlyStopping(patience, min_delta, restore_best))
    if checkpoint is not None:
        all_callbacks.append(Checkpoint(checkpoint, checkpoint_every))
    xp = network.xp  # the data go to the network's device once, checked
    trainer = Trainer(
        network,
        to_device(xs, xp),
        to_device(ys, xp),
        loss_fn,
        opt,
        epochs=int(epochs),
        batch_size=resolve_batch_size(batch_size, xs.shape[0]),
        shuffle=shuffle,
        rng=rng,
        validation=None if validation is None else (to_device(validation[0], xp), validation[1]),
        callbacks=all_callbacks,
        metrics=metrics,
        gradient=gradient,
        numerical_eps=check_positive(numerical_eps, "numerical_eps"),
        sample_weight=None if weights is None else to_device(weights, xp),
    )
    if resume is not None:
        load_checkpoint(trainer, resume)
    return trainer


def fit(network: Network, x: ArrayLike, y: ArrayLike, **options: Any) -> History:
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
        Defaults to the loss that pairs with ``network.output``
        (:func:`~glassnet.losses.default_loss`).
    optimizer : str or Optimizer, default "gd"
        A name builds one with ``learning_rate``; an instance is used as it is (and keeps its
        state across calls, so ``fit`` can be called again to continue).
    learning_rate : float, default 0.01
    epochs : int, default 100
        Passes over the data. With ``batch_size=None`` each is one full-batch update.
    batch_size : int, "auto" or None
        ``None`` is full batch; 1 is stochastic gradient descent; ``"auto"`` is
        ``min(200, n)`` (:func:`resolve_batch_size`).
    shuffle : bool, default True
        Reshuffle the rows each epoch (mini-batches only).
    random_state : int, RandomState, Generator or None
        Shuffling and the validation split draw from it.
    validation_data, validation_fraction
        Held-out data, given or split off at random; gives ``val_loss``.
    early_stopping, patience, min_delta, restore_best
        Stop when the monitored loss stalls (see :class:`~glassnet.callbacks.EarlyStopping`).
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
    penalty_scaling : {"none", "batch_weight"}, optional
        How the network's L2/L1 penalty is scaled on each batch; sets
        ``network.penalty_scaling``, which a saved model keeps (see :class:`Network`). With
        ``"batch_weight"`` the penalty is divided by the batch's weight sum (its row count
        without ``sample_weight``), so that it penalises the *summed* loss, as
        scikit-learn's ``alpha`` does. ``None`` keeps the network's setting.
    checkpoint : path, optional
        Write a checkpoint (:mod:`glassnet.io.checkpoint`) here every ``checkpoint_every``
        epochs, and when training is interrupted (a :class:`~glassnet.callbacks.Checkpoint`).
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
    return make_trainer(network, x, y, **options).run()
