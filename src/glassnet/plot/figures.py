"""Evaluation pictures: a regression model's prediction surface, a confusion matrix.

Re-exported by :mod:`glassnet.plot`, which documents the whole set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ValidationError
from .base import Predictor, check_2d_inputs, finish, new_axes, predictions, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["confusion_matrix", "prediction_surface"]


def prediction_surface(
    predict: Predictor,
    X: ArrayLike,
    y: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 40,
    axis_labels: tuple[str, str, str] = ("$x_1$", "$x_2$", "$y$"),
    path: str | Path | None = None,
) -> Figure:
    """The ml4a tutorial's picture: a 2-input regression model as a surface over the plane.

    Parameters
    ----------
    predict : callable or object with ``predict``
        Maps an ``(m, 2)`` array to ``m`` values, shape ``(m,)`` or ``(m, 1)``.
    X : array of shape (n_samples, 2)
    y : array of shape (n_samples,) or (n_samples, 1)
        The targets, scattered as points above the plane.
    ax : 3-D Axes, optional
        Made with ``fig.add_subplot(projection="3d")``; default a new 7 × 5.5 inch figure.
    title : str, optional
    resolution : int, default 40
        Grid points per input axis; the grid spans the data's range.
    axis_labels : (str, str, str)
    path : str or Path, optional

    Returns
    -------
    Figure

    Notes
    -----
    ``plot_surface`` with the ``coolwarm`` colour map, as the tutorial draws
    :math:`y = b + w_1 x_1 + w_2 x_2` and the sigmoid network.
    """
    X, y = check_2d_inputs(X, y, "prediction surfaces")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or resolution < 2
    ):
        raise ValidationError(f"resolution must be an integer of at least 2, got {resolution!r}")
    plt = pyplot()
    if ax is None:
        fig = plt.figure(figsize=(7, 5.5))
        ax3d: Any = fig.add_subplot(projection="3d")
    elif not hasattr(ax, "plot_surface"):
        raise ValidationError('ax must be 3-D: make it with fig.add_subplot(projection="3d")')
    else:
        fig, ax3d = cast("Figure", ax.figure), ax
    x1, x2 = np.meshgrid(
        np.linspace(X[:, 0].min(), X[:, 0].max(), resolution),
        np.linspace(X[:, 1].min(), X[:, 1].max(), resolution),
    )
    z = predictions(predict, np.c_[x1.ravel(), x2.ravel()]).astype(float).reshape(x1.shape)
    ax3d.plot_surface(x1, x2, z, cmap=plt.cm.coolwarm, linewidth=0, antialiased=False, alpha=0.8)
    ax3d.scatter(X[:, 0], X[:, 1], y.ravel(), color="k", s=12, depthshade=True)
    ax3d.set_xlabel(axis_labels[0])
    ax3d.set_ylabel(axis_labels[1])
    ax3d.set_zlabel(axis_labels[2])
    if title:
        ax3d.set_title(title)
    return finish(fig, path)


def confusion_matrix(
    cm: ArrayLike,
    class_names: Sequence[str] | None = None,
    *,
    normalize: bool = False,
    rows: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "Blues",
    path: str | Path | None = None,
) -> Figure:
    """Draw a confusion matrix as a heat map with its numbers written in the cells.

    This draws a matrix; :func:`glassnet.metrics.confusion_matrix` computes one.

    Parameters
    ----------
    cm : array of shape (k, k)
        ``cm[i, j]`` counts rows of true class ``i`` predicted as ``j``.
    class_names : sequence of k str, optional
        Tick labels (default ``0..k-1``).
    normalize : bool, default False
        Divide each row by its total, so cells show the fraction of each true class
        (recall on the diagonal); an empty row stays 0.
    rows : str, optional
        Which rows were counted (``"test"``, ``"train"``), for the title.
    ax, path
        As in :func:`~glassnet.plot.decision_boundary`.
    title : str, optional
        Default: ``"Confusion matrix — test rows (n=50)"``, with ``rows`` and the number of
        rows counted (the matrix's total), or ``"Confusion matrix (n=50)"`` without ``rows``.
    cmap : str, default "Blues"

    Returns
    -------
    Figure
        Rows are the true class (axis "true class"), columns the prediction ("predicted
        class"), both ticked with the class names. Text is white on dark cells and black on
        light ones.
    """
    from matplotlib.ticker import MaxNLocator

    values = np.asarray(cm, dtype=float)
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise ValidationError(f"cm must be a square (k, k) matrix, got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValidationError("cm must hold finite, non-negative counts")
    k = values.shape[0]
    if title is None:
        counted = f" — {rows} rows" if rows else ""
        title = f"Confusion matrix{counted} (n={values.sum():.0f})"
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValidationError(f"got {len(names)} class names for a {k} × {k} matrix")
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    side = max(4.5, 0.6 * k + 2.5)
    fig, ax = new_axes(ax, (side + 0.8, side))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1 if normalize else max(values.max(), 1))
    ticks = None if normalize else MaxNLocator(integer=True)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, ticks=ticks)
    for (i, j), v in np.ndenumerate(values):
        r, g, b, _ = image.cmap(image.norm(v))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        text = f"{v:.2f}" if normalize else f"{v:.0f}"
        ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return finish(fig, path)
