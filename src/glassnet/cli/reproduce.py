"""The tutorials' experiments for ``glassnet reproduce``: their printed lines and pictures.

Each function runs one experiment from :mod:`glassnet.experiments`, prints what the
tutorial printed (unless ``quiet``), writes its pictures into ``out`` (when given), and
returns the numbers (for ``--json``) and the paths written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import experiments

Result = tuple[dict[str, Any], list[Path]]


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        click.echo(text)


def _introduce(quiet: bool, name: str) -> dict[str, Any]:
    """Print who wrote the tutorial, its setting and its loss; the same for ``--json``."""
    t = experiments.TUTORIALS[name]
    _say(quiet, t.header())
    _say(quiet, f"loss = {t.loss}")
    return {
        "tutorial": {"author": t.author, "title": t.title, "where": t.where, "setting": t.setting},
        "loss_name": t.loss,
    }


def _beside(quiet: bool, name: str, ours: dict[str, float]) -> dict[str, Any]:
    """The tutorial's own printed numbers beside glassnet's, at the tutorial's precision."""
    t = experiments.TUTORIALS[name]
    rows = {}
    if t.printed:
        _say(quiet, "\nThe tutorial's printed numbers beside glassnet's:")
    for label, printed in t.printed.items():
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        mine = f"{ours[label]:.{decimals}f}"
        same = "same" if mine == printed else "differs"
        _say(quiet, f"  {label}: tutorial {printed} — glassnet {mine} ({same})")
        rows[label] = {"tutorial": float(printed), "glassnet": ours[label]}
    if t.note:
        _say(quiet, f"{'' if t.printed else chr(10)}Note: {t.note}.")
    return {"tutorial_printed": rows}


def _close() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


TUTORIAL_LOSS = "loss incl. L2 penalty, as the tutorial prints it"


def moons(out: Path | None, *, quiet: bool = False, sweep: bool = True) -> Result:
    """WildML: the 2-3-2 network, its lines, boundary, loss, baseline, sweep and animation."""
    from .. import plot

    about = _introduce(quiet, "moons")
    recorder = plot.TrainingRecorder() if out is not None else None
    result = experiments.moons(
        print_every=None if quiet else 1000, callbacks=[recorder] if recorder else []
    )
    baseline = experiments.logistic_baseline()
    _say(quiet, f"Training accuracy: {result.train_accuracy:.3f}")
    _say(
        quiet,
        f"Logistic regression (no hidden layer) training accuracy: {baseline.train_accuracy:.3f}",
    )
    numbers: dict[str, Any] = {
        **about,
        "losses": result.losses.tolist(),
        "train_accuracy": result.train_accuracy,
        "final_loss": float(result.losses[-1]),
        "logistic_regression_train_accuracy": baseline.train_accuracy,
    }
    at = {f"Loss after iteration {i}": float(result.losses[i]) for i in (0, 1000)}
    numbers.update(_beside(quiet, "moons", at))
    swept = experiments.hidden_size_sweep() if sweep else None
    if swept is not None:
        _say(quiet, "\nHidden layer sizes (held-out test set: make_moons(1000), random_state=1)")
        _say(quiet, swept.table())
        numbers["sweep"] = [
            {
                "hidden": r.hidden,
                "final_loss": float(r.losses[-1]),
                "train_accuracy": r.train_accuracy,
                "test_accuracy": r.test_accuracy,
            }
            for r in swept.results
        ]
    pictures: list[Path] = []
    if out is not None and recorder is not None:
        pictures = _moons_pictures(out, result, baseline, swept, recorder)
        _close()
    return numbers, pictures


def _moons_style(X: Any) -> dict[str, Any]:
    """The tutorial's axes (0.5 around the points) with the features and classes named."""
    from .. import plot

    return {
        "classes": [0, 1],
        "legend_title": "class",
        "feature_names": ("x₁", "x₂"),
        "limits": plot.plane_limits(X, margin=0.5),
    }


