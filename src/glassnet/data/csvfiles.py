r"""CSV files in, :class:`~glassnet.data.Dataset` out: the standard library's csv module and NumPy.

A file needs a header row. Feature columns must hold numbers; a missing value (an empty
cell, ``NA``, ``NaN``, ``nan`` or ``?``) or a word in a feature column is an error that names
the column, the row (1-based, the header being row 1) and the value, and says how to fix it.
Rows are numbered as a text editor numbers lines, blank lines included (a blank line is
skipped, not read as a row of missing values).

When ``task`` is not given it is inferred from the target column: text means classification,
integer values with at most 20 distinct ones mean classification, anything else regression.
Class labels are coded ``0 .. k-1`` in their sorted order (numbers numerically, text as
text); :meth:`Dataset.decode <glassnet.data.Dataset.decode>` maps codes back.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError
from .dataset import Dataset

Array = NDArray[Any]
PathLike = str | os.PathLike[str]

__all__ = ["MISSING_VALUES", "load_csv", "load_features_csv"]

MISSING_VALUES = frozenset({"", "NA", "NaN", "nan", "?"})
"""Cells read as missing values."""

MAX_CLASSES = 20
"""Integer targets with at most this many distinct values are inferred to be class labels."""


class _Table:
    """A CSV file's header and its non-blank rows, each with its 1-based row number."""

    def __init__(self, path: PathLike) -> None:
        self.path = str(path)
        records = _read_records(self.path)
        numbered = [(i, r) for i, r in enumerate(records, start=1) if _has_content(r)]
        if not numbered:
            raise ValidationError(
                f"{self.path} is empty; a CSV file needs a header row and at least one data row"
            )
        (_, header), *rows = numbered
        self.header = [name.strip() for name in header]
        self._check_header()
        if not rows:
            raise ValidationError(f"{self.path} has a header row but no data rows")
        for row_number, row in rows:
            if len(row) != len(self.header):
                raise ValidationError(
                    f"row {row_number} of {self.path} has {len(row)} fields but the header has "
                    f"{len(self.header)} columns; fix the row (a missing or extra comma?)"
                )
        self.row_numbers = [i for i, _ in rows]
        self._columns = list(zip(*(r for _, r in rows), strict=True))

    def _check_header(self) -> None:
        for j, name in enumerate(self.header, start=1):
            if not name:
                raise ValidationError(
                    f"column {j} of {self.path} has no name in the header row; name it or drop it"
                )
        duplicates = sorted({n for n in self.header if self.header.count(n) > 1})
        if duplicates:
            raise ValidationError(
                f"{self.path} has duplicate column names {duplicates}; rename them"
            )

    def column(self, name: str) -> list[str]:
        """The stripped cells of one column."""
        return [cell.strip() for cell in self._columns[self.header.index(name)]]

    def check_present(self, name: str, role: str) -> None:
        """Raise unless the header has a column called ``name``."""
        if name not in self.header:
            raise ValidationError(
                f"{role} column {name!r} is not in {self.path}; its columns are {self.header}"
            )

    def check_complete(self, name: str, cells: list[str]) -> None:
        """Raise at the first missing value of a column."""
        for row_number, cell in zip(self.row_numbers, cells, strict=True):
            if cell in MISSING_VALUES:
                raise ValidationError(
                    f"column {name!r} has a missing value ({cell!r}) at row {row_number} of "
                    f"{self.path}; drop the rows with missing values or impute them first"
                )

    def numeric(self, name: str) -> NDArray[np.float64]:
        """A feature column as float64, or a ValidationError at its first bad cell."""
        cells = self.column(name)
        self.check_complete(name, cells)
        values = _floats(cells)
        if values is None:
            row_number, cell = self.first_non_number(cells)
            raise ValidationError(
                f"feature column {name!r} is not numeric: row {row_number} of {self.path} holds "
                f"{cell!r}; encode the column as numbers (e.g. one-hot) or drop it"
            )
        return values

    def first_non_number(self, cells: list[str]) -> tuple[int, str]:
        """The row number and value of the first cell that is not a finite number."""
        for row_number, cell in zip(self.row_numbers, cells, strict=True):
            if _floats([cell]) is None:
                return row_number, cell
        raise AssertionError("unreachable: every cell is a number")  # pragma: no cover


