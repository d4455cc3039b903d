"""The :class:`Dataset` record: the features, the target and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ValidationError

if TYPE_CHECKING:
    from .tabular import TableEncoder

Array = NDArray[Any]

__all__ = ["TASKS", "Dataset"]

TASKS = ("classification", "regression")


@dataclass
class Dataset:
    r"""Features, targets and what they mean.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features, float64.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Class codes ``0 .. k-1`` (integers, 1-D) for classification; floats for regression.
    feature_names : list of str
        One name per column of ``X``.
    target_name : str
        What ``y`` is.
    split : ndarray of str of shape (n_samples,), optional
        ``"train"`` or ``"test"`` per row, where the data comes with its own split.
    task : {"classification", "regression"}
    classes : list, optional
        The original labels in code order (``classes[code]``); ``None`` for regression.
    name, description : str
        The dataset's name and a one-line description.
    frame : pandas.DataFrame, optional
        The raw feature columns, one row per row of ``X``, where the data is a table
        (:func:`~glassnet.data.load_csv`); ``X`` is ``encoder.transform(frame)``.
    encoder : TableEncoder, optional
        What turns ``frame`` into ``X``: :func:`glassnet.cli.workflow.train` fits a copy of
        it on its training rows and saves it with the model.
    notes : list of str
        What loading did that the user should hear of (rows dropped for missing values, say).
    """

    X: Array
    y: Array
    feature_names: list[str]
    target_name: str
    split: Array | None = None
    task: str = "classification"
    classes: list[Any] | None = None
    name: str = ""
    description: str = ""
    frame: Any = None
    encoder: TableEncoder | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValidationError(f"task must be one of {list(TASKS)}, got {self.task!r}")

    @property
    def n_samples(self) -> int:
        """The number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """The number of feature columns."""
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        """The number of classes; ``None`` for regression."""
        return None if self.classes is None else len(self.classes)

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

    def fitted_on(self, rows: ArrayLike) -> Dataset:
        """A copy whose table ``encoder`` is fitted on the rows at positions ``rows`` only,
        and whose ``X`` is all of ``frame`` encoded by it (the dataset itself without a table).

        A category that only the other rows have is an error, unless the encoder ignores
        unseen categories: it is learnt from ``rows``, as at prediction.
        """
        if self.encoder is None or self.frame is None:
            return self
        from .tabular import TableEncoder

        old = self.encoder
        encoder = TableEncoder(
            drop=old.drop, missing=old.missing, handle_unknown=old.handle_unknown
        )
        training = self.frame.iloc[np.sort(np.asarray(rows))]
        training.attrs = dict(self.frame.attrs)
        encoder.fit(training)
        try:
            X = encoder.transform(self.frame)
        except ValidationError as exc:
            raise ValidationError(
                f"{exc}. That row is a test row, and the encoding is learnt from the training "
                "rows only"
            ) from None
        return replace(self, X=X, feature_names=encoder.feature_names_out_, encoder=encoder)

    def decode(self, codes: ArrayLike) -> Array:
        """Map class codes (as :meth:`Network.predict` returns them) back to the original labels.

        Parameters
        ----------
        codes : array-like of int, shape (n,) or (n, 1)

        Returns
        -------
        ndarray of shape (n,)
            ``classes[code]`` for each code: strings stay strings, numbers stay numbers.
        """
        if self.classes is None:
            raise ValidationError(f"dataset {self.name!r} is a regression dataset: no classes")
        arr = np.asarray(codes)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        integral = np.issubdtype(arr.dtype, np.integer) or (
            np.issubdtype(arr.dtype, np.floating) and bool(np.all(arr == np.round(arr)))
        )
        if arr.ndim != 1 or not integral:
            raise ValidationError(f"codes must be a 1-D array of integers, got {arr!r}")
        k = len(self.classes)
        if arr.size and (arr.min() < 0 or arr.max() >= k):
            raise ValidationError(f"codes must lie in 0..{k - 1}, got values outside: {arr!r}")
        return np.asarray(self.classes)[arr.astype(np.intp)]
