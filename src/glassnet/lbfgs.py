r"""L-BFGS: SciPy's quasi-Newton method on the engine's objective and gradient.

The one exception to the single training loop (:mod:`glassnet.training`): SciPy's
``minimize(method="L-BFGS-B")`` owns its iterations and line searches, so this module drives
it instead of a :class:`~glassnet.trainer.Trainer`. What it optimises is the engine's own
objective: each evaluation writes the flat vector :math:`\theta` into the network's
parameters and calls :meth:`Network.gradient <glassnet.network.Network.gradient>` on the
whole training set,

.. math:: J(\theta) = L(f_\theta(X), y) + \text{penalty}, \qquad
          \nabla_\theta J \text{ by backpropagation},

packed as scikit-learn's ``MLPClassifier(solver="lbfgs")`` packs them: every weight matrix
(row-major, in layer order), then every bias. SciPy is imported when :func:`fit_lbfgs` runs,
so ``import glassnet`` still loads NumPy only.

History, progress bars and callbacks are fed from SciPy's per-iteration callback: one
L-BFGS iteration is one "epoch" (``on_update_end`` then ``on_epoch_end`` with the objective
at the new iterate). Ctrl-C (SIGINT) or SIGTERM stops at the next iteration boundary with
that iteration's weights; checkpoints and resuming are not offered (SciPy's L-BFGS memory
cannot be saved).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .backend import to_device, to_numpy
from .callbacks import Callback, Checkpoint, History
from .errors import TrainingDiverged, TrainingInterrupted, ValidationError
from .layers import Dropout
from .losses import Loss
from .network import Network
from .trainer import Trainer
from .training import make_trainer
from .validation import check_number

Array = NDArray[Any]

__all__ = ["LbfgsHistory", "fit_lbfgs", "pack_order"]


@dataclass
class LbfgsHistory(History):
    """:class:`~glassnet.callbacks.History` of an L-BFGS run, with SciPy's verdict.

    Attributes
    ----------
    n_iter : int
        L-BFGS iterations made (``min(nit, max_iter)``, as scikit-learn counts them).
    n_fun : int
        Evaluations of the objective and its gradient.
    converged : bool
        Whether SciPy reports success (``status == 0``): the projected gradient fell below
        ``tol`` or the relative reduction of the objective below SciPy's ``ftol``.
    status : int
        SciPy's status: 0 converged, 1 ``max_iter`` or ``max_fun`` reached, 2 another stop
        (a failed line search, or a callback that stopped the run).
    message : str
        SciPy's message.
    result : scipy.optimize.OptimizeResult or None
        SciPy's result itself (``nit``, ``nfev``, ``status``, ``message``, ``fun``, ``x``).
    """

    n_iter: int = 0
    n_fun: int = 0
    converged: bool = False
    status: int = 0
    message: str = ""
    result: Any = None

    def how_it_ended(self) -> str:
        """``converged after N iterations``, or SciPy's message."""
        if self.converged:
            return f"converged after {self.n_iter} iterations"
        return f"stopped after {self.n_iter} iterations: {self.message}"


def pack_order(network: Network) -> list[str]:
    """The parameter names in the order of the flat vector: the weights layer by layer, then
    the biases (and any other parameter) layer by layer — scikit-learn's ``_pack`` order."""
    names = list(network.parameters())
    return sorted(names, key=lambda name: (not name.endswith(".weight"), names.index(name)))


class _Objective:
    """:math:`\\theta \\mapsto (J(\\theta), \\nabla J(\\theta))` on the network, for SciPy."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        params = trainer.network.parameters()
        self.names = pack_order(trainer.network)
        self.shapes = [params[name].shape for name in self.names]
        self.bounds = np.cumsum([0] + [params[name].size for name in self.names])
        self.n_fun = 0

    def pack(self, arrays: dict[str, Array]) -> Array:
        """The flat float64 vector of ``arrays`` (named as the network names its parameters)."""
        return np.concatenate([to_numpy(arrays[n]).ravel() for n in self.names]).astype(np.float64)

    def unpack(self, theta: Array) -> None:
        """Write ``theta`` into the network's own parameter arrays."""
        params = self.trainer.network.parameters()
        for name, shape, start, end in zip(
            self.names, self.shapes, self.bounds[:-1], self.bounds[1:], strict=True
        ):
            param = params[name]
            param[...] = to_device(theta[start:end].reshape(shape), self.trainer.network.xp)

    def __call__(self, theta: Array) -> tuple[float, Array]:
        self.unpack(theta)
        t = self.trainer
        value = t.network.gradient(
            t.x, t.y, t.loss, training=True, sample_weight=t.sample_weight, validated=True
        )
        self.n_fun += 1
        return value, self.pack(t.network.gradients())


