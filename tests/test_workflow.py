"""The steps behind the ``glassnet`` command: the split, the scaling fitted on the training
rows only, and the binary (one sigmoid unit) classifier from ``train`` to ``predict``.

The references are worked out here: the split is scikit-learn's ``train_test_split`` on the
row numbers, the scaling statistics are NumPy's mean and standard deviation of those rows.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import train_test_split

from glassnet import io
from glassnet.cli import main
from glassnet.cli.workflow import TrainConfig, train
from glassnet.data import Dataset


def run(capsys, *args):  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def write_csv(path, header, X, labels):  # type: ignore[no-untyped-def]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row, label in zip(X, labels, strict=True):
            writer.writerow([*(repr(float(v)) for v in row), label])  # repr: exact round trip
    return path


def classification_rows(rng, counts, labels):  # type: ignore[no-untyped-def]
    """Imbalanced classes, each shifted so that the rows of a split have their own means."""
    y = rng.permutation(np.repeat(np.asarray(labels), counts))
    codes = np.searchsorted(np.unique(y), y)
    X = rng.randn(len(y), 3) * [1.0, 2.0, 0.5] + 3.0 * codes[:, None] + [10.0, -5.0, 0.0]
    return X, y


# -- the input scaling sees the training rows only ------------------------------------------
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_saved_scaling_is_fitted_on_exactly_the_training_rows(task, capsys, rng, tmp_path):
    if task == "classification":
        X, y = classification_rows(rng, [60, 40, 20], ["ant", "bee", "cow"])
        stratify = y
    else:
        X = rng.randn(120, 3) * [1.0, 2.0, 0.5] + [10.0, -5.0, 0.0]
        y = X @ [1.5, -2.0, 4.0] + rng.randn(120) + 50.0
        stratify = None
    data = write_csv(tmp_path / "data.csv", ["a", "b", "c", "target"], X, y)
    model = tmp_path / "m.glassnet"
    run(
        capsys,
        "train",
        data,
        "--target",
        "target",
        "--task",
        task,
        "--epochs",
        "2",
        "--hidden",
        "4",
        "--seed",
        "3",
        "--test-size",
        "0.3",
        "--quiet",
        "--out",
        model,
    )

    train_rows, _ = train_test_split(
        np.arange(len(y)), test_size=0.3, random_state=3, stratify=stratify
    )
    prep = io.load_model(model).preprocessing
    assert_allclose(prep["x_mean"], X[train_rows].mean(axis=0), rtol=1e-13)
    assert_allclose(prep["x_scale"], X[train_rows].std(axis=0), rtol=1e-13)
    # the statistics of all rows are measurably different: a leak would be caught
    assert not np.allclose(prep["x_mean"], X.mean(axis=0), rtol=1e-6)
    assert not np.allclose(prep["x_scale"], X.std(axis=0), rtol=1e-6)
    if task == "regression":  # the target scaling too
        assert_allclose(prep["y_mean"], [y[train_rows].mean()], rtol=1e-13)
        assert_allclose(prep["y_scale"], [y[train_rows].std()], rtol=1e-13)
        assert not np.allclose(prep["y_mean"], [y.mean()], rtol=1e-6)
    else:
        assert set(prep) == {"x_mean", "x_scale"}


def test_train_keeps_its_split_and_scales_by_the_training_rows_only(rng):
    X, y = classification_rows(rng, [50, 30], ["no", "yes"])
    codes = np.searchsorted(["no", "yes"], y)
    dataset = Dataset(X, codes, ["a", "b", "c"], "label", classes=["no", "yes"])
    model = train(dataset, TrainConfig(hidden=(4,), epochs=2, random_state=5, test_size=0.25))
    train_rows, test_rows = train_test_split(
        np.arange(80), test_size=0.25, random_state=5, stratify=codes
    )
    assert_array_equal(model.X_train, X[train_rows])
    assert_array_equal(model.X_test, X[test_rows])
    assert model.scaler is not None
    z = model.scaler.transform(model.X_train)
    assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    assert_allclose(z.std(axis=0), 1.0, rtol=1e-12)
    assert np.abs(model.scaler.transform(model.X_test).mean(axis=0)).max() > 1e-3


# -- the command's train/test split keeps the class proportions ------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "counts", [[140, 60], [60, 30, 10], [45, 25, 15, 5]], ids=["binary", "3 classes", "4 classes"]
)
def test_train_test_split_is_stratified(counts, seed, rng):
    labels = list(range(len(counts)))
    X, y = classification_rows(rng, counts, labels)
    dataset = Dataset(X, y, ["a", "b", "c"], "label", classes=labels)
    model = train(dataset, TrainConfig(hidden=(2,), epochs=1, random_state=seed, test_size=0.3))
    assert model.y_test is not None and model.X_test is not None
    n, n_test = len(y), len(model.y_test)
    assert n_test == int(np.ceil(0.3 * n)) and len(model.y_train) == n - n_test
    # exactly scikit-learn's stratified split of the rows, each row with its own label
    train_rows, test_rows = train_test_split(
        np.arange(n), test_size=0.3, random_state=seed, stratify=y
    )
    assert_array_equal(model.X_train, X[train_rows])
    assert_array_equal(model.y_train, y[train_rows])
    assert_array_equal(model.X_test, X[test_rows])
    assert_array_equal(model.y_test, y[test_rows])
    share = np.asarray(counts) / n
    for part in (model.y_test, model.y_train):
        found = np.bincount(part, minlength=len(counts))
        assert np.all(np.abs(found - share * len(part)) <= 1), (found, share * len(part))


# -- a binary problem with one sigmoid output, from train to predict -------------------------
@pytest.mark.parametrize("labels", [[3, 7], ["no", "yes"]], ids=["3/7", "strings"])
def test_sigmoid_output_predicts_the_labels_and_probability_columns(labels, capsys, rng, tmp_path):
    X, y = classification_rows(rng, [90, 60], labels)
    data = write_csv(tmp_path / "data.csv", ["a", "b", "c", "label"], X, y)
    model = tmp_path / "m.glassnet"
    run(
        capsys,
        "train",
        data,
        "--target",
        "label",
        "--output",
        "sigmoid",
        "--hidden",
        "8",
        "--epochs",
        "60",
        "--seed",
        "0",
        "--quiet",
        "--out",
        model,
    )
    new = write_csv(tmp_path / "new.csv", ["a", "b", "c", "label"], X, y)
    predictions = tmp_path / "pred.csv"
    run(capsys, "predict", model, new, "--proba", "--out", predictions)

    with predictions.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    names = [str(c) for c in sorted(labels)]
    assert header == ["prediction", *(f"proba_{c}" for c in names)]
    assert len(rows) == len(y)
    predicted = np.array([r[0] for r in rows])
    proba = np.array([[float(v) for v in r[1:]] for r in rows])
    assert set(predicted) <= set(names)
    assert np.mean(predicted == y.astype(str)) > 0.95  # the original labels, mostly right
    assert_allclose(proba.sum(axis=1), 1.0, atol=2e-6)

    # the saved network's own output, scaled by hand: one sigmoid unit, P(second class)
    saved = io.load_model(model)
    assert saved.classes == sorted(labels) and saved.network.n_outputs == 1
    z = (X - saved.preprocessing["x_mean"]) / saved.preprocessing["x_scale"]
    p = saved.network.predict_proba(z)[:, 0]
    assert_allclose(proba, np.column_stack([1 - p, p]), atol=1e-6)
    assert_array_equal(predicted, np.where(p > 0.5, names[1], names[0]))
