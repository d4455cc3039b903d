r"""Reading a CSV file into a checked pandas DataFrame: :func:`read_table`.

``pandas.read_csv`` reads the file; around it, the checks that make each bad file one clear
message: a missing, unreadable, non-UTF-8 or empty file, a header with an empty or a
repeated name, a row with more or fewer fields than the header (pandas would pad a short
row with missing values). Rows are numbered as a text editor numbers lines: the header is
row 1, and blank lines count and are skipped. Cells are stripped of surrounding spaces; a
cell is missing when it is empty or one of :data:`MISSING_VALUES` — pandas' default
missing-value strings, and ``?``.

Reading costs little more than ``pandas.read_csv`` (``python -m benchmarks --only READ``):
pandas parses the file, a second pass counts its lines, and the slower record-by-record
pass of the csv module runs only when pandas' rows cannot be numbered by counting lines or
may hide a short row (blank lines, a line break inside quotes, a missing value in the last
column), or to name a ragged row.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

PathLike = str | os.PathLike[str]

__all__ = ["MISSING_VALUES", "read_table"]

MISSING_VALUES = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
    "?",
)
"""The cells read as missing values: pandas' default missing-value strings, and ``?``."""


# -- reading ------------------------------------------------------------------------------
def read_table(path: PathLike) -> pd.DataFrame:
    """Read a CSV file with a header row into a pandas DataFrame, checked.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 text file (a byte-order mark is allowed) with a header row.

    Returns
    -------
    pandas.DataFrame
        One column per header name (stripped of spaces), as pandas types them: numbers,
        booleans or text (stripped; :data:`MISSING_VALUES` read as missing). Its index is
        each row's line number in the file, and ``attrs["source"]`` the path, so that
        messages can name a row as a text editor does.

    Raises
    ------
    ValidationError
        On a missing, unreadable, empty, ragged or non-UTF-8 file, or a header with an empty
        or repeated column name.
    """
    import pandas as pd

    where = os.fspath(path)
    header = _header(where)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # mixed chunks: text
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a long first row
            frame = pd.read_csv(
                where,
                encoding="utf-8",
                index_col=False,
                keep_default_na=False,
                na_values=list(MISSING_VALUES),
            )
    except UnicodeDecodeError:
        raise _not_utf8(_read_bytes(where), where) from None
    except pd.errors.EmptyDataError:
        raise ValidationError(f"{where} has a header row but no data rows") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        _check_ragged(where, header)
        raise ValidationError(f"{where} could not be read as CSV: {exc}") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {where}: {exc.strerror or exc}") from None
    if len(frame) == 0:
        raise ValidationError(f"{where} has a header row but no data rows")
    if len(frame.columns) != len(header):
        raise ValidationError(f"{where} could not be read as CSV: its header row is unclear")
    frame.columns = pd.Index(header, dtype=object)
    frame.index = pd.Index(_line_numbers(where, frame, header), name="row")
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name].dtype):
            frame[name] = _clean_text(frame[name])
    frame.attrs["source"] = where
    return frame


def _read_bytes(where: str, size: int = -1) -> bytes:
    """The file's bytes (its first ``size`` ones), or the reason it cannot be read."""
    try:
        with open(where, "rb") as handle:
            return handle.read(size)
    except FileNotFoundError:
        raise ValidationError(f"no such file: {where}") from None
    except IsADirectoryError:
        raise ValidationError(f"{where} is a directory, not a CSV file") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {where}: {exc.strerror or exc}") from None


def _not_utf8(data: bytes, where: str) -> ValidationError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = f" (undecodable byte at offset {exc.start})"
    else:  # pragma: no cover - pandas and Python disagree on what UTF-8 is
        offset = ""
    return ValidationError(f"{where} is not UTF-8 text{offset}; save it as UTF-8 and try again")


def _records(where: str) -> list[tuple[int, list[str]]]:
    """Each record with content and the line it starts on (slow: for checks and messages)."""
    data = _read_bytes(where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data, where) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    found, start = [], 1
    try:
        for record in reader:
            if len(record) > 1 or (len(record) == 1 and record[0].strip()):
                found.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(f"{where} could not be read as CSV: {exc}") from None
    return found


def _header(where: str) -> list[str]:
    """The stripped names of the first non-blank line, checked."""
    head = _read_bytes(where, 1 << 20).decode("utf-8-sig", errors="replace")
    lines = [line for line in head.splitlines() if line.strip()]
    if not lines:
        raise ValidationError(
            f"{where} is empty; a CSV file needs a header row and at least one data row"
        )
    names = [name.strip() for name in next(csv.reader([lines[0]]))]
    for j, name in enumerate(names, start=1):
        if not name:
            raise ValidationError(
                f"column {j} of {where} has no name in the header row; name it or drop it"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError(f"{where} has duplicate column names {duplicates}; rename them")
    return names


def _ragged(record: tuple[int, list[str]], where: str, width: int) -> ValidationError:
    line, fields = record
    return ValidationError(
        f"row {line} of {where} has {len(fields)} fields but the header has {width} columns; "
        "fix the row (a missing or extra comma?)"
    )


def _check_ragged(where: str, header: list[str]) -> None:
    for record in _records(where)[1:]:
        if len(record[1]) != len(header):
            raise _ragged(record, where, len(header))


def _count_lines(where: str) -> int:
    """The number of lines in the (non-empty) file; a last line without a newline counts.

    The file is mapped, not read, and counted a few MiB at a time with NumPy: three to four
    times faster than ``bytes.count`` on the chunks of a read.
    """
    chunk = 1 << 22
    with open(where, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        data = np.frombuffer(m, dtype=np.uint8)
        count = sum(
            int(np.count_nonzero(data[i : i + chunk] == 10)) for i in range(0, data.size, chunk)
        )
        last = int(data[-1])
        del data  # the map closes only when no array looks into it
    return count + (last != 10)


def _line_numbers(where: str, frame: pd.DataFrame, header: list[str]) -> Any:
    """The line each row of ``frame`` starts on, checking short rows on the way.

    pandas pads a row with too few fields with missing values, so where the last column has
    a missing value, and where the file has more lines than rows (blank lines, a quoted line
    break), the records are counted with the csv module; otherwise row i is on line i + 2.
    """
    if not frame.iloc[:, -1].isna().any() and _count_lines(where) == len(frame) + 1:
        return np.arange(2, len(frame) + 2)
    records = _records(where)[1:]
    for record in records:
        if len(record[1]) != len(header):
            raise _ragged(record, where, len(header))
    if len(records) != len(frame):  # pragma: no cover - the csv module and pandas disagree
        return np.arange(2, len(frame) + 2)
    return np.array([line for line, _ in records])


def _clean_text(series: pd.Series) -> pd.Series:
    """A text column stripped, with the missing-value spellings missing, as numbers if all are."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return series
    present = series.notna()
    text = series.astype(object)
    text[present] = [str(v).strip() for v in text[present]]
    text[text.isin(MISSING_VALUES)] = np.nan
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().sum() == text.notna().sum():
        return numbers
    return text
