"""Tables as they come, end to end through the command: text columns one-hot encoded, missing
cells refused, dropped or imputed from the training rows only, dates refused, unseen
categories, the model file's record of it all, and the Python API predicting as the command.

The references are worked out here: the split is scikit-learn's ``train_test_split`` on the
row numbers (the call glassnet makes), the fill values pandas' own mean, median and mode of
the training rows, the one-hot blocks scikit-learn's ``OneHotEncoder`` or written by hand.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder

from glassnet import io, mlp
from glassnet.cli import main
from glassnet.data import TableEncoder, read_table
from glassnet.errors import ModelFileError, ValidationError
from tables import evaluated

SPECIES = ["ant", "bee", "cow"]
FAST = ["--epochs", "30", "--hidden", "8", "--learning-rate", "0.05", "--quiet"]


def run(capsys, *args):  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *args):  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out, err


def one_line_error(capsys, *args):  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    assert "Traceback" not in err
    return lines[0]


def predictions(text):  # type: ignore[no-untyped-def]
    lines = text.splitlines()
    assert lines[0].startswith("prediction")
    return [line.split(",")[0] for line in lines[1:]]


def training_rows(y, seed=0, test_size=0.25):  # type: ignore[no-untyped-def]
    """The rows glassnet train fits on: scikit-learn's stratified split of the row numbers."""
    codes = np.searchsorted(np.unique(y), y)
    rows, _ = train_test_split(
        np.arange(len(y)), test_size=test_size, random_state=seed, stratify=codes
    )
    return np.sort(rows)


