"""Pictures of what a network learned (matplotlib, headless).

matplotlib is imported when a function here is called, with the non-interactive ``Agg``
backend unless one was already chosen, so plotting works on machines with no screen.
Every function draws on an ``ax`` it is given (or a new figure) and returns the figure;
pass ``path`` to write it as a PNG (parent folders are created).

=========================  ===============================================================
:func:`decision_boundary`  the plane coloured by predicted class, data on top (WildML)
:func:`sweep_grid`         one decision boundary per model, with optional scores
:func:`loss_curve`         a loss sequence (per update or per epoch)
:func:`loss_curves`        train and validation loss from a :class:`~glassnet.History`
:func:`prediction_surface` a 2-input regression model as a 3-D surface (ml4a)
:func:`confusion_matrix`   a confusion matrix as a heat map with counts in the cells
:func:`animate_training`   an animated GIF of the decision boundary while training
=========================  ===============================================================

``plot.confusion_matrix`` *draws* a matrix; :func:`glassnet.metrics.confusion_matrix`
*computes* one: ``plot.confusion_matrix(metrics.confusion_matrix(y, net.predict(X)))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ValidationError
from .base import Predictor, check_2d_inputs, finish, new_axes, predictions, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..training import History

__all__ = ["decision_boundary", "loss_curve", "loss_curves", "sweep_grid"]


def _is_continuous(values: NDArray[Any]) -> bool:
    """Float values that are not all whole numbers: a score to shade, not class labels."""
    return values.dtype.kind in "fc" and not np.all(np.mod(values, 1) == 0)


def _encode(values: NDArray[Any], classes: NDArray[Any]) -> NDArray[np.intp]:
    """Each value's index in ``classes`` (any order); a value not in ``classes`` is an error."""
    order = np.argsort(classes, kind="stable")
    pos = np.clip(np.searchsorted(classes, values, sorter=order), 0, len(classes) - 1)
    index = order[pos]
    missing = classes[index] != values
    if np.any(missing):
        raise ValidationError(
            f"label {values[missing][0]!r} is not among the classes {classes.tolist()}"
        )
    return index.astype(np.intp)


def _class_labels(y: NDArray[Any], z: NDArray[Any], classes: ArrayLike | None) -> NDArray[Any]:
    if classes is not None:
        return np.asarray(classes)
    try:
        return np.unique(np.concatenate([y.ravel(), z.ravel()]))
    except TypeError as err:
        raise ValidationError(
            f"the labels in y and the predictions cannot be sorted: {err}"
        ) from err


def _draw_classes(
    ax: Axes,
    xx: NDArray[Any],
    yy: NDArray[Any],
    z: NDArray[Any],
    X: NDArray[Any],
    y: NDArray[Any],
    labels: NDArray[Any],
) -> None:
    """Fill the grid by predicted class and scatter the data, one colour per class index."""
    from matplotlib.lines import Line2D

    spectral = pyplot().cm.Spectral
    k = len(labels)
    top = max(k - 1, 1)
    pad = top * 0.075 / 0.85  # regions at 7.5 %…92.5 % of the map, points at its ends
    zi, yi = _encode(z, labels).reshape(xx.shape), _encode(y.ravel(), labels)
    ax.contourf(xx, yy, zi, levels=np.arange(k + 1) - 0.5, cmap=spectral, vmin=-pad, vmax=top + pad)
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=yi,
        cmap=spectral,
        vmin=0,
        vmax=top,
        s=40,
        edgecolors="k",
        linewidths=0.3,
    )
    if labels.dtype.kind not in "biuf":
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=spectral(i / top),
                markeredgecolor="k",
                markeredgewidth=0.3,
            )
            for i in range(k)
        ]
        ax.legend(handles, [str(c) for c in labels], loc="best", fontsize="small")


