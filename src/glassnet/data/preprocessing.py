"""Preparing arrays for training: train/test splits and standardisation.

:class:`Standardizer` is NumPy only, so a model file's scaling statistics can be applied at
prediction time without scikit-learn; :func:`train_test_split` wraps scikit-learn's.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import NotFittedError, ValidationError
from ..validation import RandomStateLike, check_array, check_random_state

Array = NDArray[Any]

__all__ = ["Standardizer", "sklearn_seed", "standardize", "train_test_split"]


def sklearn_seed(random_state: RandomStateLike) -> int | np.random.RandomState | None:
    """A random state scikit-learn accepts: ints stay ints, a Generator seeds a RandomState."""
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return random_state
    rng = check_random_state(random_state)  # validates the type
    if isinstance(rng, np.random.Generator):
        return np.random.RandomState(int(rng.integers(2**32)))
    return int(random_state)  # type: ignore[arg-type]


def train_test_split(
    X: ArrayLike,
    y: ArrayLike,
    *,
    test_size: float = 0.25,
    stratify: bool = True,
    random_state: RandomStateLike = 0,
) -> tuple[Array, Array, Array, Array]:
    """Split rows at random into a training and a test set (scikit-learn's ``train_test_split``).

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    test_size : float, default 0.25
        The fraction of rows in the test set, strictly between 0 and 1.
    stratify : bool, default True
        Keep the class proportions in both sets. It applies to class codes (1-D integers)
        only, and falls back to a plain random split when a class has fewer than 2 rows.
    random_state : int, RandomState, Generator or None, default 0

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    """
    from sklearn.model_selection import train_test_split as sk_split

    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise ValidationError(f"test_size must be a fraction between 0 and 1, got {test_size!r}")
    if not 0 < test_size < 1:
        raise ValidationError(f"test_size must lie strictly between 0 and 1, got {test_size!r}")
    X_arr, y_arr = np.asarray(X), np.asarray(y)
    n = X_arr.shape[0] if X_arr.ndim else 0
    if y_arr.ndim == 0 or y_arr.shape[0] != n:
        raise ValidationError(f"X has {n} rows but y has shape {y_arr.shape}; they must match")
    n_test = math.ceil(test_size * n)
    if n_test < 1 or n - n_test < 1:
        raise ValidationError(
            f"cannot split {n} rows with test_size={test_size}: a set would be empty"
        )
    seed = sklearn_seed(random_state)
    labels = None
    if stratify and y_arr.ndim == 1 and np.issubdtype(y_arr.dtype, np.integer):
        _, counts = np.unique(y_arr, return_counts=True)
        labels = y_arr if counts.min() >= 2 else None
    try:
        parts = sk_split(X_arr, y_arr, test_size=test_size, stratify=labels, random_state=seed)
    except ValueError:  # e.g. fewer test rows than classes: fall back to a plain split
        if labels is None:
            raise
        parts = sk_split(X_arr, y_arr, test_size=test_size, random_state=seed)
    X_train, X_test, y_train, y_test = parts
    return X_train, X_test, y_train, y_test


class Standardizer:
    r"""Scale each feature to zero mean and unit variance, with statistics from ``fit``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        The column means of the fitted data.
    scale_ : ndarray of shape (n_features,)
        The column standard deviations (``ddof=0``), with zeros replaced by 1.

    Notes
    -----
    .. math:: z = (x - \mu) / \sigma, \qquad x = z\,\sigma + \mu

    as scikit-learn's ``StandardScaler``. A float32 input gives a float32 output.
    """

    def __init__(self) -> None:
        self.mean_: NDArray[np.float64] | None = None
        self.scale_: NDArray[np.float64] | None = None

    def fit(self, X: ArrayLike) -> Standardizer:
        """Learn the column means and standard deviations of ``X`` (n_samples, n_features)."""
        arr = check_array(X, "X")
        std = arr.std(axis=0, dtype=np.float64)
        self.mean_ = arr.mean(axis=0, dtype=np.float64)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _stats(self, X: ArrayLike) -> tuple[Array, Array, Array]:
        if self.mean_ is None or self.scale_ is None:
            raise NotFittedError("this Standardizer is not fitted yet; call fit(X) first")
        arr = check_array(X, "X")
        if arr.shape[1] != self.mean_.shape[0]:
            raise ValidationError(
                f"X has {arr.shape[1]} features but the Standardizer was fitted on "
                f"{self.mean_.shape[0]}"
            )
        return arr, self.mean_.astype(arr.dtype), self.scale_.astype(arr.dtype)

    def transform(self, X: ArrayLike) -> Array:
        """``(X - mean_) / scale_``, shape (n_samples, n_features)."""
        arr, mean, scale = self._stats(X)
        return (arr - mean) / scale

    def fit_transform(self, X: ArrayLike) -> Array:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: ArrayLike) -> Array:
        """``Z * scale_ + mean_``: back to the original units."""
        arr, mean, scale = self._stats(Z)
        return arr * scale + mean

    def to_arrays(self) -> dict[str, NDArray[np.float64]]:
        """The statistics as ``{"mean": ..., "scale": ...}`` (copies), e.g. for a model file."""
        if self.mean_ is None or self.scale_ is None:
            raise NotFittedError("this Standardizer is not fitted yet; call fit(X) first")
        return {"mean": self.mean_.copy(), "scale": self.scale_.copy()}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, ArrayLike]) -> Standardizer:
        """Rebuild a fitted Standardizer from :meth:`to_arrays`'s ``{"mean", "scale"}``."""
        missing = sorted({"mean", "scale"} - set(arrays))
        if missing:
            raise ValidationError(f"Standardizer arrays need 'mean' and 'scale'; missing {missing}")
        mean = check_array(arrays["mean"], "mean", ndim=1, dtype=np.float64).copy()
        scale = check_array(arrays["scale"], "scale", ndim=1, dtype=np.float64).copy()
        if mean.shape != scale.shape or not np.all(scale > 0):
            raise ValidationError(
                f"mean and scale must have the same shape and scale must be > 0; got shapes "
                f"{mean.shape} and {scale.shape}"
            )
        result = cls()
        result.mean_, result.scale_ = mean, scale
        return result


def standardize(train: Array, *others: Array) -> tuple[Array, ...]:
    """Scale columns to zero mean and unit variance using the statistics of ``train`` only."""
    scaler = Standardizer().fit(train)
    return tuple(scaler.transform(a) for a in (train, *others))
