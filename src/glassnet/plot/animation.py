"""An animated GIF of a classifier's decision boundary while it trains.

:func:`animate_training` is re-exported as :func:`glassnet.plot.animate_training`; like the
rest of :mod:`glassnet.plot` it imports matplotlib only when called.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..activations import Sigmoid, Softmax
from ..callbacks import Callback, History
from ..errors import ValidationError
from ..network import Network
from ..trainer import Trainer
from ..training import fit

__all__ = ["animate_training"]


def _frame_epochs(epochs: int, frames: int) -> set[int]:
    """The ``frames`` epoch numbers (1-based) after which a frame is drawn, evenly spread."""
    q, r = divmod(epochs, frames)
    sizes = [q + 1] * r + [q] * (frames - r)
    return set(np.cumsum(sizes).tolist())


def _display(network: Network, y: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any] | None]:
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


class _FrameRecorder(Callback):
    """Draws the decision boundary after chosen epochs and hands each frame to the writer."""

    def __init__(self, draw: Callable[[int, float], None], when: set[int]) -> None:
        self.draw, self.when = draw, when
        self.last = 0

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if epoch + 1 in self.when:
            self.draw(epoch + 1, logs["loss"])
            self.last = epoch + 1

    def on_train_end(self, trainer: Trainer) -> None:
        done = trainer.history.epochs
        if done and self.last != done:  # stopped early: end the film on the final weights
            self.draw(done, trainer.history.loss[-1])
            self.last = done


def animate_training(
    network: Network,
    X: ArrayLike,
    y: ArrayLike,
    path: str | Path,
    *,
    epochs: int,
    frames: int = 30,
    fps: int = 10,
    fit_kwargs: dict[str, Any] | None = None,
    resolution: float = 0.02,
    title: str = "Training",
    dpi: int = 80,
) -> History:
    """Train a 2-input classifier in place and write its decision boundary as an animated GIF.

    Training is one :func:`glassnet.fit` call; a callback draws the boundary (as
    :func:`glassnet.plot.decision_boundary` draws it) after ``frames`` evenly spread epochs,
    and each drawing becomes one frame. The trained weights are exactly those of the same
    ``fit`` without the animation.

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
    frames : int, default 30
        Frames in the GIF, at most ``epochs``.
    fps : int, default 10
        Frames per second.
    fit_kwargs : dict, optional
        Further :func:`~glassnet.fit` arguments (``learning_rate``, ``optimizer``,
        ``batch_size``, ``loss``, ``random_state``, ``callbacks``, ``early_stopping`` …), all
        but ``epochs``.
    resolution : float, default 0.02
        Grid step of the boundary.
    title : str, default "Training"
        Each frame is titled ``"{title} — epoch e/epochs, loss l"``, where ``l`` is
        ``History.loss`` of the frame's last epoch.
    dpi : int, default 80
        Frames are 6 × 4.5 inches, so 480 × 360 pixels at 80 dpi.

    Returns
    -------
    History
        What :func:`~glassnet.fit` returned.

    Notes
    -----
    One figure is drawn on and cleared for each frame, so memory is one figure plus the
    frames the GIF writer keeps. If training stops early, the last frame shows the final
    weights.
    """
    from matplotlib.animation import PillowWriter

    from .base import pyplot
    from .pictures import decision_boundary

    if not isinstance(network, Network):
        raise ValidationError(f"network must be a glassnet Network, got {type(network).__name__}")
    epochs = _check_int(epochs, "epochs", 1)
    frames = _check_int(frames, "frames", 1)
    if frames > epochs:
        raise ValidationError(f"frames ({frames}) cannot exceed epochs ({epochs})")
    fps = _check_int(fps, "fps", 1)
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValidationError(f"animate_training writes a GIF; give a .gif path, got {str(path)!r}")
    kwargs = dict(fit_kwargs or {})
    if "epochs" in kwargs:
        raise ValidationError("pass epochs to animate_training itself, not in fit_kwargs")
    y_show, classes = _display(network, np.asarray(y))
    path.parent.mkdir(parents=True, exist_ok=True)

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    writer = PillowWriter(fps=fps)

    def draw(epoch: int, loss: float) -> None:
        ax.clear()
        label = f"{title} — epoch {epoch}/{epochs}, loss {loss:.4g}"
        decision_boundary(
            network, X, y_show, ax=ax, title=label, resolution=resolution, classes=classes
        )
        writer.grab_frame()

    recorder = _FrameRecorder(draw, _frame_epochs(epochs, frames))
    kwargs["callbacks"] = [*kwargs.get("callbacks", ()), recorder]
    try:
        with writer.saving(fig, str(path), dpi):
            history = fit(network, X, y, epochs=epochs, **kwargs)
    finally:
        plt.close(fig)
    return history
