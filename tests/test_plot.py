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


def _legend(ax):
    legend = ax.get_legend()
    return None if legend is None else [t.get_text() for t in legend.get_texts()]


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
    ax = fig.axes[0]
    assert ax.get_title() == "t"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")  # the columns, unnamed
    assert _legend(ax) == ["0", "1"]  # every class is named, integer labels too


def test_decision_boundary_names_features_classes_and_rows(moons):
    """The axes carry the feature names, the legend the class names (not their codes) under
    the target's name, the title what the caller says is shown; limits are the caller's."""
    X, y = moons
    limits = ((-3.0, 4.0), (-2.0, 2.5))
    fig = plot.decision_boundary(
        lambda z: (z[:, 1] < 0.25).astype(int),
        X,
        y,
        classes=[0, 1],
        class_names=["upper moon", "lower moon"],
        legend_title="moon",
        feature_names=["width (cm)", "height (cm)"],
        limits=limits,
        title="3 hidden units — test rows, accuracy 0.96",
    )
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("width (cm)", "height (cm)")
    assert _legend(ax) == ["upper moon", "lower moon"]
    assert ax.get_legend().get_title().get_text() == "moon"
    assert ax.get_title() == "3 hidden units — test rows, accuracy 0.96"
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    with pytest.raises(ValidationError, match="class names"):
        plot.decision_boundary(lambda z: z[:, 0] > 0, X, y, classes=[0, 1], class_names=["a"])
    with pytest.raises(ValidationError, match="feature_names"):
        plot.decision_boundary(lambda z: z[:, 0] > 0, X, y, feature_names=["a", "b", "c"])


def test_the_legend_sits_in_the_corner_with_fewest_points():
    from glassnet.plot.boundary import emptiest_corner

    X = np.array([[0.0, 0.0], [0.1, 0.9], [0.9, 0.9], [0.95, 0.95], [0.05, 0.05]])
    assert emptiest_corner(X, ((0.0, 1.0), (0.0, 1.0))) == "lower right"
    fig = plot.decision_boundary(lambda z: (z[:, 0] > 0.5).astype(int), X, [0, 0, 1, 1, 0])
    assert fig.axes[0].get_legend()._loc == 4  # matplotlib's code of "lower right"


def test_plane_limits_fit_any_scale_or_take_the_tutorials_margin():
    X = np.array([[0.0, 1000.0], [10.0, 3000.0]])
    assert plot.plane_limits(X) == ((-1.0, 11.0), (800.0, 3200.0))  # a tenth of each span
    assert plot.plane_limits(X, margin=0.5) == ((-0.5, 10.5), (999.5, 3000.5))
    assert plot.plane_limits([[1.0, 2.0]]) == ((0.5, 1.5), (1.5, 2.5))  # one point: ±0.5
    with pytest.raises(ValidationError, match=r"\(n, 2\)"):
        plot.plane_limits(np.zeros((3, 3)))


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
    _check_png(tmp_path / "grid.png", fig, min_size=(900, 300))


@pytest.mark.parametrize(
    ("n", "shape"), [(1, (1, 1)), (2, (1, 2)), (4, (1, 4)), (5, (2, 3)), (7, (2, 4)), (9, (3, 3))]
)
def test_sweep_grid_has_one_panel_per_model_and_no_blank_ones(moons, n, shape):
    X, y = moons
    models = [lambda z, t=t: (z[:, 0] > t / n).astype(int) for t in range(n)]
    fig = plot.sweep_grid(models, [f"t={t}" for t in range(n)], X, y)
    assert len(fig.axes) == n  # no spare axes, blank or hidden
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {shape}
    assert [ax.get_title() for ax in fig.axes] == [f"t={t}" for t in range(n)]
    assert all(ax.get_xlabel() == "x₁" and ax.get_ylabel() == "x₂" for ax in fig.axes)
    # one legend names the classes, on the first panel; all panels share their axes
    assert [_legend(ax) for ax in fig.axes] == [["0", "1"]] + [None] * (n - 1)
    assert len({(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes}) == 1


def test_loss_curves_full_batch_is_per_update(tmp_path, moons):
    X, y = moons
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, X, y, epochs=40, learning_rate=0.5, validation_data=(X[:20], y[:20]))
    fig = plot.loss_curves(
        history, path=tmp_path / "curves.png", log=True, ylabel="mean cross-entropy per row"
    )
    _check_png(tmp_path / "curves.png", fig)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "mean cross-entropy per row")
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
    assert _legend(ax) == ["train", "validation"]  # two curves on one axes: named
    assert_array_equal(ax.get_lines()[0].get_ydata(), history.loss)
    ax = plot.loss_curves(history, labels=("train", "validation (no penalty)")).axes[0]
    assert _legend(ax) == ["train", "validation (no penalty)"]


