r"""A table's columns: what kind each is, its cells as numbers or text, and the messages that
name a column, a row and a cell.

A column is *numeric* when pandas types it as numbers (or every cell is a number written as
text) and *categorical* when it holds text, booleans or pandas categories. Refused, with the
fix in the message: a date or time column (a datetime dtype, or text cells that look like
dates or times: ``2024-01-31``, ``2024-01-31 10:00``, ``01/31/2024``, ``31.01.2024``,
``31 Jan 2024``, ``10:30``), a column of numbers with a word among them (a typo rather than
categories: at least half of its distinct values are numbers), and a categorical column
with more than :data:`MAX_CATEGORIES` categories or, past 20, more than half as many as it
has rows (an identifier or free text).

A row is named by its index label: :func:`~glassnet.data.read_table` sets it to the row's
line number in the file (the header is line 1), and ``frame.attrs["source"]`` to the file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_CATEGORIES",
    "cell_text",
    "check_cardinality",
    "check_columns",
    "checked_frame",
    "column_kind",
    "column_numbers",
    "did_you_mean",
    "fill_value",
    "first_row",
    "is_numeric",
    "numeric_block",
    "row_of",
    "source_of",
    "text_cells",
]

MAX_CATEGORIES = 1000
"""A categorical column may have at most this many categories."""

_FEW_CATEGORIES = 20
"""A text column with at most this many categories is never taken for an identifier."""

_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s?[AaPp]\.?[Mm]\.?)?"
_DATE_PATTERNS = [
    rf"\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}([T ]{_TIME})?(Z|[+-]\d{{2}}:?\d{{2}})?",  # 2024-01-31
    rf"\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}( {_TIME})?",  # 01/31/2024, 31.01.2024
    rf"\d{{1,2}} [A-Za-z]{{3,9}}\.?,? \d{{4}}( {_TIME})?",  # 31 Jan 2024
    rf"[A-Za-z]{{3,9}}\.? \d{{1,2}},? \d{{4}}( {_TIME})?",  # Jan 31, 2024
    _TIME,  # 10:30, 10:30:15, 10:30 PM
]
_DATE = re.compile("|".join(f"(?:{p})" for p in _DATE_PATTERNS))


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """``" (did you mean 'species'?)"`` for the names close to ``name``, or ``""``."""
    choices = [str(n) for n in names]
    same = [n for n in choices if n.casefold() == name.casefold()]
    close = same or difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"


def check_columns(wanted: Sequence[str], columns: Sequence[str], what: str, source: str) -> None:
    """Raise unless every name in ``wanted`` is one of ``columns``, suggesting close names."""
    for name in wanted:
        if name not in columns:
            raise ValidationError(
                f"{what} {name!r} is not in {source}{did_you_mean(name, columns)}; its columns "
                f"are {list(columns)}"
            )


def source_of(frame: pd.DataFrame) -> str:
    """What a frame's rows come from: its file, or ``"the table"``."""
    return str(frame.attrs.get("source") or "the table")


def row_of(frame: pd.DataFrame, position: int) -> str:
    """The row at ``position`` named as a text editor would (``row 4 of data.csv``), or by
    its index label where the frame has no file."""
    label = frame.index[position]
    source = frame.attrs.get("source")
    return f"row {label} of {source}" if source else f"the row with index {label!r}"


def cell_text(value: Any) -> str:
    """A categorical cell as the text its category is named by."""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    return str(value).strip()


def text_cells(series: pd.Series) -> pd.Series:
    """The non-missing cells of a column as stripped text (object dtype), missing ones NaN."""
    import pandas as pd

    present = series.notna()
    text = pd.Series(np.nan, index=series.index, dtype=object)
    if present.any():
        text[present] = series[present].map(cell_text).astype(object)
    return text


def _is_datetime(series: pd.Series) -> bool:
    """Dates, times, durations and periods as pandas types them."""
    import pandas as pd

    dtype = series.dtype
    return (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    )


def is_numeric(series: pd.Series) -> bool:
    """Whether pandas types the column as numbers (booleans are not)."""
    import pandas as pd

    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def first_row(mask: Any) -> int:
    """The position of the first row where ``mask`` is true."""
    return int(np.flatnonzero(np.asarray(mask))[0])


