"""glassnet.data.csvfiles: reading CSV files into Datasets, and a model's feature columns."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from glassnet.data import (
    load_csv,
    load_features_csv,
)
from glassnet.errors import ValidationError

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


def test_csv_word_in_a_numeric_column_names_column_row_and_value(tmp_path):
    # a column of numbers with a word in it is a typo, not categories to one-hot encode
    text = "age,size,label\n31,1,a\n40,Paris,b\n22,3.5,a\n"
    with pytest.raises(ValidationError) as info:
        load_csv(write(tmp_path, text))
    message = str(info.value)
    assert "'size'" in message and "row 3" in message and "'Paris'" in message
    assert "--drop size" in message and "missing" in message


def test_csv_text_feature_is_one_hot_encoded(tmp_path):
    text = "age,city,label\n31,Rome,a\n40,Paris,b\n22,Rome,a\n"
    data = load_csv(write(tmp_path, text))
    assert data.feature_names == ["age", "city=Paris", "city=Rome"]
    assert_array_equal(data.X, [[31, 0, 1], [40, 1, 0], [22, 0, 1]])


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
    with pytest.raises(ValidationError, match=r"'a' holds an infinite number \(inf\) at row 2 "):
        load_csv(write(tmp_path, "a,label\ninf,x\n"))
    with pytest.raises(ValidationError, match=r"'a' holds an infinite number \(-inf\) at row 3 "):
        load_csv(write(tmp_path, "a,label\n1,x\n-1e400,y\n"))


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
    with pytest.raises(ValidationError, match=r"'extra' should hold numbers .* row 2 .* 'x'"):
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
