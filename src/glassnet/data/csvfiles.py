r"""CSV files in, :class:`~glassnet.data.Dataset` out: pandas reads, :class:`TableEncoder` encodes.

A file needs a header row. :func:`~glassnet.data.read_table` reads it with pandas and checks
it (a bad file is one clear message; rows are numbered as a text editor numbers lines; a
cell is missing when it is empty or one of :data:`~glassnet.data.MISSING_VALUES`).

:func:`load_csv` takes the target column out and hands the feature columns to a
:class:`~glassnet.data.tabular.TableEncoder`: numbers pass through, text columns are
one-hot encoded, dates are refused, missing cells are an error or dropped or imputed (see
its ``missing``). When ``task`` is not given it is inferred from the target column: text
means classification, integer values with at most 20 distinct ones mean classification,
anything else regression. Class labels are coded ``0 .. k-1`` in their sorted order
(numbers numerically, text as text); :meth:`Dataset.decode <glassnet.data.Dataset.decode>`
maps codes back.

pandas is imported by the functions that read, so ``import glassnet.data`` stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError
from .columns import check_columns, first_row, row_of
from .dataset import Dataset
from .reading import read_table
from .tabular import TableEncoder

if TYPE_CHECKING:
    import pandas as pd

Array = NDArray[Any]
PathLike = str | os.PathLike[str]

__all__ = ["load_csv", "load_features_csv", "target_values"]

MAX_CLASSES = 20
"""Integer targets with at most this many distinct values are inferred to be class labels."""

SPLIT_COLUMN = "split"
"""A feature column of this name holding only ``train`` and ``test`` is the file's own split."""


# -- the target ---------------------------------------------------------------------------
def target_values(frame: pd.DataFrame, name: str) -> Array:
    """A target column's raw values: int64 for whole numbers, float64 for others, else str.

    A missing value is an error naming its row.
    """
    import pandas as pd

    series = frame[name]
    missing = series.isna().to_numpy()
    if missing.any():
        raise ValidationError(
            f"the target column {name!r} has a missing value at "
            f"{row_of(frame, first_row(missing))}; a "
            "target cannot be imputed: fill it in, or drop the incomplete rows (--missing drop)"
        )
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.array(["True" if v else "False" for v in series], dtype=str)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _as_labels(series.to_numpy(dtype=np.float64))
    return np.array([str(v) for v in series], dtype=str)


def _as_labels(values: NDArray[np.float64]) -> Array:
    """Integer-valued numbers become int64, others stay float64."""
    integral = bool(np.all(values == np.round(values))) and bool(np.all(np.abs(values) < 2**53))
    return values.astype(np.int64) if integral else values


def _infer_task(values: Array) -> str:
    if values.dtype.kind in "US":
        return "classification"
    few = values.dtype.kind == "i" and len(np.unique(values)) <= MAX_CLASSES
    return "classification" if few else "regression"


def _encode_target(
    frame: pd.DataFrame, name: str, task: str | None
) -> tuple[Array, str, list[Any] | None]:
    """The target column as (y, task, classes): codes 0..k-1 and labels, or float values."""
    values = target_values(frame, name)
    task = _infer_task(values) if task is None else task
    if task == "regression":
        if values.dtype.kind in "US":
            i = next((i for i, v in enumerate(values) if not _is_number(v)), 0)
            raise ValidationError(
                f"target column {name!r} is not numeric ({row_of(frame, i)} holds "
                f"{str(values[i])!r}), so it cannot be a regression target; use "
                "task='classification'"
            )
        if not np.all(np.isfinite(values)):
            i = first_row(~np.isfinite(values))
            raise ValidationError(
                f"target column {name!r} holds an infinite number at {row_of(frame, i)}"
            )
        return values.astype(np.float64), task, None
    uniques, codes = np.unique(values, return_inverse=True)
    classes = [u.item() for u in uniques]
    return codes.astype(np.intp).reshape(-1), task, classes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- a CSV file as a Dataset --------------------------------------------------------------