def column_kind(frame: pd.DataFrame, name: str) -> str:
    """``"numeric"`` or ``"categorical"``: how a column is encoded; dates and numbers with a
    word among them are refused with a message naming the column, a row and the cell."""
    import pandas as pd

    series = frame[name]
    if _is_datetime(series):
        _refuse_dates(frame, name, series.notna(), series)
    if is_numeric(series):
        return "numeric"
    text = text_cells(series)
    present = text.dropna()
    uniques = pd.unique(present.to_numpy())
    dates = sum(bool(_DATE.fullmatch(u)) for u in uniques)
    if uniques.size and dates * 2 >= uniques.size:
        _refuse_dates(frame, name, text.map(lambda t: bool(_DATE.fullmatch(str(t)))), text)
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").notna()
    if uniques.size and bool(numbers.all()):
        return "numeric"  # numbers stored as text
    if uniques.size and int(numbers.sum()) * 2 >= uniques.size:
        words = text.notna() & pd.to_numeric(text, errors="coerce").isna()
        i = first_row(words)
        raise ValidationError(
            f"column {name!r} holds numbers but {row_of(frame, i)} holds "
            f"{text.iloc[i]!r}; correct that cell, empty it to mark it missing, or leave the "
            f"column out with --drop {name}"
        )
    return "categorical"


def _refuse_dates(frame: pd.DataFrame, name: str, mask: Any, cells: pd.Series) -> None:
    i = first_row(mask)
    raise ValidationError(
        f"column {name!r} holds dates or times ({row_of(frame, i)}: "
        f"{str(cells.iloc[i])!r}), which glassnet does not encode; leave it out with "
        f"--drop {name}, or turn it into numbers (a day of the year, an hour) first"
    )


def check_cardinality(frame: pd.DataFrame, name: str, k: int) -> None:
    """Refuse a categorical column of ``k`` categories that looks like identifiers or text."""
    rows = int(frame[name].notna().sum())
    if k > MAX_CATEGORIES or (k > _FEW_CATEGORIES and 2 * k > rows):
        raise ValidationError(
            f"column {name!r} has {k} different values in {rows} rows: an identifier or "
            f"free text rather than categories (one-hot encoding takes at most "
            f"{MAX_CATEGORIES} categories, and at most half as many as rows); leave it out "
            f"with --drop {name}"
        )


def column_numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column as float64 numbers (NaN where missing); a word or ±inf refused."""
    import pandas as pd

    series = frame[name]
    if not is_numeric(series):
        text = text_cells(series)
        numbers = pd.to_numeric(text, errors="coerce")
        words = text.notna() & numbers.isna()
        if words.any():
            i = first_row(words)
            raise ValidationError(
                f"column {name!r} should hold numbers (the model was trained on numbers "
                f"there), but {row_of(frame, i)} holds {text.iloc[i]!r}; correct that "
                "cell or empty it to mark it missing"
            )
        series = numbers
    values = pd.Series(
        series.to_numpy(dtype=np.float64, na_value=np.nan), index=frame.index, name=name
    )
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        i = first_row(infinite)
        raise ValidationError(
            f"column {name!r} holds an infinite number ({values.iloc[i]}) at "
            f"{row_of(frame, i)}; correct that cell or empty it to mark it missing"
        )
    return values


def numeric_block(frame: pd.DataFrame, names: Sequence[str]) -> NDArray[np.float64]:
    """Numeric columns as a new C-ordered float64 block (n_rows, len(names)), NaN where a
    cell is missing; a word or an infinite number is refused as :func:`column_numbers` does.

    Columns that pandas types as numbers are converted together, in one copy.
    """
    if all(is_numeric(frame[name]) for name in names):
        values = frame[list(names)].to_numpy(dtype=np.float64, na_value=np.nan)
        block = np.array(values, dtype=np.float64, order="C")
    else:
        block = np.column_stack([column_numbers(frame, name).to_numpy() for name in names])
    infinite = np.isinf(block)
    if infinite.any():
        j = first_row(infinite.any(axis=0))
        column_numbers(frame, names[j])  # raises, naming the row and the number
    return block.reshape(len(frame), len(names))


def checked_frame(frame: Any) -> pd.DataFrame:
    """``frame`` if it is a DataFrame with distinct string column names; else an error."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    names = list(frame.columns)
    if not all(isinstance(c, str) for c in names):
        raise ValidationError(f"the table's column names must be strings, got {names!r}")
    duplicates = sorted({c for c in names if names.count(c) > 1})
    if duplicates:
        raise ValidationError(f"{source_of(frame)} has duplicate column names {duplicates}")
    return frame


def fill_value(
    frame: pd.DataFrame, name: str, values: pd.Series, kind: str, strategy: str
) -> float | str:
    """What fills a column's missing cells: pandas' mean, median or mode of ``values`` (a
    text column's mode whatever the strategy; the first mode, in sorted order, on a tie)."""
    present = values.dropna()
    if present.empty:
        raise ValidationError(
            f"column {name!r} has no values in {source_of(frame)}'s training rows to "
            f"impute its missing cells from; leave it out with --drop {name}"
        )
    if kind == "numeric" and strategy == "mean":
        return float(present.mean())
    if kind == "numeric" and strategy == "median":
        return float(present.median())
    mode = present.mode().iloc[0]
    return float(mode) if kind == "numeric" else str(mode)
