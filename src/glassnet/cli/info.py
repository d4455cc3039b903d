"""``glassnet datasets``, ``summary``, ``gradcheck`` and ``reproduce``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import numpy as np

from .common import ACTIVATION_NAMES, cli, echo_table, ensure_dir, int_list


@cli.command()
def datasets() -> None:
    """List the built-in datasets with their shape and task.

    \b
    Example:
      glassnet datasets
    """
    from ..data import list_datasets

    rows = [
        [
            d.name,
            str(d.n_samples),
            str(d.n_features),
            d.task,
            "-" if d.n_classes is None else str(d.n_classes),
            d.description,
        ]
        for d in list_datasets()
    ]
    echo_table(rows, ["name", "rows", "features", "task", "classes", "description"])


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
def summary(model: str) -> None:
    """Show MODEL's layers (output shape, parameters) and what it was trained on.

    \b
    Example:
      glassnet summary iris.glassnet
    """
    from .. import io

    mf = io.load_model(model)
    click.echo(mf.network.summary())
    meta = mf.metadata
    if meta.get("feature_names"):
        click.echo(f"features ({len(meta['feature_names'])}): {', '.join(meta['feature_names'])}")
    if meta.get("features"):
        inputs = meta["features"]
        click.echo(f"network inputs ({len(inputs)}), computed from them: {', '.join(inputs)}")
    if meta.get("target_name"):
        click.echo(f"target: {meta['target_name']} ({meta.get('task', '?')})")
    if meta.get("table") is not None:
        from ..data.tabular import TableEncoder

        click.echo("table encoding (learnt from the training rows):")
        for line in TableEncoder.from_json(meta["table"]).describe():
            click.echo(f"  {line}")
    if mf.classes:
        click.echo(f"classes: {', '.join(map(str, mf.classes))}")
    for part, scores in (meta.get("scores") or {}).items():
        click.echo(f"{part}: " + "  ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    click.echo(f"written by glassnet {mf.glassnet_version}")


@cli.command()
@click.option("--hidden", default="3", show_default=True, callback=int_list, help="Hidden widths.")
@click.option(
    "--activation", type=click.Choice(ACTIVATION_NAMES), default="tanh", show_default=True
)
@click.option(
    "--output",
    type=click.Choice(["softmax", "sigmoid", "identity"]),
    default="softmax",
    show_default=True,
)
@click.option("--features", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--classes",
    "n_out",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Output units (classes for softmax).",
)
@click.option("--samples", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--l2", type=click.FloatRange(min=0), default=0.01, show_default=True)
@click.option("--l1", type=click.FloatRange(min=0), default=0.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True)
def gradcheck(
    hidden: tuple[int, ...],
    activation: str,
    output: str,
    features: int,
    n_out: int,
    samples: int,
    l2: float,
    l1: float,
    seed: int,
    eps: float,
) -> None:
    """Check backpropagation against the numerical gradient on a network you describe.

    Builds the network in float64 with random weights and biases, draws random data, and
    prints the relative error of each parameter's gradient; exits with 1 if any is above 1e-6.

    \b
    Examples:
      glassnet gradcheck
      glassnet gradcheck --hidden 8,8 --activation relu --output identity --classes 3
    """
    from .. import gradcheck as check
    from .. import mlp

    rng = np.random.RandomState(seed)
    net = mlp(
        [features, *hidden, n_out],
        activation=activation,
        output=output,
        l2=l2,
        l1=l1,
        init="glorot_uniform",
        random_state=rng,
    )
    for layer in net.dense_layers:  # random biases: no unit sits exactly on ReLU's kink
        layer.params["bias"][:] = rng.uniform(-0.5, 0.5, layer.n_out)
    X = rng.randn(samples, features)
    if output == "softmax":
        y: Any = rng.randint(0, n_out, samples)
    elif output == "sigmoid":
        y = (rng.rand(samples, n_out) > 0.5).astype(float)
    else:
        y = rng.randn(samples, n_out)
    report = check(net, X, y, eps=eps)
    click.echo(
        f"network: {features}-{'-'.join(map(str, hidden))}-{n_out}, {activation} hidden, "
        f"{output} output, l2={l2}, l1={l1}, {samples} samples"
    )
    click.echo(str(report))
    if not report.passed:
        raise click.exceptions.Exit(1)


EXPERIMENTS = ("moons", "diabetes", "iris", "toy")


@cli.command()
@click.argument("experiment", type=click.Choice(EXPERIMENTS))
@click.option(
    "--plot",
    type=click.Path(file_okay=False),
    default=None,
    help="Write the tutorial's pictures into this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON instead.")
@click.option(
    "--sweep/--no-sweep",
    default=True,
    show_default=True,
    help="moons: also train the hidden sizes 1, 2, 3, 4, 5, 20, 50 for the picture grid.",
)
def reproduce(experiment: str, plot: str | None, as_json: bool, sweep: bool) -> None:
    """Run one of the tutorials' experiments and print its numbers as the tutorial does.

    \b
    moons     WildML: 2-3-2 tanh/softmax on make_moons, 20 000 full-batch passes
    diabetes  2-layer sigmoid network on the Pima diabetes table, 1500 epochs
    iris      ml4a: iris regression, linear and 2-3-1, backprop against numerical gradient
    toy       3-4-1 sigmoid network on a 4-row table, 1500 iterations

    \b
    Examples:
      glassnet reproduce moons --plot out/
      glassnet reproduce toy --json
    """

    from . import reproduce as runs

    out = ensure_dir(plot)
    run = {"moons": runs.moons, "diabetes": runs.diabetes, "iris": runs.iris, "toy": runs.toy}
    numbers, pictures = run[experiment](out, quiet=as_json, sweep=sweep)
    if as_json:
        click.echo(json.dumps({"experiment": experiment, **numbers}))
    else:
        for path in pictures:
            click.echo(f"picture written to {path}")
        if pictures:
            click.echo(f"Open the pictures in {Path(plot or '.').resolve()}")
