r"""Recording a training run for its animation: copies of the parameters, nothing drawn.

Drawing a frame takes far longer than a small network's update, so nothing is drawn while
the network trains. :class:`TrainingRecorder`, a callback, copies the parameters after
updates spaced evenly on a log scale — every update up to about 20, then one in each 5 %
step of the update count: 1, 2, 3, …, 24, 26, 27, 28, 29, 31, 32, 34, … The length of the run
need not be known (a stopping rule may end it): when more than ``keep`` copies pile up,
every other one is dropped and the spacing doubles, so memory stays bounded. After
training, :meth:`TrainingRecorder.frames` picks the frames to draw
(:func:`glassnet.plot.render_training` draws them).

Log spacing shows what a learner wants to see: the boundary moves most in the first
updates, and an evenly spaced film of 20 000 updates would start with it already formed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..callbacks import Callback
from ..errors import ValidationError
from ..network import Network
from ..trainer import Trainer

Array = NDArray[Any]

__all__ = ["Snapshot", "TrainingRecorder"]


@dataclass
class Snapshot:
    """The parameters after ``update`` updates (1 = after the first), made in epoch ``epoch``
    (1 = the first). ``final`` marks the weights training ended with, which early stopping
    may have put back from an earlier epoch (``restored``)."""

    update: int
    epoch: int
    parameters: dict[str, Array]
    final: bool = False
    restored: bool = False


class TrainingRecorder(Callback):
    """Copies the network's parameters after log-spaced updates; draws nothing.

    Give it to a :func:`glassnet.fit` (``callbacks=[recorder]``); the training result is
    exactly that of the same run without it. It records one run: a second starts afresh.
    See the module's docstring for the spacing.

    Parameters
    ----------
    keep : int, default 200
        At most this many copies are kept; beyond it, every other one is dropped.
    ratio : float, default 1.05
        The spacing: one copy per factor ``ratio`` of the update count (doubled, in log
        terms, at each thinning).

    Attributes
    ----------
    snapshots : list of Snapshot
        The copies, in update order.
    n_updates, epochs : int
        The run's updates and epochs, known when it has ended.
    best_epoch : int or None
        Early stopping's best epoch (0-based, as in :class:`~glassnet.History`).
    """

    def __init__(self, keep: int = 200, ratio: float = 1.05) -> None:
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 2:
            raise ValidationError(f"keep must be an integer of at least 2, got {keep!r}")
        if not ratio > 1:
            raise ValidationError(f"ratio must be greater than 1, got {ratio!r}")
        self.keep, self.ratio = keep, ratio
        self._log_ratio = math.log(ratio)
        self.snapshots: list[Snapshot] = []
        self.n_updates = self.epochs = 0
        self.best_epoch: int | None = None
        self._next = 1
        self._network: Network | None = None
        self._data: tuple[Array, Array, Any, Array | None] | None = None
        self._last: dict[str, Array] | None = None

    # -- while training: cheap copies only -------------------------------------------------
    def on_train_begin(self, trainer: Trainer) -> None:
        self.snapshots, self._next, self._log_ratio = [], 1, math.log(self.ratio)
        self._network = trainer.network
        self._data = (trainer.x, trainer.y, trainer.loss, trainer.sample_weight)

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        made = update + 1
        if made < self._next:
            return
        self.snapshots.append(Snapshot(made, trainer.epoch + 1, _copy(trainer.network)))
        if len(self.snapshots) > self.keep:
            self._thin()
        self._next = self._after(made)

    def on_train_end(self, trainer: Trainer) -> None:
        history = trainer.history
        self.n_updates, self.epochs, self.best_epoch = (
            history.n_updates,
            history.epochs,
            history.best_epoch,
        )
        self._last = _copy(trainer.network)  # before early stopping puts its best weights back

    def _bucket(self, update: int) -> int:
        return int(math.log(update) / self._log_ratio)

    def _after(self, update: int) -> int:
        """The first update past ``update``'s step of the log scale."""
        return max(update + 1, math.ceil(math.exp((self._bucket(update) + 1) * self._log_ratio)))

    def _thin(self) -> None:
        """Double the spacing: keep the first copy in each of the wider steps."""
        self._log_ratio *= 2
        kept: list[Snapshot] = []
        for snap in self.snapshots:
            if not kept or self._bucket(snap.update) > self._bucket(kept[-1].update):
                kept.append(snap)
        self.snapshots = kept

    # -- after training --------------------------------------------------------------------
    def frames(self, network: Network, count: int = 40) -> list[Snapshot]:
        """At most ``count`` snapshots, log-spaced in the update count, ending on the final
        weights (``network``'s parameters now, which early stopping may have restored).

        The first is the first update's; each later one is the recorded update nearest (on
        the log scale) to ``geomspace(1, n_updates, count)``.
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 2:
            raise ValidationError(f"count must be an integer of at least 2, got {count!r}")
        if self._data is None:
            raise ValidationError("the recorder has not seen a training run")
        now = network.parameters()
        restored = self._last is not None and any(
            not bool((now[name] == value).all()) for name, value in self._last.items()
        )
        final = Snapshot(self.n_updates, self.epochs, now, final=True, restored=restored)
        recorded = [s for s in self.snapshots if s.update < self.n_updates]
        if not recorded:
            return [final]
        where = np.log([s.update for s in recorded])
        targets = np.log(np.geomspace(1, max(self.n_updates, 1), count)[:-1])
        picked = sorted({int(np.argmin(np.abs(where - t))) for t in targets})
        return [*(recorded[i] for i in picked), final]

    def moment(self, snap: Snapshot) -> str:
        """When ``snap`` was taken, in words: ``"update 12 of 400, epoch 6"``."""
        epochs = f", epoch {snap.epoch}" if self.n_updates != self.epochs else ""
        if not snap.final:
            return f"update {snap.update} of {self.n_updates}{epochs}"
        if snap.restored and self.best_epoch is not None:
            return f"final weights: epoch {self.best_epoch + 1}'s, restored by early stopping"
        return f"final weights, update {snap.update} of {self.n_updates}{epochs}"

    def objective(self) -> float:
        """The training objective at the network's parameters now, on the rows it trained on
        (the loss, plus the penalty when there is one)."""
        if self._data is None or self._network is None:
            raise ValidationError("the recorder has not seen a training run")
        x, y, loss, weights = self._data
        return self._network.objective(x, y, loss, weights)

    def objective_name(self) -> str:
        """The objective in words: ``"mean cross-entropy per row + L2 penalty"``."""
        if self._data is None or self._network is None:
            raise ValidationError("the recorder has not seen a training run")
        net, words = self._network, self._data[2].describe()
        penalties = [name for name, value in (("L2", net.l2), ("L1", net.l1)) if value]
        return words + "".join(f" + {name} penalty" for name in penalties)


def _copy(network: Network) -> dict[str, Array]:
    return {name: param.copy() for name, param in network.parameters().items()}
