"""glassnet.data: built-in datasets, CSV loading, splitting and standardisation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import datasets as skd
from sklearn.preprocessing import StandardScaler

from glassnet.data import (
    DATASETS,
    Dataset,
    DatasetInfo,
    Standardizer,
    list_datasets,
    load_csv,
    load_dataset,
    load_features_csv,
    load_pima,
    make_moons,
    standardize,
    toy_xor,
    train_test_split,
)
from glassnet.errors import NotFittedError, ValidationError

# ---------------------------------------------------------------- built-in datasets

BUILTIN = [
    # name, shape, task, classes (None: regression; an int: how many)
    ("moons", (200, 2), "classification", [0, 1]),
    ("circles", (200, 2), "classification", [0, 1]),
    ("blobs", (200, 2), "classification", [0, 1, 2]),
    ("spiral", (300, 2), "classification", [0, 1, 2]),
    ("xor", (4, 3), "classification", [0, 1]),
    ("noisy_xor", (200, 2), "classification", [0, 1]),
    ("iris", (150, 4), "classification", ["setosa", "versicolor", "virginica"]),
    ("iris_regression", (150, 2), "regression", None),
    ("diabetes", (532, 7), "classification", ["No", "Yes"]),
    ("breast_cancer", (569, 30), "classification", ["malignant", "benign"]),
    ("wine", (178, 13), "classification", ["class_0", "class_1", "class_2"]),
    ("digits", (1797, 64), "classification", list(range(10))),
    ("diabetes_regression", (442, 10), "regression", None),
]


def test_registry_lists_exactly_the_built_in_datasets():
    assert sorted(DATASETS) == sorted(name for name, *_ in BUILTIN)


@pytest.mark.parametrize(("name", "shape", "task", "classes"), BUILTIN)
def test_built_in_dataset_shape_task_and_classes(name, shape, task, classes):
    data = load_dataset(name)
    assert isinstance(data, Dataset)
    assert data.name == name and data.task == task
    assert data.X.shape == shape and data.X.dtype == np.float64
    assert len(data.feature_names) == shape[1]
    assert data.description and "\n" not in data.description
    assert data.y.shape == (shape[0],)
    assert data.classes == classes
    if classes is None:
        assert data.y.dtype == np.float64 and data.n_classes is None
    else:
        assert np.issubdtype(data.y.dtype, np.integer)
        assert set(np.unique(data.y)) == set(range(len(classes)))
        assert data.n_classes == len(classes)
        # the labels are plain Python values (JSON-serialisable for a model file)
        assert all(type(c) in (int, str) for c in data.classes)


def test_list_datasets_matches_the_loaders():
    infos = list_datasets()
    assert [i.name for i in infos] == list(DATASETS)
    for info in infos:
        assert isinstance(info, DatasetInfo)
        data = load_dataset(info.name)
        assert (info.n_samples, info.n_features) == data.X.shape
        assert info.task == data.task and info.n_classes == data.n_classes
        assert info.description == data.description


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        DATASETS["mine"] = load_pima  # type: ignore[index]


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(ValidationError, match="unknown dataset 'mnist'") as info:
        load_dataset("mnist")
    for name in DATASETS:
        assert repr(name) in str(info.value)


def test_unknown_option_lists_the_loader_options():
    with pytest.raises(ValidationError, match=r"\['widht'\].*\['n_samples', 'noise'\]"):
        load_dataset("moons", widht=3)


def test_options_reach_the_loader_and_names_are_case_insensitive():
    data = load_dataset("Moons", n_samples=50, noise=0.0)
    assert data.X.shape == (50, 2)
    assert load_dataset("spiral", n_per_class=20, n_classes=5).X.shape == (100, 2)
    assert load_dataset("blobs", centers=4, n_features=3).classes == [0, 1, 2, 3]


def test_pima_keeps_its_split_and_codes():
    data = load_dataset("diabetes")
    assert data.feature_names == ["npreg", "glu", "bp", "skin", "bmi", "ped", "age"]
    assert (data.split == "train").sum() == 200 and (data.split == "test").sum() == 332
    X_train, y_train = data.subset("train")
    assert X_train.shape == (200, 7) and y_train.sum() == 68
    assert_array_equal(data.decode([0, 1, 1]), ["No", "Yes", "Yes"])


def test_xor_is_the_toy_table():
    data = load_dataset("xor")
    assert_array_equal(data.X, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert_array_equal(data.y, [0, 1, 1, 0])
    _, y = toy_xor()  # the experiments' float column is unchanged
    assert y.shape == (4, 1) and y.dtype == np.float64


def test_spiral_is_the_cs231n_loop():
    # CS231n's code, with np.random.seed(0) replaced by an explicit RandomState(0)
    rng = np.random.RandomState(0)
    N, K = 100, 3
    X = np.zeros((N * K, 2))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    data = load_dataset("spiral", random_state=0)
    assert_allclose(data.X, X, rtol=0, atol=0)
    assert_array_equal(data.y, y)


def test_noisy_xor_labels_are_the_xor_of_the_corner():
    data = load_dataset("noisy_xor", n_samples=400, noise=0.05, random_state=3)
    corner = np.round(data.X).astype(int)  # noise 0.05 keeps every point by its corner
    assert_array_equal(data.y, corner[:, 0] ^ corner[:, 1])
    assert_array_equal(np.bincount(corner[:, 0] * 2 + corner[:, 1]), [100] * 4)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("moons", lambda: skd.make_moons(200, noise=0.2, random_state=0)),
        ("circles", lambda: skd.make_circles(200, noise=0.1, factor=0.5, random_state=0)),
        ("blobs", lambda: skd.make_blobs(200, centers=3, random_state=0)),
    ],
)
def test_generators_are_scikit_learns(name, reference):
    X, y = reference()
    data = load_dataset(name)
    assert_array_equal(data.X, X)
    assert_array_equal(data.y, y)


def test_make_moons_still_returns_arrays():
    X, y = make_moons()
    X_ref, y_ref = skd.make_moons(200, noise=0.2, random_state=0)
    assert_array_equal(X, X_ref)
    assert_array_equal(y, y_ref)


def test_iris_regression_is_unscaled_sepal_to_petal_length():
    data = load_dataset("iris_regression")
    iris = skd.load_iris()
    assert_array_equal(data.X, iris.data[:, :2])
    assert_array_equal(data.y, iris.data[:, 2])
    assert data.target_name == "petal length (cm)"


def test_diabetes_regression_raw_and_scaled():
    raw = load_dataset("diabetes_regression")
    assert_array_equal(raw.X, skd.load_diabetes(scaled=False).data)
    scaled = load_dataset("diabetes_regression", scaled=True)
    assert_array_equal(scaled.X, skd.load_diabetes().data)


@pytest.mark.parametrize("name", ["moons", "circles", "blobs", "spiral", "noisy_xor"])
def test_random_state_reproduces_and_varies(name):
    a, b = load_dataset(name, random_state=7), load_dataset(name, random_state=7)
    assert_array_equal(a.X, b.X)
    assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, load_dataset(name, random_state=8).X)
    g1 = load_dataset(name, random_state=np.random.default_rng(1))
    g2 = load_dataset(name, random_state=np.random.default_rng(1))
    assert_array_equal(g1.X, g2.X)


def test_random_state_is_validated():
    with pytest.raises(ValidationError, match="random_state"):
        load_dataset("spiral", random_state="zero")


def test_importing_data_does_not_import_sklearn():
    code = "import sys, glassnet.data; assert 'sklearn' not in sys.modules; print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


# ---------------------------------------------------------------- Dataset.decode


def test_decode_accepts_a_column_and_checks_codes():
    data = load_dataset("iris")
    assert_array_equal(data.decode(np.array([[2], [0]])), ["virginica", "setosa"])
    with pytest.raises(ValidationError, match=r"0\.\.2"):
        data.decode([3])
    with pytest.raises(ValidationError, match="integers"):
        data.decode([0.5])
    with pytest.raises(ValidationError, match="regression"):
        load_dataset("iris_regression").decode([0])


def test_dataset_rejects_an_unknown_task():
    with pytest.raises(ValidationError, match="task"):
        Dataset(np.zeros((1, 1)), np.zeros(1), ["a"], "b", task="clustering")


# ---------------------------------------------------------------- CSV


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


FRUIT = "weight,colour,kind\n150,0.8,apple\n120,0.2,pear\n155,0.9,apple\n110,0.1,kiwi\n"


def test_csv_string_labels_round_trip_through_decode(tmp_path):
    data = load_csv(write(tmp_path, FRUIT))
    assert data.task == "classification" and data.name == "data"
    assert data.feature_names == ["weight", "colour"] and data.target_name == "kind"
    assert_array_equal(data.X, [[150, 0.8], [120, 0.2], [155, 0.9], [110, 0.1]])
    assert data.classes == ["apple", "kiwi", "pear"]
    assert_array_equal(data.y, [0, 2, 0, 1])
    assert list(data.decode(data.y)) == ["apple", "pear", "apple", "kiwi"]


def test_csv_target_option_picks_any_column(tmp_path):
    text = "kind,weight,colour\napple,150,0.8\npear,120,0.2\n"
    data = load_csv(write(tmp_path, text), target="kind")
    assert data.feature_names == ["weight", "colour"]
    assert data.classes == ["apple", "pear"]
    reg = load_csv(write(tmp_path, "a,b,c\n1,2.5,3\n4,5.5,6\n", "r.csv"), target="b")
    assert reg.task == "regression" and reg.feature_names == ["a", "c"]
    assert_array_equal(reg.y, [2.5, 5.5])


@pytest.mark.parametrize(
    ("target_values", "task", "classes"),
    [
        (["yes", "no", "yes"], "classification", ["no", "yes"]),
        (["10", "2", "1"], "classification", [1, 2, 10]),  # numerically sorted, kept as ints
        (["1.0", "0.0", "1.0"], "classification", [0, 1]),  # whole numbers are integers
        (["0.5", "1.5", "2.25"], "regression", None),
        ([str(v) for v in range(21)], "regression", None),  # more than 20 distinct integers
        ([str(v % 20) for v in range(40)], "classification", list(range(20))),
    ],
)
def test_csv_task_inference(tmp_path, target_values, task, classes):
    text = "x,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(target_values))
    data = load_csv(write(tmp_path, text))
    assert data.task == task and data.classes == classes
    if task == "regression":
        assert_allclose(data.y, [float(v) for v in target_values], rtol=0, atol=0)
    else:
        decoded = data.decode(data.y)
        if isinstance(classes[0], str):
            assert list(decoded) == target_values
        else:  # numeric labels come back as numbers
            assert_array_equal(decoded, [float(v) for v in target_values])


def test_csv_task_can_be_forced(tmp_path):
    path = write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,0.5\n")
    data = load_csv(path, task="classification")
    assert data.classes == [0.5, 1.5] and type(data.classes[0]) is float
    assert_array_equal(data.y, [0, 1, 0])
    assert load_csv(write(tmp_path, "x,y\n1,0\n2,1\n", "b.csv"), task="regression").task == (
        "regression"
    )
    with pytest.raises(
        ValidationError, match=r"'y' is not numeric \(row 2 .* 'a'\).*classification"
    ):
        load_csv(write(tmp_path, "x,y\n1,a\n2,b\n", "c.csv"), task="regression")
    with pytest.raises(ValidationError, match="task must be"):
        load_csv(path, task="ranking")


def test_csv_bom_whitespace_and_blank_lines(tmp_path):
    text = "\ufeffa, b ,label\n1, 2 , x \n\n3,4,y\n"
    data = load_csv(write(tmp_path, text))
    assert data.feature_names == ["a", "b"] and data.classes == ["x", "y"]
    assert_array_equal(data.X, [[1, 2], [3, 4]])
    # row numbers count the blank line, as an editor does
    with pytest.raises(ValidationError, match="row 4"):
        load_csv(write(tmp_path, "a,label\n1,x\n\nq,y\n", "e.csv"))


def test_csv_missing_target_names_the_columns(tmp_path):
    with pytest.raises(
        ValidationError, match=r"'label' is not in .*\['weight', 'colour', 'kind'\]"
    ):
        load_csv(write(tmp_path, FRUIT), target="label")


def test_csv_non_numeric_feature_names_column_row_and_value(tmp_path):
    text = "age,city,label\n31,1,a\n40,Paris,b\n"
    with pytest.raises(ValidationError) as info:
        load_csv(write(tmp_path, text))
    message = str(info.value)
    assert "'city'" in message and "row 3" in message and "'Paris'" in message
    assert "encode" in message and "drop" in message


@pytest.mark.parametrize("token", ["", "NA", "NaN", "nan", "?"])
@pytest.mark.parametrize("column", ["b", "label"])
def test_csv_missing_values_name_column_and_row(tmp_path, token, column):
    rows = [["1", "2", "x"], ["3", "4", "y"], ["5", "6", "x"]]
    rows[2][["a", "b", "label"].index(column)] = token
    text = "a,b,label\n" + "".join(",".join(r) + "\n" for r in rows)
    with pytest.raises(ValidationError) as info:
        load_csv(write(tmp_path, text))
    message = str(info.value)
    assert f"column {column!r}" in message and "missing value" in message
    assert "row 4" in message and "drop" in message and "impute" in message


def test_csv_infinite_feature_is_rejected(tmp_path):
    with pytest.raises(ValidationError, match=r"'a' is not numeric: row 2 .*'inf'"):
        load_csv(write(tmp_path, "a,label\ninf,x\n"))


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("a,b,label\n", "header row but no data rows"),
        ("a,b,label\n1,2,x\n3,4\n", "row 3 .* 2 fields but the header has 3 columns"),
        ("a,b,label\n1,2,x,9\n", "row 2 .* 4 fields"),
        ("a,a,label\n1,2,x\n", r"duplicate column names \['a'\]"),
        ("a,,label\n1,2,x\n", "column 2 .* no name"),
        ("label\nx\n", "only the column"),
    ],
)
def test_csv_malformed_files(tmp_path, text, pattern):
    with pytest.raises(ValidationError, match=pattern):
        load_csv(write(tmp_path, text))


def test_csv_file_errors_name_the_path(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(ValidationError, match="no such file") as info:
        load_csv(missing)
    assert str(missing) in str(info.value)
    with pytest.raises(ValidationError, match="is a directory") as info:
        load_csv(tmp_path)
    assert str(tmp_path) in str(info.value)
    latin = write(tmp_path, "a,label\n1,caf\u00e9\n", encoding="latin-1")
    with pytest.raises(ValidationError, match="not UTF-8") as info:
        load_csv(latin)
    assert str(latin) in str(info.value)


# ---------------------------------------------------------------- load_features_csv

NEW = "colour,extra,weight,kind\n0.7,x,140,apple\n0.3,y,115,pear\n"


def test_features_csv_selects_columns_in_model_order(tmp_path):
    X, y = load_features_csv(write(tmp_path, NEW), ["weight", "colour"], target="kind")
    assert_array_equal(X, [[140, 0.7], [115, 0.3]])
    assert list(y) == ["apple", "pear"]


def test_features_csv_target_optional_and_numeric(tmp_path):
    path = write(tmp_path, NEW)
    assert load_features_csv(path, ["weight"])[1] is None
    assert load_features_csv(path, ["weight"], target="missing")[1] is None
    _, y = load_features_csv(write(tmp_path, "a,t\n1,3\n2,10\n", "n.csv"), ["a"], target="t")
    assert y.dtype == np.int64 and list(y) == [3, 10]
    _, y = load_features_csv(write(tmp_path, "a,t\n1,0.5\n", "f.csv"), ["a"], target="t")
    assert y.dtype == np.float64


def test_features_csv_errors(tmp_path):
    path = write(tmp_path, NEW)
    with pytest.raises(ValidationError, match="feature column 'size' is not in"):
        load_features_csv(path, ["weight", "size"])
    with pytest.raises(ValidationError, match="'extra' is not numeric: row 2"):
        load_features_csv(path, ["extra"])
    with pytest.raises(ValidationError, match="feature_names is empty"):
        load_features_csv(path, [])
    gap = write(tmp_path, "a,t\n1,x\n,y\n", "g.csv")
    with pytest.raises(ValidationError, match=r"'a' has a missing value .* row 3"):
        load_features_csv(gap, ["a"])
    with pytest.raises(ValidationError, match=r"'t' has a missing value .* row 2"):
        load_features_csv(write(tmp_path, "a,t\n1,NA\n", "h.csv"), ["a"], target="t")


def test_csv_train_predict_round_trip(tmp_path):
    train = load_csv(write(tmp_path, FRUIT))
    _, y = load_features_csv(write(tmp_path, NEW, "new.csv"), train.feature_names, "kind")
    codes = np.array([0, 2])  # what a classifier would predict
    assert_array_equal(train.decode(codes), y)


# ---------------------------------------------------------------- train_test_split


def test_stratified_split_keeps_class_proportions():
    data = load_dataset("breast_cancer")
    X_tr, X_te, y_tr, y_te = train_test_split(data.X, data.y, test_size=0.3, random_state=0)
    assert X_te.shape == (171, 30) and X_tr.shape == (398, 30)
    full = np.bincount(data.y) / len(data.y)
    assert_allclose(np.bincount(y_tr) / len(y_tr), full, atol=0.005)
    assert_allclose(np.bincount(y_te) / len(y_te), full, atol=0.005)


def test_unstratified_split_is_a_plain_random_split():
    y = np.repeat([0, 1], [90, 10])
    X = np.arange(100.0).reshape(-1, 1)
    strat = train_test_split(X, y, test_size=0.2, random_state=1)
    plain = train_test_split(X, y, test_size=0.2, stratify=False, random_state=1)
    assert strat[3].sum() == 2  # exactly 10 % of the test rows
    X_tr, X_te, _, _ = plain
    assert X_te.shape == (20, 1)
    assert sorted(np.r_[X_tr[:, 0], X_te[:, 0]]) == list(range(100))


@pytest.mark.parametrize(
    "y", [np.array([0, 0, 0, 0, 0, 0, 0, 1]), np.array([0, 0, 1, 1, 2, 2, 3, 3])]
)
def test_split_falls_back_to_unstratified(y):
    # a singleton class, or fewer test rows (2) than classes (4)
    X = np.arange(8.0).reshape(-1, 1)
    _, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25)
    assert X_te.shape == (2, 1) and y_tr.shape == (6,)
    assert sorted(np.r_[y_tr, y_te]) == sorted(y)


def test_split_regression_targets_and_reproducibility():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), rng.randn(40, 2)
    a = train_test_split(X, y, random_state=5)
    b = train_test_split(X, y, random_state=5)
    for p, q in zip(a, b, strict=True):
        assert_array_equal(p, q)
    assert a[3].shape == (10, 2)
    # each row keeps its own target
    for X_part, y_part in ((a[0], a[2]), (a[1], a[3])):
        idx = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in X_part]
        assert_array_equal(y[idx], y_part)
    g = train_test_split(X, y, random_state=np.random.default_rng(0))
    assert g[1].shape == (10, 3)


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2, True, "0.2", None])
def test_split_validates_test_size(test_size):
    with pytest.raises(ValidationError, match="test_size") as info:
        train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=test_size)
    assert repr(test_size) in str(info.value)


def test_split_checks_lengths_and_tiny_data():
    with pytest.raises(ValidationError, match="X has 10 rows but y"):
        train_test_split(np.zeros((10, 1)), np.zeros(9))
    with pytest.raises(ValidationError, match="would be empty"):
        train_test_split(np.zeros((1, 1)), np.zeros(1))


def test_split_does_not_mutate_inputs():
    X, y = np.arange(20.0).reshape(10, 2), np.repeat([0, 1], 5)
    X0, y0 = X.copy(), y.copy()
    parts = train_test_split(X, y)
    parts[0][:] = -1
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)


# ---------------------------------------------------------------- Standardizer


def test_standardizer_matches_standard_scaler():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 4) * [1.0, 10.0, 0.1, 3.0] + [0.0, 5.0, -2.0, 100.0]
    X[:, 2] = 7.0  # a constant column: scale 1, as StandardScaler does
    X_new = rng.randn(5, 4)
    ours, ref = Standardizer().fit(X), StandardScaler().fit(X)
    assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=0)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-12, atol=0)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)
    Z = ours.fit_transform(X)
    assert_allclose(Z, ref.transform(X), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.inverse_transform(Z), X, rtol=1e-12, atol=1e-12)


def test_standardizer_round_trips_through_arrays():
    X = np.random.RandomState(1).randn(20, 3)
    fitted = Standardizer().fit(X)
    arrays = fitted.to_arrays()
    assert set(arrays) == {"mean", "scale"}
    arrays["mean"][:] = 0  # a copy: the fitted scaler is unchanged
    assert not np.all(fitted.mean_ == 0)
    restored = Standardizer.from_arrays(fitted.to_arrays())
    assert_array_equal(restored.transform(X), fitted.transform(X))
    with pytest.raises(ValidationError, match="missing"):
        Standardizer.from_arrays({"mean": [0.0]})
    with pytest.raises(ValidationError, match="scale must be > 0"):
        Standardizer.from_arrays({"mean": [0.0], "scale": [0.0]})
    with pytest.raises(ValidationError, match="same shape"):
        Standardizer.from_arrays({"mean": [0.0, 1.0], "scale": [1.0]})


def test_standardizer_errors():
    scaler = Standardizer()
    for method in (scaler.transform, scaler.inverse_transform):
        with pytest.raises(NotFittedError, match="fit"):
            method(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        scaler.to_arrays()
    scaler.fit(np.random.RandomState(0).randn(5, 3))
    with pytest.raises(
        ValidationError, match="X has 2 features but the Standardizer was fitted on 3"
    ):
        scaler.transform(np.zeros((4, 2)))
    with pytest.raises(ValidationError, match="NaN"):
        Standardizer().fit([[1.0], [np.nan]])


def test_standardizer_keeps_float32_and_does_not_mutate():
    X = np.random.RandomState(0).randn(10, 2).astype(np.float32)
    X0 = X.copy()
    Z = Standardizer().fit_transform(X)
    assert Z.dtype == np.float32
    assert_array_equal(X, X0)


def test_standardize_uses_training_statistics_only():
    rng = np.random.RandomState(0)
    train, test = rng.randn(30, 3) * 4 + 2, rng.randn(10, 3)
    train0, test0 = train.copy(), test.copy()
    a, b = standardize(train, test)
    mean, std = train.mean(axis=0), train.std(axis=0)
    assert_array_equal(a, (train - mean) / std)  # bit for bit: the experiments rely on it
    assert_array_equal(b, (test - mean) / std)
    assert_array_equal(train, train0)
    assert_array_equal(test, test0)
