"""``glassnet train``, ``evaluate``, ``predict`` and ``sweep``."""

from __future__ import annotations

import csv
import functools
import io as stdio
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np

from ..errors import TrainingInterrupted, ValidationError
from ..io.archive import atomic_file
from .common import (
    cli,
    config_from,
    data_options,
    echo_notes,
    echo_table,
    ensure_dir,
    is_terminal,
    plot_dir,
    training_options,
)


def _progress(epochs: int, quiet: bool, loss_name: str, to_stderr: bool = False) -> list[Any]:
    from ..progress import EpochLogger, ProgressBar

    if quiet:
        return []
    if is_terminal():
        return [ProgressBar(epochs, loss_name=loss_name)]
    file = sys.stderr if to_stderr else None
    return [EpochLogger(epochs, file=file, every=max(1, epochs // 100), loss_name=loss_name)]


def _score_rows(scores: dict[str, dict[str, float]]) -> tuple[list[str], list[list[str]]]:
    keys = list(next(iter(scores.values())))
    header = ["", *keys]
    rows = [[part, *(f"{s[k]:.4f}" for k in keys)] for part, s in scores.items()]
    return header, rows


@cli.command()
@click.argument("data")
@training_options
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Save the trained model to this file.",
)
@plot_dir
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda"]),
    default="cpu",
    show_default=True,
    help='Train on the CPU (NumPy) or an NVIDIA GPU (CuPy: pip install "glassnet[gpu]").',
)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write a checkpoint here every --checkpoint-every epochs and on Ctrl-C.",
)
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--resume",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Go on from this checkpoint (same data and options).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as JSON on standard output (progress goes to standard error).",
)
def train(
    data: str,
    out: str | None,
    plot: str | None,
    quiet: bool,
    as_json: bool,
    checkpoint: str | None,
    checkpoint_every: int,
    resume: str | None,
    **options: Any,
) -> None:
    """Train a network on DATA: a built-in dataset name or a CSV file.

    Trains until the loss stops falling by more than --tol for --patience epochs (at most
    --epochs), then says whether it converged. Shows what the loss is and a progress bar in
    a terminal (one line every epochs/100 epochs otherwise), then the loss and accuracy
    (RMSE, MAE and R² in the target's units for regression) on the training and test rows.

    \b
    Examples:
      glassnet train moons --hidden 3 --activation tanh --plot out/
      glassnet train iris --hidden 16,16 --epochs 300 --out iris.glassnet
      glassnet train diabetes --hidden 4 --activation sigmoid --optimizer gd --learning-rate 0.1 --batch-size full --epochs 1500 --fixed-epochs
      glassnet train data.csv --target price --hidden 64,32 --early-stopping
      glassnet train data.csv --target label --hidden 256,128 --device cuda
      glassnet train digits --epochs 500 --checkpoint run.ckpt --out digits.glassnet
      glassnet train digits --epochs 500 --resume run.ckpt --out digits.glassnet

    Ctrl-C (or SIGTERM) stops after the current update; with --checkpoint the state is
    saved, and the same command with --resume finishes the run with the same weights as one
    that was never stopped.
    """
    from ..backend import get_namespace
    from .pictures import training_pictures
    from .report import how_it_ended
    from .workflow import animation_recorder, load_data, loss_name, save_trained
    from .workflow import train as run

    config = config_from(options)
    get_namespace(config.device)  # no CuPy or no GPU: say so before loading any data
    dataset = echo_notes(load_data(data, **data_options(options), random_state=config.random_state))
    folder = ensure_dir(plot)
    recorder = None if folder is None else animation_recorder(dataset, config, resume)
    try:
        model = run(
            dataset,
            config,
            callbacks=[
                *_progress(config.epochs, quiet, loss_name(dataset, config), as_json),
                *([recorder] if recorder else []),
            ],
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            resume=resume,
        )
    except TrainingInterrupted as exc:  # a clean stop between two updates, not an error
        click.echo(f"glassnet: {exc}", err=True)
        if exc.checkpoint is not None:
            click.echo(
                f"glassnet: to finish the run, repeat the command with --resume {exc.checkpoint}",
                err=True,
            )
        raise click.exceptions.Exit(130) from None
    h = model.history
    if as_json:
        summary = {
            "loss_name": model.loss_name,
            "scores": model.scores,
            "epochs": h.epochs,
            "updates": h.n_updates,
            "stopped_early": h.stopped_early,
            "ended": how_it_ended(h, config),
            "seconds": model.seconds,
        }
        click.echo(json.dumps(summary))
    else:
        header, rows = _score_rows(model.scores)
        click.echo()
        click.echo(f"loss = {model.loss_name}")
        if dataset.task == "regression":
            click.echo(f"rmse and mae in the units of {dataset.target_name!r}")
        echo_table(rows, header)
        click.echo(how_it_ended(h, config))
        click.echo(f"epochs {h.epochs}   updates {h.n_updates}   time {model.seconds:.2f} s")
    say = functools.partial(click.echo, err=as_json)
    if out is not None:
        save_trained(model, out, data)
        say(f"model written to {out}")
    if folder is not None:
        for path in training_pictures(model, folder, recorder):
            say(f"picture written to {path}")


