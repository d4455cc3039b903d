r"""What a model file holds (:class:`ModelFile`), and predicting with it in the data's terms.

:func:`~glassnet.io.load_model` returns a :class:`ModelFile`. A model file written by ``glassnet train`` (:func:`glassnet.cli.workflow.save_trained`)
records how the network's inputs were prepared, and :meth:`ModelFile.predict` applies it:

==================================  ==========================================================
``metadata["table"]``               the :class:`~glassnet.data.TableEncoder` (as JSON) that
                                    turns a table's raw columns into numbers
``metadata["feature_names"]``       the network's input columns (the raw numeric columns of
                                    a file written before tables were encoded)
``preprocessing["x_mean"]``, …      the input standardisation (``x_mean``, ``x_scale``) and,
                                    for regression, the target's (``y_mean``, ``y_scale``)
``metadata["task"]``, ``classes``   classification (codes decoded to the labels) or regression
==================================  ==========================================================

A NumPy array is taken as the encoded features (what the table encoding gives, before the
standardisation), so that a model predicts with NumPy alone; a pandas DataFrame goes through
the table encoding first, and only then is pandas imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..activations import Sigmoid, Softmax
from ..errors import ValidationError
from ..network import Network
from ..validation import check_array

if TYPE_CHECKING:
    from ..data import Standardizer, TableEncoder

Array = NDArray[Any]

__all__ = [
    "ModelFile",
    "encoder_of",
    "features",
    "outputs",
    "predict",
    "predict_proba",
    "scalers",
    "task_of",
]


@dataclass
class ModelFile:
    """What a model file holds, as :func:`~glassnet.io.load_model` returns it.

    Attributes
    ----------
    network : Network
        The network, ready to predict.
    preprocessing : dict of str to ndarray
        The preprocessing arrays given to :func:`~glassnet.io.save`; empty if none were given.
    classes : list or None
        The class labels given to :func:`~glassnet.io.save`, as a list.
    metadata : dict
        The user metadata given to :func:`~glassnet.io.save`; empty if none was given.
    glassnet_version : str
        The glassnet version that wrote the file.
    """

    network: Network
    preprocessing: dict[str, Array] = field(default_factory=dict)
    classes: list[Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    glassnet_version: str = ""

    def predict(self, data: Any) -> Array:
        """Predictions in the data's own terms: class labels, or values in the target's units.

        ``data`` is a pandas DataFrame with the training columns (in any order; the saved
        table encoding and scaling are applied) or an array of shape (n_samples,
        n_features) of the encoded features (scaled as saved, with NumPy alone). Returns an
        ndarray of shape (n_samples,): one prediction per row, in order.
        """
        return predict(self, data)

    def predict_proba(self, data: Any) -> Array:
        """Class probabilities, shape (n_samples, n_classes), for the same ``data`` as
        :meth:`predict`; the columns follow ``classes``."""
        return predict_proba(self, data)


def task_of(model_file: ModelFile) -> str:
    """``metadata["task"]``; without one, what the output says (softmax, sigmoid: classes)."""
    task = model_file.metadata.get("task")
    if task in ("classification", "regression"):
        return str(task)
    classifier = isinstance(model_file.network.output, (Softmax, Sigmoid))
    return "classification" if classifier else "regression"


def scalers(model_file: ModelFile) -> tuple[Standardizer | None, Standardizer | None]:
    """The input and target standardisations (``x_*`` and ``y_*`` arrays; None where absent)."""
    from ..data.preprocessing import Standardizer

    prep = model_file.preprocessing

    def one(prefix: str) -> Standardizer | None:
        arrays = {k[len(prefix) :]: v for k, v in prep.items() if k.startswith(prefix)}
        return Standardizer.from_arrays(arrays) if arrays else None

    return one("x_"), one("y_")


def encoder_of(model_file: ModelFile) -> TableEncoder | None:
    """The table encoding: the saved one, numeric columns for an older file, None without names."""
    from ..data.tabular import TableEncoder

    meta = model_file.metadata
    if "table" in meta:
        return TableEncoder.from_json(meta["table"])
    names = meta.get("feature_names")
    return TableEncoder.numeric(names) if names else None


def features(model_file: ModelFile, data: Any) -> Array:
    """The network's features, before the saved standardisation, of a DataFrame or an array.

    A model trained on extra features of 2-D data (``metadata["features"]``, such as
    ``"x1^2"``) takes the two raw coordinates and computes them again.
    """
    extra = list(model_file.metadata.get("features") or [])
    n_features = 2 if extra else model_file.network.n_features
    if _is_frame(data):
        encoder = encoder_of(model_file)
        if encoder is None:
            raise ValidationError(
                "this model file names no feature columns, so it cannot read a table; give "
                f"an array of {n_features} features"
            )
        X = encoder.transform(data)
    else:
        X = check_array(data, "X")
        if X.shape[1] != n_features:
            raise ValidationError(f"X has {X.shape[1]} features but the model expects {n_features}")
    if extra:
        from ..data.features import expand

        return expand(X, extra)
    return X


def _is_frame(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pandas") and type(data).__name__ == "DataFrame"


def outputs(
    network: Network,
    X: Array,
    scaler: Standardizer | None,
    target_scaler: Standardizer | None,
    task: str,
) -> tuple[Array, Array | None]:
    """(predictions, class probabilities or None) for features ``X``, scaled as saved.

    Classification gives the class codes and one probability column per class (a single
    sigmoid unit's P(class 1) becomes the two columns 1 − p, p); regression gives the values
    in the target's units, shape (n,) for one output.
    """
    Xs = scaler.transform(X) if scaler is not None else X
    if task == "classification":
        proba = network.predict_proba(Xs)
        if proba.shape[1] == 1:  # one sigmoid unit: P(class 1)
            proba = np.hstack([1 - proba, proba])
        return proba.argmax(axis=1), proba
    out = network.predict(Xs)
    if target_scaler is not None:
        out = target_scaler.inverse_transform(out)
    return (out[:, 0] if out.shape[1] == 1 else out), None


def _outputs(model_file: ModelFile, data: Any) -> tuple[Array, Array | None]:
    X = features(model_file, data)
    return outputs(model_file.network, X, *scalers(model_file), task_of(model_file))


def predict(model_file: ModelFile, data: Any) -> Array:
    """The class labels (decoded with ``classes``) or the values predicted for ``data``."""
    pred, _ = _outputs(model_file, data)
    if task_of(model_file) == "classification" and model_file.classes:
        return np.asarray(model_file.classes)[pred]
    return pred


def predict_proba(model_file: ModelFile, data: Any) -> Array:
    """One probability column per class (in the order of ``classes``) for ``data``'s rows."""
    if task_of(model_file) != "classification":
        raise ValidationError("predict_proba needs a classifier; this model predicts values")
    _, proba = _outputs(model_file, data)
    assert proba is not None  # a classification's outputs have probabilities
    return proba
