"""scikit-learn estimators over the engine: :class:`GlassClassifier` and :class:`GlassRegressor`."""

from __future__ import annotations

from .estimators import GlassClassifier, GlassRegressor

__all__ = ["GlassClassifier", "GlassRegressor"]