def _check_options(
    network: Network, max_iter: Any, max_fun: Any, tol: Any, callbacks: Sequence[Callback]
) -> None:
    check_number(max_iter, "max_iter", 1, integer=True)
    check_number(max_fun, "max_fun", 1, integer=True)
    check_number(tol, "tol", 0)
    if any(isinstance(cb, Checkpoint) for cb in callbacks):
        raise ValidationError(
            "L-BFGS cannot write checkpoints or resume from one (SciPy keeps its curvature "
            "memory to itself); train without a checkpoint, or with a gradient-descent optimizer"
        )
    if any(isinstance(layer, Dropout) and layer.rate > 0 for layer in network.layers):
        raise ValidationError(
            "L-BFGS needs a deterministic objective: remove the dropout (rate 0) or train "
            "with a gradient-descent optimizer"
        )


def fit_lbfgs(
    network: Network,
    x: ArrayLike,
    y: ArrayLike,
    *,
    loss: str | Loss | None = None,
    max_iter: int = 200,
    max_fun: int = 15000,
    tol: float = 1e-4,
    callbacks: Sequence[Callback] = (),
    sample_weight: ArrayLike | None = None,
    penalty_scaling: str | None = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    metrics: Sequence[str] = (),
    checkpoint: Any = None,
    resume: Any = None,
) -> LbfgsHistory:
    r"""Train ``network`` on ``(x, y)`` in place with SciPy's L-BFGS-B; return the history.

    Parameters
    ----------
    network : Network
        Trained from its current parameters (no dropout: the objective must not be random).
    x, y, loss, sample_weight, penalty_scaling, validation_data, metrics
        As for :func:`glassnet.training.fit`. Every evaluation uses the whole training set.
    max_iter : int, default 200
        L-BFGS iterations at most (SciPy's ``maxiter``; scikit-learn's ``max_iter``).
    max_fun : int, default 15000
        Evaluations of the objective at most (SciPy's ``maxfun``; scikit-learn's
        ``max_fun``). SciPy checks it between iterations, so a run may exceed it slightly.
    tol : float, default 1e-4
        SciPy's ``gtol``: converged when every component of the projected gradient is at most
        ``tol`` (SciPy's ``ftol``, the relative reduction of :math:`J`, keeps its default).
    callbacks : sequence of Callback
        ``on_train_begin``; per iteration ``on_update_end`` and ``on_epoch_end`` with the
        objective at the new iterate (``logs["loss"]``), then ``on_epoch_saved``;
        ``on_train_end``. ``trainer.stop_training = True`` ends the run after the iteration.
    checkpoint, resume
        Not available with L-BFGS: giving either raises :class:`ValidationError`.

    Returns
    -------
    LbfgsHistory
        ``loss`` per iteration, ``n_iter``, ``converged`` and SciPy's ``message``.

    Raises
    ------
    TrainingInterrupted
        After Ctrl-C or SIGTERM, at the end of the current iteration; the network keeps the
        weights of the last completed iteration (its initial ones if none was).
    TrainingDiverged
        When the objective or the parameters become NaN or infinite; the network keeps the
        weights of the last completed iteration.
    """
    if checkpoint is not None or resume is not None:
        raise ValidationError(
            "L-BFGS cannot write checkpoints or resume from one (SciPy keeps its curvature "
            "memory to itself); train without checkpoint/resume, or with a gradient-descent "
            "optimizer"
        )
    _check_options(network, max_iter, max_fun, tol, callbacks)
    trainer = make_trainer(
        network,
        x,
        y,
        loss=loss,
        epochs=int(max_iter),
        batch_size=None,
        callbacks=callbacks,
        sample_weight=sample_weight,
        penalty_scaling=penalty_scaling,
        validation_data=validation_data,
        metrics=metrics,
    )
    trainer.history = LbfgsHistory()
    return _run(trainer, int(max_iter), int(max_fun), float(tol))


