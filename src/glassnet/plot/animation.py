r"""An animated GIF of a classifier's decision boundary as it trains, drawn after training.

Two steps, so that drawing never slows training: while the network trains, a
:class:`~glassnet.plot.TrainingRecorder` copies its parameters at log-spaced updates
(:mod:`glassnet.plot.recorder`); afterwards, :func:`render_training` draws the frames it
picks — from the first update to the final weights — with the pieces of
:func:`~glassnet.plot.decision_boundary`: same axes, colours and legend.
:func:`animate_training` does both around one :func:`glassnet.fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..activations import Sigmoid, Softmax
from ..callbacks import History
from ..errors import ValidationError
from ..network import Network
from ..training import fit
from .base import Predictor, check_2d_inputs, predictions, pyplot
from .boundary import Corner, Limits, Palette, Plane, class_labels, emptiest_corner, label_axes
from .boundary import plane_limits as _plane_limits
from .recorder import Snapshot, TrainingRecorder

Array = NDArray[Any]

__all__ = ["Animation", "animate_training", "render_training"]


@dataclass
class Animation:
    """What :func:`render_training` drew: one entry per frame, and the axes' limits."""

    path: Path
    updates: list[int]
    captions: list[str]
    limits: Limits


def render_training(
    network: Network,
    frames: Sequence[Snapshot],
    X: ArrayLike,
    y: ArrayLike,
    path: str | Path,
    *,
    caption: Callable[[Snapshot], str],
    predict: Predictor | None = None,
    classes: ArrayLike | None = None,
    class_names: Sequence[str] | None = None,
    legend_title: str | None = None,
    feature_names: Sequence[str] | None = None,
    limits: Limits | None = None,
    resolution: float | None = None,
    fps: int = 10,
    hold_last: float = 2.0,
    dpi: int = 80,
) -> Animation:
    """Draw one decision boundary per snapshot into an animated GIF.

    Parameters
    ----------
    network : Network
        The network the snapshots are of; each snapshot's parameters are put into it while
        its frame is drawn, and its own parameters are put back at the end.
    frames : sequence of Snapshot
        From :meth:`TrainingRecorder.frames`.
    X : array of shape (n_samples, 2)
        The rows to scatter, in the units ``predict`` takes.
    y : array of shape (n_samples,)
        Their labels.
    path : str or Path
        A ``.gif`` file; parent folders are created.
    caption : callable
        ``caption(snapshot)`` is the frame's title; it is called with the snapshot's
        parameters in the network, so it may compute a loss (:meth:`TrainingRecorder.objective`).
    predict : callable or object with ``predict``, optional
        Labels for rows like ``X`` (default ``network.predict``); pass a function that scales
        raw data first to draw in the data's own units.
    classes, class_names, legend_title, feature_names, limits
        As in :func:`~glassnet.plot.decision_boundary`: give the same ``limits`` as a PNG of
        the same data to draw on the same axes.
    resolution : float, optional
        Grid step in data units; default 200 points along each axis (a frame is 480
        pixels wide).
    fps : int, default 10
        Frames per second.
    hold_last : float, default 2.0
        Seconds the last frame (the final weights) stays before the film starts again.
    dpi : int, default 80
        Frames are 6 × 4.5 inches, so 480 × 360 pixels at 80 dpi.

    Returns
    -------
    Animation
        The path, each frame's update number and caption, and the axes' limits.
    """
    X, y = check_2d_inputs(X, y, "animations")
    path = _gif_path(path)
    if not frames:
        raise ValidationError("no frames to draw: record a training run first")
    limits = limits or _plane_limits(X)
    plane = Plane.over(limits, resolution) if resolution is not None else _coarse(limits)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=dpi)
    own = network.parameters()
    images: list[Any] = []
    captions: list[str] = []
    film: _Film | None = None
    try:
        for snap in frames:
            network.bind_parameters(snap.parameters)
            z = predictions(predict if predict is not None else network, plane.points)
            captions.append(caption(snap))
            if film is None:
                palette = Palette(class_labels(y, z, classes), class_names)
                film = _Film(fig, ax, plane, palette, X, y, captions[-1])
                film.set_scene(emptiest_corner(X, plane.limits), legend_title, feature_names)
            images.append(film.frame(z, captions[-1]))
    finally:
        network.bind_parameters(own)
        plt.close(fig)
    durations = [round(1000 / fps)] * len(images)
    durations[-1] = round(1000 * max(hold_last, 1 / fps))
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return Animation(path, [s.update for s in frames], captions, plane.limits)


def _coarse(limits: Limits) -> Plane:
    """200 grid points along each axis: enough for a 480-pixel frame, a quarter of the work."""
    (x0, x1), (y0, y1) = limits
    xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    return Plane(limits, xx, yy)


