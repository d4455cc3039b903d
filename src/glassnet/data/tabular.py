r"""A table's raw columns in, the float64 matrix a network takes out: :class:`TableEncoder`.

The encoder is fitted on the training rows of a pandas DataFrame of feature columns and
learns, from those rows only:

- the **kind** of each column: *numeric* (integers and floats, passed through) or
  *categorical* (text, booleans, pandas categories), which is one-hot encoded — one output
  column ``name=value`` per category, the categories in sorted order;
- the **categories** of each categorical column;
- with ``missing="mean"``, ``"median"`` or ``"most-frequent"``, the value that fills a
  missing cell of each column (the mean and median apply to numeric columns; a text column
  is filled with its most frequent value whichever of the three is chosen).

It refuses what it cannot encode, with a message that says which column, which row and
what to do: a date or time column, a column of numbers with a word in it, a text column
with nearly a different value in every row (see :mod:`glassnet.data.columns`), a missing
cell when no imputation was chosen, and at prediction a category the training rows did not
have (unless ``handle_unknown="ignore"``, which encodes it as none of the known categories:
zeros in that column's block).

Missing cells are what pandas reports as missing (``isna``); :func:`~glassnet.data.read_table`
turns the CSV spellings of a missing value into those.

pandas is imported by the methods that need it: :meth:`TableEncoder.from_json`,
:meth:`~TableEncoder.describe` and :meth:`~TableEncoder.to_json` are plain Python, so a model
file's record of its preprocessing can be read and shown without pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelFileError, ValidationError
from .columns import (
    check_cardinality,
    check_columns,
    checked_frame,
    column_kind,
    fill_value,
    first_row,
    numeric_block,
    row_of,
    source_of,
    text_cells,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HANDLE_UNKNOWN", "MISSING_STRATEGIES", "TableEncoder"]

MISSING_STRATEGIES = ("error", "drop", "mean", "median", "most-frequent")
"""What to do with a missing cell (see :class:`TableEncoder`)."""

HANDLE_UNKNOWN = ("error", "ignore")
"""What to do at prediction with a category the training rows did not have."""

_MISSING_HINT = "--missing drop|mean|median|most-frequent"


class TableEncoder:
    r"""Encode a DataFrame's raw feature columns as a float64 matrix, as learnt on training rows.

    Parameters
    ----------
    drop : sequence of str, default ()
        Columns to leave out. An unknown name is an error that lists the columns.
    missing : {"error", "drop", "mean", "median", "most-frequent"}, default "error"
        A missing cell is an error that names its column and row with ``"error"`` — and with
        ``"drop"``, whose rows are dropped before fitting by whoever reads the data
        (:func:`~glassnet.data.load_csv`): the encoder never drops a row, so that
        predictions stay aligned with the rows given. ``"mean"`` and ``"median"`` fill a
        numeric column's missing cells with the training rows' mean or median, and a
        categorical column's with its most frequent category; ``"most-frequent"`` fills
        every column with its most frequent value (the smallest, or first in sorted order,
        on a tie — pandas' ``Series.mode()[0]``).
    handle_unknown : {"error", "ignore"}, default "error"
        At :meth:`transform`, a category the training rows did not have is an error naming
        the column, the value and the known categories; with ``"ignore"`` it is encoded as
        none of them (zeros in the column's one-hot block).

    Attributes
    ----------
    columns_ : list of str
        The input columns the encoder reads, in order.
    kinds_ : dict of str to {"numeric", "categorical"}
    categories_ : dict of str to list of str
        The sorted categories of each categorical column, as text (``True``, ``3``, ``red``).
    fill_ : dict of str to float or str
        The value that fills each column's missing cells; empty unless imputing.
    feature_names_out_ : list of str
        The output columns: a numeric column's name, ``name=category`` for one-hot columns.

    Notes
    -----
    A categorical column with categories :math:`c_1 < \dots < c_k` becomes the block
    :math:`x_j = [v = c_j]` for :math:`j = 1..k`, in place of the column; numeric columns
    pass through as float64. Every value the encoder learns is a plain JSON value
    (:meth:`to_json`), so that a model file can keep it.
    """

    def __init__(
        self, *, drop: Sequence[str] = (), missing: str = "error", handle_unknown: str = "error"
    ) -> None:
        if isinstance(drop, str) or not all(isinstance(c, str) for c in drop):
            raise ValidationError(f"drop must be a list of column names, got {drop!r}")
        if missing not in MISSING_STRATEGIES:
            raise ValidationError(
                f"missing must be one of {list(MISSING_STRATEGIES)}, got {missing!r}"
            )
        if handle_unknown not in HANDLE_UNKNOWN:
            raise ValidationError(
                f"handle_unknown must be one of {list(HANDLE_UNKNOWN)}, got {handle_unknown!r}"
            )
        self.drop = list(drop)
        self.missing = missing
        self.handle_unknown = handle_unknown
        self.columns_: list[str] = []
        self.kinds_: dict[str, str] = {}
        self.categories_: dict[str, list[str]] = {}
        self.fill_: dict[str, float | str] = {}
        self.fitted_ = False

    # -- learning from the training rows -----------------------------------------------------
    def fit(self, frame: pd.DataFrame) -> TableEncoder:
        """Learn the columns' kinds, categories and fill values from ``frame``'s rows.

        Parameters
        ----------
        frame : pandas.DataFrame of shape (n_rows, n_columns)
            The raw feature columns (not the target) of the training rows.

        Returns
        -------
        TableEncoder
            ``self``, fitted.
        """
        self._fit(frame)
        return self

    def _fit(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Fit on ``frame``, and return its numeric columns' block (NaN where missing)."""
        import pandas as pd

        frame = checked_frame(frame)
        if len(frame) == 0:
            raise ValidationError(f"{source_of(frame)} has no rows to learn the encoding from")
        check_columns(self.drop, list(frame.columns), "column to drop", source_of(frame))
        columns = [c for c in frame.columns if c not in self.drop]
        if not columns:
            raise ValidationError(
                f"no feature columns are left after dropping {self.drop}; a network needs at "
                "least one"
            )
        kinds = {name: column_kind(frame, name) for name in columns}
        numeric = [name for name in columns if kinds[name] == "numeric"]
        numbers = numeric_block(frame, numeric)
        gaps = [bool(gap) for gap in np.isnan(numbers).sum(axis=0)]
        categories, fill = {}, {}
        for name in columns:
            if kinds[name] == "categorical":
                values = text_cells(frame[name])
                categories[name] = sorted(set(values.dropna()))
                check_cardinality(frame, name, len(categories[name]))
            elif self.missing in ("error", "drop") and not gaps[numeric.index(name)]:
                continue  # complete, and nothing to learn from it
            else:
                values = pd.Series(numbers[:, numeric.index(name)], index=frame.index)
            if self.missing in ("error", "drop"):
                self._refuse_missing(frame, name, values.isna(), fitting=True)
            else:
                fill[name] = fill_value(frame, name, values, kinds[name], self.missing)
        self.columns_, self.kinds_, self.categories_, self.fill_ = (
            columns,
            kinds,
            categories,
            fill,
        )
        self.fitted_ = True
        return numbers

    # -- applying it ------------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """The encoded matrix of ``frame``'s rows, in their order (no row is ever dropped).

        Parameters
        ----------
        frame : pandas.DataFrame
            Has every column in ``columns_`` (others are ignored), in any order.

        Returns
        -------
        ndarray of shape (n_rows, ``len(feature_names_out_)``), float64
        """
        if not self.fitted_:
            raise ValidationError("this TableEncoder is not fitted yet; call fit(frame) first")
        frame = checked_frame(frame)
        check_columns(self.columns_, list(frame.columns), "feature column", source_of(frame))
        numeric = [name for name in self.columns_ if self.kinds_[name] == "numeric"]
        return self._encode(frame, numeric_block(frame, numeric))

    def fit_transform(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """``fit(frame)`` then ``transform(frame)``, converting the numbers once."""
        return self._encode(frame, self._fit(frame))

    def _encode(self, frame: pd.DataFrame, numbers: NDArray[np.float64]) -> NDArray[np.float64]:
        """The output matrix from the numeric block and ``frame``'s categorical columns."""
        numeric = [name for name in self.columns_ if self.kinds_[name] == "numeric"]
        numbers = self._filled(frame, numeric, numbers)
        if len(numeric) == len(self.columns_):
            return numbers  # no text column: the block of numbers is the matrix
        out = np.zeros((len(frame), len(self.feature_names_out_)), dtype=np.float64)
        j, places = 0, []
        for name in self.columns_:
            if self.kinds_[name] == "numeric":
                places.append(j)
                j += 1
            else:
                k = len(self.categories_[name])
                self._one_hot(frame, name, out[:, j : j + k])
                j += k
        out[:, places] = numbers
        return out

    @property
    def feature_names_out_(self) -> list[str]:
        """The output columns' names: a numeric column's own, ``name=category`` for one-hot."""
        names: list[str] = []
        for name in self.columns_:
            if self.kinds_[name] == "numeric":
                names.append(name)
            else:
                names += [f"{name}={c}" for c in self.categories_[name]]
        return names

    def _filled(
        self, frame: pd.DataFrame, names: list[str], block: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The numeric columns' block with its missing cells filled (in place), or refused."""
        missing = np.isnan(block)
        for j in np.flatnonzero(missing.any(axis=0)):
            name = names[j]
            if name not in self.fill_:
                self._refuse_missing(frame, name, missing[:, j], fitting=False)
            block[missing[:, j], j] = self.fill_[name]
        return block

    def _one_hot(self, frame: pd.DataFrame, name: str, block: NDArray[np.float64]) -> None:
        import pandas as pd

        text = text_cells(frame[name])
        if name in self.fill_:
            text = text.fillna(self.fill_[name])
        else:
            self._refuse_missing(frame, name, text.isna(), fitting=False)
        categories = self.categories_[name]
        codes = pd.Index(categories, dtype=object).get_indexer(text.to_numpy())  # -1: unseen
        unknown = codes < 0
        if unknown.any() and self.handle_unknown == "error":
            i = first_row(unknown)
            shown = ", ".join(repr(c) for c in categories[:20])
            more = f" and {len(categories) - 20} more" if len(categories) > 20 else ""
            raise ValidationError(
                f"column {name!r} holds {text.iloc[i]!r} at {row_of(frame, i)}, a category "
                f"the training rows did not have (they had {shown}{more}); correct the value, "
                f"or train with --handle-unknown ignore to encode unseen categories as none "
                f"of the known ones"
            )
        rows = np.flatnonzero(~unknown)
        block[rows, codes[rows]] = 1.0

    def _refuse_missing(
        self, frame: pd.DataFrame, name: str, missing: Any, *, fitting: bool
    ) -> None:
        """Raise at the first row where ``missing`` is true, if any: no value fills it."""
        missing = np.asarray(missing)
        if not missing.any():
            return
        where = row_of(frame, first_row(missing))
        if fitting:
            raise ValidationError(
                f"column {name!r} has a missing value at {where}; to drop the incomplete "
                f"rows or impute the missing cells, train with {_MISSING_HINT}, or leave the "
                f"column out with --drop {name}"
            )
        trained = "dropped incomplete training rows" if self.missing == "drop" else "refused them"
        raise ValidationError(
            f"column {name!r} has a missing value at {where}, and the model has no value to "
            f"fill it with (training {trained}: --missing {self.missing}); fill the cell, or "
            f"train with --missing mean|median|most-frequent"
        )

    # -- the model file's record ------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """What the fitted encoder learnt, as JSON-ready values (see :meth:`from_json`)."""
        if not self.fitted_:
            raise ValidationError("this TableEncoder is not fitted yet; call fit(frame) first")
        columns = []
        for name in self.columns_:
            entry: dict[str, Any] = {"name": name, "kind": self.kinds_[name]}
            if name in self.categories_:
                entry["categories"] = list(self.categories_[name])
            if name in self.fill_:
                entry["fill"] = self.fill_[name]
            columns.append(entry)
        return {
            "columns": columns,
            "drop": list(self.drop),
            "missing": self.missing,
            "handle_unknown": self.handle_unknown,
        }

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> TableEncoder:
        """A fitted encoder from :meth:`to_json`'s record; a malformed one is a ModelFileError."""
        try:
            encoder = cls(
                drop=record.get("drop", []),
                missing=record["missing"],
                handle_unknown=record["handle_unknown"],
            )
            for entry in record["columns"]:
                name, kind = entry["name"], entry["kind"]
                if not isinstance(name, str) or name in encoder.kinds_:
                    raise ModelFileError(f"invalid or repeated column name {name!r}")
                if kind not in ("numeric", "categorical"):
                    raise ModelFileError(f"column {name!r} has an unknown kind {kind!r}")
                encoder.columns_.append(name)
                encoder.kinds_[name] = kind
                if kind == "categorical":
                    encoder.categories_[name] = _strings(entry["categories"], name)
                if "fill" in entry:
                    encoder.fill_[name] = _fill(entry["fill"], kind, name)
        except (AttributeError, KeyError, TypeError, ValidationError) as exc:
            if isinstance(exc, ModelFileError):
                raise ModelFileError(f"the table preprocessing record is invalid: {exc}") from None
            raise ModelFileError(
                f"the table preprocessing record is invalid ({type(exc).__name__}: {exc})"
            ) from None
        encoder.fitted_ = True
        return encoder

    @classmethod
    def numeric(cls, names: Sequence[str]) -> TableEncoder:
        """A fitted encoder that reads the numeric columns ``names`` as they are: what a model
        file without a table record (from before tables were encoded) expects."""
        if not names:
            raise ValidationError("the model names no feature columns")
        return cls.from_json(
            {
                "columns": [{"name": n, "kind": "numeric"} for n in names],
                "missing": "error",
                "handle_unknown": "error",
            }
        )

    def describe(self) -> list[str]:
        """Lines that say what the encoder does (``glassnet summary`` prints them)."""
        lines = []
        if self.drop:
            lines.append(f"dropped columns: {', '.join(self.drop)}")
        for name, categories in self.categories_.items():
            lines.append(f"one-hot {name}: {', '.join(categories)}")
        if self.fill_:
            shown = ", ".join(f"{n} {v!r}" for n, v in self.fill_.items())
            lines.append(f"missing cells filled ({self.missing}, from the training rows): {shown}")
        else:
            rule = {
                "error": "an error (--missing error)",
                "drop": "rows dropped in training, an error at prediction (--missing drop)",
            }[self.missing]
            lines.append(f"missing cells: {rule}")
        if self.categories_:
            rule = "all zeros" if self.handle_unknown == "ignore" else "an error"
            lines.append(f"unseen categories: {rule} (--handle-unknown {self.handle_unknown})")
        return lines


def _strings(values: Any, name: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ModelFileError(f"the categories of {name!r} are not a list of strings")
    if len(set(values)) != len(values):
        raise ModelFileError(f"the categories of {name!r} repeat")
    return list(values)


def _fill(value: Any, kind: str, name: str) -> float | str:
    if kind == "categorical" and isinstance(value, str):
        return value
    if kind == "numeric" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            return float(value)
    raise ModelFileError(f"the fill value of {name!r} is invalid: {value!r}")
