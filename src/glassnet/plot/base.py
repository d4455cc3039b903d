"""What every picture module shares: headless pyplot, axes, saving, calling a predictor."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


Predictor = Callable[[NDArray[Any]], ArrayLike] | Any


def pyplot() -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return fig


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return cast("Figure", ax.figure), ax


def predictions(predict: Predictor, x: NDArray[Any]) -> NDArray[Any]:
    """Call ``predict`` (a function or an object with ``predict``) on ``x``; one value per row."""
    fn = predict.predict if hasattr(predict, "predict") else predict
    out = np.asarray(fn(x))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape != (x.shape[0],):
        raise ValidationError(
            f"predict must return one value per row, shape ({x.shape[0]},) or "
            f"({x.shape[0]}, 1); got {out.shape}"
        )
    return out


def check_2d_inputs(X: ArrayLike, y: ArrayLike, what: str) -> tuple[NDArray[Any], NDArray[Any]]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValidationError(f"{what} need 2-D inputs, got X of shape {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValidationError(f"X has {X.shape[0]} rows but y has {y.shape[0]}; they must match")
    return X, y
