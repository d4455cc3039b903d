r"""Extra input features of 2-D data: :math:`x_1^2`, :math:`x_1 x_2`, :math:`\sin x_1`, …

TensorFlow Playground lets a learner feed a network more than the two coordinates
:math:`(x_1, x_2)`: their squares, their product and their sines. With :math:`x_1^2` and
:math:`x_2^2` a network without hidden layers separates the circles, a job that otherwise
takes a hidden layer. :data:`FEATURES` names each feature (the names ``glassnet train
--features`` and the playground use) and :func:`expand` computes the chosen ones.

The features are computed from the raw coordinates, before any standardisation: the columns
:func:`expand` returns are what a model is trained on, and they are standardised like any
other inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ValidationError
from ..validation import check_array

Array = NDArray[Any]

__all__ = ["FEATURES", "expand", "parse_features"]


FEATURES: Mapping[str, Callable[[Array], Array]] = MappingProxyType(
    {
        "x1": lambda X: X[:, 0],
        "x2": lambda X: X[:, 1],
        "x1^2": lambda X: X[:, 0] ** 2,
        "x2^2": lambda X: X[:, 1] ** 2,
        "x1*x2": lambda X: X[:, 0] * X[:, 1],
        "sin(x1)": lambda X: np.sin(X[:, 0]),
        "sin(x2)": lambda X: np.sin(X[:, 1]),
    }
)
"""The features by name: each a function of the ``(n, 2)`` array of coordinates."""


def check_features(names: Sequence[str]) -> list[str]:
    """``names`` as a list, checked: known names, at least one, none twice."""
    names = list(names)
    if not names:
        raise ValidationError(f"choose at least one feature out of {list(FEATURES)}")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValidationError(f"unknown feature(s) {unknown}; choose among {list(FEATURES)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError(f"feature(s) {twice} given more than once")
    return names


def parse_features(text: str) -> list[str]:
    """``"x1,x2,x1^2"`` → ``["x1", "x2", "x1^2"]``, checked (the ``--features`` option)."""
    return check_features([part.strip() for part in text.split(",") if part.strip()])


def expand(X: ArrayLike, names: Sequence[str]) -> NDArray[np.float64]:
    """The columns ``names`` (out of :data:`FEATURES`) of the 2-D points ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The coordinates :math:`(x_1, x_2)`.
    names : sequence of str
        Features in the order wanted, e.g. ``["x1", "x2", "x1^2", "x2^2"]``.

    Returns
    -------
    ndarray of shape (n_samples, len(names)), float64
    """
    arr = check_array(X, "X").astype(np.float64, copy=False)
    if arr.shape[1] != 2:
        raise ValidationError(
            f"features are computed from two coordinates (x1, x2); X has {arr.shape[1]} columns"
        )
    return np.column_stack([FEATURES[name](arr) for name in check_features(names)])
