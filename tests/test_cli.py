"""The ``glassnet`` command end to end: every subcommand, its pictures, and its errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_iris

from glassnet import io
from glassnet.cli import main
from tables import evaluated

COMMANDS = [
    "train",
    "evaluate",
    "predict",
    "sweep",
    "gradcheck",
    "reproduce",
    "datasets",
    "summary",
    "playground",
]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("glassnet: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def assert_png(path, min_side=200):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as img:
        assert min(img.size) >= min_side
        assert len(img.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 10  # not blank


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    """Iris with string labels, and a file of new rows with the columns in another order."""
    folder = tmp_path_factory.mktemp("iris")
    data = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    path = folder / "iris.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*names, "species"])
        for x, t in zip(data.data, data.target, strict=True):
            w.writerow([*x, data.target_names[t]])
    new = folder / "new.csv"
    with new.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["petal_width", "note", *names[:3]])
        for x in data.data:
            w.writerow([x[3], "n/a", *x[:3]])
    return path, new, data


@pytest.fixture(scope="module")
def iris_model(iris_csv, tmp_path_factory):
    path, _, _ = iris_csv
    model = tmp_path_factory.mktemp("model") / "iris.glassnet"
    code = main(
        [
            "train",
            str(path),
            "--target",
            "species",
            "--hidden",
            "8",
            "--epochs",
            "300",
            "--learning-rate",
            "0.01",
            "--out",
            str(model),
            "--quiet",
        ]
    )
    assert code == 0
    return model


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_examples(capsys, command):
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert "Example" in out
    if command is None:
        for name in COMMANDS:
            assert name in out


def test_datasets_lists_every_builtin(capsys):
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    for name in [
        "moons",
        "circles",
        "blobs",
        "spiral",
        "xor",
        "noisy_xor",
        "plane",
        "multi_gaussian",
        "iris",
        "iris_regression",
        "diabetes",
        "breast_cancer",
        "wine",
        "digits",
        "diabetes_regression",
    ]:
        assert f"\n{name} " in out
    assert "1797" in out and "64" in out  # digits' shape


def test_train_saves_model_pictures_and_summary(capsys, tmp_path):
    model, pics = tmp_path / "moons.glassnet", tmp_path / "pics"
    code, out, _ = run(
        capsys,
        "train",
        "moons",
        "--hidden",
        "8",
        "--learning-rate",
        "0.05",
        "--epochs",
        "60",
        "--out",
        model,
        "--plot",
        pics,
    )
    assert code == 0
    # not a terminal: plain per-epoch lines, then the summary table
    assert "epoch  1/60  loss " in out and "epoch 60/60" in out
    assert "accuracy" in out and "\ntrain " in out and "\ntest " in out
    assert "epochs 60" in out and "time" in out
    net = io.load(model)
    assert net.n_features == 2 and net.n_outputs == 2
    for name in ("loss.png", "confusion_matrix.png", "decision_boundary.png"):
        assert_png(pics / name)
    with Image.open(pics / "training.gif") as gif:  # its frames: tests/test_cli_pictures.py
        assert 2 <= gif.n_frames <= 40
    code, out, _ = run(capsys, "summary", model)
    assert code == 0
    assert "Dense(2, 8" in out and "total parameters: 42" in out and "classes: 0, 1" in out


def test_quiet_prints_no_progress(capsys):
    code, out, err = run(capsys, "train", "xor", "--epochs", "5", "--quiet")
    assert code == 0
    assert "epoch 1/5" not in out and "epoch" not in err


def test_csv_round_trip_gives_back_the_label_strings(capsys, iris_csv, iris_model, tmp_path):
    _, new, data = iris_csv
    out_csv = tmp_path / "pred.csv"
    code, _, err = run(capsys, "predict", iris_model, new, "--proba", "--out", out_csv)
    assert code == 0 and "150 predictions written" in err
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 150
    predicted = [r["prediction"] for r in rows]
    assert set(predicted) <= {"setosa", "versicolor", "virginica"}
    truth = data.target_names[data.target]
    assert np.mean(np.array(predicted) == truth) > 0.9
    proba = np.array([[float(r[f"proba_{c}"]) for c in data.target_names] for r in rows])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # to standard output, too
    code, out, _ = run(capsys, "predict", iris_model, new)
    assert code == 0
    assert out.splitlines()[0] == "prediction" and out.splitlines()[1:] == predicted


def test_evaluate_prints_metrics_and_confusion_matrix(capsys, iris_csv, iris_model):
    path, _, _ = iris_csv
    code, out, _ = run(capsys, "evaluate", iris_model, path)
    assert code == 0
    assert "accuracy" in out and "confusion matrix" in out
    table = out.split("confusion matrix")[1].splitlines()
    counts = [[int(v) for v in line.split()[1:]] for line in table[2:5]]
    assert sum(map(sum, counts)) == 150
    assert sum(counts[i][i] for i in range(3)) > 135


def test_regression_train_and_evaluate(capsys, tmp_path):
    model = tmp_path / "r.glassnet"
    code, out, _ = run(
        capsys,
        "train",
        "iris_regression",
        "--hidden",
        "8",
        "--learning-rate",
        "0.01",
        "--quiet",
        "--out",
        model,
        "--plot",
        tmp_path,
    )
    assert code == 0 and "r2" in out
    assert_png(tmp_path / "prediction_surface.png")
    code, out, _ = run(capsys, "evaluate", model, "iris_regression")
    assert code == 0
    r2 = float(evaluated(out)["r2"])
    assert r2 > 0.7


def test_sweep_hidden_and_any_param(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "sweep",
        "moons",
        "--hidden",
        "1,3",
        "--param",
        "learning-rate=0.1,0.01",
        "--epochs",
        "20",
        "--jobs",
        "2",
        "--plot",
        tmp_path,
    )
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("hidden=")]
    assert len(lines) == 4
    assert "hidden=1, learning_rate=0.1" in out and "hidden=3, learning_rate=0.01" in out
    assert_png(tmp_path / "sweep.png")


def test_gradcheck_passes_and_prints_each_parameter(capsys):
    code, out, _ = run(capsys, "gradcheck", "--hidden", "4,3", "--activation", "relu")
    assert code == 0
    for name in ("0.weight", "0.bias", "2.weight", "4.bias"):
        assert name in out
    assert "PASS" in out


def test_reproduce_toy_json(capsys):
    code, out, _ = run(capsys, "reproduce", "toy", "--json")
    assert code == 0
    numbers = json.loads(out)
    assert numbers["experiment"] == "toy" and len(numbers["losses"]) == 1500
    assert np.all(np.abs(np.array(numbers["outputs"]) - [0, 1, 1, 0]) < 0.05)


def test_reproduce_moons_prints_the_tutorial_and_draws(capsys, tmp_path):
    code, out, _ = run(capsys, "reproduce", "moons", "--no-sweep", "--plot", tmp_path)
    assert code == 0
    assert "Loss after iteration 0: 0.432387" in out
    assert "Loss after iteration 1000: 0.068947" in out
    assert "Training accuracy: 0.975" in out
    for name in ("moons_decision_boundary.png", "moons_loss.png", "moons_logistic_regression.png"):
        assert_png(tmp_path / name)
    with Image.open(tmp_path / "moons_training.gif") as gif:
        assert 30 <= gif.n_frames <= 40  # log-spaced over 20 000 passes; see test_cli_pictures


def test_reproduce_iris_says_its_iterations_and_r2(capsys):
    from sklearn.metrics import r2_score

    from glassnet import experiments

    code, out, _ = run(capsys, "reproduce", "iris")
    assert code == 0
    r = experiments.iris_regression()  # the tutorial's defaults: 2000 iterations each
    assert "(learning rate 0.001, 2000 iterations)" in out
    assert "learning rate 0.01, 2000 iterations)" in out
    linear = r2_score(r.y.ravel(), r.linear_network.predict(r.X).ravel())
    network = r2_score(r.y.ravel(), r.network.predict(r.X).ravel())
    assert f"R² of the fits: linear regression {linear:.3f}, 2-3-1 network {network:.3f}" in out


def test_reproduce_names_the_tutorial_and_puts_its_numbers_beside_glassnets(capsys):
    code, out, _ = run(capsys, "reproduce", "moons", "--no-sweep")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith('Reproducing Denny Britz, "Implementing a Neural Network')
    assert lines[1].startswith("make_moons(200, noise=0.20)")
    assert lines[2].startswith("loss = loss incl. L2 penalty, as the tutorial prints it")
    assert "  Loss after iteration 1000: tutorial 0.068947 — glassnet 0.068947 (same)" in lines


def test_reproduce_iris_runs_from_the_tutorials_printed_start(capsys):
    """The linear fit from the tutorial's printed start, written out as the tutorial's loop
    (simultaneous updates here: glassnet's gradient descent)."""
    from glassnet.experiments.iris import load_iris_regression

    X, y = load_iris_regression()
    y = y.ravel()
    w, b = np.array([0.080, 0.220]), 0.259
    cost = lambda w, b: 0.5 * np.sum((y - (X @ w + b)) ** 2)  # noqa: E731
    initial = cost(w, b)
    for _ in range(2000):
        residual = y - (X @ w + b)
        w, b = w + 0.001 * (X.T @ residual), b + 0.001 * residual.sum()
    code, out, _ = run(capsys, "reproduce", "iris", "--json")
    assert code == 0
    numbers = json.loads(out)
    assert numbers["tutorial"]["title"] == "DIY neural network"
    rows = numbers["tutorial_printed"]
    assert rows["linear regression: initial cost"]["tutorial"] == 5.384
    assert rows["linear regression: initial cost"]["glassnet"] == pytest.approx(initial, rel=1e-12)
    assert rows["linear regression: final cost"]["tutorial"] == 0.665
    assert rows["linear regression: final cost"]["glassnet"] == pytest.approx(cost(w, b), rel=1e-12)
    assert rows["2-3-1 network: final cost"]["glassnet"] == numbers["losses"][-1]


@pytest.mark.parametrize("experiment", ["diabetes", "iris"])
def test_reproduce_other_tutorials(capsys, tmp_path, experiment):
    code, out, _ = run(capsys, "reproduce", experiment, "--plot", tmp_path)
    assert code == 0
    assert "cost" in out.lower() or "Cost" in out
    assert len(list(tmp_path.glob("*.png"))) >= 2
    for png in tmp_path.glob("*.png"):
        assert_png(png)


# -- errors: one line on stderr, exit code 2 ----------------------------------------------
def test_unknown_dataset(capsys):
    code, _, err = run(capsys, "train", "no_such_data")
    assert_one_line_error(code, err, "no_such_data", "glassnet datasets")


def test_missing_target_column(capsys, iris_csv):
    code, _, err = run(capsys, "train", iris_csv[0], "--target", "colour")
    assert_one_line_error(code, err, "colour", "species")


def test_non_numeric_csv(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,oops,y\n")
    code, _, err = run(capsys, "train", bad)
    assert_one_line_error(code, err, "'b'", "oops")


def test_wrong_feature_count_at_predict(capsys, iris_model, tmp_path):
    few = tmp_path / "few.csv"
    few.write_text("sepal_length,sepal_width\n5.1,3.5\n")
    code, _, err = run(capsys, "predict", iris_model, few)
    assert_one_line_error(code, err, "petal_length")
    code, _, err = run(capsys, "predict", iris_model, "moons")
    assert_one_line_error(code, err, "2 features", "expects 4")


def test_bad_option_and_bad_model_file(capsys, tmp_path):
    code, _, err = run(capsys, "train", "moons", "--hidden", "0")
    assert_one_line_error(code, err, "--hidden")
    code, _, err = run(capsys, "train", "moons", "--learning-rate", "-1")
    assert_one_line_error(code, err, "--learning-rate")
    junk = tmp_path / "junk.glassnet"
    junk.write_bytes(b"not a model")
    code, _, err = run(capsys, "summary", junk)
    assert_one_line_error(code, err, "not a glassnet model")
    code, _, err = run(capsys, "evaluate", tmp_path / "missing.glassnet", "iris")
    assert_one_line_error(code, err, "missing.glassnet")


def test_unknown_label_at_evaluate(capsys, iris_model, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,tulip\n")
    code, _, err = run(capsys, "evaluate", iris_model, odd)
    assert_one_line_error(code, err, "tulip")


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(Exception, match="no_such_data"):
        main(["--debug", "train", "no_such_data"])


def test_console_script_exit_codes(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "glassnet.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and "glassnet" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "glassnet.cli", "train", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("glassnet: error:") and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_ctrl_c_then_resume_gives_the_uninterrupted_model(tmp_path):
    import signal

    base = [
        sys.executable,
        "-m",
        "glassnet.cli",
        "train",
        "digits",
        "--hidden",
        "32",
        "--epochs",
        "1500",
        "--seed",
        "1",
    ]
    whole = subprocess.run(
        [*base, "--out", str(tmp_path / "whole.gn"), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert whole.returncode == 0, whole.stderr
    ckpt = tmp_path / "run.ckpt"
    proc = subprocess.Popen(
        [*base, "--checkpoint", str(ckpt), "--out", str(tmp_path / "cut.gn")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "loss = mean cross-entropy per row\n"
    assert proc.stdout.readline().startswith("epoch")  # training is under way
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "interrupted" in err and f"--resume {ckpt}" in err and "Traceback" not in err
    assert not (tmp_path / "cut.gn").exists()
    resumed = subprocess.run(
        [*base, "--resume", str(ckpt), "--out", str(tmp_path / "res.gn"), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    a, b = io.load(tmp_path / "whole.gn"), io.load(tmp_path / "res.gn")
    for name, param in a.parameters().items():
        np.testing.assert_array_equal(b.parameters()[name], param)


def test_divergence_is_one_line(capsys):
    code, _, err = run(
        capsys,
        "train",
        "moons",
        "--optimizer",
        "gd",
        "--learning-rate",
        "1e12",
        "--epochs",
        "50",
        "--quiet",
    )
    assert_one_line_error(code, err, "diverged", "smaller learning rate")


# -- glassnet train --optimizer lbfgs ---------------------------------------------------------
def test_train_with_lbfgs_says_how_many_iterations_it_took(capsys, tmp_path):
    code, out, err = run(capsys, "train", "iris", "--hidden", "8", "--optimizer", "lbfgs", "-q")
    assert code == 0, err
    assert "converged after" in out and "iterations" in out
    code, out, err = run(
        capsys, "train", "iris", "--hidden", "8", "--optimizer", "lbfgs", "--epochs", "3", "-q"
    )
    assert code == 0, err
    assert "stopped after 3 iterations: STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT" in out
    assert "epochs 3   updates 3" in out


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--checkpoint", "run.ckpt"], "L-BFGS cannot write checkpoints"),
        (["--early-stopping"], "--optimizer lbfgs stops on its own test"),
        (["--momentum", "0.9"], "not to lbfgs"),
    ],
)
def test_lbfgs_refuses_what_it_cannot_do(capsys, tmp_path, options, fragment):
    options = [str(tmp_path / o) if o.endswith(".ckpt") else o for o in options]
    code, _, err = run(capsys, "train", "iris", "--optimizer", "lbfgs", *options, "-q")
    assert_one_line_error(code, err, fragment)
