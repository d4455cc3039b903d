"""A run's data, made and prepared exactly as ``glassnet train`` prepares it.

The steps, in the command's order: load the data set (a built-in one with the run's size,
noise and seed, or an uploaded CSV file), compute the chosen input features from the two
coordinates (:func:`glassnet.data.expand`), split off the test rows
(:func:`glassnet.data.train_test_split`, stratified for classes, with the run's seed), and
standardise the inputs — and a regression target — with statistics of the training rows.
Doing it the command's way is what lets the playground export a ``glassnet train`` command
that trains the same network on the same rows.
"""

from __future__ import annotations

import inspect
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..data import (
    DATASETS,
    Dataset,
    Standardizer,
    expand,
    load_csv,
    load_dataset,
    size_and_noise,
    train_test_split,
)
from ..errors import ValidationError
from .settings import MAX_SAMPLES, UPLOAD, Settings

Array = NDArray[Any]

__all__ = ["MAX_UPLOAD_BYTES", "Problem", "dataset_options", "make_problem", "read_upload"]

MAX_UPLOAD_BYTES = 256 * 1024
"""The largest CSV file the page may upload."""


def dataset_options(settings: Settings) -> dict[str, Any]:
    """What :func:`~glassnet.data.load_dataset` is given besides the seed: the run's size and
    noise, where the data set takes them (spiral's size is its points per arm)."""
    params = inspect.signature(DATASETS[settings.dataset]).parameters
    sized = "n_samples" in params or "n_per_class" in params
    return size_and_noise(
        settings.dataset,
        settings.n_samples if sized else None,
        settings.noise if "noise" in params else None,
    )


@dataclass
class Problem:
    """The prepared data of a run.

    ``points_*`` are the rows' two coordinates as drawn (the picture's axes); ``labels_*``
    their class codes or values; ``X_*`` the network's inputs (the features, standardised);
    ``targets(output)`` what the loss compares the network's output with.
    """

    name: str
    task: str
    classes: list[Any] | None
    feature_names: list[str]
    points_train: Array
    points_test: Array
    labels_train: Array
    labels_test: Array
    X_train: Array
    X_test: Array
    scaler: Standardizer | None
    target_scaler: Standardizer | None
    extra: Array
    """Values of the data set's columns beyond the two coordinates, held fixed on the picture
    (the 4-row table's constant column)."""

    @property
    def n_inputs(self) -> int:
        return int(self.X_train.shape[1])

    def inputs(self, points: Array) -> Array:
        """The network's inputs for 2-D points: features, extra columns, standardised."""
        columns = expand(points, self.feature_names)
        if self.extra.size:
            columns = np.column_stack([columns, np.tile(self.extra, (len(points), 1))])
        return self.scaler.transform(columns) if self.scaler is not None else columns

    def targets(self, labels: Array, output: str) -> Array:
        """The loss's targets: class codes (softmax), a 0/1 column (sigmoid), or the values as
        a column, standardised when the inputs are (as ``glassnet train`` does)."""
        if self.task == "classification":
            return labels.reshape(-1, 1).astype(np.float64) if output == "sigmoid" else labels
        column = labels.reshape(len(labels), -1).astype(np.float64)
        return self.target_scaler.transform(column) if self.target_scaler is not None else column

    def bounds(self) -> tuple[float, float, float, float]:
        """The picture's square of the input plane: every point, with a margin."""
        points = np.vstack([self.points_train, self.points_test])
        low, high = points.min(axis=0), points.max(axis=0)
        centre, half = (low + high) / 2, float((high - low).max()) / 2 * 1.15 + 1e-9
        return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def _load(settings: Settings, upload: Dataset | None) -> Dataset:
    if settings.dataset == UPLOAD:
        if upload is None:
            raise ValidationError("no file uploaded yet: choose a CSV file first")
        return upload
    return load_dataset(settings.dataset, random_state=settings.seed, **dataset_options(settings))


def make_problem(settings: Settings, upload: Dataset | None = None) -> Problem:
    """Load, expand, split and standardise the data ``settings`` describe."""
    data = _load(settings, upload)
    points, extra_columns = data.X[:, :2], data.X[:, 2:]
    inputs = np.column_stack([expand(points, settings.features), extra_columns])
    classification = data.task == "classification"
    if settings.test_size > 0:
        rows = np.column_stack([inputs, points])  # split together: the same rows either way
        train, test, labels_train, labels_test = train_test_split(
            rows,
            data.y,
            test_size=settings.test_size,
            stratify=classification,
            random_state=settings.seed,
        )
    else:
        train, test = np.column_stack([inputs, points]), np.empty((0, inputs.shape[1] + 2))
        labels_train, labels_test = data.y, data.y[:0]
    width = inputs.shape[1]
    scaler = Standardizer().fit(train[:, :width]) if settings.standardize else None
    target_scaler = None
    if not classification and settings.standardize:
        target_scaler = Standardizer().fit(labels_train.reshape(len(labels_train), -1))

    def scaled(block: Array) -> Array:
        return scaler.transform(block) if scaler is not None and len(block) else block

    return Problem(
        name=data.name,
        task=data.task,
        classes=data.classes,
        feature_names=list(settings.features),
        points_train=train[:, width:],
        points_test=test[:, width:],
        labels_train=labels_train,
        labels_test=labels_test,
        X_train=scaled(train[:, :width]),
        X_test=scaled(test[:, :width]),
        scaler=scaler,
        target_scaler=target_scaler,
        extra=extra_columns.mean(axis=0) if extra_columns.shape[1] else np.empty(0),
    )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


def upload_name(name: Any) -> str:
    """The uploaded file's name as the page may show it: its last part, plain characters."""
    text = str(name).replace("\\", "/").rsplit("/", 1)[-1] if isinstance(name, str) else ""
    text = _SAFE_NAME.sub("_", text).strip()[:60]
    return text if text.lower().endswith(".csv") else (text or "upload") + ".csv"


def read_upload(name: Any, text: Any) -> Dataset:
    """An uploaded CSV file read by glassnet's own reader, with its errors.

    The file needs a header row, two numeric feature columns and a label (the last column),
    at most :data:`MAX_UPLOAD_BYTES` and :data:`~glassnet.playground.settings.MAX_SAMPLES`
    rows. Errors name the file as the page named it, never a path on the server.
    """
    shown = upload_name(name)
    if not isinstance(text, str):
        raise ValidationError(f"{shown}: the upload carries no text")
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"{shown} is larger than {MAX_UPLOAD_BYTES // 1024} KiB; upload at most "
            f"{MAX_SAMPLES} rows of two features and a label"
        )
    with tempfile.TemporaryDirectory(prefix="glassnet-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_text(text, encoding="utf-8")
        try:
            data = load_csv(path)
        except ValidationError as exc:
            raise ValidationError(str(exc).replace(str(path), shown)) from None
    if data.X.shape[1] != 2:
        raise ValidationError(
            f"{shown} has {data.X.shape[1]} feature column(s) {data.feature_names}; the "
            "playground draws two: give two feature columns and a label (the last column)"
        )
    if data.n_samples > MAX_SAMPLES:
        raise ValidationError(f"{shown} has {data.n_samples} rows; at most {MAX_SAMPLES}")
    if data.task == "classification" and len(data.classes or []) < 2:
        raise ValidationError(f"{shown} has a single class {data.classes}; give two or more")
    data.name, data.description = shown, f"uploaded {shown}"
    return data
