"""When the command's training ends, what it says about it, and the one loss it reports.

The stopping rule is checked against its definition on the recorded losses (no improvement
by more than ``tol`` for ``patience`` epochs after the best one), "not converged" against the
fall of the loss worked out from the history, the reported losses against the network's
outputs worked out here, and the regression scores against scikit-learn's metrics.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from glassnet.cli import main
from glassnet.cli.report import how_it_ended
from glassnet.cli.workflow import TrainConfig, train
from glassnet.data import Dataset, load_dataset
from tables import evaluated


def run(capsys, *args):  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def test_the_default_run_stops_where_the_rule_says_and_says_converged():
    config = TrainConfig(hidden=(3,), activation="tanh")
    model = train(load_dataset("moons"), config)
    h = model.history
    assert h.stopped_early and h.epochs < config.epochs
    best = h.best_epoch
    assert best is not None and h.epochs - 1 - best == config.patience
    # the best epoch improved on everything before it by more than tol ...
    assert h.loss[best] < min(h.loss[:best], default=np.inf)
    # ... and no later epoch got below it by more than tol
    assert min(h.loss[best + 1 :]) >= h.loss[best] - config.tol
    ended = how_it_ended(h, config)
    assert ended.startswith(f"converged after {h.epochs} epochs: no improvement of the training")


def test_running_out_of_epochs_says_how_much_the_loss_still_fell(capsys):
    config = TrainConfig(hidden=(3,), activation="tanh", epochs=30)
    model = train(load_dataset("moons"), config)
    loss = model.history.loss
    fell = 100 * (loss[-21] - loss[-1]) / loss[-21]
    expected = (
        f"not converged after 30 epochs: the loss fell {fell:.1f} % over the last 20 epochs; "
        "raise --epochs or --learning-rate"
    )
    out, _ = run(capsys, "train", "moons", "--hidden", "3", "--activation", "tanh", "--epochs", 30)
    assert expected in out.splitlines()


def test_fixed_epochs_trains_them_all():
    config = TrainConfig(hidden=(3,), activation="tanh", epochs=300, fixed_epochs=True)
    model = train(load_dataset("moons"), config)
    assert model.history.epochs == 300 and not model.history.stopped_early
    assert how_it_ended(model.history, config).startswith("trained the fixed 300 epochs")


def test_fixed_epochs_and_early_stopping_are_refused_together(capsys):
    code = main(["train", "moons", "--fixed-epochs", "--early-stopping"])
    _, err = capsys.readouterr()
    assert code == 2 and "choose one" in err


def test_early_stopping_watches_a_validation_split_and_never_the_test_rows():
    data = load_dataset("moons", n_samples=400)
    split = np.where(np.arange(400) < 300, "train", "test")
    config = TrainConfig(hidden=(8,), activation="tanh", early_stopping=True)

    def fit_on(X, y):  # type: ignore[no-untyped-def]
        d = Dataset(X, y, data.feature_names, "label", split, classes=data.classes)
        return train(d, config)

    a = fit_on(data.X, data.y)
    scrambled_X, scrambled_y = data.X.copy(), data.y.copy()
    scrambled_X[300:] = np.random.default_rng(0).normal(size=(100, 2)) * 50
    scrambled_y[300:] = 1 - scrambled_y[300:]
    b = fit_on(scrambled_X, scrambled_y)
    assert a.history.val_loss and a.history.stopped_early
    assert a.history.loss == b.history.loss and a.history.val_loss == b.history.val_loss
    for name, param in a.network.parameters().items():
        np.testing.assert_array_equal(b.network.parameters()[name], param)
    # the epoch kept is the last to improve by more than tol: none after it beat it by more
    best = a.history.val_loss[a.history.best_epoch]
    assert min(a.history.val_loss) >= best - config.tol
    assert "weights restored" in how_it_ended(a.history, config)


def test_the_summary_loss_is_the_loss_the_progress_names(capsys):
    """The table's loss is the training objective at the final weights: the mean
    cross-entropy per row plus the L2 penalty, worked out here from the network's output."""
    config = TrainConfig(hidden=(4,), activation="tanh", l2=0.01, epochs=50)
    model = train(load_dataset("moons"), config)
    assert model.loss_name == "mean cross-entropy per row + L2 penalty"
    Xs = model.scaler.transform(model.X_train)
    z = model.network.raw_output(Xs)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    nll = -log_p[np.arange(len(z)), model.y_train].mean()
    penalty = (
        0.01 / 2 * sum(np.sum(layer.params["weight"] ** 2) for layer in model.network.dense_layers)
    )
    assert model.scores["train"]["loss"] == pytest.approx(nll + penalty, rel=1e-12)
    out, _ = run(
        capsys,
        "train",
        "moons",
        "--hidden",
        "4",
        "--activation",
        "tanh",
        "--l2",
        0.01,
        "--epochs",
        50,
    )
    lines = out.splitlines()
    assert lines[0] == "loss = mean cross-entropy per row + L2 penalty"  # before the progress
    assert "loss = mean cross-entropy per row + L2 penalty" in lines[lines.index("") :]
    train_row = next(line for line in lines if line.startswith("train "))
    assert float(train_row.split()[1]) == pytest.approx(model.scores["train"]["loss"], abs=5e-5)


