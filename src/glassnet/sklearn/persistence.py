"""Saving and loading the estimators through :mod:`glassnet.io` — a model file, never pickle.

The file holds the network, the classes, the estimator's parameters and its fitted
attributes as JSON metadata; :meth:`load` rebuilds an estimator that predicts bit for bit
what the saved one did.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..activations import ACTIVATIONS, Activation
from ..errors import ModelFileError
from ..io import load_model, save
from .base import GlassEstimatorBase

_FITTED = (
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "validation_loss_curve_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
)


def _to_json(value: Any) -> Any:
    """JSON-ready values: lists for tuples, Python numbers for NumPy's, tagged non-finite floats
    and dicts with non-string keys (``class_weight={0: 2.0}``)."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _to_json(v) for k, v in value.items()}
        return {"__pairs__": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        if set(value) == {"__pairs__"}:
            return {_from_json(k): _from_json(v) for k, v in value["__pairs__"]}
        return {k: _from_json(v) for k, v in value.items()}
    return value


class _Persistent(GlassEstimatorBase):
    """:meth:`save` and :meth:`load` through :mod:`glassnet.io`."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted estimator to a glassnet model file at ``path`` (no pickle).

        The network's arrays go into the file; the hyperparameters (``get_params()``) and the
        fitted attributes into its JSON metadata. An :class:`~glassnet.activations.Activation`
        instance is stored by its name and settings; ``callbacks`` and a ``RandomState``
        ``random_state`` are not stored (they load as None). The optimizer's state is not
        stored: ``partial_fit`` or ``warm_start`` on a loaded estimator starts a new optimizer.
        """
        check_is_fitted(self)
        params = self.get_params(deep=False)
        activation = params["activation"]
        if isinstance(activation, Activation):
            params["activation"] = activation.name
        if not isinstance(params["random_state"], (int, np.integer)):
            params["random_state"] = None
        params["callbacks"] = None
        names = getattr(self, "feature_names_in_", None)
        metadata = {
            "estimator": type(self).__name__,
            "params": _to_json(params),
            "activation_config": activation.config()
            if isinstance(activation, Activation)
            else None,
            "fitted": _to_json({k: getattr(self, k, None) for k in _FITTED}),
            "feature_names_in": None if names is None else [str(n) for n in names],
            **self._extra_metadata(),
        }
        save(self.network_, path, classes=self._saved_classes(), metadata=metadata)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Any:
        """Read an estimator written by :meth:`save`; it predicts bit for bit as the saved one."""
        model = load_model(path)
        meta = model.metadata
        if meta.get("estimator") != cls.__name__:
            raise ModelFileError(
                f"{os.fspath(path)}: holds {meta.get('estimator')!r}, not a {cls.__name__}"
            )
        params = _from_json(meta["params"])
        if isinstance(params.get("hidden_layer_sizes"), list):
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        config = meta.get("activation_config")
        if config is not None:
            if params["activation"] not in ACTIVATIONS:
                raise ModelFileError(f"unknown activation {params['activation']!r}")
            params["activation"] = ACTIVATIONS[params["activation"]](**config)
        estimator = cls(**params)
        estimator.network_ = model.network
        for key, value in _from_json(meta["fitted"]).items():
            setattr(estimator, key, value)
        if meta.get("feature_names_in") is not None:
            estimator.feature_names_in_ = np.asarray(meta["feature_names_in"], dtype=object)
        estimator._best_params = None
        estimator._no_improvement_count = 0
        estimator._restore(model.classes, meta)
        return estimator

    def _extra_metadata(self) -> dict[str, Any]:
        return {}

    def _saved_classes(self) -> list[Any] | None:
        return None

    def _restore(self, classes: list[Any] | None, meta: dict[str, Any]) -> None:
        """Rebuild what the subclass needs beyond the common attributes."""
