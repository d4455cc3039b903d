"""Pictures of what a network learned (matplotlib, headless).

matplotlib is imported when a function here is called, with the non-interactive ``Agg``
backend unless one was already chosen, so plotting works on machines with no screen.
Every function draws on an ``ax`` it is given (or a new figure) and returns the figure;
pass ``path`` to write it as a PNG (parent folders are created). Each picture says what it
shows: its axes are named, two curves or several classes get a legend, and the title says
which rows are drawn.

==========================  ===============================================================
:func:`decision_boundary`   the plane coloured by predicted class, data on top (WildML)
:func:`sweep_grid`          one decision boundary per model, with optional scores
:func:`plane_limits`        the axes' limits around 2-D data, to share between pictures
:func:`loss_curve`          a loss sequence (per update or per epoch)
:func:`loss_curves`         train and validation loss from a :class:`~glassnet.History`
:func:`prediction_surface`  a 2-input regression model as a 3-D surface (ml4a)
:func:`confusion_matrix`    a confusion matrix as a heat map with counts in the cells
:func:`animate_training`    an animated GIF of the decision boundary as a network trains
==========================  ===============================================================

The animation is recorded and drawn in two steps, so that drawing never slows training: a
:class:`TrainingRecorder` callback copies the parameters at a few updates spaced evenly on
a log scale, and :func:`render_training` draws the chosen frames once training is over.

``plot.confusion_matrix`` *draws* a matrix; :func:`glassnet.metrics.confusion_matrix`
*computes* one: ``plot.confusion_matrix(metrics.confusion_matrix(y, net.predict(X)))``.
"""

from __future__ import annotations

from .animation import Animation, animate_training, render_training
from .boundary import decision_boundary, plane_limits, sweep_grid
from .figures import confusion_matrix, prediction_surface
from .pictures import loss_curve, loss_curves
from .recorder import Snapshot, TrainingRecorder

__all__ = [
    "Animation",
    "Snapshot",
    "TrainingRecorder",
    "animate_training",
    "confusion_matrix",
    "decision_boundary",
    "loss_curve",
    "loss_curves",
    "plane_limits",
    "prediction_surface",
    "render_training",
    "sweep_grid",
]
