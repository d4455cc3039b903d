"""The command's pictures (``--plot DIR``): what each says, and that drawing changes nothing.

The pictures are checked through matplotlib's objects: each ``glassnet.plot`` function the
command calls is wrapped, in this process, by one that keeps what it returned.
"""

from __future__ import annotations

import csv
import json
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image

from glassnet import io, plot
from glassnet.cli import main

DRAWN = (
    "decision_boundary",
    "sweep_grid",
    "loss_curve",
    "loss_curves",
    "confusion_matrix",
    "prediction_surface",
    "render_training",
)


@pytest.fixture
def drawn(monkeypatch):
    """What each picture function returned during the test, by function name, in call order."""
    seen: dict[str, list] = {name: [] for name in DRAWN}
    for name in DRAWN:
        real = getattr(plot, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            result = _real(*args, **kwargs)
            seen[_name].append(result)
            return result

        monkeypatch.setattr(plot, name, spy)
    return seen


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _table(out):
    """The summary table's rows: {"train": (loss, accuracy), "test": (…)}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("train", "test") and len(parts) == 3:
            rows[parts[0]] = (float(parts[1]), float(parts[2]))
    return rows


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _limits(fig):
    ax = fig.axes[0]
    return tuple(ax.get_xlim()), tuple(ax.get_ylim())


def _gif_frame_count(path):
    with Image.open(path) as gif:
        return gif.n_frames


def _assert_log_spaced(updates, n_updates, count=40):
    assert updates[0] == 1 and updates[-1] == n_updates
    assert len(updates) <= count and np.all(np.diff(updates) > 0)
    step = np.log(n_updates) / (count - 1)
    late = np.diff(np.log(updates))[np.asarray(updates[:-1]) >= 1 / step]
    assert np.all(late <= 2 * step) and np.all(late >= step / 2), late


def test_train_pictures_say_what_they_show(capsys, tmp_path, drawn):
    out = run(
        capsys,
        "train",
        "moons",
        "--hidden",
        "3",
        "--activation",
        "tanh",
        "--epochs",
        "60",
        "--learning-rate",
        "0.05",
        "--quiet",
        "--plot",
        tmp_path,
    )
    scores = _table(out)
    # the decision boundary: named axes and classes, the rows shown and their score
    (boundary,) = drawn["decision_boundary"]
    ax = boundary.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")  # the dataset's feature names
    assert _legend(ax) == ["0", "1"] and ax.get_legend().get_title().get_text() == "class"
    assert ax.get_title() == f"3 hidden units — test rows, accuracy {scores['test'][1]:.2f}"
    # the animation: from the first update to the final weights, log-spaced, on the PNG's axes
    (film,) = drawn["render_training"]
    assert film.path == tmp_path / "training.gif"
    assert _gif_frame_count(film.path) == len(film.updates)
    _assert_log_spaced(film.updates, 60)
    assert film.limits == _limits(boundary)
    assert film.captions[0] == (
        "3 hidden units, train rows\nupdate 1 of 60\nmean cross-entropy per row: "
        + film.captions[0].rsplit(": ", 1)[1]
    )
    assert film.captions[-1].startswith("3 hidden units, train rows\nfinal weights, update 60")
    # full batch, no penalty: the last frame's loss is the train loss of the summary table
    assert film.captions[-1].endswith(f": {scores['train'][0]:.4f}")
    losses = [float(c.rsplit(": ", 1)[1]) for c in film.captions]
    assert losses[0] > losses[-1]
    # the loss curve names its loss; the confusion matrix says which rows it counts
    (curves,) = drawn["loss_curves"]
    ax = curves.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "mean cross-entropy per row")
    assert ax.get_title() == "Loss on the train rows per epoch — 3 hidden units"
    (matrix,) = drawn["confusion_matrix"]
    ax = matrix.axes[0]
    assert ax.get_title() == "Confusion matrix — test rows (n=50)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1"]


def test_train_with_plot_trains_exactly_as_without(capsys, tmp_path, drawn):
    """The recorder the GIF needs changes nothing: same weights, same scores, with a
    validation split, mini-batches and early stopping, which may now be animated too."""
    options = [
        "train",
        "moons",
        "--hidden",
        "4",
        "--batch-size",
        "32",
        "--epochs",
        "300",
        "--l2",
        "0.001",
        "--validation-fraction",
        "0.2",
        "--early-stopping",
        "--patience",
        "3",
        "--quiet",
    ]
    plain = run(capsys, *options, "--out", tmp_path / "plain.glassnet")
    drawn_out = run(capsys, *options, "--out", tmp_path / "drawn.glassnet", "--plot", tmp_path)
    assert _table(plain) == _table(drawn_out) and _table(plain)
    a, b = io.load(tmp_path / "plain.glassnet"), io.load(tmp_path / "drawn.glassnet")
    for name, param in a.parameters().items():
        assert_array_equal(b.parameters()[name], param)
    (film,) = drawn["render_training"]
    assert film.updates[0] == 1 and _gif_frame_count(tmp_path / "training.gif") > 2
    assert film.captions[0].startswith("4 hidden units, train + validation rows\nupdate 1 of ")
    assert "restored by early stopping" in film.captions[-1].splitlines()[1]
    assert "mean cross-entropy per row + L2 penalty: " in film.captions[0]
    (curves,) = drawn["loss_curves"]
    ax = curves.axes[0]
    assert _legend(ax)[-3:] == ["train", "validation (no penalty)", "best"]
    assert ax.get_ylabel() == "mean cross-entropy per row + L2 penalty"


@pytest.fixture
def income_csv(tmp_path):
    """Two features on very different scales, string labels."""
    rng = np.random.RandomState(0)
    income = rng.uniform(20_000, 90_000, 120)
    age = rng.uniform(20, 70, 120)
    label = np.where(income / 1000 + age > 100, "yes", "no")
    path = tmp_path / "loans.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["income", "age", "approved"])
        writer.writerows(zip(income, age, label, strict=True))
    return path


def test_a_csv_is_drawn_in_its_own_units_with_its_names(capsys, tmp_path, drawn, income_csv):
    run(capsys, "train", income_csv, "--hidden", "4", "--epochs", "20", "-q", "--plot", tmp_path)
    (boundary,) = drawn["decision_boundary"]
    ax = boundary.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("income", "age")
    assert _legend(ax) == ["no", "yes"] and ax.get_legend().get_title().get_text() == "approved"
    (x0, x1), (y0, y1) = _limits(boundary)
    assert 10_000 < x0 < 20_000 and 90_000 < x1 < 100_000  # dollars, not standardised units
    assert 10 < y0 < 20 and 70 < y1 < 80
    (film,) = drawn["render_training"]
    assert film.limits == _limits(boundary)
    (matrix,) = drawn["confusion_matrix"]
    assert [t.get_text() for t in matrix.axes[0].get_yticklabels()] == ["no", "yes"]


@pytest.mark.parametrize(("hidden", "shape"), [("3", (1, 1)), ("1,2,3,4,5,20,50", (2, 4))])
def test_a_sweep_draws_one_panel_per_setting(capsys, tmp_path, drawn, hidden, shape):
    out = run(
        capsys,
        "sweep",
        "moons",
        "--hidden",
        hidden,
        "--epochs",
        "5",
        "--jobs",
        "1",
        "--plot",
        tmp_path,
    )
    (fig,) = drawn["sweep_grid"]
    sizes = hidden.split(",")
    assert len(fig.axes) == len(sizes)  # no blank panel
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {shape}
    for ax, size in zip(fig.axes, sizes, strict=True):
        line = next(line for line in out.splitlines() if line.startswith(f"hidden={size} "))
        # setting, epochs, train loss, train accuracy, test accuracy, time
        train, test = (float(v) for v in line.split()[3:5])
        assert ax.get_title() == (
            f"hidden={size}\ntrain rows, accuracy {train:.2f} (test rows {test:.2f})"
        )
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    assert _legend(fig.axes[0]) == ["0", "1"]


def test_reproduce_moons_animates_the_tutorials_own_run(capsys, tmp_path, drawn):
    numbers = json.loads(
        run(capsys, "reproduce", "moons", "--no-sweep", "--plot", tmp_path, "--json")
    )
    losses = numbers["losses"]
    assert f"{losses[0]:.6f}" == "0.432387" and f"{losses[1000]:.6f}" == "0.068947"
    (film,) = drawn["render_training"]
    _assert_log_spaced(film.updates, 20000)
    assert _gif_frame_count(tmp_path / "moons_training.gif") == len(film.updates)
    # each frame counts and measures as the tutorial prints: "Loss after iteration i: …"
    for update, caption in zip(film.updates, film.captions, strict=True):
        assert caption == (
            f"Hidden layer size 3 — train rows, after iteration {update - 1}\n"
            f"loss incl. L2 penalty, as the tutorial prints it: {losses[update - 1]:.6f}"
        )
    assert film.captions[0].endswith("0.432387")  # "Loss after iteration 0: 0.432387"
    boundary, baseline = drawn["decision_boundary"]
    assert film.limits == _limits(boundary) == _limits(baseline)
    ax = boundary.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂") and _legend(ax) == ["0", "1"]
    assert ax.get_title() == (
        f"Hidden layer size 3 — train rows, accuracy {numbers['train_accuracy']:.2f}"
    )
    assert baseline.axes[0].get_title().startswith("Logistic regression — train rows, accuracy")
    (curve,) = drawn["loss_curve"]
    assert curve.axes[0].get_ylabel() == "loss incl. L2 penalty, as the tutorial prints it"


@pytest.mark.parametrize("experiment", ["diabetes", "iris", "toy"])
def test_reproduce_pictures_name_their_axes(capsys, tmp_path, drawn, experiment):
    run(capsys, "reproduce", experiment, "--plot", tmp_path, "--json")
    for fig in drawn["loss_curve"]:
        ax = fig.axes[0]
        assert ax.get_xlabel() in ("epoch", "iteration")
        assert re.match(r"(cost|loss): ", ax.get_ylabel())  # what the cost is, not just "loss"
    if experiment == "iris":
        ax = drawn["loss_curve"][-1].axes[0]
        assert _legend(ax) == ["linear regression", "2-3-1 network"]
        for fig in drawn["prediction_surface"]:
            ax = fig.axes[0]
            assert ax.get_xlabel() == "sepal length / its largest"
            assert ax.get_zlabel() == "petal length / its largest"
            assert re.search(r"all 150 rows, R² \d\.\d\d$", ax.get_title())
    if experiment == "diabetes":
        (matrix,) = drawn["confusion_matrix"]
        ax = matrix.axes[0]
        assert ax.get_title() == "Confusion matrix — test rows (n=332)"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["No", "Yes"]
