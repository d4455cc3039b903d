"""Datasets for the tutorials: generated ones (through scikit-learn) and the shipped Pima table.

Everything here works offline. The Pima Indians diabetes table ships inside the package
(``glassnet/datasets/pima_diabetes.csv``; see ``glassnet/datasets/README.md`` for its source
and attribution).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validation import RandomStateLike
from .errors import ValidationError

Array = NDArray[Any]

__all__ = ["Dataset", "load_pima", "make_moons", "standardize", "toy_xor"]


@dataclass
class Dataset:
    """Features, targets and their names; ``split`` marks the tutorial's own train/test rows."""

    X: Array
    y: Array
    feature_names: list[str]
    target_name: str
    split: Array | None = None

    def subset(self, name: str) -> tuple[Array, Array]:
        """Rows whose ``split`` equals ``name`` (``"train"`` or ``"test"``)."""
        if self.split is None:
            raise ValidationError("this dataset has no predefined split")
        mask = self.split == name
        if not mask.any():
            raise ValidationError(
                f"no rows in split {name!r}; splits are {sorted(set(self.split))}"
            )
        return self.X[mask], self.y[mask]


def load_pima() -> Dataset:
    """The Pima Indians diabetes table (532 complete cases, MASS's ``Pima.tr`` + ``Pima.te``).

    ``X`` holds the 7 numeric columns (npreg, glu, bp, skin, bmi, ped, age), ``y`` is 1 for
    diabetes "Yes", and ``split`` is ``"train"`` (200 rows) or ``"test"`` (332 rows).
    """
    text = resources.files("glassnet").joinpath("datasets/pima_diabetes.csv").read_text()
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    features = header[:7]
    X = np.array([[float(v) for v in r[:7]] for r in body])
    y = np.array([1 if r[7] == "Yes" else 0 for r in body], dtype=np.intp)
    split = np.array([r[8] for r in body])
    return Dataset(X, y, features, "diabetes", split)


def make_moons(
    n_samples: int = 200, noise: float = 0.20, random_state: RandomStateLike = 0
) -> tuple[Array, Array]:
    """Two interleaving half-circles: scikit-learn's ``make_moons`` (the WildML data)."""
    from sklearn.datasets import make_moons as sk_make_moons

    return sk_make_moons(n_samples, noise=noise, random_state=random_state)


def toy_xor() -> tuple[Array, Array]:
    """The 4-row table of the toy tutorial: y is the XOR of the first two columns."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


def standardize(train: Array, *others: Array) -> tuple[Array, ...]:
    """Scale columns to zero mean and unit variance using the statistics of ``train`` only."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple((a - mean) / std for a in (train, *others))