class _Film:
    """One figure drawn once; each frame redraws only what changes (blitting).

    The axes, ticks and labels are drawn once and kept as the background; a frame puts the
    background back and draws the new regions, then the points, the axes' frame, the legend
    and the title over them — the layers of :func:`~glassnet.plot.decision_boundary`.
    """

    def __init__(
        self, fig: Any, ax: Any, plane: Plane, palette: Palette, X: Array, y: Array, title: str
    ) -> None:
        self.fig, self.ax, self.plane, self.palette = fig, ax, plane, palette
        self.X, self.y, self.title = X, y, title
        self.background: Any = None
        self.on_top: list[Any] = []

    def set_scene(
        self, corner: Corner, legend_title: str | None, feature_names: Sequence[str] | None
    ) -> None:
        ax = self.ax
        points = self.palette.scatter(ax, self.X, self.y)
        legend = self.palette.legend(ax, corner, legend_title)
        label_axes(ax, self.plane, feature_names)
        ax.set_title(self.title, fontsize="medium")
        self.fig.tight_layout()
        self.on_top = [points, *ax.spines.values(), legend, ax.title]
        for artist in self.on_top:
            artist.set_animated(True)
        self.fig.canvas.draw()
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)

    def frame(self, z: Array, title: str) -> Any:
        """The picture with regions ``z`` and ``title``, as a PIL image."""
        from PIL import Image

        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        filled = self.palette.fill(self.ax, self.plane, z)
        self.ax.title.set_text(title)
        for artist in [filled, *self.on_top]:
            self.ax.draw_artist(artist)
        size = canvas.get_width_height()
        image = Image.frombuffer("RGBA", size, canvas.buffer_rgba()).convert("RGB")
        filled.remove()
        return image.quantize(colors=128, method=Image.Quantize.FASTOCTREE)


def _gif_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValidationError(f"the animation is a GIF; give a .gif path, got {str(path)!r}")
    return path


def _display(network: Network, y: Array) -> tuple[Array, Array | None]:
    """Labels to scatter (one-hot rows become indices) and the classes to colour by."""
    if y.ndim == 2 and y.shape[1] > 1:
        y = np.argmax(y, axis=1)
    y = y.ravel()
    if isinstance(network.output, Softmax):
        return y, np.union1d(y, np.arange(network.n_outputs))
    if isinstance(network.output, Sigmoid) and network.n_outputs == 1:
        return y, np.union1d(y, [0, 1])
    return y, None


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValidationError(f"{name} must be an integer of at least {low}, got {value!r}")
    return int(value)


def animate_training(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    path: str | Path,
    *,
    epochs: int,
    frames: int = 40,
    fps: int = 10,
    fit_kwargs: dict[str, Any] | None = None,
    resolution: float | None = None,
    title: str = "Training",
    dpi: int = 80,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
) -> History:
    """Train a 2-input classifier in place, then write its decision boundary as an animated GIF.

    Training is one :func:`glassnet.fit` call with a :class:`TrainingRecorder` added to its
    callbacks; the frames are drawn after it returns, so the animation costs training only
    the recorder's copies, and the trained weights are exactly those of the same ``fit``
    without it.

    Parameters
    ----------
    network : Network
        A classifier with 2 inputs (softmax or sigmoid output); trained in place.
    X : array of shape (n_samples, 2)
    y : array of shape (n_samples,)
        Class indices (or one-hot rows of shape ``(n_samples, k)``).
    path : str or Path
        Where to write the GIF (a ``.gif`` name); parent folders are created.
    epochs : int
        Epochs in all, as for a single :func:`~glassnet.fit`.
    frames : int, default 40
        At most this many frames: the first update, the final weights, and updates between
        them spaced evenly on a log scale (fewer when the run has fewer updates).
    fps : int, default 10
        Frames per second; the last frame stays 2 s.
    fit_kwargs : dict, optional
        Further :func:`~glassnet.fit` arguments (``learning_rate``, ``optimizer``,
        ``batch_size``, ``loss``, ``random_state``, ``callbacks``, ``early_stopping`` …), all
        but ``epochs``.
    resolution : float, optional
        Grid step of the boundary (see :meth:`~glassnet.plot.boundary.Plane.over`).
    title : str, default "Training"
        Each frame is titled ``"{title} — update u of n"`` over the objective (loss plus
        penalty) on the training rows at that frame's weights.
    dpi : int, default 80
        Frames are 6 × 4.5 inches, so 480 × 360 pixels at 80 dpi.
    feature_names, class_names
        The axes' labels and the legend's class names (see
        :func:`~glassnet.plot.decision_boundary`).

    Returns
    -------
    History
        What :func:`~glassnet.fit` returned.
    """
    if not isinstance(network, Network):
        raise ValidationError(f"network must be a glassnet Network, got {type(network).__name__}")
    epochs = _check_int(epochs, "epochs", 1)
    frames = _check_int(frames, "frames", 2)
    fps = _check_int(fps, "fps", 1)
    path = _gif_path(path)
    kwargs = dict(fit_kwargs or {})
    if "epochs" in kwargs:
        raise ValidationError("pass epochs to animate_training itself, not in fit_kwargs")
    y_show, classes = _display(network, np.asarray(y))
    recorder = TrainingRecorder()
    kwargs["callbacks"] = [*kwargs.get("callbacks", ()), recorder]
    history = fit(network, X, y, epochs=epochs, **kwargs)
    name = recorder.objective_name()

    def caption(snap: Snapshot) -> str:
        return f"{title} — {recorder.moment(snap)}\n{name}: {recorder.objective():.4g}"

    render_training(
        network,
        recorder.frames(network, frames),
        X,
        y_show,
        path,
        caption=caption,
        classes=classes,
        class_names=class_names,
        feature_names=feature_names,
        resolution=resolution,
        fps=fps,
        dpi=dpi,
    )
    return history
