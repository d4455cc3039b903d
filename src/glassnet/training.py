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

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .backend import to_device, to_numpy
from .callbacks import Callback, Checkpoint, EarlyStopping, History, PrintLoss
from .errors import ValidationError
from .io.checkpoint import load_checkpoint
from .losses import Loss, default_loss, get_loss, prepare_target
from .network import Network
from .optimizers import Optimizer, get_optimizer
from .trainer import Trainer
from .validation import (
    RandomStateLike,
    check_array,
    check_positive,
    check_random_state,
    check_sample_weight,
)

Array = NDArray[Any]

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
    network.check_sparse_input(xs)
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