def test_loss_curves_of_one_curve_need_no_legend(moons):
    X, y = moons
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    ax = plot.loss_curves(fit(net, X, y, epochs=5, learning_rate=0.5)).axes[0]
    assert len(ax.get_lines()) == 1 and ax.get_legend() is None
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")


def test_loss_curves_mini_batch_adds_the_per_update_line(moons):
    X, y = moons
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    history = fit(net, X, y, epochs=5, batch_size=10, learning_rate=0.1, random_state=0)
    ax = plot.loss_curves(history).axes[0]
    assert ax.get_xlabel() == "epoch"
    assert _legend(ax) == ["per update", "train"]
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
    assert fig.axes[0].get_title() == (
        "Hidden layer size 3\ntrain rows, accuracy 0.97 (test rows 0.96)"
    )
    assert fig.axes[1].get_title() == "Hidden layer size 5\ntrain rows, accuracy 0.90"
    fig = plot.sweep_grid(models[:1], ["h=3"], X, y, scores=[(0.5, None)], rows="all")
    assert fig.axes[0].get_title() == "h=3\nall rows, accuracy 0.50"
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
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    assert ax.get_title() == "iris"
    title = plot.confusion_matrix(cm, names, rows="test").axes[0].get_title()
    assert title == "Confusion matrix — test rows (n=10)"  # which rows, and how many
    colours = {t.get_text(): to_rgb(t.get_color()) for t in ax.texts}
    assert colours["4"] == (1, 1, 1) and colours["0"] == (0, 0, 0)  # white on the darkest cell


def test_confusion_matrix_normalized_rows(tmp_path):
    cm = np.array([[3, 1], [0, 0]])
    fig = plot.confusion_matrix(cm, normalize=True, path=tmp_path / "n.png")
    _check_png(tmp_path / "n.png", fig)
    assert _texts(fig.axes[0]) == ["0.75", "0.25", "0.00", "0.00"]  # an empty row stays 0
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1"]
    assert fig.axes[0].get_title() == "Confusion matrix (n=4)"  # the counts, not the fractions
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


# -- the training animation: recorded during training, drawn after it ----------------------
def _moons_net():
    return mlp([2, 4, 2], activation="tanh", output="softmax", random_state=0)


def _same_parameters(a, b):
    assert a.parameters().keys() == b.parameters().keys()
    for name, param in b.parameters().items():
        assert_array_equal(a.parameters()[name], param)


def _recorded_run(moons, epochs, **settings):
    X, y = moons
    net, recorder = _moons_net(), plot.TrainingRecorder()
    history = fit(net, X, y, epochs=epochs, callbacks=[recorder], **settings)
    return net, recorder, history


def _assert_log_spaced(updates, n_updates, count):
    """Strictly increasing from 1 to n_updates, at most ``count``, spaced evenly in log(update)
    where the updates are far enough apart for the spacing to show: no gap wider than twice
    the even log step (plus the rounding to whole updates)."""
    assert updates[0] == 1 and updates[-1] == n_updates
    assert len(updates) <= count and np.all(np.diff(updates) > 0)
    if n_updates == 1:
        return
    step = np.log(n_updates) / (count - 1)
    gaps = np.diff(np.log(updates))
    assert np.all(gaps <= 2 * step + np.log(2)), gaps
    late = gaps[np.asarray(updates[:-1]) >= 1 / step]  # past where whole updates crowd them
    assert np.all(late <= 2 * step) and np.all(late >= step / 2), late