def _read_records(path: str) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    except FileNotFoundError:
        raise ValidationError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path} is not UTF-8 text (undecodable byte at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None
    except csv.Error as exc:
        raise ValidationError(f"{path} could not be read as CSV: {exc}") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None


def _has_content(record: list[str]) -> bool:
    return len(record) > 1 or (len(record) == 1 and record[0].strip() != "")


def _floats(cells: Sequence[str]) -> NDArray[np.float64] | None:
    """The cells as finite float64 numbers, or None if any cell is not one."""
    try:
        values = np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        return None
    return values if bool(np.all(np.isfinite(values))) else None


def _as_labels(values: NDArray[np.float64]) -> Array:
    """Integer-valued numbers become int64, others stay float64."""
    integral = bool(np.all(values == np.round(values))) and bool(np.all(np.abs(values) < 2**53))
    return values.astype(np.int64) if integral else values


def _infer_task(numbers: NDArray[np.float64] | None) -> str:
    if numbers is None:
        return "classification"
    labels = _as_labels(numbers)
    is_int = np.issubdtype(labels.dtype, np.integer)
    return "classification" if is_int and len(np.unique(labels)) <= MAX_CLASSES else "regression"


def _encode_target(
    table: _Table, name: str, task: str | None
) -> tuple[Array, str, list[Any] | None]:
    """The target column as (y, task, classes): codes 0..k-1 and labels, or float values."""
    cells = table.column(name)
    table.check_complete(name, cells)
    numbers = _floats(cells)
    task = _infer_task(numbers) if task is None else task
    if task == "regression":
        if numbers is None:
            row_number, cell = table.first_non_number(cells)
            raise ValidationError(
                f"target column {name!r} is not numeric (row {row_number} of {table.path} holds "
                f"{cell!r}), so it cannot be a regression target; use task='classification'"
            )
        return numbers, task, None
    labels = _as_labels(numbers) if numbers is not None else np.array(cells, dtype=str)
    uniques, codes = np.unique(labels, return_inverse=True)
    classes = [u.item() for u in uniques]
    return codes.astype(np.intp).reshape(-1), task, classes


def load_csv(path: PathLike, target: str | None = None, *, task: str | None = None) -> Dataset:
    """Read a CSV file with a header row into a :class:`~glassnet.data.Dataset`.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 text file (a byte-order mark is allowed) with a header row.
    target : str, optional
        The target column's name; the last column by default. Every other column is a
        feature and must be numeric.
    task : {"classification", "regression"}, optional
        Inferred from the target column when not given (see the module docstring).

    Returns
    -------
    Dataset
        ``X`` float64 of shape (n_rows, n_columns - 1); for classification ``y`` holds the
        codes ``0 .. k-1`` and ``classes`` the sorted original labels (ints, floats or
        strings); for regression ``y`` is float64 of shape (n_rows,).

    Raises
    ------
    ValidationError
        On a missing, unreadable, empty, ragged or non-UTF-8 file, an unknown target, a
        non-numeric feature, or a missing value; the message names the column and row.
    """
    if task not in (None, "classification", "regression"):
        raise ValidationError(f"task must be 'classification', 'regression' or None, got {task!r}")
    table = _Table(path)
    if len(table.header) < 2:
        raise ValidationError(
            f"{table.path} has only the column {table.header}; it needs features and a target"
        )
    target_name = table.header[-1] if target is None else target
    table.check_present(target_name, "target")
    features = [name for name in table.header if name != target_name]
    X = np.column_stack([table.numeric(name) for name in features])
    y, inferred, classes = _encode_target(table, target_name, task)
    return Dataset(
        X,
        y,
        features,
        target_name,
        None,
        inferred,
        classes,
        Path(path).stem,
        f"loaded from {table.path}",
    )


def load_features_csv(
    path: PathLike, feature_names: Sequence[str], target: str | None = None
) -> tuple[NDArray[np.float64], Array | None]:
    """Read the feature columns a trained model expects, in its order, for prediction.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 CSV file with a header row. Columns not named are ignored.
    feature_names : sequence of str
        The model's feature columns, in the model's order.
    target : str, optional
        The target column's name; read when the file has it.

    Returns
    -------
    X : ndarray of shape (n_rows, len(feature_names)), float64
    y : ndarray of shape (n_rows,) or None
        The raw target values when ``target`` is given and present: int64 for whole numbers,
        float64 for other numbers, str otherwise. ``None`` when the file has no such column.
    """
    names = list(feature_names)
    if not names:
        raise ValidationError("feature_names is empty; give the model's feature columns")
    table = _Table(path)
    for name in names:
        table.check_present(name, "feature")
    X = np.column_stack([table.numeric(name) for name in names])
    if target is None or target not in table.header:
        return X, None
    cells = table.column(target)
    table.check_complete(target, cells)
    numbers = _floats(cells)
    y = _as_labels(numbers) if numbers is not None else np.array(cells, dtype=str)
    return X, y