def test_regression_reports_its_standardised_loss_and_errors_in_the_targets_units(capsys):
    data = load_dataset("diabetes_regression")
    model = train(data, TrainConfig(hidden=(8,), epochs=100))
    assert model.loss_name == "mean squared error per row (standardised target)"
    y, pred = model.y_test, model.predict(model.X_test)
    test = model.scores["test"]
    assert test["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, pred)), rel=1e-12)
    assert test["mae"] == pytest.approx(mean_absolute_error(y, pred), rel=1e-12)
    assert test["r2"] == pytest.approx(r2_score(y, pred), rel=1e-12)
    mu, sd = model.y_train.mean(), model.y_train.std()
    assert test["loss"] == pytest.approx(np.mean(((y - mu) / sd - (pred - mu) / sd) ** 2), rel=1e-9)
    out, _ = run(capsys, "train", "diabetes_regression", "--hidden", "8", "--epochs", 100, "-q")
    assert "rmse and mae in the units of 'progression'" in out
    assert out.splitlines()[3].split() == ["loss", "rmse", "mae", "r2"]


def test_json_summary_carries_the_loss_name_and_how_it_ended(capsys):
    out, err = run(
        capsys, "train", "xor", "--hidden", "4", "--activation", "tanh", "--test-size", 0, "--json"
    )
    summary = json.loads(out)
    assert summary["loss_name"] == "mean cross-entropy per row"
    assert summary["scores"]["train"]["accuracy"] == 1.0
    assert summary["ended"].startswith(f"converged after {summary['epochs']} epochs")
    assert err.splitlines()[0] == "loss = mean cross-entropy per row"  # progress on stderr


@pytest.mark.parametrize(
    ("data", "options", "name"),
    [
        ("iris", ["--l2", "0.001"], "mean cross-entropy per row + L2 penalty"),
        ("diabetes_regression", [], "mean squared error per row (standardised target)"),
    ],
)
def test_evaluate_reports_the_same_loss_as_train_on_the_same_rows(
    capsys, tmp_path, data, options, name
):
    from glassnet import io

    model = tmp_path / "m.glassnet"
    run(
        capsys,
        "train",
        data,
        "--hidden",
        "8",
        "--epochs",
        60,
        "--test-size",
        0,
        "--out",
        model,
        "-q",
        *options,
    )
    saved = io.load_model(model).metadata
    assert saved["loss_name"] == name
    out, _ = run(capsys, "evaluate", model, data)
    assert out.splitlines()[0] == f"loss = {name}"
    row = evaluated(out)
    for key, value in saved["scores"]["train"].items():
        assert row[key] == f"{value:.4f}"


def test_a_poisson_regression_keeps_its_counts_and_reports_half_the_deviance(capsys, tmp_path):
    """--loss poisson: the exp output (log link), an unscaled target, and a loss equal to half
    scikit-learn's mean Poisson deviance of the predictions."""
    from sklearn.metrics import mean_poisson_deviance

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = rng.poisson(np.exp(0.6 * X[:, 0] + 0.2))
    path = tmp_path / "counts.csv"
    path.write_text(
        "a,b,count\n"
        + "".join(f"{a!r},{b!r},{c}\n" for (a, b), c in zip(X.tolist(), y.tolist(), strict=True))
    )
    model = tmp_path / "p.glassnet"
    run(
        capsys,
        "train",
        path,
        "--loss",
        "poisson",
        "--task",
        "regression",
        "--hidden",
        4,
        "--out",
        model,
        "-q",
    )
    out, _ = run(capsys, "predict", model, path)
    pred = np.array([float(v) for v in out.splitlines()[1:]])
    assert pred.min() > 0
    out, _ = run(capsys, "evaluate", model, path)
    assert out.splitlines()[0] == "loss = mean half Poisson deviance per row"
    assert float(evaluated(out)["loss"]) == pytest.approx(
        mean_poisson_deviance(y, pred) / 2, abs=6e-5
    )
    code = main(
        ["train", str(path), "--loss", "poisson", "--task", "regression", "--output", "identity"]
    )
    assert code == 2 and "output is exp" in capsys.readouterr().err