def zoo(rng, n=120):  # type: ignore[no-untyped-def]
    """A table whose training rows and test rows differ on purpose: the test rows' sizes are
    all 55 and their shapes all 'star', so a statistic taken over all rows (mean, median
    or mode) is not the training rows' one."""
    species = rng.permutation(np.repeat(SPECIES, n // 3))
    train = np.zeros(n, dtype=bool)
    train[training_rows(species)] = True
    colour = np.where(
        rng.rand(n) < 0.85,
        np.select([species == "ant", species == "bee"], ["red", "green"], "blue"),
        rng.choice(["red", "green", "blue"], n),
    )
    shift = np.select([species == "ant", species == "bee"], [0.0, 2.0], 4.0)
    size = np.where(train, rng.randint(1, 6, n) + shift, 55.0)
    shapes = rng.permutation(np.resize(["round"] * 9 + ["square"] * 7 + ["star"] * 4, n))
    shape = np.where(train, shapes, "star")
    frame = pd.DataFrame(
        {"colour": colour, "size": size, "shape": shape, "species": species}, dtype=object
    )
    for column, every in (("size", 7), ("shape", 9)):
        frame.loc[np.arange(3, n, every), column] = np.nan  # missing in both kinds of row
    return frame, train


def write(frame, path):  # type: ignore[no-untyped-def]
    frame.to_csv(path, index=False)
    return path


# -- imputation: from the training rows only, saved, applied at predict ---------------------
@pytest.mark.parametrize("strategy", ["mean", "median", "most-frequent"])
def test_imputation_learns_from_the_training_rows_only(strategy, capsys, rng, tmp_path):
    frame, train = zoo(rng)
    data = write(frame, tmp_path / "zoo.csv")
    model = tmp_path / "zoo.glassnet"
    ok(capsys, "train", data, "--missing", strategy, *FAST, "--out", model)

    fill = {c["name"]: c.get("fill") for c in io.load_model(model).metadata["table"]["columns"]}
    size = frame["size"].astype(float)
    stat = {
        "mean": lambda s: s.mean(),
        "median": lambda s: s.median(),
        "most-frequent": lambda s: s.mode()[0],
    }[strategy]
    assert fill["size"] == pytest.approx(stat(size[train]), rel=1e-12)
    assert fill["size"] != pytest.approx(stat(size), rel=1e-6)  # all rows: a leak shows
    # a text column takes its most frequent value whatever the strategy
    assert fill["shape"] == frame["shape"][train].mode()[0] == "round"
    assert frame["shape"].mode()[0] == "star"
    assert fill["colour"] == frame["colour"][train].mode()[0]


def test_missing_cells_at_predict_get_the_training_fill_and_rows_stay_aligned(
    capsys, rng, tmp_path
):
    frame, _ = zoo(rng)
    model = tmp_path / "m.glassnet"
    ok(
        capsys,
        "train",
        write(frame, tmp_path / "zoo.csv"),
        "--missing",
        "mean",
        *FAST,
        "--out",
        model,
    )
    fill = {c["name"]: c.get("fill") for c in io.load_model(model).metadata["table"]["columns"]}

    new = frame.drop(columns="species").iloc[:12].copy()
    new.loc[[0, 5], "size"] = np.nan
    new.loc[[5, 7], "shape"] = np.nan
    out, _ = ok(capsys, "predict", model, write(new, tmp_path / "new.csv"))
    filled = new.fillna({"size": fill["size"], "shape": fill["shape"]})
    out_filled, _ = ok(capsys, "predict", model, write(filled, tmp_path / "filled.csv"))
    assert len(predictions(out)) == 12  # no row dropped
    assert predictions(out) == predictions(out_filled)
    # the same rows in another order give the same predictions in that order
    order = rng.permutation(12)
    out_shuffled, _ = ok(capsys, "predict", model, write(new.iloc[order], tmp_path / "s.csv"))
    assert predictions(out_shuffled) == [predictions(out)[i] for i in order]


@pytest.mark.parametrize("trained_with", ["error", "drop"])
def test_missing_cell_at_predict_without_imputation_names_the_row(
    trained_with, capsys, rng, tmp_path
):
    frame, _ = zoo(rng)
    if trained_with == "error":
        frame = frame.dropna()
    model = tmp_path / "m.glassnet"
    data = write(frame, tmp_path / "zoo.csv")
    _, err = ok(capsys, "train", data, "--missing", trained_with, *FAST, "--out", model)
    if trained_with == "drop":
        incomplete = np.flatnonzero(frame[["size", "shape"]].isna().any(axis=1))
        assert f"dropped {len(incomplete)} of {len(frame)} rows with missing values" in err
        lines = ", ".join(str(i + 2) for i in incomplete[:5])  # the header is line 1
        assert f"(--missing drop): rows {lines}, …" in err
    new = frame.iloc[:6].copy()
    new.iloc[3, new.columns.get_loc("size")] = np.nan  # line 5
    path = write(new, tmp_path / "new.csv")
    for command in ("predict", "evaluate"):
        line = one_line_error(capsys, command, model, path)
        assert "'size' has a missing value at row 5 of" in line
        assert f"--missing {trained_with}" in line and "mean|median|most-frequent" in line


def test_missing_cell_at_training_suggests_the_options(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    line = one_line_error(capsys, "train", write(frame, tmp_path / "zoo.csv"), *FAST)
    assert "column 'size' has a missing value at row 5 of" in line
    assert "--missing drop|mean|median|most-frequent" in line and "--drop size" in line


# -- one-hot encoding -----------------------------------------------------------------------
def test_one_hot_columns_in_order_and_their_values(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    frame = frame.dropna().reset_index(drop=True)
    train = training_rows(frame["species"].to_numpy())
    model = tmp_path / "m.glassnet"
    ok(capsys, "train", write(frame, tmp_path / "zoo.csv"), *FAST, "--out", model)
    mf = io.load_model(model)
    names = [
        "colour=blue",
        "colour=green",
        "colour=red",
        "size",
        "shape=round",
        "shape=square",
        "shape=star",
    ]
    assert mf.metadata["feature_names"] == names
    # by hand: a 1 in the column of the row's category, in the place of the text column
    by_hand = np.column_stack(
        [
            *(frame["colour"] == c for c in ("blue", "green", "red")),
            frame["size"].astype(float),
            *(frame["shape"] == s for s in ("round", "square", "star")),
        ]
    ).astype(float)
    encoder = TableEncoder.from_json(mf.metadata["table"])
    assert_array_equal(encoder.transform(read_table(tmp_path / "zoo.csv")), by_hand)
    # the saved standardisation is that of the training rows of this matrix
    assert_allclose(mf.preprocessing["x_mean"], by_hand[train].mean(axis=0), rtol=1e-12)


def test_one_hot_matches_scikit_learn():
    frame = pd.DataFrame(
        {
            "w": [1.5, 2.0, -1.0, 0.0, 3.0],
            "colour": ["red", "blue", "red", "green", "blue"],
            "ok": [True, False, True, True, False],
            "size": pd.Categorical(["S", "L", "M", "S", "L"]),
        }
    )
    encoder = TableEncoder().fit(frame)
    reference = OneHotEncoder(sparse_output=False).fit(frame[["colour", "ok", "size"]].astype(str))
    X = encoder.transform(frame)
    assert_array_equal(X[:, 0], frame["w"])
    assert_array_equal(X[:, 1:], reference.transform(frame[["colour", "ok", "size"]].astype(str)))
    assert encoder.feature_names_out_ == [
        "w",
        *(n.replace("_", "=", 1) for n in reference.get_feature_names_out()),
    ]


def test_unseen_category_at_predict_and_handle_unknown_ignore(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    frame = frame.dropna()
    data = write(frame, tmp_path / "zoo.csv")
    new = frame.drop(columns="species").iloc[:5].copy()
    new.iloc[2, 0] = "mauve"  # line 4
    path = write(new, tmp_path / "new.csv")
    strict, loose = tmp_path / "strict.glassnet", tmp_path / "loose.glassnet"
    ok(capsys, "train", data, *FAST, "--out", strict)
    line = one_line_error(capsys, "predict", strict, path)
    assert "column 'colour' holds 'mauve' at row 4 of" in line
    assert "'blue', 'green', 'red'" in line and "--handle-unknown ignore" in line

    ok(capsys, "train", data, *FAST, "--handle-unknown", "ignore", "--out", loose)
    out, _ = ok(capsys, "predict", loose, path)
    got = predictions(out)
    assert len(got) == 5
    # the unseen colour is none of the known ones: zeros in the colour block
    mf = io.load_model(loose)
    X = TableEncoder.from_json(mf.metadata["table"]).transform(read_table(path))
    assert_array_equal(X[:, :3].sum(axis=1), [1, 1, 0, 1, 1])
    assert got == list(mf.predict(X))


def test_category_only_in_the_test_rows_is_an_error_unless_ignored(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    frame = frame.dropna().reset_index(drop=True)
    train = training_rows(frame["species"].to_numpy())
    test_row = np.setdiff1d(np.arange(len(frame)), train)[0]
    frame.loc[test_row, "colour"] = "mauve"
    data = write(frame, tmp_path / "zoo.csv")
    line = one_line_error(capsys, "train", data, *FAST)
    assert f"'mauve' at row {test_row + 2} of" in line and "test row" in line
    model = tmp_path / "m.glassnet"
    ok(capsys, "train", data, *FAST, "--handle-unknown", "ignore", "--out", model)
    assert "colour=mauve" not in io.load_model(model).metadata["feature_names"]


# -- refusals with a way out ----------------------------------------------------------------
@pytest.mark.parametrize(
    "dates", [["2024-01-31", "2024-02-01"], ["01/31/2024", "02/01/2024 10:00"], ["10:30", "9:15"]]
)
def test_date_column_is_refused_and_drop_leads_on(dates, capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    frame = frame.dropna().reset_index(drop=True)
    frame.insert(1, "when", [dates[i % 2] for i in range(len(frame))])
    data = write(frame, tmp_path / "zoo.csv")
    line = one_line_error(capsys, "train", data, *FAST)
    assert f"column 'when' holds dates or times (row 2 of {data}: {dates[0]!r})" in line
    assert "--drop when" in line
    model = tmp_path / "m.glassnet"
    ok(capsys, "train", data, *FAST, "--drop", "when", "--out", model)
    assert io.load_model(model).metadata["table"]["drop"] == ["when"]
    out, _ = ok(capsys, "predict", model, data)  # the dropped column may be there, or not
    out2, _ = ok(capsys, "predict", model, write(frame.drop(columns="when"), tmp_path / "n.csv"))
    assert predictions(out) == predictions(out2)


def test_target_and_drop_names_suggest_close_ones(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    data = write(frame.dropna(), tmp_path / "zoo.csv")
    line = one_line_error(capsys, "train", data, "--target", "Species", *FAST)
    assert "target column 'Species' is not in" in line and "did you mean 'species'?" in line
    line = one_line_error(capsys, "train", data, "--drop", "color", *FAST)
    assert "column to drop 'color'" in line and "did you mean 'colour'?" in line


def test_builtin_datasets_refuse_the_table_options(capsys):
    line = one_line_error(capsys, "train", "iris", "--drop", "x", "--missing", "mean")
    assert "--drop, --missing apply to CSV files; 'iris' is a built-in dataset" in line


def test_the_bundled_pima_file_trains_as_the_builtin_dataset(capsys, tmp_path):
    from importlib import resources

    path = resources.files("glassnet.data") / "files" / "pima_diabetes.csv"
    out_file, err = ok(capsys, "train", path, *FAST)
    assert "the column 'split' marks each row 'train' or 'test'" in err and "--drop split" in err
    out_builtin, _ = ok(capsys, "train", "diabetes", *FAST)
    scores = [line for line in out_file.splitlines() if line.startswith(("train", "test"))]
    assert scores == [
        line for line in out_builtin.splitlines() if line.startswith(("train", "test"))
    ]


# -- the model file: summary, old files, the Python API -------------------------------------
def test_summary_lists_the_table_encoding(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    frame.insert(0, "id", np.arange(len(frame)))
    model = tmp_path / "m.glassnet"
    data = write(frame, tmp_path / "zoo.csv")
    ok(capsys, "train", data, "--drop", "id", "--missing", "median", *FAST, "--out", model)
    out, _ = ok(capsys, "summary", model)
    fill = {c["name"]: c.get("fill") for c in io.load_model(model).metadata["table"]["columns"]}
    assert "table encoding (learnt from the training rows):" in out
    assert "  dropped columns: id\n" in out
    assert "  one-hot colour: blue, green, red\n" in out
    assert "  one-hot shape: round, square, star\n" in out
    assert (
        f"  missing cells filled (median, from the training rows): colour {fill['colour']!r}, "
        f"size {fill['size']!r}, shape 'round'\n" in out
    )
    assert "  unseen categories: an error (--handle-unknown error)\n" in out


def old_style_model(tmp_path, rng):  # type: ignore[no-untyped-def]
    """A model file as glassnet train wrote it before tables were encoded: feature_names,
    the x_ scaling and the classes, no 'table' record."""
    net = mlp([3, 5, 3], activation="tanh", output="softmax", random_state=0)
    mean, scale = np.array([10.0, -5.0, 0.5]), np.array([2.0, 3.0, 0.25])
    path = tmp_path / "old.glassnet"
    io.save(
        net,
        path,
        preprocessing={"x_mean": mean, "x_scale": scale},
        classes=["no", "yes", "maybe"],
        metadata={
            "task": "classification",
            "feature_names": ["a", "b", "c"],
            "target_name": "label",
            "data": "old.csv",
            "epochs": 3,
            "scores": {"train": {"loss": 1.0, "accuracy": 0.5}},
            "config": {"hidden": [5]},
        },
    )
    X = rng.randn(8, 3) * scale + mean
    expected = np.array(["no", "yes", "maybe"])[net.predict((X - mean) / scale)]
    return path, X, expected


def test_a_model_file_from_before_tables_still_predicts_as_before(capsys, rng, tmp_path):
    path, X, expected = old_style_model(tmp_path, rng)
    data = tmp_path / "new.csv"
    with data.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["c", "extra", "a", "b", "label"])  # other order, an extra column
        for row, label in zip(X, expected, strict=True):
            writer.writerow(
                [repr(float(row[2])), "text", *(repr(float(v)) for v in row[:2]), label]
            )
    out, _ = ok(capsys, "predict", path, data)
    assert predictions(out) == list(expected)
    out, _ = ok(capsys, "evaluate", path, data)
    assert evaluated(out)["rows"] == "8" and evaluated(out)["accuracy"] == "1.0000"
    out, _ = ok(capsys, "summary", path)
    assert "features (3): a, b, c" in out and "table encoding" not in out
    mf = io.load_model(path)
    assert_array_equal(mf.predict(X), expected)  # an array: NumPy alone
    assert_array_equal(mf.predict(read_table(data)), expected)
    gap = tmp_path / "gap.csv"
    gap.write_text("a,b,c\n1,2,3\n4,,6\n")
    line = one_line_error(capsys, "predict", path, gap)
    assert "'b' has a missing value at row 3 of" in line


def test_python_api_predicts_from_a_dataframe_as_the_command(capsys, rng, tmp_path):
    frame, _ = zoo(rng)
    data = write(frame, tmp_path / "zoo.csv")
    model = tmp_path / "m.glassnet"
    ok(capsys, "train", data, "--missing", "most-frequent", *FAST, "--out", model)
    out, _ = ok(capsys, "predict", model, data, "--proba")
    rows = list(csv.DictReader(out.splitlines()))
    mf = io.load_model(model)
    for table in (read_table(data), pd.read_csv(data).drop(columns="species")):
        assert list(mf.predict(table)) == [r["prediction"] for r in rows]
        proba = mf.predict_proba(table)
        assert_allclose(proba, [[float(r[f"proba_{c}"]) for c in SPECIES] for r in rows], atol=1e-6)
    # the same rows as encoded numbers predict the same, with NumPy alone
    X = TableEncoder.from_json(mf.metadata["table"]).transform(read_table(data))
    assert list(mf.predict(X)) == [r["prediction"] for r in rows]
    # a DataFrame without a file names rows by their index
    broken = read_table(data).reset_index(drop=True)
    broken.attrs = {}
    broken.loc[4, "colour"] = "mauve"
    with pytest.raises(ValidationError, match="'mauve' at the row with index 4"):
        mf.predict(broken)


# -- the encoder on its own -----------------------------------------------------------------
def test_encoder_record_round_trips_and_bad_records_are_refused():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "t": ["x", "y", None]})
    encoder = TableEncoder(missing="mean", handle_unknown="ignore").fit(frame)
    record = json.loads(json.dumps(encoder.to_json()))
    again = TableEncoder.from_json(record)
    assert_array_equal(again.transform(frame), encoder.transform(frame))
    assert again.fill_ == {"a": 2.0, "t": "x"} and again.categories_ == {"t": ["x", "y"]}
    for bad in (
        {**record, "missing": "guess"},
        {**record, "columns": [{"name": "a", "kind": "text"}]},
        {**record, "columns": [{"name": "t", "kind": "categorical", "categories": [1]}]},
        {**record, "columns": [{"name": "a", "kind": "numeric", "fill": "x"}]},
        {"columns": []},
    ):
        with pytest.raises(ModelFileError, match="table preprocessing record is invalid"):
            TableEncoder.from_json(bad)


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ([f"id{i}" for i in range(30)], "30 different values in 30 rows"),
        (["1", "2", "3", "x"] * 7 + ["4", "5"], "holds numbers but the row with index 3 holds 'x'"),
        (pd.to_datetime(["2024-01-01"] * 30), "holds dates or times"),
    ],
)
def test_encoder_refuses_identifiers_typos_and_dates(column, message):
    frame = pd.DataFrame({"c": column, "n": np.arange(30.0)})
    with pytest.raises(ValidationError, match=message):
        TableEncoder().fit(frame)


def test_cells_that_count_as_missing(tmp_path):
    spellings = ["", "NA", "N/A", "NULL", "null", "None", "nan", "NaN", "#N/A", "<NA>", "?"]
    path = tmp_path / "m.csv"
    path.write_text("a,t\n" + "".join(f" {s} ,x\n" for s in spellings) + "1,y\n")
    frame = read_table(path)
    assert frame["a"].isna().sum() == len(spellings) and frame["a"].dtype == np.float64
    assert_array_equal(frame.index, np.arange(2, len(spellings) + 3))


def test_regression_table_from_train_to_predict_and_sweep(capsys, rng, tmp_path):
    n = 90
    kind = rng.choice(["oak", "pine", "elm"], n)
    age = rng.uniform(1, 50, n)
    height = age * 0.5 + np.select([kind == "oak", kind == "pine"], [3.0, 8.0], 0.0)
    frame = pd.DataFrame({"kind": kind, "age": age, "height": height + rng.randn(n) * 0.1})
    frame.loc[[4, 40], "age"] = np.nan
    data = write(frame, tmp_path / "trees.csv")
    model = tmp_path / "trees.glassnet"
    out, _ = ok(capsys, "train", data, "--missing", "median", *FAST, "--out", model)
    assert "r2" in out
    mf = io.load_model(model)
    assert mf.metadata["task"] == "regression"
    out, _ = ok(capsys, "predict", model, data)
    values = [float(v) for v in predictions(out)]
    assert_allclose(mf.predict(read_table(data)), values, rtol=1e-12)
    out, _ = ok(capsys, "evaluate", model, data)
    assert evaluated(out)["rows"] == str(n)  # every row, the incomplete ones too
    out, _ = ok(capsys, "sweep", data, "--missing", "median", "--hidden", "2,4", *FAST[:2])
    assert len([line for line in out.splitlines() if line.startswith("hidden=")]) == 2


def test_a_table_model_predicts_an_array_without_pandas(capsys, rng, tmp_path):
    import subprocess
    import sys

    frame, _ = zoo(rng)
    model = tmp_path / "m.glassnet"
    data = write(frame, tmp_path / "zoo.csv")
    ok(capsys, "train", data, "--missing", "mean", *FAST, "--out", model)
    mf = io.load_model(model)
    X = TableEncoder.from_json(mf.metadata["table"]).transform(read_table(data))
    np.save(tmp_path / "X.npy", X)
    code = (
        "import sys, numpy as np, glassnet.io as gio\n"
        f"labels = gio.load_model({str(model)!r}).predict(np.load({str(tmp_path / 'X.npy')!r}))\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
        "print(','.join(labels))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().split(",") == list(mf.predict(read_table(data)))