def _moons_pictures(
    out: Path,
    result: experiments.MoonsResult,
    baseline: experiments.MoonsResult,
    swept: experiments.SweepResult | None,
    recorder: Any,
) -> list[Path]:
    from .. import plot

    style = _moons_style(result.X)
    pictures = [
        out / "moons_decision_boundary.png",
        out / "moons_loss.png",
        out / "moons_logistic_regression.png",
    ]
    plot.decision_boundary(
        result.network,
        result.X,
        result.y,
        path=pictures[0],
        title=f"Hidden layer size 3 — train rows, accuracy {result.train_accuracy:.2f}",
        **style,
    )
    plot.loss_curve(
        result.losses,
        path=pictures[1],
        log=True,
        title="Loss after each gradient-descent pass",
        xlabel="pass",
        ylabel=TUTORIAL_LOSS,
    )
    plot.decision_boundary(
        baseline.network,
        baseline.X,
        baseline.y,
        path=pictures[2],
        title=f"Logistic regression — train rows, accuracy {baseline.train_accuracy:.2f}",
        **style,
    )
    if swept is not None:
        pictures.append(out / "moons_hidden_sizes.png")
        plot.sweep_grid(
            [r.network for r in swept.results],
            [f"Hidden layer size {r.hidden}" for r in swept.results],
            result.X,
            result.y,
            path=pictures[-1],
            scores=[(r.train_accuracy, r.test_accuracy) for r in swept.results],
            **style,
        )
    pictures.append(_animate_moons(out / "moons_training.gif", result, recorder))
    return pictures


def _animate_moons(path: Path, result: experiments.MoonsResult, recorder: Any) -> Path:
    """The GIF of the tutorial's own run, from the parameters ``recorder`` copied during it.

    Frame titles count as the tutorial's lines do ("Loss after iteration i" follows pass
    i + 1) and show the same number: ``result.losses[i]``, the tutorial's loss with its L2
    penalty.
    """
    from .. import plot

    def caption(snap: plot.Snapshot) -> str:
        i = snap.update - 1
        return (
            f"Hidden layer size 3 — train rows, after iteration {i}\n"
            f"{TUTORIAL_LOSS}: {result.losses[i]:.6f}"
        )

    plot.render_training(
        result.network,
        recorder.frames(result.network, 40),
        result.X,
        result.y,
        path,
        caption=caption,
        **_moons_style(result.X),
    )
    return path


def diabetes(out: Path | None, *, quiet: bool = False, sweep: bool = True) -> Result:
    """Bannier: 2-layer sigmoid network on the Pima table; cost per epoch, test accuracy."""
    from .. import plot
    from ..metrics import confusion_matrix

    result = experiments.diabetes()
    about = _introduce(quiet, "diabetes")
    for i in range(0, len(result.losses), 100):
        _say(quiet, f"Cost after epoch {i + 1}: {result.losses[i]:.6f}")
    _say(quiet, f"Cost after epoch {len(result.losses)}: {result.losses[-1]:.6f}")
    _say(quiet, f"Training accuracy: {result.train_accuracy:.3f}")
    _say(quiet, f"Test accuracy: {result.test_accuracy:.3f}")
    numbers = {
        **about,
        "losses": result.losses.tolist(),
        "train_accuracy": result.train_accuracy,
        "test_accuracy": result.test_accuracy,
    }
    numbers.update(_beside(quiet, "diabetes", {}))
    fell = 100 * (result.losses[799] - result.losses[-1]) / result.losses[799]
    _say(quiet, f"glassnet: the cost falls {fell:.1f} % more from epoch 800 to epoch 1500.")
    pictures: list[Path] = []
    if out is not None:
        pictures = [out / "diabetes_cost.png", out / "diabetes_confusion_matrix.png"]
        plot.loss_curve(
            result.losses,
            path=pictures[0],
            xlabel="epoch",
            ylabel="cost: mean binary cross-entropy per row",
            title="Cost per epoch (200 training rows)",
        )
        cm = confusion_matrix(result.y_test, result.network.predict(result.X_test), n_classes=2)
        plot.confusion_matrix(cm, ["No", "Yes"], rows="test", path=pictures[1])
        _close()
    return numbers, pictures


IRIS_AXES = (
    "sepal length / its largest",
    "sepal width / its largest",
    "petal length / its largest",
)


