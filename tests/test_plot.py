from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from numpy.testing import assert_array_equal
from PIL import Image, ImageSequence

from glassnet import Dense, History, Network, Sigmoid, fit, metrics, mlp, plot
from glassnet.data import make_moons
from glassnet.errors import ValidationError

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def moons():
    return make_moons(100, noise=0.2, random_state=0)


def _check_png(path, fig=None, min_size=(200, 200)):
    """A PNG, not blank, and about as large as the figure: ``savefig(bbox_inches="tight")``
    crops the empty margins, so each side is at least 60 % of figsize × 100 dpi."""
    assert path.read_bytes()[:8] == PNG
    img = imread(path)
    if fig is not None:
        width, height = fig.get_size_inches() * 100
        min_size = (max(min_size[0], 0.6 * width), max(min_size[1], 0.6 * height))
    assert img.shape[1] >= min_size[0] and img.shape[0] >= min_size[1]
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 10


def _gif_frames(path):
    assert path.read_bytes()[:6] == b"GIF89a"
    with Image.open(path) as img:
        assert img.format == "GIF"
        return img.size, [np.asarray(f.convert("RGB")).copy() for f in ImageSequence.Iterator(img)]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# -- decision_boundary ----------------------------------------------------------------------
def test_decision_boundary_png(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(50, 2)
    y = (X[:, 0] > 0).astype(int)
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    net.fit(X, y, epochs=50, learning_rate=0.5)
    path = tmp_path / "sub" / "boundary.png"
    fig = plot.decision_boundary(net, X, y, path=path, title="t")
    _check_png(path, fig)
    assert fig.axes[0].get_title() == "t"


def test_decision_boundary_rejects_non_2d_inputs():
    with pytest.raises(ValidationError, match="2-D inputs"):
        plot.decision_boundary(lambda x: x[:, 0] > 0, np.zeros((4, 3)), np.zeros(4))


def test_decision_boundary_rejects_predictions_of_the_wrong_shape(moons):
    X, y = moons
    with pytest.raises(ValidationError, match="one value per row"):
        plot.decision_boundary(lambda x: x, X, y)


def test_decision_boundary_with_string_labels(tmp_path, moons):
    from sklearn.linear_model import LogisticRegression

    X, y = moons
    names = np.array(["female", "male"])
    clf = LogisticRegression().fit(X, names[y])
    fig = plot.decision_boundary(clf, X, names[y], path=tmp_path / "strings.png")
    _check_png(tmp_path / "strings.png", fig)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["female", "male"]
    with pytest.raises(ValidationError, match="not among the classes"):
        plot.decision_boundary(clf, X, names[y], classes=["female"])


def test_decision_boundary_colours_match_the_integer_picture(moons):
    """String labels are drawn exactly as their integer codes are."""
    X, y = moons
    names = np.array(["a", "b"])
    pictures = []
    for labels, fn in ((np.arange(2), lambda z: z[:, 0] > 0.5), (names, None)):
        fn = fn or (lambda z: names[(z[:, 0] > 0.5).astype(int)])
        fig = plot.decision_boundary(fn, X, labels[y])
        if fig.axes[0].get_legend():
            fig.axes[0].get_legend().remove()
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    assert_array_equal(pictures[0], pictures[1])


# -- loss curves ----------------------------------------------------------------------------
def test_loss_curve_and_sweep_grid(tmp_path):
    plot.loss_curve(
        np.linspace(1, 0.1, 100),
        val_losses=np.linspace(1.1, 0.2, 100),
        path=tmp_path / "loss.png",
        log=True,
    )
    _check_png(tmp_path / "loss.png")
    X = np.random.RandomState(1).randn(30, 2)
    y = (X.sum(axis=1) > 0).astype(int)
    models = [lambda z: z[:, 0] > 0, lambda z: z[:, 1] > 0, lambda z: z.sum(axis=1) > 0]
    fig = plot.sweep_grid(models, ["a", "b", "c"], X, y, path=tmp_path / "grid.png")
    _check_png(tmp_path / "grid.png", fig, min_size=(600, 600))


def test_loss_curves_full_batch_is_per_update(tmp_path, moons):
    X, y = moons
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, X, y, epochs=40, learning_rate=0.5, validation_data=(X[:20], y[:20]))
    fig = plot.loss_curves(history, path=tmp_path / "curves.png", log=True)
    _check_png(tmp_path / "curves.png", fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "update"
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
    assert_array_equal(ax.get_lines()[0].get_ydata(), history.loss)


def test_loss_curves_mini_batch_adds_the_per_update_line(moons):
    X, y = moons
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, X, y, epochs=5, batch_size=10, learning_rate=0.1, random_state=0)
    ax = plot.loss_curves(history).axes[0]
    assert ax.get_xlabel() == "epoch"
    per_update, train = ax.get_lines()
    assert per_update.get_label() == "per update" and len(per_update.get_xdata()) == 50
    assert per_update.get_xdata()[-1] == pytest.approx(5)
    assert_array_equal(train.get_xdata(), np.arange(1, 6))
    assert len(plot.loss_curves(history, per_update=False).axes[0].get_lines()) == 1
    with pytest.raises(ValidationError, match="no epochs"):
        plot.loss_curves(History())