def decision_boundary(
    predict: Predictor,
    X: ArrayLike,
    y: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: float = 0.01,
    classes: ArrayLike | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Colour the plane by predicted class and scatter the data, as the WildML tutorial does.

    Parameters
    ----------
    predict : callable or object with ``predict``
        Maps an ``(m, 2)`` array to ``m`` labels, shape ``(m,)`` or ``(m, 1)``: a glassnet
        network, a scikit-learn classifier (string labels are fine), or a function.
    X : array of shape (n_samples, 2)
    y : array of shape (n_samples,)
        The true labels, coloured like the predictions.
    ax : Axes, optional
        Draw here instead of on a new 6 × 4.5 inch figure.
    title : str, optional
    resolution : float, default 0.01
        Grid step (the tutorial's ``h``), coarsened to keep the grid under 1000 per side.
    classes : array, optional
        The labels to colour by, in colour order (default: the sorted labels of ``y`` and of
        the predictions). Fix it to keep colours stable across pictures.
    path : str or Path, optional
        Write the figure here as a PNG.

    Returns
    -------
    Figure

    Notes
    -----
    Labels are encoded as indices ``0..k-1`` and filled with one ``Spectral`` colour per
    class (``contourf`` over the grid, ``scatter`` for the data). As in the tutorial's
    pictures, the regions take the colour map from 7.5 % to 92.5 % and the points its full
    range, so points stand out a little from a region of their own class. Float predictions
    that are not whole numbers (scores) are shaded with ``contourf``'s own levels instead.
    String labels get a legend.
    """
    X, y = check_2d_inputs(X, y, "decision boundaries")
    fig, ax = new_axes(ax, (6, 4.5))
    spectral = pyplot().cm.Spectral
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    step = max(resolution, (max(x_max - x_min, y_max - y_min)) / 1000)
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    z = predictions(predict, np.c_[xx.ravel(), yy.ravel()])
    if classes is None and _is_continuous(z):
        ax.contourf(xx, yy, z.reshape(xx.shape), cmap=spectral)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=spectral, s=40, edgecolors="k", linewidths=0.3)
    else:
        _draw_classes(ax, xx, yy, z, X, y, _class_labels(y, z, classes))
    if title:
        ax.set_title(title)
    return finish(fig, path)


def loss_curve(
    losses: ArrayLike,
    *,
    val_losses: ArrayLike | None = None,
    label: str = "train",
    ax: Axes | None = None,
    title: str = "Loss",
    xlabel: str = "update",
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
        As in :func:`decision_boundary`.
    xlabel : str, default "update"
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
    ax.set_ylabel("loss")
    ax.set_title(title)
    return finish(fig, path)


def loss_curves(
    history: History,
    *,
    per_update: bool | None = None,
    log: bool = False,
    ax: Axes | None = None,
    title: str = "Loss",
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
        As in :func:`decision_boundary`.

    Returns
    -------
    Figure

    Notes
    -----
    A full-batch run (``history.n_updates == history.epochs``) makes one update per epoch,
    so its x axis is labelled "update"; otherwise "epoch". When early stopping recorded a
    ``best_epoch``, a dotted vertical line marks it.
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
    ax.plot(epochs, history.loss, linewidth=1.5, label="train")
    if history.val_loss:
        ax.plot(
            np.arange(1, len(history.val_loss) + 1),
            history.val_loss,
            linewidth=1.5,
            label="validation",
        )
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch + 1, color="k", linestyle=":", linewidth=1, label="best")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("update" if full_batch else "epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    return finish(fig, path)


def _scores(train: float, test: float | None) -> str:
    return f"train {train:.2f}" + ("" if test is None else f", test {test:.2f}")


def sweep_grid(
    models: Sequence[Any],
    titles: Sequence[str],
    X: ArrayLike,
    y: ArrayLike,
    *,
    columns: int = 2,
    scores: Sequence[tuple[float, float | None]] | None = None,
    path: str | Path | None = None,
) -> Figure:
    """One decision boundary per model in a grid (the tutorial's hidden-size figure).

    Parameters
    ----------
    models : sequence of predictors
        Anything :func:`decision_boundary` accepts.
    titles : sequence of str
        One per model, e.g. ``"Hidden layer size 3"``.
    X : array of shape (n_samples, 2)
    y : array of shape (n_samples,)
    columns : int, default 2
    scores : sequence of (train_accuracy, test_accuracy), optional
        Appended to each title: ``"Hidden layer size 3 — train 0.97, test 0.96"``; a test
        accuracy of ``None`` shows the training accuracy alone.
    path : str or Path, optional

    Returns
    -------
    Figure
        ``rows × columns`` panels of 6 × 4.5 inches; unused panels are hidden.
    """
    if len(titles) != len(models) or (scores is not None and len(scores) != len(models)):
        raise ValidationError(
            f"need one title (and score pair) per model: {len(models)} models, "
            f"{len(titles)} titles, {'no' if scores is None else len(scores)} scores"
        )
    if scores is not None:
        titles = [f"{t} — {_scores(*pair)}" for t, pair in zip(titles, scores, strict=True)]
    plt = pyplot()
    rows = -(-len(models) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 4.5 * rows), squeeze=False)
    for ax, model, title in zip(axes.ravel(), models, titles, strict=False):
        decision_boundary(model, X, y, ax=ax, title=title)
    for ax in axes.ravel()[len(models) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return finish(fig, path)
