"""Loss curves: a loss sequence, or the train and validation loss of a training run.

Re-exported by :mod:`glassnet.plot`, which documents the whole set.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ValidationError
from .base import finish, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..training import History

__all__ = ["loss_curve", "loss_curves"]


def loss_curve(
    losses: ArrayLike,
    *,
    val_losses: ArrayLike | None = None,
    label: str = "train",
    ax: Axes | None = None,
    title: str = "Loss",
    xlabel: str = "update",
    ylabel: str = "loss",
    log: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Plot a loss per update (or per epoch), with a validation curve if given.

    A legend names the curves whenever the axes hold more than one: a validation curve, or
    the curve of another run drawn on the same ``ax``.

    Parameters
    ----------
    losses : array of shape (n,)
        Drawn at x = 1, …, n.
    val_losses : array of shape (m,), optional
    label : str, default "train"
        The curve's name in the legend.
    ax, title, path
        As in :func:`~glassnet.plot.decision_boundary`.
    xlabel : str, default "update"
    ylabel : str, default "loss"
        What the loss is, e.g. ``"mean cross-entropy per row"``.
    log : bool, default False
        Logarithmic loss axis.
    """
    fig, ax = new_axes(ax, (7, 3.5))
    losses = np.asarray(losses)
    ax.plot(np.arange(1, len(losses) + 1), losses, linewidth=1.5, label=label)
    if val_losses is not None:
        val = np.asarray(val_losses)
        ax.plot(np.arange(1, len(val) + 1), val, linewidth=1.5, label="validation")
    if len(ax.get_lines()) > 1:
        ax.legend()
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return finish(fig, path)


def loss_curves(
    history: History,
    *,
    per_update: bool | None = None,
    log: bool = False,
    ax: Axes | None = None,
    title: str = "Loss",
    ylabel: str = "loss",
    labels: tuple[str, str] = ("train", "validation"),
    path: str | Path | None = None,
) -> Figure:
    """Train and validation loss per epoch from a :class:`~glassnet.History`.

    Parameters
    ----------
    history : History
        From :func:`glassnet.fit`: ``loss`` and ``val_loss`` (one per epoch) and
        ``batch_loss`` (one per update).
    per_update : bool, optional
        Also draw every batch's loss as a faint line, placed at its fraction of an epoch.
        Default: only for mini-batch runs — with full batch it repeats ``loss``.
    log : bool, default False
        Logarithmic loss axis.
    ax, title, path
        As in :func:`~glassnet.plot.decision_boundary`.
    ylabel : str, default "loss"
        What the loss is: a trained model's ``loss_name``, such as ``"mean cross-entropy
        per row + L2 penalty"``.
    labels : (str, str), default ("train", "validation")
        The legend's names of the two curves. ``History.val_loss`` has no penalty: with one,
        say so, e.g. ``("train", "validation (no penalty)")``.

    Returns
    -------
    Figure

    Notes
    -----
    The x axis counts epochs (a full-batch run makes one update per epoch). A legend names
    the curves when there is more than one; when early stopping recorded a ``best_epoch``, a
    dotted vertical line marks it.
    """
    if not history.loss:
        raise ValidationError("the history has no epochs to plot")
    fig, ax = new_axes(ax, (7, 3.5))
    full_batch = history.n_updates == history.epochs
    if per_update is None:
        per_update = not full_batch
    if per_update and history.batch_loss:
        batch = np.asarray(history.batch_loss)
        where = np.arange(1, len(batch) + 1) * history.epochs / len(batch)
        ax.plot(where, batch, color="0.6", linewidth=0.7, alpha=0.6, label="per update")
    epochs = np.arange(1, len(history.loss) + 1)
    ax.plot(epochs, history.loss, linewidth=1.5, label=labels[0])
    if history.val_loss:
        ax.plot(
            np.arange(1, len(history.val_loss) + 1),
            history.val_loss,
            linewidth=1.5,
            label=labels[1],
        )
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch + 1, color="k", linestyle=":", linewidth=1, label="best")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(ax.get_lines()) > 1:
        ax.legend()
    return finish(fig, path)