def test_sweep_grid_shows_scores_in_the_titles(tmp_path, moons):
    X, y = moons
    models = [lambda z: z[:, 0] > 0.5, lambda z: z[:, 1] > 0.2]
    fig = plot.sweep_grid(
        models,
        ["Hidden layer size 3", "Hidden layer size 5"],
        X,
        y,
        scores=[(0.971, 0.963), (0.9, None)],
        path=tmp_path / "g.png",
    )
    _check_png(tmp_path / "g.png", fig)
    assert fig.axes[0].get_title() == "Hidden layer size 3 — train 0.97, test 0.96"
    assert fig.axes[1].get_title() == "Hidden layer size 5 — train 0.90"
    with pytest.raises(ValidationError, match="one title"):
        plot.sweep_grid(models, ["a"], X, y)


# -- prediction_surface ---------------------------------------------------------------------
def test_prediction_surface_of_an_iris_regression_network(tmp_path):
    from glassnet.experiments.iris import load_iris_regression

    X, y = load_iris_regression(0)
    net = Network(
        [
            Dense(2, 3, bias=False, random_state=0),
            Sigmoid(),
            Dense(3, 1, bias=False, random_state=0),
        ]
    )
    fit(net, X, y, epochs=300, learning_rate=0.5)
    path = tmp_path / "surface.png"
    fig = plot.prediction_surface(net, X, y, path=path, title="petal length", resolution=25)
    _check_png(path, fig)
    ax = fig.axes[0]
    assert ax.name == "3d" and ax.get_title() == "petal length"
    surface = ax.collections[0]
    assert len(surface.get_paths()) == 24 * 24  # one quadrilateral per grid cell
    # a callable returning (n, 1) works, on an Axes the caller made
    fig2 = plt.figure()
    ax2 = fig2.add_subplot(projection="3d")
    assert plot.prediction_surface(lambda z: net.predict(z), X, y, ax=ax2) is fig2


def test_prediction_surface_rejects_flat_axes_and_bad_resolution(moons):
    X, y = moons
    _, ax = plt.subplots()
    with pytest.raises(ValidationError, match="3-D"):
        plot.prediction_surface(lambda z: z.sum(axis=1), X, y, ax=ax)
    with pytest.raises(ValidationError, match="resolution"):
        plot.prediction_surface(lambda z: z.sum(axis=1), X, y, resolution=1)


# -- confusion_matrix -----------------------------------------------------------------------
def test_confusion_matrix_with_counts_and_class_names(tmp_path):
    cm = metrics.confusion_matrix([0, 0, 1, 2, 2, 2, 1, 0, 2, 2], [0, 1, 1, 2, 2, 0, 1, 0, 2, 2])
    names = ["setosa", "versicolor", "virginica"]
    fig = plot.confusion_matrix(cm, names, path=tmp_path / "cm.png", title="iris")
    _check_png(tmp_path / "cm.png", fig)
    ax = fig.axes[0]
    assert _texts(ax) == ["2", "1", "0", "0", "2", "0", "1", "0", "4"]
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("predicted", "true", "iris")
    colours = {t.get_text(): to_rgb(t.get_color()) for t in ax.texts}
    assert colours["4"] == (1, 1, 1) and colours["0"] == (0, 0, 0)  # white on the darkest cell


def test_confusion_matrix_normalized_rows(tmp_path):
    cm = np.array([[3, 1], [0, 0]])
    fig = plot.confusion_matrix(cm, normalize=True, path=tmp_path / "n.png")
    _check_png(tmp_path / "n.png", fig)
    assert _texts(fig.axes[0]) == ["0.75", "0.25", "0.00", "0.00"]  # an empty row stays 0
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1"]
    assert_array_equal(cm, [[3, 1], [0, 0]])  # the input is not changed


