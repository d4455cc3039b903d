"""``glassnet train``'s options for generated 2-D data: its size, its noise and the extra
inputs computed from its two coordinates, which a saved model computes again to predict.

References: the dataset loaded directly with the same size and noise, and the features
worked out here from the raw coordinates.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import io
from glassnet.cli import main
from glassnet.cli.workflow import TrainConfig, load_data, train
from glassnet.data import load_dataset


def run(capsys, *args):  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_size_and_noise_make_the_same_data_as_the_loader():
    data = load_data("circles", n_samples=300, noise=0.05, random_state=3)
    direct = load_dataset("circles", n_samples=300, noise=0.05, random_state=3)
    np.testing.assert_array_equal(data.X, direct.X)
    spiral = load_data("spiral", n_samples=150)  # sized by points per arm: 50 per class
    assert spiral.X.shape == (150, 2)


def test_a_model_on_extra_features_predicts_from_the_raw_coordinates(capsys, tmp_path):
    features = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    dataset = load_dataset("circles")
    model = train(
        dataset, TrainConfig(hidden=(3,), activation="tanh", epochs=40, features=features)
    )
    assert model.network.n_features == 7
    x1, x2 = model.X_train[:, 0], model.X_train[:, 1]  # the raw training rows
    by_hand = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    assert model.scaler is not None  # the standardisation is of the computed inputs
    np.testing.assert_allclose(model.scaler.mean_, by_hand.mean(axis=0), rtol=1e-12)
    path = tmp_path / "c.glassnet"
    code, _, err = run(
        capsys,
        "train",
        "circles",
        "--hidden",
        3,
        "--activation",
        "tanh",
        "--epochs",
        40,
        "--features",
        ",".join(features),
        "--out",
        path,
        "-q",
    )
    assert code == 0, err
    saved = io.load_model(path)
    assert saved.metadata["features"] == list(features)
    np.testing.assert_array_equal(saved.predict(dataset.X), model.predict(dataset.X))
    code, out, _ = run(capsys, "summary", path)
    assert "network inputs (7), computed from them: x1, x2, x1^2" in out
    code, out, _ = run(capsys, "evaluate", path, "circles")
    assert code == 0 and "accuracy" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["iris", "--noise", "0.1"], "takes no noise setting"),
        (["iris", "--n-samples", "50"], "has a fixed size"),
        (
            ["iris", "--features", "x1,x1^2"],
            "--features computes inputs from 2-D data; 'iris' has 4",
        ),
        (["moons", "--features", "x1,x3"], "unknown feature(s) ['x3']"),
        (["moons", "--features", "x1,x1"], "more than once"),
    ],
)
def test_options_that_do_not_fit_the_data_get_one_line(capsys, args, fragment):
    code, _, err = run(capsys, "train", *args, "--epochs", 2, "-q")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and fragment in lines[0], err


def test_size_and_noise_are_refused_for_a_file(capsys, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    code, _, err = run(capsys, "train", path, "--noise", "0.1", "--epochs", 2, "-q")
    assert code == 2 and "apply to generated datasets" in err