def load_csv(
    path: PathLike,
    target: str | None = None,
    *,
    task: str | None = None,
    drop: Sequence[str] = (),
    missing: str = "error",
    handle_unknown: str = "error",
) -> Dataset:
    """Read a CSV file with a header row into a :class:`~glassnet.data.Dataset`.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 text file (a byte-order mark is allowed) with a header row.
    target : str, optional
        The target column's name; by default the last column that is not dropped nor marks
        the split (below). Every other column is a feature, except those in ``drop``.
    task : {"classification", "regression"}, optional
        Inferred from the target column when not given (see the module docstring).
    drop : sequence of str, default ()
        Columns to leave out.
    missing : {"error", "drop", "mean", "median", "most-frequent"}, default "error"
        What a missing cell means; ``"drop"`` drops the rows with one here (the target
        included), the others are :class:`~glassnet.data.tabular.TableEncoder`'s. A missing
        target is an error unless ``"drop"``.
    handle_unknown : {"error", "ignore"}, default "error"
        :class:`~glassnet.data.tabular.TableEncoder`'s, for categories unseen in training.

    Returns
    -------
    Dataset
        ``X`` float64 of shape (n_rows, n_encoded_features), encoded by ``encoder`` fitted on
        all the rows (``glassnet train`` fits it again on its training rows); ``frame`` the
        raw feature columns; for classification ``y`` holds the codes ``0 .. k-1`` and
        ``classes`` the sorted original labels (ints, floats or strings); for regression
        ``y`` is float64 of shape (n_rows,). A feature column named ``split`` that holds
        only ``train`` and ``test`` becomes the dataset's ``split``. ``notes`` says what was
        dropped or used that way.

    Raises
    ------
    ValidationError
        On an unreadable or malformed file (:func:`read_table`), an unknown target or
        column to drop (with the close names), a date column, a missing value (unless
        dropped or imputed); the message names the column and row.
    """
    if task not in (None, "classification", "regression"):
        raise ValidationError(f"task must be 'classification', 'regression' or None, got {task!r}")
    encoder = TableEncoder(drop=drop, missing=missing, handle_unknown=handle_unknown)
    frame = read_table(path)
    where, columns = str(frame.attrs["source"]), list(frame.columns)
    if len(columns) < 2:
        raise ValidationError(
            f"{where} has only the column {columns}; it needs features and a target"
        )
    check_columns(encoder.drop, columns, "column to drop", where)
    marks_split = SPLIT_COLUMN not in encoder.drop and _marks_split(frame)
    if target is None:  # the last column, unless it is dropped or marks the split
        kept = [c for c in columns if c not in encoder.drop]
        kept = [c for c in kept if c != SPLIT_COLUMN] if marks_split else kept
        if not kept:
            raise ValidationError(f"every column of {where} is dropped; a target must be left")
        target = kept[-1]
    check_columns([target], columns, "target column", where)
    if target in encoder.drop:
        raise ValidationError(f"{target!r} is the target column; it cannot be dropped too")
    target_name = target
    notes: list[str] = []
    split = marks_split and target_name != SPLIT_COLUMN
    if split:
        notes.append(
            f"the column {SPLIT_COLUMN!r} marks each row 'train' or 'test': those are the "
            f"training and test rows (--drop {SPLIT_COLUMN} to split at random instead)"
        )
    features = [c for c in columns if c not in (target_name, SPLIT_COLUMN if split else None)]
    if missing == "drop":
        frame = _complete_rows(
            frame, [c for c in features if c not in encoder.drop] + [target_name], notes
        )
    y, inferred, classes = _encode_target(frame, target_name, task)
    raw = frame[features]
    raw.attrs["source"] = where
    X = encoder.fit_transform(raw)
    return Dataset(
        X,
        y,
        encoder.feature_names_out_,
        target_name,
        frame[SPLIT_COLUMN].to_numpy(dtype=str) if split else None,
        inferred,
        classes,
        Path(path).stem,
        f"loaded from {where}",
        frame=raw,
        encoder=encoder,
        notes=notes,
    )


def _marks_split(frame: pd.DataFrame) -> bool:
    """Whether the file has a column ``split`` of "train" and "test" (and nothing else)."""
    if SPLIT_COLUMN not in frame.columns or frame[SPLIT_COLUMN].isna().any():
        return False
    return set(frame[SPLIT_COLUMN]) == {"train", "test"}


def _complete_rows(frame: pd.DataFrame, columns: list[str], notes: list[str]) -> pd.DataFrame:
    incomplete = frame[columns].isna().any(axis=1).to_numpy()
    if not incomplete.any():
        return frame
    if incomplete.all():
        raise ValidationError(
            f"every row of {frame.attrs['source']} has a missing value; --missing drop would "
            "leave nothing: impute instead (--missing mean|median|most-frequent) or --drop the "
            "emptiest columns"
        )
    lines = [str(v) for v in frame.index[incomplete][:5]]
    more = ", …" if incomplete.sum() > 5 else ""
    notes.append(
        f"dropped {int(incomplete.sum())} of {len(frame)} rows with missing values "
        f"(--missing drop): rows {', '.join(lines)}{more}"
    )
    kept = frame[~incomplete]
    kept.attrs["source"] = frame.attrs["source"]
    return kept


def load_features_csv(
    path: PathLike, feature_names: Sequence[str], target: str | None = None
) -> tuple[NDArray[np.float64], Array | None]:
    """Read the numeric feature columns a model expects, in its order, for prediction.

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
    frame = read_table(path)
    X = TableEncoder.numeric(names).transform(frame)
    if target is None or target not in frame.columns:
        return X, None
    return X, target_values(frame, target)
