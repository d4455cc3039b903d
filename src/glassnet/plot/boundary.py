"""Decision boundaries: the plane coloured by predicted class, with the data on top.

:func:`decision_boundary` draws one, :func:`sweep_grid` one per model; the animation in
:mod:`glassnet.plot.animation` draws its frames with the same pieces — the :class:`Plane`
of grid points, the class colours and the legend — so that a GIF and a PNG of the same
data share their axes, colours and legend. Re-exported by :mod:`glassnet.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ValidationError
from .base import Predictor, check_2d_inputs, finish, new_axes, predictions, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Plane", "decision_boundary", "plane_limits", "sweep_grid"]

Limits = tuple[tuple[float, float], tuple[float, float]]
Corner = Literal["upper right", "upper left", "lower right", "lower left"]
FEATURES = ("x₁", "x₂")


def plane_limits(X: ArrayLike, margin: float | None = None) -> Limits:
    """The axes' limits around 2-D points: ``((x_min, x_max), (y_min, y_max))``.

    Parameters
    ----------
    X : array of shape (n_samples, 2)
    margin : float, optional
        Added on each side, in the data's units (the WildML tutorial adds 0.5). Default: a
        tenth of each axis's span, so that the picture fits data of any scale.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValidationError(f"plane_limits needs points of shape (n, 2), got {X.shape}")
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    pad = np.full(2, float(margin)) if margin is not None else np.where(span > 0, span / 10, 0.5)
    return (
        (float(low[0] - pad[0]), float(high[0] + pad[0])),
        (float(low[1] - pad[1]), float(high[1] + pad[1])),
    )


@dataclass(frozen=True)
class Plane:
    """The grid of points a decision boundary is coloured on, and the axes' limits."""

    limits: Limits
    xx: NDArray[np.float64]
    yy: NDArray[np.float64]

    @classmethod
    def over(cls, limits: Limits, resolution: float | None = None) -> Plane:
        """A grid over ``limits`` with step ``resolution`` in data units (the tutorial's
        ``h = 0.01``). Each axis keeps between 100 and 1000 points, so features on different
        scales each get a fine grid; the default is 400 points along each axis (a step of
        about 0.01 on the tutorial's moons)."""
        axes = []
        for low, high in limits:
            span = high - low
            step = span / 400 if resolution is None else float(resolution)
            step = min(max(step, span / 1000), span / 100)
            axes.append(np.arange(low, high + step / 2, step))
        xx, yy = np.meshgrid(*axes)
        return cls(limits, xx, yy)

    @property
    def points(self) -> NDArray[np.float64]:
        """The grid as rows of (x, y), to predict on."""
        return np.c_[self.xx.ravel(), self.yy.ravel()]


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


def is_continuous(values: NDArray[Any]) -> bool:
    """Float values that are not all whole numbers: a score to shade, not class labels."""
    return values.dtype.kind in "fc" and not np.all(np.mod(values, 1) == 0)


def class_labels(y: NDArray[Any], z: NDArray[Any], classes: ArrayLike | None) -> NDArray[Any]:
    """``classes`` as an array, or the sorted labels of ``y`` and the predictions ``z``."""
    if classes is not None:
        return np.asarray(classes)
    try:
        return np.unique(np.concatenate([y.ravel(), z.ravel()]))
    except TypeError as err:
        raise ValidationError(
            f"the labels in y and the predictions cannot be sorted: {err}"
        ) from err


class Palette:
    """One ``Spectral`` colour per class: regions, points and the legend that names them.

    As in the tutorial's pictures, the regions take the colour map from 7.5 % to 92.5 % and
    the points its full range, so points stand out a little from a region of their own class.
    """

    def __init__(self, labels: NDArray[Any], names: Sequence[str] | None = None) -> None:
        self.labels = labels
        self.names = [str(c) for c in labels] if names is None else [str(n) for n in names]
        if len(self.names) != len(labels):
            raise ValidationError(
                f"got {len(self.names)} class names for {len(labels)} classes {labels.tolist()}"
            )
        self.cmap = pyplot().cm.Spectral
        self.top = max(len(labels) - 1, 1)

    def fill(self, ax: Axes, plane: Plane, z: NDArray[Any]) -> Any:
        """Colour the plane by the predicted class ``z`` (one per grid point)."""
        pad = self.top * 0.075 / 0.85
        zi = _encode(z, self.labels).reshape(plane.xx.shape)
        levels = np.arange(len(self.labels) + 1) - 0.5
        return ax.contourf(
            plane.xx, plane.yy, zi, levels=levels, cmap=self.cmap, vmin=-pad, vmax=self.top + pad
        )

    def scatter(self, ax: Axes, X: NDArray[Any], y: NDArray[Any]) -> Any:
        return ax.scatter(
            X[:, 0],
            X[:, 1],
            c=_encode(y.ravel(), self.labels),
            cmap=self.cmap,
            vmin=0,
            vmax=self.top,
            s=40,
            edgecolors="k",
            linewidths=0.3,
        )

    def legend(self, ax: Axes, loc: Corner, title: str | None = None) -> Any:
        from matplotlib.lines import Line2D

        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=7,
                markerfacecolor=self.cmap(i / self.top),
                markeredgecolor="k",
                markeredgewidth=0.3,
            )
            for i in range(len(self.labels))
        ]
        options: dict[str, Any] = {"title": title, "fontsize": "small", "framealpha": 0.85}
        return ax.legend(handles, self.names, loc=loc, **options)


