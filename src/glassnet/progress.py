"""Progress reporting for training: a progress bar (tqdm) or plain per-epoch lines.

These are callbacks (:class:`~glassnet.training.Callback`): the engine prints nothing by
itself, and the command line and the estimators add one of these when asked to.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .callbacks import Callback, History
from .trainer import Trainer

__all__ = ["EpochLogger", "ProgressBar", "stop_line"]


def _format_logs(logs: dict[str, float]) -> str:
    return "  ".join(f"{key} {value:.6g}" for key, value in logs.items())


def stop_line(history: History) -> str | None:
    """``stopped at epoch N: <why>`` when a stopping rule ended the run, else None."""
    if not history.stopped_early:
        return None
    return f"stopped at epoch {history.epochs}: {history.stop_reason or 'a callback asked'}"


class ProgressBar(Callback):
    """A tqdm progress bar over the epochs, showing the current loss.

    Parameters
    ----------
    epochs : int
        The total the bar counts towards (the most epochs: a stopping rule may end sooner).
    file : text stream, optional
        Where the bar is drawn (standard error by default).
    loss_name : str, optional
        What ``loss`` is, in words; printed once above the bar (``loss = mean cross-entropy
        per row``).
    """

    def __init__(
        self,
        epochs: int,
        file: TextIO | None = None,
        leave: bool = True,
        loss_name: str | None = None,
    ) -> None:
        self.epochs = epochs
        self.file = file
        self.leave = leave
        self.loss_name = loss_name
        self._bar: Any = None

    def on_train_begin(self, trainer: Trainer) -> None:
        from tqdm.auto import tqdm

        if self.loss_name:
            print(f"loss = {self.loss_name}", file=self.file or sys.stderr, flush=True)

        self._bar = tqdm(
            total=self.epochs,
            unit="epoch",
            file=self.file or sys.stderr,
            leave=self.leave,
            dynamic_ncols=True,
        )

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
            self._bar.update(1)

    def on_train_end(self, trainer: Trainer) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            stopped = stop_line(trainer.history)
            if stopped:
                print(stopped, file=self.file or sys.stderr, flush=True)


class EpochLogger(Callback):
    """Print one line per epoch (``epoch 3/200  loss 0.123  val_loss 0.145``).

    ``every`` prints only every N-th epoch (and always the last one). ``loss_name`` (what
    ``loss`` is, in words) is printed once first: ``loss = mean cross-entropy per row``.
    """

    def __init__(
        self,
        epochs: int,
        file: TextIO | None = None,
        every: int = 1,
        loss_name: str | None = None,
    ) -> None:
        self.epochs = epochs
        self.file = file
        self.every = max(1, int(every))
        self.loss_name = loss_name

    def on_train_begin(self, trainer: Trainer) -> None:
        if self.loss_name:
            print(f"loss = {self.loss_name}", file=self.file or sys.stdout, flush=True)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        number = epoch + 1
        if number % self.every == 0 or number == self.epochs or trainer.stop_training:
            width = len(str(self.epochs))
            print(
                f"epoch {number:>{width}}/{self.epochs}  {_format_logs(logs)}",
                file=self.file or sys.stdout,
                flush=True,
            )

    def on_train_end(self, trainer: Trainer) -> None:
        stopped = stop_line(trainer.history)
        if stopped:
            print(stopped, file=self.file or sys.stdout, flush=True)