def test_the_recorder_keeps_log_spaced_copies_and_changes_nothing(moons):
    X, y = moons
    net, recorder, history = _recorded_run(moons, 3000, learning_rate=0.5)
    reference = _moons_net()
    single = fit(reference, X, y, epochs=3000, learning_rate=0.5)
    _same_parameters(net, reference)  # recording does not change training
    assert_array_equal(history.loss, single.loss)
    updates = [s.update for s in recorder.snapshots]
    assert updates[:20] == list(range(1, 21))  # every early update: that is when it moves
    ratios = np.array(updates[21:]) / np.array(updates[20:-1])
    assert np.all(ratios <= 1.05 + 1 / 20) and np.all(ratios > 1.0)  # then 5 % apart
    assert updates[-1] > 3000 / 1.06 and len(updates) < 200
    assert (recorder.n_updates, recorder.epochs) == (3000, 3000)
    # the copies are copies: each is the weights after its update, not the network's arrays
    first = recorder.snapshots[0].parameters
    assert all(first[k] is not v for k, v in net.parameters().items())
    replay = _moons_net()
    fit(replay, X, y, epochs=1, learning_rate=0.5)
    for name, param in replay.parameters().items():
        assert_array_equal(first[name], param)


def test_the_recorder_thins_its_copies_to_stay_bounded(moons):
    net, recorder, _ = _recorded_run(moons, 3000, learning_rate=0.5)
    small = plot.TrainingRecorder(keep=20)
    fit(_moons_net(), *moons, epochs=3000, learning_rate=0.5, callbacks=[small])
    updates = [s.update for s in small.snapshots]
    assert len(updates) <= 20 and updates[0] == 1
    assert set(updates) <= {s.update for s in recorder.snapshots}  # thinning only drops
    assert np.all(np.diff(np.log(updates)) > 0)
    assert updates[-1] > 3000 / 1.05**8  # the last stretch is still covered
    frames = small.frames(net, 40)  # fewer copies than frames asked for: each one is a frame
    assert [f.update for f in frames] == [*(u for u in updates if u < 3000), 3000]


