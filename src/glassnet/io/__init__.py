"""Files: model files (:mod:`~glassnet.io.model`; what one holds and how it predicts:
:mod:`~glassnet.io.modelfile`), checkpoints (:mod:`~glassnet.io.checkpoint`) and the
checked, atomic ``.npz`` archive both are written in (:mod:`~glassnet.io.archive`).

NumPy only, like the engine: a saved model loads and predicts without scikit-learn.
"""

from __future__ import annotations

from .model import FORMAT, FORMAT_VERSION, ModelFile, load, load_model, save

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFile", "load", "load_model", "save"]