def _labelled_data(
    model_file: Any, data: str, target: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The network's features (a CSV's columns encoded as in training, one row per row) and
    the raw target column (None when absent)."""
    from ..data import DATASETS, load_dataset, read_table
    from ..data.columns import check_columns
    from ..data.csvfiles import target_values
    from ..io.modelfile import features

    meta = model_file.metadata
    names = list(meta.get("feature_names", []))
    if data in DATASETS:
        dataset = load_dataset(data)
        if dataset.X.shape[1] != len(names):
            raise ValidationError(
                f"dataset {data!r} has {dataset.X.shape[1]} features but the model expects {len(names)}"
            )
        labels = dataset.decode(dataset.y) if dataset.task == "classification" else dataset.y
        return features(model_file, dataset.X), np.asarray(labels)
    frame = read_table(data)
    X = features(model_file, frame)
    if target is not None:
        check_columns([target], list(frame.columns), "target column", data)
    name = target or meta.get("target_name")
    if name is None or name not in frame.columns:
        return X, None
    return X, target_values(frame, name)


def _encode(y_raw: np.ndarray, classes: list[Any]) -> np.ndarray:
    lookup = {str(c): i for i, c in enumerate(classes)}
    unknown = sorted({str(v) for v in y_raw} - set(lookup))
    if unknown:
        raise ValidationError(
            f"labels {unknown[:5]} were never seen in training; the model knows {list(lookup)}"
        )
    return np.array([lookup[str(v)] for v in y_raw], dtype=np.intp)


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("data")
@click.option("--target", default=None, help="The label column (default: the one trained on).")
def evaluate(model: str, data: str, target: str | None) -> None:
    """Score MODEL on labelled DATA: loss, accuracy (or R²) and a confusion matrix.

    \b
    Examples:
      glassnet evaluate iris.glassnet iris
      glassnet evaluate model.glassnet test.csv --target species
    """
    from .. import io, metrics
    from .report import saved_loss, score_rows
    from .workflow import predict_with, scalers_of

    mf = io.load_model(model)
    task = mf.metadata.get("task", "classification")
    X, y_raw = _labelled_data(mf, data, target)
    if y_raw is None:
        raise ValidationError(f"{data} has no target column to evaluate against")
    scaler, target_scaler = scalers_of(mf)
    loss, name = saved_loss(mf)
    classes = list(mf.classes or [])
    y = _encode(y_raw, classes) if task == "classification" else y_raw.astype(np.float64)
    scores = score_rows(mf.network, loss, X, y, scaler, target_scaler, task)
    click.echo(f"loss = {name}")
    if task == "regression":
        click.echo(f"rmse and mae in the units of {mf.metadata.get('target_name', 'the target')!r}")
    echo_table([[str(len(y)), *(f"{v:.4f}" for v in scores.values())]], ["rows", *scores])
    if task == "classification":
        pred = predict_with(mf.network, X, scaler, target_scaler, task)[0]
        cm = metrics.confusion_matrix(y, pred, n_classes=len(classes))
        click.echo(f"\nconfusion matrix of these {len(y)} rows (rows: true, columns: predicted)")
        names = [str(c) for c in classes]
        echo_table([[n, *map(str, row)] for n, row in zip(names, cm, strict=True)], ["", *names])


@cli.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("data")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the predictions CSV here (default: standard output).",
)
@click.option("--proba", is_flag=True, help="Add one probability column per class.")
def predict(model: str, data: str, out: str | None, proba: bool) -> None:
    """Predict with MODEL on DATA (CSV in, CSV out), applying the model's saved scaling.

    The output has a `prediction` column with the original labels (or values), and with
    --proba a `proba_<class>` column per class.

    \b
    Examples:
      glassnet predict iris.glassnet new_flowers.csv
      glassnet predict model.glassnet new.csv --proba --out predictions.csv
    """
    from .. import io
    from .workflow import predict_with, scalers_of

    mf = io.load_model(model)
    task = mf.metadata.get("task", "classification")
    X, _ = _labelled_data(mf, data, None)
    scaler, target_scaler = scalers_of(mf)
    pred, probabilities = predict_with(mf.network, X, scaler, target_scaler, task)
    buffer = stdio.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    classes = list(mf.classes or [])
    header = ["prediction"]
    if proba and task == "classification":
        header += [f"proba_{c}" for c in classes]
    elif proba:
        raise ValidationError("--proba needs a classifier; this model predicts values")
    writer.writerow(header)
    for i in range(len(pred)):
        label = classes[int(pred[i])] if task == "classification" else pred[i]
        row: list[Any] = [label if task == "classification" else repr(float(label))]
        if proba and probabilities is not None:
            row += [f"{p:.6f}" for p in probabilities[i]]
        writer.writerow(row)
    if out is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        with atomic_file(Path(out), text=True) as handle:  # the user's file: whole or as it was
            handle.write(buffer.getvalue())
        click.echo(f"{len(pred)} predictions written to {out}", err=True)


def _parse_param(spec: str) -> tuple[str, list[Any]]:
    if "=" not in spec:
        raise click.BadParameter(f"expected NAME=V1,V2,…, got {spec!r}", param_hint="--param")
    name, values = spec.split("=", 1)
    field = name.strip().replace("-", "_")
    raw = [v.strip() for v in values.split(",") if v.strip()]
    if not raw:
        raise click.BadParameter(f"no values given for {name!r}", param_hint="--param")

    def convert(v: str) -> Any:
        for kind in (int, float):
            try:
                return kind(v)
            except ValueError:
                pass
        return v

    return field, [convert(v) for v in raw]


def _train_one(dataset: Any, config: Any) -> Any:
    from .workflow import train as run

    return run(dataset, config)


@cli.command()
@click.argument("data")
@click.option(
    "--param",
    "params",
    multiple=True,
    help="Sweep any training setting: --param learning-rate=0.1,0.01 (repeatable).",
)
@click.option(
    "--jobs",
    type=int,
    default=-1,
    show_default=True,
    help="Parallel trainings (joblib; -1: one per core).",
)
@training_options
@plot_dir
def sweep(data: str, params: tuple[str, ...], jobs: int, plot: str | None, **options: Any) -> None:
    """Train one network per value of a setting (or per combination) and compare them.

    --hidden 1,2,3 sweeps one-hidden-layer widths; --param NAME=V1,V2 sweeps any other
    setting. Prints train/test scores and, for 2-D classification data, draws the grid of
    decision boundaries.

    \b
    Examples:
      glassnet sweep moons --hidden 1,2,3,4,5,20,50 --activation tanh --plot out/
      glassnet sweep iris --param learning-rate=0.1,0.01,0.001 --optimizer gd
      glassnet sweep moons --hidden 3,8 --param l2=0,0.01 --jobs 2
    """
    from joblib import Parallel, delayed

    from .report import how_it_ended
    from .workflow import load_data

    base = config_from(options)
    axes: list[tuple[str, list[Any]]] = []
    if len(options["hidden"]) > 1 or not params:
        axes.append(("hidden", [(h,) for h in options["hidden"]]))
    axes += [_parse_param(p) for p in params]
    configs = [
        base.with_(**dict(zip([a for a, _ in axes], combo, strict=True)))
        for combo in itertools.product(*(values for _, values in axes))
    ]
    dataset = echo_notes(load_data(data, **data_options(options), random_state=base.random_state))
    models = Parallel(n_jobs=jobs)(delayed(_train_one)(dataset, c) for c in configs)
    labels = [", ".join(f"{a}={_show(getattr(m.config, a))}" for a, _ in axes) for m in models]
    metric = "accuracy" if dataset.task == "classification" else "r2"
    rows = []
    unfinished = []
    for label, m in zip(labels, models, strict=True):
        test = m.scores.get("test", {}).get(metric)
        if how_it_ended(m.history, m.config).startswith("not converged"):
            unfinished.append(label)
        rows.append(
            [
                label,
                str(m.history.epochs),
                f"{m.scores['train']['loss']:.4f}",
                f"{m.scores['train'][metric]:.4f}",
                "-" if test is None else f"{test:.4f}",
                f"{m.seconds:.2f}",
            ]
        )
    names = sorted({m.loss_name for m in models})
    click.echo(f"loss = {' / '.join(names)}")
    echo_table(
        rows, ["setting", "epochs", "train loss", f"train {metric}", f"test {metric}", "time s"]
    )
    if unfinished:
        click.echo(
            f"{len(unfinished)} of {len(models)} runs had not converged after --epochs "
            f"{base.epochs} ({'; '.join(unfinished)}): raise --epochs or --learning-rate"
        )
    out = ensure_dir(plot)
    if out is not None and dataset.task == "classification" and dataset.X.shape[1] == 2:
        from .pictures import sweep_picture

        click.echo(f"picture written to {sweep_picture(models, labels, out / 'sweep.png')}")


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)
