"""Pictures (matplotlib): decision boundaries, loss curves, sweeps, surfaces, animations."""

from __future__ import annotations

from .animation import animate_training
from .figures import confusion_matrix, prediction_surface
from .pictures import decision_boundary, loss_curve, loss_curves, sweep_grid

__all__ = [
    "animate_training",
    "confusion_matrix",
    "decision_boundary",
    "loss_curve",
    "loss_curves",
    "prediction_surface",
    "sweep_grid",
]
