"""One browser tab's training run: its data, network, trainer, and the changes made on the way.

A :class:`Session` builds what :class:`~glassnet.playground.settings.Settings` describe with
the engine's public API — :func:`~glassnet.mlp`, a loss and an optimizer from their
registries, :func:`~glassnet.make_trainer` — and steps the engine's own trainer a few updates
at a time (:meth:`~glassnet.Trainer.step`), which gives exactly the results of one
uninterrupted run. The settings a run may change under way (:data:`LIVE`: learning rate,
L1, L2, batch size) are applied between two updates and recorded with the update count, so
that an export replays them in the same order at the same points.
"""

from __future__ import annotations

import io as stdio
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..activations import get_activation
from ..callbacks import Callback, PrintLoss, set_learning_rate
from ..data import Dataset
from ..errors import TrainingDiverged, ValidationError
from ..losses import LOSSES, Loss, SumSquaredError
from ..network import Network, mlp
from ..optimizers import Optimizer, get_optimizer
from ..schedules import Cyclical, ExponentialDecay, InverseTime, Schedule, StepDecay
from ..trainer import Trainer
from ..training import make_trainer
from .problem import Problem, make_problem
from .settings import DATA_FIELDS, DISPLAY_FIELDS, LIVE_FIELDS, Settings

Array = NDArray[Any]

__all__ = ["EPOCH_LIMIT", "LIVE", "Change", "Session", "build_network", "make_loss"]

EPOCH_LIMIT = 10**9
"""The trainer's epoch count: a playground run goes on until the page stops it."""

#: the fused pairs: these losses take the raw output and apply the output function themselves
_FUSED = {"softmax": "softmax_cross_entropy", "sigmoid": "binary_cross_entropy"}


@dataclass(frozen=True)
class Live:
    """How a setting changes a run under way: what is done, and the same as Python code."""

    apply: Callable[[Trainer, Any], None]
    code: str
    """The Python statement, with ``{value}``; ``trainer`` and ``network`` are in scope."""


def _set_batch_size(trainer: Trainer, value: Any) -> None:
    trainer.batch_size = None if value == "full" else int(value)


def _set_penalty(name: str) -> Callable[[Trainer, Any], None]:
    def apply(trainer: Trainer, value: Any) -> None:
        setattr(trainer.network, name, float(value))

    return apply


LIVE: dict[str, Live] = {
    "learning_rate": Live(
        lambda trainer, value: set_learning_rate(trainer.optimizer, float(value)),
        "glassnet.callbacks.set_learning_rate(trainer.optimizer, {value})",
    ),
    "l1": Live(_set_penalty("l1"), "network.l1 = {value}"),
    "l2": Live(_set_penalty("l2"), "network.l2 = {value}"),
    "batch_size": Live(_set_batch_size, "trainer.batch_size = {value}"),
}
"""The settings changed under way (the batch size from the next epoch on); the same names as
:data:`~glassnet.playground.settings.LIVE_FIELDS`."""


@dataclass(frozen=True)
class Change:
    """A live setting changed after ``update`` updates."""

    update: int
    name: str
    value: Any


# -- building a run ----------------------------------------------------------------------------
def resolve_output(settings: Settings, problem: Problem) -> str:
    """The output function: ``settings.output``, or what the task needs."""
    classification = problem.task == "classification"
    output = settings.output
    if output == "auto":
        return "softmax" if classification else "identity"
    if classification and output == "identity":
        raise ValidationError("a classifier's output is softmax or sigmoid, not identity")
    if not classification and output != "identity":
        raise ValidationError(f"a regression network's output is identity, not {output}")
    if output == "sigmoid" and len(problem.classes or []) != 2:
        raise ValidationError(
            f"a sigmoid output is for two classes; this data has {len(problem.classes or [])}"
        )
    return output


def loss_name(settings: Settings, output: str) -> str:
    """The loss's registry name: ``settings.loss``, or the one that pairs with the output."""
    if settings.loss == "auto":
        return _FUSED.get(output, "mean_squared_error")
    if output == "softmax" and settings.loss != _FUSED["softmax"]:
        raise ValidationError("a softmax output trains with softmax_cross_entropy")
    if output == "sigmoid" and settings.loss in ("softmax_cross_entropy",):
        raise ValidationError("a sigmoid output trains with binary_cross_entropy or an error")
    if output == "identity" and settings.loss in _FUSED.values():
        raise ValidationError(f"{settings.loss} needs a softmax or sigmoid output")
    return settings.loss


