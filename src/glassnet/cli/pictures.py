"""The pictures of ``glassnet train`` and ``glassnet sweep`` (``--plot DIR``).

Each says what it shows: axes named after the features, a legend with the class labels, a
title with the rows drawn and their score, the loss under the model's own name. Decision
boundaries are drawn in the data's own units (the model scales what it is given), and the
training animation on the same axes as the PNG. The animation's frames are recorded during
training by a :class:`~glassnet.plot.TrainingRecorder` (copies of the parameters, nothing
drawn) and drawn here, after training.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..plot.base import pyplot

if TYPE_CHECKING:
    from ..plot import Animation, TrainingRecorder
    from .workflow import TrainConfig, TrainedModel

__all__ = ["animate", "network_words", "sweep_picture", "training_pictures"]


def network_words(config: TrainConfig) -> str:
    """The network's hidden layers in words: ``"3 hidden units"``, ``"hidden layers 16, 8"``."""
    hidden = tuple(config.hidden)
    if not hidden:
        return "no hidden layer"
    if len(hidden) == 1:
        return f"{hidden[0]} hidden unit{'' if hidden[0] == 1 else 's'}"
    return "hidden layers " + ", ".join(map(str, hidden))


def _shown_rows(model: TrainedModel) -> tuple[str, Any, Any]:
    """The rows a picture of the model shows: its test rows, or its train rows if none."""
    if model.X_test is not None and model.y_test is not None:
        return "test", model.X_test, model.y_test
    return "train", model.X_train, model.y_train


def _class_style(model: TrainedModel) -> dict[str, Any]:
    """Colours, legend and axes for a decision boundary of this model's data."""
    from .. import plot

    d = model.dataset
    names = [str(c) for c in d.classes or []]
    return {
        "classes": np.arange(len(names)),
        "class_names": names,
        "legend_title": d.target_name,
        "feature_names": d.feature_names,
        "limits": plot.plane_limits(d.X),
    }


def training_pictures(
    model: TrainedModel, out: Path, recorder: TrainingRecorder | None = None
) -> list[Path]:
    """Write the run's pictures into ``out``; with ``recorder``, the animation too."""
    from .. import plot

    d = model.dataset
    words = network_words(model.config)
    written = [out / "loss.png"]
    penalised = bool(model.config.l2 or model.config.l1)
    validated = bool(model.history.val_loss)
    plot.loss_curves(
        model.history,
        title=f"{'Loss' if validated else 'Loss on the train rows'} per epoch — {words}",
        ylabel=model.loss_name,
        labels=("train", "validation (no penalty)" if penalised else "validation"),
        path=written[0],
    )
    rows, X_shown, y_shown = _shown_rows(model)
    if d.task == "classification":
        from ..metrics import confusion_matrix

        cm = confusion_matrix(y_shown, model.predict(X_shown), n_classes=len(d.classes or []))
        written.append(out / "confusion_matrix.png")
        plot.confusion_matrix(cm, [str(c) for c in d.classes or []], rows=rows, path=written[-1])
        if d.X.shape[1] == 2:
            written.append(out / "decision_boundary.png")
            accuracy = model.scores[rows]["accuracy"]
            plot.decision_boundary(
                model.predict,
                X_shown,
                y_shown,
                title=f"{words} — {rows} rows, accuracy {accuracy:.2f}",
                path=written[-1],
                **_class_style(model),
            )
            if recorder is not None:
                written.append(animate(model, recorder, out / "training.gif").path)
    elif d.X.shape[1] == 2 and d.y.ndim == 1:
        written.append(out / "prediction_surface.png")
        plot.prediction_surface(
            model.predict,
            X_shown,
            y_shown,
            axis_labels=(d.feature_names[0], d.feature_names[1], d.target_name),
            title=f"{words} — {rows} rows, R² {model.scores[rows]['r2']:.2f}",
            path=written[-1],
        )
    pyplot().close("all")
    return written


def animate(
    model: TrainedModel, recorder: TrainingRecorder, path: Path, *, frames: int = 40
) -> Animation:
    """Draw the recorded run as a GIF: its decision boundary on the train rows, in the data's
    own units and on the axes of ``decision_boundary.png``, with the loss at each frame."""
    from .. import plot

    words = network_words(model.config)
    rows = "train" if model.config.validation_fraction is None else "train + validation"

    def caption(snap: plot.Snapshot) -> str:  # three short lines fit a 480-pixel frame
        return (
            f"{words}, {rows} rows\n{recorder.moment(snap)}\n"
            f"{model.loss_name}: {recorder.objective():.4f}"
        )

    return plot.render_training(
        model.network,
        recorder.frames(model.network, frames),
        model.X_train,
        model.y_train,
        path,
        caption=caption,
        predict=model.predict,
        **_class_style(model),
    )


def sweep_picture(models: Sequence[TrainedModel], labels: Sequence[str], path: Path) -> Path:
    """The decision boundary of every swept model, one panel each, on their train rows (all
    rows when the sweep changes the split), titled with the setting and the accuracy."""
    from .. import plot
    from ..metrics import accuracy

    first = models[0]
    if all(np.array_equal(m.X_train, first.X_train) for m in models):
        rows, X, y = "train", first.X_train, first.y_train
        scores = [
            (m.scores["train"]["accuracy"], m.scores.get("test", {}).get("accuracy"))
            for m in models
        ]
    else:
        rows, X, y = "all", first.dataset.X, first.dataset.y
        scores = [(accuracy(y, m.predict(X)), None) for m in models]
    plot.sweep_grid(
        [m.predict for m in models],
        list(labels),
        X,
        y,
        scores=scores,
        rows=rows,
        path=path,
        **_class_style(first),
    )
    pyplot().close("all")
    return path