def _run(trainer: Trainer, max_iter: int, max_fun: int, tol: float) -> LbfgsHistory:
    from scipy.optimize import minimize

    objective = _Objective(trainer)
    theta0 = objective.pack(trainer.network.parameters())
    last = {"theta": theta0.copy()}  # the weights of the last completed iteration
    history = trainer.history
    assert isinstance(history, LbfgsHistory)

    def iteration_end(intermediate_result: Any) -> None:
        last["theta"] = np.array(intermediate_result.x, dtype=np.float64)
        objective.unpack(last["theta"])
        _end_iteration(trainer, float(intermediate_result.fun))
        if trainer.stop_requested or trainer.stop_training:
            raise StopIteration

    for cb in trainer.callbacks:
        cb.on_train_begin(trainer)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), trainer.signals():
            result = minimize(
                objective,
                theta0,
                method="L-BFGS-B",
                jac=True,
                callback=iteration_end,
                options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
            )
    except KeyboardInterrupt:  # a second Ctrl-C, in the middle of an iteration
        objective.unpack(last["theta"])
        _interrupt(trainer)
    except BaseException:
        objective.unpack(last["theta"])
        _end(trainer)
        raise
    _finish(trainer, objective, result, last["theta"], max_iter)
    return history


def _end_iteration(trainer: Trainer, value: float) -> None:
    """One iteration done: the callbacks and the history, as the loop does after an epoch."""
    history = trainer.history
    epoch = history.epochs
    history.n_updates += 1
    history.batch_loss.append(value)
    for cb in trainer.callbacks:
        cb.on_update_end(trainer, epoch, value)
    trainer.epoch = epoch + 1
    logs = {"loss": value, **trainer.epoch_metrics()}
    for cb in trainer.callbacks:
        cb.on_epoch_end(trainer, epoch, logs)
    history.record(logs)
    for cb in trainer.callbacks:
        cb.on_epoch_saved(trainer, epoch)


def _finish(
    trainer: Trainer, objective: _Objective, result: Any, last: Array, max_iter: int
) -> None:
    """Put SciPy's answer (or the last finite iterate) in the network; fill in the history."""
    history = trainer.history
    assert isinstance(history, LbfgsHistory)
    history.result, history.n_fun = result, objective.n_fun
    history.n_iter = min(int(result.nit), max_iter)
    history.status, history.message = int(result.status), str(result.message)
    history.converged = result.status == 0
    finite = math.isfinite(float(result.fun)) and bool(np.isfinite(result.x).all())
    objective.unpack(np.asarray(result.x, dtype=np.float64) if finite else last)
    if trainer.stop_requested:
        _interrupt(trainer)
    if trainer.stop_training:
        history.stopped_early = True
        history.stop_reason = history.stop_reason or "a callback asked"
    elif not history.converged:
        history.stop_reason = history.message
    _end(trainer)
    if not finite:
        last_loss = history.loss[-1] if history.loss else None
        raise TrainingDiverged(
            f"L-BFGS diverged after {history.n_iter} iterations: the objective or the "
            f"parameters became NaN or infinite ({history.message}); the network keeps the "
            "weights of the last completed iteration. Standardise the inputs (and regression "
            "targets) or raise the L2 penalty.",
            epoch=history.epochs,
            last_finite_loss=last_loss,
        )


def _end(trainer: Trainer) -> None:
    try:
        for cb in trainer.callbacks:
            cb.on_train_end(trainer)
    finally:
        trainer.network.release_workspace()
        trainer.done = True


def _interrupt(trainer: Trainer) -> NoReturn:
    """End the run after Ctrl-C or SIGTERM: the callbacks hear of it; say what was kept."""
    for cb in trainer.callbacks:
        cb.on_interrupt(trainer)
    _end(trainer)
    raise TrainingInterrupted(
        f"L-BFGS interrupted after {trainer.history.epochs} iterations; the network keeps the "
        "weights of the last completed iteration (an L-BFGS run cannot be resumed)",
        checkpoint=None,
    )