def iris(out: Path | None, *, quiet: bool = False, sweep: bool = True) -> Result:
    """ml4a: linear regression, then the 2-3-1 network by backprop and by numerical gradient."""
    from .. import plot

    linear_iterations, iterations = 2000, 2000
    r = experiments.iris_regression(linear_iterations=linear_iterations, iterations=iterations)
    w = r.linear_network.layers[0].params["weight"].ravel()
    b = r.linear_network.layers[0].params["bias"][0]
    about = _introduce(quiet, "iris")
    _say(
        quiet,
        f"Linear regression by gradient descent (learning rate 0.001, {linear_iterations} "
        "iterations)",
    )
    _say(quiet, f"initial cost = {r.linear_initial_cost:.3f}")
    _say(quiet, f"final parameters: w1={w[0]:.3f}, w2={w[1]:.3f}, b={b:.3f}")
    _say(quiet, f"final cost = {r.linear_losses[-1]:.3f}")
    _say(
        quiet,
        "2-3-1 network (sigmoid hidden, linear output, no biases; learning rate 0.01, "
        f"{iterations} iterations)",
    )
    _say(quiet, f"initial cost = {r.initial_cost:.3f}")
    _say(quiet, f"final cost (backpropagation) = {r.losses[-1]:.3f}")
    _say(quiet, f"final cost (numerical gradient) = {r.numerical_losses[-1]:.3f}")
    _say(quiet, f"R² of the fits: linear regression {r.linear_r2:.3f}, 2-3-1 network {r.r2:.3f}")
    start, end, (w1, w2, b) = experiments.linear_regression_from(0.080, 0.220, 0.259)
    ours = {
        "linear regression: initial cost": start,
        "linear regression: final cost": end,
        "2-3-1 network: initial cost": r.initial_cost,
        "2-3-1 network: final cost": float(r.losses[-1]),
    }
    beside = _beside(quiet, "iris", ours)
    _say(
        quiet,
        f"From that start glassnet ends at w1={w1:.3f}, w2={w2:.3f}, b={b:.3f} "
        "(tutorial: w1=1.902, w2=-0.923, b=-0.221).",
    )
    numbers = {
        **about,
        **beside,
        "linear_losses": r.linear_losses.tolist(),
        "losses": r.losses.tolist(),
        "numerical_losses": r.numerical_losses.tolist(),
        "r2": r.r2,
        "linear_r2": r.linear_r2,
        "linear_iterations": linear_iterations,
        "iterations": iterations,
    }
    pictures: list[Path] = []
    if out is not None:
        pictures = [
            out / "iris_cost.png",
            out / "iris_linear_surface.png",
            out / "iris_network_surface.png",
        ]
        cost = f"cost: ½Σ(y − ŷ)² over the {len(r.y)} rows"
        fig = plot.loss_curve(r.linear_losses, label="linear regression", ylabel=cost)
        plot.loss_curve(
            r.losses,
            label="2-3-1 network",
            ax=fig.axes[0],
            title="Cost by iteration",
            xlabel="iteration",
            ylabel=cost,
            path=pictures[0],
        )
        y = r.y.ravel()
        rows = f"all {len(y)} rows"
        plot.prediction_surface(
            r.linear_network,
            r.X,
            y,
            path=pictures[1],
            axis_labels=IRIS_AXES,
            title=f"Linear regression — {rows}, R² {r.linear_r2:.2f}",
        )
        plot.prediction_surface(
            r.network,
            r.X,
            y,
            path=pictures[2],
            axis_labels=IRIS_AXES,
            title=f"2-3-1 network — {rows}, R² {r.r2:.2f}",
        )
        _close()
    return numbers, pictures


def toy(out: Path | None, *, quiet: bool = False, sweep: bool = True) -> Result:
    """Loy: the 3-4-1 network on the 4-row table; its final outputs and loss curve."""
    from .. import plot

    r = experiments.toy()
    about = _introduce(quiet, "toy")
    _say(quiet, "Predictions after 1500 training iterations (target -> output):")
    for target, output in zip(r.y.ravel(), r.outputs.ravel(), strict=True):
        _say(quiet, f"  {target:.0f} -> {output:.6f}")
    numbers = {**about, "losses": r.losses.tolist(), "outputs": r.outputs.ravel().tolist()}
    numbers.update(_beside(quiet, "toy", {}))
    pictures: list[Path] = []
    if out is not None:
        pictures = [out / "toy_loss.png"]
        plot.loss_curve(
            r.losses,
            path=pictures[0],
            xlabel="iteration",
            ylabel="loss: Σ(y − ŷ)² over the 4 rows",
            title="Loss per iteration",
        )
        _close()
    return numbers, pictures
