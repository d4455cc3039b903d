"""Pictures of what a network learned (matplotlib, headless).

matplotlib is imported when a function here is called, with the non-interactive ``Agg``
backend unless one was already chosen, so plotting works on machines with no screen.
Every function draws on an ``ax`` it is given (or a new figure) and returns the figure;
pass ``path`` to write it as a PNG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["decision_boundary", "loss_curve", "sweep_grid"]


def _pyplot() -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in __import__("sys").modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return cast("Figure", ax.figure), ax


def decision_boundary(
    predict: Callable[[NDArray[Any]], ArrayLike] | Any,
    X: ArrayLike,
    y: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: float = 0.01,
    path: str | Path | None = None,
) -> Figure:
    """Colour the plane by predicted class and scatter the data, as the WildML tutorial does.

    ``predict`` is a function of an ``(n, 2)`` array or anything with a ``predict`` method
    (a glassnet network, a scikit-learn classifier).
    """
    fn = predict.predict if hasattr(predict, "predict") else predict
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        from .errors import ValidationError

        raise ValidationError(f"decision boundaries need 2-D inputs, got X of shape {X.shape}")
    fig, ax = _axes(ax, (6, 4.5))
    plt = _pyplot()
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    step = max(resolution, (max(x_max - x_min, y_max - y_min)) / 1000)
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    z = np.asarray(fn(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    ax.contourf(xx, yy, z, cmap=plt.cm.Spectral)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.Spectral, s=40, edgecolors="k", linewidths=0.3)
    if title:
        ax.set_title(title)
    return _finish(fig, path)


def loss_curve(
    losses: ArrayLike,
    *,
    val_losses: ArrayLike | None = None,
    ax: Axes | None = None,
    title: str = "Loss",
    xlabel: str = "update",
    log: bool = False,
    path: str | Path | None = None,
) -> Figure:
    """Plot a loss per update (or per epoch), with a validation curve if given."""
    fig, ax = _axes(ax, (7, 3.5))
    losses = np.asarray(losses)
    ax.plot(np.arange(1, len(losses) + 1), losses, linewidth=1.5, label="train")
    if val_losses is not None:
        val = np.asarray(val_losses)
        ax.plot(np.arange(1, len(val) + 1), val, linewidth=1.5, label="validation")
        ax.legend()
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    return _finish(fig, path)


def sweep_grid(
    models: Sequence[Any],
    titles: Sequence[str],
    X: ArrayLike,
    y: ArrayLike,
    *,
    columns: int = 2,
    path: str | Path | None = None,
) -> Figure:
    """One decision boundary per model in a grid (the tutorial's hidden-size figure)."""
    plt = _pyplot()
    rows = -(-len(models) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 4.5 * rows), squeeze=False)
    for ax, model, title in zip(axes.ravel(), models, titles, strict=False):
        decision_boundary(model, X, y, ax=ax, title=title)
    for ax in axes.ravel()[len(models) :]:
        ax.set_axis_off()
    fig.tight_layout()
    return _finish(fig, path)