def emptiest_corner(X: NDArray[Any], limits: Limits) -> Corner:
    """The corner of the axes with the fewest points, for the legend (the same in every frame)."""
    (x0, x1), (y0, y1) = limits
    u = (X[:, 0] - x0) / (x1 - x0)
    v = (X[:, 1] - y0) / (y1 - y0)
    corners: dict[Corner, NDArray[np.bool_]] = {
        "upper right": (u > 0.65) & (v > 0.65),
        "upper left": (u < 0.35) & (v > 0.65),
        "lower right": (u > 0.65) & (v < 0.35),
        "lower left": (u < 0.35) & (v < 0.35),
    }
    return min(corners, key=lambda name: int(corners[name].sum()))


def label_axes(ax: Axes, plane: Plane, feature_names: Sequence[str] | None) -> None:
    """Name the axes after the two features and set the plane's limits."""
    names = FEATURES if feature_names is None else tuple(feature_names)
    if len(names) != 2:
        raise ValidationError(f"feature_names must name the 2 features, got {list(names)}")
    ax.set_xlabel(str(names[0]))
    ax.set_ylabel(str(names[1]))
    ax.set_xlim(*plane.limits[0])
    ax.set_ylim(*plane.limits[1])


def decision_boundary(
    predict: Predictor,
    X: ArrayLike,
    y: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: float | None = None,
    classes: ArrayLike | None = None,
    class_names: Sequence[str] | None = None,
    legend_title: str | None = None,
    legend: bool = True,
    feature_names: Sequence[str] | None = None,
    limits: Limits | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Colour the plane by predicted class and scatter the data, as the WildML tutorial does.

    Parameters
    ----------
    predict : callable or object with ``predict``
        Maps an ``(m, 2)`` array to ``m`` labels, shape ``(m,)`` or ``(m, 1)``: a glassnet
        network, a scikit-learn classifier (string labels are fine), or a function.
    X : array of shape (n_samples, 2)
        The rows to scatter; say in ``title`` which rows they are (train or test).
    y : array of shape (n_samples,)
        Their true labels, coloured like the predictions.
    ax : Axes, optional
        Draw here instead of on a new 6 × 4.5 inch figure.
    title : str, optional
        What is shown, e.g. ``"3 hidden units — test rows, accuracy 0.96"``.
    resolution : float, optional
        Grid step in data units (the tutorial's ``h``); see :meth:`Plane.over`.
    classes : array, optional
        The labels to colour by, in colour order (default: the sorted labels of ``y`` and of
        the predictions). Fix it to keep colours stable across pictures.
    class_names : sequence of str, optional
        The legend's name for each of ``classes`` (default: the labels themselves), e.g. the
        original labels of class codes.
    legend_title : str, optional
        A heading for the legend, such as the target's name.
    legend : bool, default True
        Name the classes in a legend, in the corner with the fewest points.
    feature_names : (str, str), optional
        The axes' labels (default ``"x₁"``, ``"x₂"``).
    limits : ((x_min, x_max), (y_min, y_max)), optional
        The plane to colour (default :func:`plane_limits` of ``X``). Pass the limits of all
        the data to give pictures of different rows the same axes.
    path : str or Path, optional
        Write the figure here as a PNG.

    Returns
    -------
    Figure

    Notes
    -----
    Labels are encoded as indices ``0..k-1`` and filled with one ``Spectral`` colour per
    class (``contourf`` over the grid, ``scatter`` for the data). Float predictions that are
    not whole numbers (scores) are shaded with ``contourf``'s own levels instead, with no
    legend.
    """
    X, y = check_2d_inputs(X, y, "decision boundaries")
    fig, ax = new_axes(ax, (6, 4.5))
    plane = Plane.over(limits or plane_limits(X), resolution)
    z = predictions(predict, plane.points)
    if classes is None and class_names is None and is_continuous(z):
        spectral = pyplot().cm.Spectral
        ax.contourf(plane.xx, plane.yy, z.reshape(plane.xx.shape), cmap=spectral)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=spectral, s=40, edgecolors="k", linewidths=0.3)
    else:
        palette = Palette(class_labels(y, z, classes), class_names)
        palette.fill(ax, plane, z)
        palette.scatter(ax, X, y)
        if legend:
            palette.legend(ax, emptiest_corner(X, plane.limits), legend_title)
    label_axes(ax, plane, feature_names)
    if title:
        ax.set_title(title)
    return finish(fig, path)


def _scores(rows: str, train: float, test: float | None) -> str:
    text = f"{rows} rows, accuracy {train:.2f}"
    return text if test is None or math.isnan(test) else f"{text} (test rows {test:.2f})"


def grid_shape(n: int, columns: int | None = None) -> tuple[int, int]:
    """Rows and columns for ``n`` panels: at most four to a row unless ``columns`` is given,
    and as few spare places as that allows (7 panels: 2 × 4; 5: 2 × 3)."""
    if columns is None:
        rows = -(-n // 4)
        columns = -(-n // rows)
    columns = max(1, min(columns, n))
    return -(-n // columns), columns


def sweep_grid(
    models: Sequence[Any],
    titles: Sequence[str],
    X: ArrayLike,
    y: ArrayLike,
    *,
    columns: int | None = None,
    scores: Sequence[tuple[float, float | None]] | None = None,
    rows: str = "train",
    classes: ArrayLike | None = None,
    class_names: Sequence[str] | None = None,
    legend_title: str | None = None,
    feature_names: Sequence[str] | None = None,
    limits: Limits | None = None,
    path: str | Path | None = None,
) -> Figure:
    r"""One decision boundary per model in a grid (the tutorial's hidden-size figure).

    Parameters
    ----------
    models : sequence of predictors
        Anything :func:`decision_boundary` accepts.
    titles : sequence of str
        One per model, e.g. ``"Hidden layer size 3"``.
    X : array of shape (n_samples, 2)
        The rows scattered in every panel.
    y : array of shape (n_samples,)
    columns : int, optional
        Panels per row (default: at most four, see :func:`grid_shape`).
    scores : sequence of (accuracy, test_accuracy), optional
        Each model's accuracy on the scattered rows and, when not ``None``, on test rows;
        a second line of its title: ``"Hidden layer size 3\ntrain rows, accuracy 0.97 (test
        rows 0.96)"``.
    rows : str, default "train"
        Which rows ``X`` holds, as the titles say.
    classes, class_names, legend_title, feature_names, limits
        As in :func:`decision_boundary`; every panel has the same axes and colours, and the
        first panel the legend.
    path : str or Path, optional

    Returns
    -------
    Figure
        Exactly one axes per model, 5.5 × 4.25 inches each, laid out ``rows × columns``; the
        places left over in the last row stay empty (no blank axes).
    """
    if len(titles) != len(models) or (scores is not None and len(scores) != len(models)):
        raise ValidationError(
            f"need one title (and score pair) per model: {len(models)} models, "
            f"{len(titles)} titles, {'no' if scores is None else len(scores)} scores"
        )
    if not models:
        raise ValidationError("sweep_grid needs at least one model")
    if scores is not None:
        titles = [f"{t}\n{_scores(rows, *pair)}" for t, pair in zip(titles, scores, strict=True)]
    X, y = check_2d_inputs(X, y, "decision boundaries")
    limits = limits or plane_limits(X)
    n_rows, n_columns = grid_shape(len(models), columns)
    fig = pyplot().figure(figsize=(5.5 * n_columns, 4.25 * n_rows))
    for i, (model, title) in enumerate(zip(models, titles, strict=True)):
        ax = fig.add_subplot(n_rows, n_columns, i + 1)
        decision_boundary(
            model,
            X,
            y,
            ax=ax,
            title=title,
            classes=classes,
            class_names=class_names,
            legend_title=legend_title,
            legend=i == 0,
            feature_names=feature_names,
            limits=limits,
        )
    fig.tight_layout()
    return finish(fig, path)