def make_loss(settings: Settings, output: str) -> Loss:
    """A fresh loss object of the run's kind, reduction and scale."""
    name = loss_name(settings, output)
    reduction = None if settings.reduction == "auto" else settings.reduction
    kind = LOSSES[name]
    if kind is SumSquaredError:
        return SumSquaredError(scale=settings.loss_scale, reduction=reduction)
    return kind(reduction=reduction)


def build_network(settings: Settings, problem: Problem, output: str) -> Network:
    """The run's network, its weights drawn from ``settings.seed``.

    A fused output (softmax with cross-entropy, sigmoid with binary cross-entropy) stays
    outside the training graph; a sigmoid trained on squared errors (the toy tutorial) is the
    network's last layer.
    """
    n_out = len(problem.classes or []) if output == "softmax" else 1
    if problem.task == "regression":
        n_out = 1
    fused = _FUSED.get(output) == loss_name(settings, output) or output == "identity"
    network = mlp(
        [problem.n_inputs, *settings.hidden, n_out],
        activation=settings.activation,
        output=output if fused else "identity",
        init=settings.init,
        bias=settings.bias,
        dropout=settings.dropout,
        l2=settings.l2,
        l1=settings.l1,
        random_state=settings.seed,
    )
    if fused:
        return network
    return Network([*network.layers, get_activation(output)], l2=settings.l2, l1=settings.l1)


def make_schedule(settings: Settings) -> float | Schedule:
    """The learning rate: a number, or a schedule of period ``schedule_steps`` updates."""
    lr, steps = settings.learning_rate, settings.schedule_steps
    if settings.schedule == "inverse_time":
        return InverseTime(lr, decay=1.0 / steps)
    if settings.schedule == "step":
        return StepDecay(lr, step_size=steps, gamma=settings.gamma)
    if settings.schedule == "exponential":
        return ExponentialDecay(lr, gamma=settings.gamma, step_size=steps)
    if settings.schedule == "cyclic":
        return Cyclical.from_learning_rate(lr, step_size=steps)
    return lr


def make_optimizer(settings: Settings) -> Optimizer:
    options: dict[str, Any] = {"learning_rate": make_schedule(settings)}
    if settings.optimizer == "gd":
        options["momentum"] = settings.momentum
    elif settings.momentum:
        raise ValidationError(f"momentum applies to gd, not {settings.optimizer}")
    return get_optimizer(settings.optimizer, **options)


class _Batches(Callback):
    """Remembers which training rows the last update used (for the one-step view)."""

    rows: Any = slice(None)

    def on_update_end(self, trainer: Trainer, update: int, batch_loss: float) -> None:
        if trainer.order is None or trainer.batch_size is None:
            self.rows = slice(None)
        else:
            size = trainer.batch_size
            self.rows = trainer.order[trainer.batch * size : (trainer.batch + 1) * size]