def test_a_recorder_given_to_a_second_run_records_that_run_alone(moons):
    net, recorder, _ = _recorded_run(moons, 300, learning_rate=0.5)
    fit(net, *moons, epochs=5, learning_rate=0.5, callbacks=[recorder])
    assert [s.update for s in recorder.snapshots] == [1, 2, 3, 4, 5]
    assert [f.update for f in recorder.frames(net)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("epochs", [1, 5, 60, 3000])
def test_frames_run_from_the_first_update_to_the_final_weights(moons, epochs):
    net, recorder, _ = _recorded_run(moons, epochs, learning_rate=0.5)
    frames = recorder.frames(net, 40)
    updates = [f.update for f in frames]
    if epochs <= 40:
        assert updates == list(range(1, epochs + 1))  # short runs: every update
    _assert_log_spaced(updates, epochs, 40)
    assert [f.final for f in frames] == [False] * (len(frames) - 1) + [True]
    _same_parameters(net, _as_network(frames[-1]))  # the last frame is the final weights


def _as_network(snapshot):
    net = _moons_net()
    net.bind_parameters({k: v.copy() for k, v in snapshot.parameters.items()})
    return net


def test_recording_with_validation_and_early_stopping_ends_on_the_restored_weights(moons):
    X, y = moons
    settings = {
        "learning_rate": 0.5,
        "validation_fraction": 0.3,
        "early_stopping": True,
        "patience": 2,
        "min_delta": 0.01,
        "random_state": 0,
        "batch_size": 16,
    }
    net, recorder, history = _recorded_run(moons, 400, **settings)
    reference = _moons_net()
    single = fit(reference, X, y, epochs=400, **settings)
    assert history.stopped_early and history.epochs == single.epochs < 400
    _same_parameters(net, reference)
    assert_array_equal(history.batch_loss, single.batch_loss)
    frames = recorder.frames(net, 40)
    assert frames[0].update == 1 and frames[-1].update == history.n_updates
    assert frames[-1].restored and history.best_epoch + 1 < history.epochs
    _same_parameters(net, _as_network(frames[-1]))
    assert recorder.moment(frames[-1]) == (
        f"final weights: epoch {history.best_epoch + 1}'s, restored by early stopping"
    )
    # mini-batches: updates and epochs differ, and each frame says both
    assert recorder.moment(frames[1]) == f"update 2 of {history.n_updates}, epoch 1"
    # the objective is measured on the rows trained on (70 of the 100), not the validation rows
    assert recorder._data[0].shape[0] == 70


def test_render_training_draws_each_frame_after_training(tmp_path, moons):
    X, y = moons
    net, recorder, _ = _recorded_run(moons, 200, learning_rate=0.5)
    own = net.parameters()
    frames = recorder.frames(net, 12)
    limits = plot.plane_limits(X, margin=0.5)
    losses = []

    def caption(snap):
        losses.append(recorder.objective())
        return f"{recorder.moment(snap)}\nloss {losses[-1]:.4f}"

    film = plot.render_training(
        net,
        frames,
        X,
        y,
        tmp_path / "film.gif",
        caption=caption,
        limits=limits,
        feature_names=["a", "b"],
        class_names=["left", "right"],
        classes=[0, 1],
    )
    size, images = _gif_frames(tmp_path / "film.gif")
    assert size == (480, 360) and len(images) == len(frames) == len(film.updates)
    assert film.updates == [f.update for f in frames] and film.limits == limits
    assert film.captions[0] == f"update 1 of 200\nloss {losses[0]:.4f}"
    assert film.captions[-1].startswith("final weights, update 200 of 200")
    assert all(np.any(a != b) for a, b in itertools.pairwise(images[:4]))  # it moves early on
    # the loss of each frame is the objective at that frame's weights
    first = _as_network(frames[0])
    from glassnet.losses import SoftmaxCrossEntropy

    assert losses[0] == pytest.approx(first.objective(X, y, SoftmaxCrossEntropy()))
    assert losses[-1] == pytest.approx(net.objective(X, y, SoftmaxCrossEntropy()))
    assert losses[0] > losses[-1]
    # the network has its own parameters back: the very same arrays
    assert all(net.parameters()[k] is v for k, v in own.items())
    with Image.open(tmp_path / "film.gif") as gif:
        assert gif.info["loop"] == 0
        gif.seek(gif.n_frames - 1)
        assert gif.info["duration"] == 2000  # the final weights stay in view
    assert plt.get_fignums() == []


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
    assert size == (480, 360) and len(frames) == 6  # updates 1, 2, 5, 10, 23 and 50
    assert all(np.any(a != b) for a, b in itertools.pairwise(frames))  # each frame differs
    assert len(np.unique(frames[-1].reshape(-1, 3), axis=0)) > 10
    _same_parameters(net, reference)
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
    _same_parameters(net, reference)
    assert_array_equal(history.batch_loss, single.batch_loss)
    assert_array_equal(history.metrics["accuracy"], single.metrics["accuracy"])
    assert len(_gif_frames(tmp_path / "mb.gif")[1]) == 3  # updates 1, 8 and the 63rd


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
    _same_parameters(net, reference)
    frames = _gif_frames(tmp_path / "es.gif")[1]
    assert 2 <= len(frames) <= 4  # the first update, log-spaced ones, the final weights


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"frames": 1}, "frames"),
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


def test_the_recorder_and_renderer_reject_bad_arguments(tmp_path, moons):
    X, y = moons
    with pytest.raises(ValidationError, match="keep"):
        plot.TrainingRecorder(keep=1)
    with pytest.raises(ValidationError, match="ratio"):
        plot.TrainingRecorder(ratio=1.0)
    with pytest.raises(ValidationError, match="not seen a training run"):
        plot.TrainingRecorder().frames(_moons_net())
    net, recorder, _ = _recorded_run(moons, 3, learning_rate=0.5)
    with pytest.raises(ValidationError, match="count"):
        recorder.frames(net, 1)
    with pytest.raises(ValidationError, match="no frames"):
        plot.render_training(net, [], X, y, tmp_path / "a.gif", caption=str)


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