@pytest.mark.parametrize(
    ("cm", "names", "match"),
    [
        (np.ones((2, 3)), None, "square"),
        (-np.ones((2, 2)), None, "non-negative"),
        (np.ones((2, 2)), ["a"], "class names"),
    ],
)
def test_confusion_matrix_rejects_bad_input(cm, names, match):
    with pytest.raises(ValidationError, match=match):
        plot.confusion_matrix(cm, names)


# -- animate_training -----------------------------------------------------------------------
def _moons_net():
    return mlp([2, 4, 2], activation="tanh", output="softmax", random_state=0)


def test_animate_training_writes_a_gif_and_matches_one_fit(tmp_path, moons):
    X, y = moons
    settings = {"optimizer": "adam", "learning_rate": 0.05}
    net, reference = _moons_net(), _moons_net()
    path = tmp_path / "anim" / "training.gif"
    history = plot.animate_training(
        net, X, y, path, epochs=50, frames=6, fps=5, fit_kwargs=settings
    )
    single = fit(reference, X, y, epochs=50, **settings)

    size, frames = _gif_frames(path)
    assert size == (480, 360) and len(frames) == 6
    assert all(np.any(a != b) for a, b in itertools.pairwise(frames))  # each frame differs
    assert len(np.unique(frames[-1].reshape(-1, 3), axis=0)) > 10
    for name, param in reference.parameters().items():
        assert_array_equal(net.parameters()[name], param)
    assert (history.epochs, history.n_updates) == (single.epochs, single.n_updates) == (50, 50)
    assert_array_equal(history.loss, single.loss)
    assert plt.get_fignums() == []  # the animation's figure is closed


def test_animate_training_mini_batch_continues_the_shuffle(tmp_path, moons):
    X, y = moons
    settings = {"learning_rate": 0.1, "batch_size": 16, "random_state": 3, "metrics": ["accuracy"]}
    net, reference = _moons_net(), _moons_net()
    history = plot.animate_training(
        net, X, y, tmp_path / "mb.gif", epochs=9, frames=3, fit_kwargs=settings, resolution=0.05
    )
    single = fit(reference, X, y, epochs=9, **settings)
    for name, param in reference.parameters().items():
        assert_array_equal(net.parameters()[name], param)
    assert_array_equal(history.batch_loss, single.batch_loss)
    assert_array_equal(history.metrics["accuracy"], single.metrics["accuracy"])
    assert len(_gif_frames(tmp_path / "mb.gif")[1]) == 3


def test_animate_training_with_early_stopping_ends_on_the_final_weights(tmp_path, moons):
    X, y = moons
    settings = {
        "learning_rate": 0.5,
        "validation_fraction": 0.3,
        "early_stopping": True,
        "patience": 2,
        "min_delta": 0.01,
        "random_state": 0,
    }
    net, reference = _moons_net(), _moons_net()
    history = plot.animate_training(
        net, X, y, tmp_path / "es.gif", epochs=400, frames=4, fit_kwargs=settings, resolution=0.05
    )
    single = fit(reference, X, y, epochs=400, **settings)
    assert history.stopped_early and history.epochs == single.epochs < 400
    for name, param in reference.parameters().items():
        assert_array_equal(net.parameters()[name], param)
    frames = _gif_frames(tmp_path / "es.gif")[1]
    # the evenly spread frames reached before the stop, then one of the final weights
    assert len(frames) == sum(e < history.epochs for e in (100, 200, 300, 400)) + 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"frames": 20}, "cannot exceed"),
        ({"fps": 0}, "fps"),
        ({"frames": 2.5}, "frames"),
        ({"fit_kwargs": {"epochs": 3}}, "epochs"),
        ({"path": "movie.mp4"}, "GIF"),
    ],
)
def test_animate_training_rejects_bad_arguments(tmp_path, moons, kwargs, match):
    X, y = moons
    args = {"epochs": 10, "frames": 5, "path": tmp_path / "a.gif", **kwargs}
    with pytest.raises(ValidationError, match=match):
        plot.animate_training(_moons_net(), X, y, **args)
    assert not (tmp_path / "a.gif").exists()


def test_two_runs_on_one_axes_get_a_legend_naming_them():
    fig = plot.loss_curve([3.0, 2.0, 1.0], label="linear regression", title="Cost by iteration")
    assert fig.axes[0].get_legend() is None  # one curve: nothing to tell apart
    plot.loss_curve([2.5, 1.5, 0.5], label="2-3-1 network", ax=fig.axes[0])
    legend = fig.axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        "linear regression",
        "2-3-1 network",
    ]
    import matplotlib.pyplot as plt

    plt.close(fig)