# -- the session ---------------------------------------------------------------------------------
class Session:
    """The state of one tab's run; every method runs to completion before the next is called.

    Attributes
    ----------
    settings : Settings
    problem : Problem
        The prepared data.
    network, loss, trainer
        The run (the trainer steps ``network`` in place).
    changes : list of Change
        Live settings changed since the run began, in order.
    diverged : str or None
        The engine's message when training diverged; :meth:`reset` starts again.
    """

    def __init__(self, settings: Settings | None = None, upload: Dataset | None = None) -> None:
        self.settings = settings or Settings()
        self.upload = upload
        self.upload_text: str | None = None
        self._printed = stdio.StringIO()
        self._batches = _Batches()
        self._seconds_per_update = 1e-4
        self._start(self.settings, make_problem(self.settings, upload))

    # -- building ------------------------------------------------------------------------------
    def reset(self) -> None:
        """A new run from the initial weights (the seed's), with no update made."""
        self._start(self.settings, self.problem)

    def _start(self, settings: Settings, problem: Problem) -> None:
        """Build a run on ``settings`` and ``problem``; only a complete one replaces the old."""
        output = resolve_output(settings, problem)
        loss = make_loss(settings, output)
        network = build_network(settings, problem, output)
        callbacks: list[Callback] = [self._batches]
        if settings.print_every:
            callbacks.append(PrintLoss(settings.print_every, file=self._printed))
        trainer = make_trainer(
            network,
            problem.X_train,
            problem.targets(problem.labels_train, output),
            loss=loss,
            optimizer=make_optimizer(settings),
            epochs=EPOCH_LIMIT,
            batch_size=None if settings.batch_size == "full" else settings.batch_size,
            shuffle=True,
            random_state=settings.seed,
            callbacks=callbacks,
        )
        self.settings, self.problem, self.output = settings, problem, output
        self.loss, self.network, self.trainer = loss, network, trainer
        #: the settings the run began with (the live ones may have changed since: ``changes``)
        self.started_with = settings
        self.changes: list[Change] = []
        self.diverged: str | None = None
        self._printed.seek(0)
        self._printed.truncate()

    def targets(self, train: bool) -> Array:
        p = self.problem
        return p.targets(p.labels_train if train else p.labels_test, self.output)

    def configure(self, values: Mapping[str, Any]) -> str:
        """Apply changed settings; returns what had to be rebuilt.

        ``"data"`` (new data and a new run), ``"run"`` (a new run on the same data), ``"live"``
        (the run goes on, the changes recorded) or ``"display"``. Nothing changes when a value
        is refused (a ValidationError that names it).
        """
        new = self.settings.with_(**dict(values))
        changed = {k for k in values if getattr(new, k) != getattr(self.settings, k)}
        if not changed or changed <= DISPLAY_FIELDS:
            self.settings = new
            return "display"
        live = changed <= LIVE_FIELDS and not self.diverged
        if "learning_rate" in changed and new.schedule != "constant":
            live = False  # a schedule's rate is a function of the update: start again
        if live:
            for name in sorted(changed):
                LIVE[name].apply(self.trainer, getattr(new, name))
                self.changes.append(Change(self.updates, name, getattr(new, name)))
            self.settings = new
            return "live"
        problem = make_problem(new, self.upload) if changed & DATA_FIELDS else self.problem
        self._rebuild(new, problem, self.upload)
        return "data" if changed & DATA_FIELDS else "run"

    def use_upload(self, data: Dataset, text: str) -> None:
        """Train on an uploaded data set (read from ``text``) from now on: a new run."""
        settings = self.settings.with_(dataset="upload")
        self._start(settings, make_problem(settings, data))
        self.upload, self.upload_text = data, text

    def _rebuild(self, settings: Settings, problem: Problem, upload: Dataset | None) -> None:
        """A new run on ``settings`` and ``problem``; on an error the run goes on as it was."""
        self._start(settings, problem)
        self.upload = upload

    @property
    def output_in_network(self) -> bool:
        """Whether the output function is the network's last layer (a sigmoid trained on
        squared errors) rather than part of a fused loss."""
        return self.network.output.name != self.output

    # -- training ------------------------------------------------------------------------------
    @property
    def updates(self) -> int:
        return self.trainer.history.n_updates

    def step(self, updates: int) -> int:
        """Make ``updates`` updates (none once diverged); returns how many were made."""
        if self.diverged:
            return 0
        before = self.updates
        try:
            self.trainer.step(updates)
        except TrainingDiverged as exc:
            self.diverged = str(exc)
        return self.updates - before

    def train_for(self, seconds: float, most: int = 5000) -> int:
        """As many updates as fit in about ``seconds`` (at least one); returns the count."""
        count = max(1, min(most, int(seconds / self._seconds_per_update)))
        start = time.perf_counter()
        made = self.step(count)
        if made:
            spent = (time.perf_counter() - start) / made
            self._seconds_per_update = 0.7 * self._seconds_per_update + 0.3 * spent
        return made

    def explained_rows(self) -> Any:
        """The training rows of the last update (an index array, or all rows)."""
        return self._batches.rows

    def printed(self) -> list[str]:
        """The ``Loss after iteration i`` lines printed since the last call."""
        lines = self._printed.getvalue().splitlines()
        self._printed.seek(0)
        self._printed.truncate()
        return lines

    # -- numbers -------------------------------------------------------------------------------
    def per_row(self, value: float, rows: int) -> float:
        """A loss as a figure per row: a summed loss is divided by the rows (as the tutorials
        print it); a mean is already one."""
        return value / rows if self.loss.reduction == "sum" and rows else value

    def losses(self) -> tuple[float | None, float | None]:
        """The objective (loss + penalty) on the training and the test rows, per row, as
        ``glassnet train`` reports it; ``None`` where there are no rows or it is not finite."""
        p = self.problem
        out: list[float | None] = []
        for X, train in ((p.X_train, True), (p.X_test, False)):
            if not len(X):
                out.append(None)
                continue
            with np.errstate(all="ignore"):
                value = self.per_row(
                    self.network.objective(X, self.targets(train), self.loss), len(X)
                )
            out.append(value if math.isfinite(value) else None)
        return out[0], out[1]

    def epochs_done(self) -> float:
        """Epochs done, with the current epoch's share of batches."""
        t = self.trainer
        n = t.x.shape[0]
        per_epoch = 1 if t.batch_size is None else math.ceil(n / min(t.batch_size, n))
        return t.epoch + t.batch / per_epoch
