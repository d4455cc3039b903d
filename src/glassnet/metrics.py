r"""Metrics on NumPy arrays: accuracy, log loss, confusion matrix, MSE, R².

Pure NumPy, so the engine can report them without scikit-learn; the tests check each
against scikit-learn's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ValidationError

__all__ = [
    "accuracy",
    "confusion_matrix",
    "log_loss",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
]


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[NDArray[Any], NDArray[Any]]:
    a, b = np.asarray(y_true), np.asarray(y_pred)
    if a.shape[0] != b.shape[0]:
        raise ValidationError(f"y_true has {a.shape[0]} rows but y_pred has {b.shape[0]}")
    if a.shape[0] == 0:
        raise ValidationError("cannot score empty arrays")
    return a, b


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Fraction of rows predicted exactly (all outputs of a row must match)."""
    a, b = _pair(y_true, y_pred)
    if a.ndim == 2 and a.shape[1] > 1 and b.ndim == 1:
        a = a.argmax(axis=1)  # one-hot targets against class indices
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if b.ndim == 2 and b.shape[1] == 1:
        b = b[:, 0]
    same = a == b
    return float(np.mean(same if same.ndim == 1 else same.all(axis=1)))


def log_loss(y_true: ArrayLike, proba: ArrayLike) -> float:
    r"""Mean negative log-likelihood :math:`-\frac1n\sum_i \log p_{i, y_i}` of class indices."""
    y, p = _pair(y_true, proba)
    p = np.clip(p, np.finfo(p.dtype).eps, 1.0)
    return float(-np.mean(np.log(p[np.arange(len(y)), y.astype(np.intp)])))


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None
) -> NDArray[np.intp]:
    """``C[i, j]`` counts rows of true class ``i`` predicted as ``j`` (class indices 0..k-1)."""
    a, b = _pair(y_true, y_pred)
    a, b = a.astype(np.intp), b.astype(np.intp)
    k = int(max(a.max(), b.max()) + 1) if n_classes is None else n_classes
    out = np.zeros((k, k), dtype=np.intp)
    np.add.at(out, (a, b), 1)
    return out


def mean_squared_error(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean of the squared differences over all entries."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean((a.reshape(b.shape) - b) ** 2))


def mean_absolute_error(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean of the absolute differences over all entries."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a.reshape(b.shape) - b)))


def r2_score(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    r"""Coefficient of determination :math:`1 - \sum(y-\hat y)^2/\sum(y-\bar y)^2`, averaged over outputs.

    An output whose true values are constant scores 1 when predicted exactly and 0 otherwise,
    as in scikit-learn.
    """
    a, b = _pair(y_true, y_pred)
    n = int(b.shape[0])
    a2 = np.asarray(a, dtype=np.float64).reshape(n, -1)
    b2 = np.asarray(b, dtype=np.float64).reshape(n, -1)
    ss_res = ((a2 - b2) ** 2).sum(axis=0)
    ss_tot = ((a2 - a2.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), ss_res == 0)
    return float(np.mean(r2))
