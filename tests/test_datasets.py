"""glassnet.data.datasets: the built-in datasets and the Dataset record."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import datasets as skd

from glassnet.data import (
    DATASETS,
    Dataset,
    DatasetInfo,
    list_datasets,
    load_dataset,
    load_pima,
    make_moons,
    toy_xor,
)
from glassnet.errors import ValidationError

# ---------------------------------------------------------------- built-in datasets

BUILTIN = [
    # name, shape, task, classes (None: regression; an int: how many)
    ("moons", (200, 2), "classification", [0, 1]),
    ("circles", (200, 2), "classification", [0, 1]),
    ("blobs", (200, 2), "classification", [0, 1, 2]),
    ("spiral", (300, 2), "classification", [0, 1, 2]),
    ("xor", (4, 3), "classification", [0, 1]),
    ("noisy_xor", (200, 2), "classification", [0, 1]),
    ("plane", (200, 2), "regression", None),
    ("multi_gaussian", (200, 2), "regression", None),
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
