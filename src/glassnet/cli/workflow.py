"""From data to a trained, scored and saved model: the steps behind the ``glassnet`` command.

Each function here is a plain Python step on the public API — load data, split, scale,
build, train, score, save, predict — so that the command line stays a thin layer of
argument parsing and printing, and the same steps can be scripted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .. import io
from ..data import (
    DATASETS,
    Dataset,
    Standardizer,
    expand,
    load_csv,
    load_dataset,
    size_and_noise,
    train_test_split,
)
from ..errors import ValidationError
from ..io.modelfile import outputs, scalers
from ..losses import Loss, get_loss
from ..network import Network, mlp
from ..optimizers import Optimizer, get_optimizer
from ..schedules import (
    SCHEDULES,
    Constant,
    Cyclical,
    ExponentialDecay,
    InverseTime,
    Schedule,
    StepDecay,
)
from ..training import Callback, History, fit, resolve_batch_size
from ..validation import lookup
from .report import describe_loss, score_rows, targets

if TYPE_CHECKING:
    from ..plot import TrainingRecorder

Array = NDArray[Any]

__all__ = [
    "TrainConfig",
    "TrainedModel",
    "animation_recorder",
    "build_network",
    "can_animate",
    "load_data",
    "loss_name",
    "network_inputs",
    "predict_with",
    "save_trained",
    "schedule_names",
    "score",
    "train",
    "validation_fraction",
]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run (the ``glassnet train`` options).

    ``output`` and ``loss`` default to what the task needs: softmax and cross-entropy for
    classification, identity and mean squared error for regression. ``learning_rate=None``
    takes the optimizer's own default. ``batch_size`` is an int, ``"auto"`` (min(200, n),
    as scikit-learn) or ``"full"`` (full-batch gradient descent). ``device`` is where the
    network trains: ``"cpu"`` or ``"cuda"`` (see :meth:`~glassnet.network.Network.to`).

    **When training ends.** ``epochs`` is the most epochs a run may take: a run stops as soon
    as its loss has not fallen by more than ``tol`` for ``patience`` epochs in a row
    (scikit-learn's ``tol`` and ``n_iter_no_change``). The loss watched is the validation
    loss when there is a validation split (``validation_fraction``, or 0.1 of the training
    rows with ``early_stopping``), whose best epoch's weights are then kept; otherwise the
    training loss. The test rows are never looked at. ``fixed_epochs=True`` trains all
    ``epochs`` epochs, as the tutorials do. The defaults (Adam, learning rate 0.01, batches of
    min(200, n) rows, at most 10 000 epochs) learn every 2-D example of the README.

    ``features`` names extra inputs computed from 2-D data's raw coordinates
    (:data:`glassnet.data.FEATURES`: ``"x1^2"``, ``"x1*x2"``, ``"sin(x1)"``, …); the network
    sees those columns, standardised, and a saved model computes them again at prediction.
    Empty: the data's own columns.
    """

    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    output: str | None = None
    loss: str | None = None
    init: str = "glorot_uniform"
    optimizer: str = "adam"
    learning_rate: float | None = 0.01
    momentum: float = 0.0
    nesterov: bool = False
    schedule: str = "constant"
    decay: float = 1e-3
    gamma: float = 0.5
    step_epochs: int | None = None
    epochs: int = 10_000
    batch_size: int | str = "auto"
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    random_state: int = 0
    test_size: float = 0.25
    validation_fraction: float | None = None
    early_stopping: bool = False
    patience: int = 20
    tol: float = 1e-4
    fixed_epochs: bool = False
    standardize: bool = True
    device: str = "cpu"
    features: tuple[str, ...] = ()

    def with_(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (unknown names are an error)."""
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ValidationError(
                f"unknown setting(s) {sorted(unknown)}; settings are {sorted(self.__dataclass_fields__)}"
            )
        return replace(self, **changes)


@dataclass
class TrainedModel:
    """A trained network with its preprocessing, data splits, history and scores."""

    network: Network
    config: TrainConfig
    dataset: Dataset
    scaler: Standardizer | None
    target_scaler: Standardizer | None
    history: History
    X_train: Array
    y_train: Array
    X_test: Array | None
    y_test: Array | None
    seconds: float
    loss: Loss
    output: str
    loss_name: str = "loss"
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def predict(self, X: Array) -> Array:
        """Predictions in the data's own terms (class codes or target units) for raw ``X``."""
        inputs = network_inputs(X, self.config.features)
        return predict_with(
            self.network, inputs, self.scaler, self.target_scaler, self.dataset.task
        )[0]


def network_inputs(X: Array, features: Sequence[str]) -> Array:
    """The network's inputs before scaling: ``X`` itself, or the named ``features`` of its
    two coordinates (:func:`glassnet.data.expand`)."""
    return expand(X, features) if features else X


def load_data(
    source: str,
    *,
    target: str | None = None,
    task: str | None = None,
    random_state: int = 0,
    drop: Sequence[str] = (),
    missing: str = "error",
    handle_unknown: str = "error",
    n_samples: int | None = None,
    noise: float | None = None,
) -> Dataset:
    """A built-in dataset by name, or a CSV file by path.

    ``target`` names a CSV file's label column; ``drop``, ``missing`` and ``handle_unknown``
    say how its columns are encoded (see :func:`~glassnet.data.load_csv`). A built-in
    dataset is numeric and complete, so these options are refused for one; ``n_samples``
    and ``noise`` size a generated dataset (:func:`~glassnet.data.size_and_noise`).
    """
    if source in DATASETS:
        given = [
            flag
            for flag, value, default in (
                ("--target", target, None),
                ("--drop", list(drop), []),
                ("--missing", missing, "error"),
                ("--handle-unknown", handle_unknown, "error"),
            )
            if value != default
        ]
        if given:
            verb = "apply" if len(given) > 1 else "applies"
            raise ValidationError(
                f"{', '.join(given)} {verb} to CSV files; {source!r} is a built-in dataset"
            )
        options = size_and_noise(source, n_samples, noise)
        return load_dataset(source, random_state=random_state, **options)
    if n_samples is not None or noise is not None:
        raise ValidationError("--n-samples and --noise apply to generated datasets, not files")
    path = Path(source)
    if path.suffix.lower() == ".csv" or path.exists():
        return load_csv(
            path, target, task=task, drop=drop, missing=missing, handle_unknown=handle_unknown
        )
    raise ValidationError(
        f"{source!r} is neither a built-in dataset nor a CSV file; built-in datasets: "
        f"{', '.join(sorted(DATASETS))} (see `glassnet datasets`)"
    )


def _fit_table(dataset: Dataset, config: TrainConfig) -> Dataset:
    """The dataset with its table encoding fitted on the training rows only, and ``X`` anew.

    A table's categories and the values that fill its missing cells are learnt from the rows
    :func:`train` trains on — the same rows as its split, by the same call — so that nothing
    of the test rows leaks into them (:meth:`Dataset.fitted_on`). A dataset without a table
    comes back as it is.
    """
    if dataset.encoder is None or dataset.frame is None:
        return dataset
    rows = np.arange(len(dataset.frame))
    if dataset.split is not None:
        rows = np.flatnonzero(dataset.split == "train")
    elif config.test_size != 0:
        rows = train_test_split(
            rows,
            dataset.y,
            test_size=config.test_size,
            stratify=dataset.task == "classification",
            random_state=config.random_state,
        )[0]
    return dataset.fitted_on(rows)


def _split(
    dataset: Dataset, config: TrainConfig
) -> tuple[Array, Array, Array | None, Array | None]:
    if dataset.split is not None:  # the dataset's own train/test rows (the Pima table)
        X_train, y_train = dataset.subset("train")
        X_test, y_test = dataset.subset("test")
        return X_train, y_train, X_test, y_test
    if config.test_size == 0:
        return dataset.X, dataset.y, None, None
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X,
        dataset.y,
        test_size=config.test_size,
        stratify=dataset.task == "classification",
        random_state=config.random_state,
    )
    return X_train, y_train, X_test, y_test


def _outputs(dataset: Dataset, config: TrainConfig) -> tuple[int, str, Loss]:
    if dataset.task == "classification":
        k = len(dataset.classes or [])
        if k < 2:
            raise ValidationError(f"classification needs at least two classes, found {k}")
        output = config.output or "softmax"
        if output == "sigmoid" and k != 2:
            raise ValidationError(f"--output sigmoid is for two classes; this data has {k}")
        if output not in ("softmax", "sigmoid"):
            raise ValidationError(
                f"a classifier's output must be softmax or sigmoid, not {output!r}"
            )
        default_loss = "cross_entropy" if output == "softmax" else "binary_cross_entropy"
        return (k if output == "softmax" else 1), output, get_loss(config.loss or default_loss)
    y = dataset.y
    n_out = 1 if y.ndim == 1 else y.shape[1]
    loss = get_loss(config.loss or "mse")
    paired = "exp" if loss.output_activation == "exp" else "identity"  # Poisson: the log link
    output = config.output or paired
    if output != paired:
        raise ValidationError(
            f"with the {loss.name} loss a regression network's output is {paired}, not {output!r}"
        )
    return n_out, output, loss


def _scales_target(dataset: Dataset, config: TrainConfig) -> bool:
    """Whether a regression target is standardised: with ``standardize`` and an identity
    output (a Poisson target stays the non-negative counts its loss needs)."""
    if dataset.task != "regression" or not config.standardize:
        return False
    return _outputs(dataset, config)[1] == "identity"


def loss_name(dataset: Dataset, config: TrainConfig) -> str:
    """The training loss in words, as the progress lines, the tables and the pictures name it:
    ``"mean cross-entropy per row"``, ``"… + L2 penalty"``, ``"… (standardised target)"``."""
    loss = _outputs(dataset, config)[2]
    scaled = _scales_target(dataset, config)
    return describe_loss(loss, config.l2, config.l1, scaled)


def build_network(config: TrainConfig, n_features: int, n_outputs: int, output: str) -> Network:
    """The multi-layer perceptron that ``config`` describes."""
    return mlp(
        [n_features, *config.hidden, n_outputs],
        activation=config.activation,
        output=output,
        init=config.init,
        dropout=config.dropout,
        l2=config.l2,
        l1=config.l1,
        random_state=config.random_state,
        device=config.device,
    )


def validation_fraction(config: TrainConfig) -> float | None:
    """The share of training rows held out to watch the validation loss (None: no split)."""
    if config.early_stopping and config.fixed_epochs:
        raise ValidationError(
            "--early-stopping stops on the validation loss and --fixed-epochs never stops "
            "early; choose one"
        )
    if config.validation_fraction is not None:
        return config.validation_fraction
    return 0.1 if config.early_stopping else None


def _fit_lbfgs(
    network: Network,
    x: Array,
    y: Array,
    config: TrainConfig,
    options: dict[str, Any],
    checkpoint: str | Path | None,
    resume: str | Path | None,
) -> History:
    """``--optimizer lbfgs``: SciPy's L-BFGS on the full batch (:func:`glassnet.fit_lbfgs`),
    ``--epochs`` iterations at most, converged when the projected gradient is within
    ``--tol`` (SciPy's ``gtol``, as scikit-learn's ``tol``)."""
    from ..lbfgs import fit_lbfgs

    if options["validation_fraction"] is not None:
        raise ValidationError(
            "--optimizer lbfgs stops on its own test (--tol on the gradient): drop "
            "--early-stopping and --validation-fraction, or use a gradient-descent optimizer"
        )
    if config.momentum or config.nesterov or config.schedule != "constant":
        raise ValidationError(
            "--momentum, --nesterov and --schedule apply to the gradient-descent optimizers, "
            "not to lbfgs"
        )
    return fit_lbfgs(
        network,
        x,
        y,
        loss=options["loss"],
        max_iter=config.epochs,
        tol=0.0 if config.fixed_epochs else config.tol,
        callbacks=options["callbacks"],
        checkpoint=checkpoint,
        resume=resume,
    )


def _batch_size(config: TrainConfig, n: int) -> int | None:
    if config.batch_size == "full":
        return None
    return resolve_batch_size(config.batch_size, n)


def schedule_names() -> list[str]:
    """The ``--schedule`` choices: the schedules' registry names, spelt with hyphens."""
    return [name.replace("_", "-") for name in SCHEDULES]


def _schedule(config: TrainConfig, lr: float, updates_per_epoch: int) -> Schedule:
    every = max(1, updates_per_epoch)
    kind = lookup(config.schedule.replace("-", "_"), SCHEDULES, "schedule")
    if kind is InverseTime:
        return InverseTime(lr, decay=config.decay)
    if kind is StepDecay:
        epochs = config.step_epochs or max(1, config.epochs // 3)
        return StepDecay(lr, step_size=epochs * every, gamma=config.gamma)
    if kind is ExponentialDecay:
        return ExponentialDecay(lr, gamma=config.gamma, step_size=every)
    if kind is Cyclical:
        return Cyclical.from_learning_rate(lr, step_size=(config.step_epochs or 2) * every)
    return Constant(lr)


def _optimizer(config: TrainConfig, updates_per_epoch: int) -> Optimizer:
    lr = config.learning_rate or get_optimizer(config.optimizer).current_learning_rate()
    options: dict[str, Any] = {"learning_rate": _schedule(config, lr, updates_per_epoch)}
    if config.optimizer in ("gd", "sgd"):
        options.update(momentum=config.momentum, nesterov=config.nesterov)
    elif config.momentum or config.nesterov:
        raise ValidationError(
            f"--momentum and --nesterov apply to gd/sgd, not {config.optimizer!r}"
        )
    return get_optimizer(config.optimizer, **options)


def can_animate(dataset: Dataset, config: TrainConfig) -> bool:
    """Whether :func:`train` can record a GIF: 2-D classification (any split or stopping)."""
    return dataset.task == "classification" and dataset.X.shape[1] == 2


def train(
    dataset: Dataset,
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    *,
    animation: str | Path | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: str | Path | None = None,
) -> TrainedModel:
    """Split, scale, build and train; the scores on train and test rows are filled in.

    With ``animation`` (a ``.gif`` path; see :func:`can_animate`), a
    :class:`~glassnet.plot.TrainingRecorder` copies the parameters at log-spaced updates of
    the run, and once it has ended the GIF of the decision boundary is drawn from them, in
    the data's own units (:func:`glassnet.cli.pictures.animate`); the training is the same
    as without it. ``checkpoint``, ``checkpoint_every`` and ``resume`` are
    :func:`glassnet.fit`'s: a run resumed with the same data and config ends on the weights
    of an uninterrupted one (a resumed run is not animated).
    """
    dataset = _fit_table(dataset, config)
    if config.features and dataset.X.shape[1] != 2:
        raise ValidationError(
            f"--features computes inputs from 2-D data; {dataset.name or 'the data'!r} has "
            f"{dataset.X.shape[1]} columns"
        )
    X_train, y_train, X_test, y_test = _split(dataset, config)
    inputs = network_inputs(X_train, config.features)
    scaler = Standardizer().fit(inputs) if config.standardize else None
    target_scaler = None
    if _scales_target(dataset, config):
        target_scaler = Standardizer().fit(y_train.reshape(len(y_train), -1).astype(np.float64))
    n_outputs, output, loss = _outputs(dataset, config)
    network = build_network(config, inputs.shape[1], n_outputs, output)
    Xs = scaler.transform(inputs) if scaler is not None else inputs
    batch = _batch_size(config, len(Xs))
    validation = validation_fraction(config)
    updates = 1 if batch is None else math.ceil(len(Xs) * (1 - (validation or 0)) / batch)
    expected = targets(y_train, dataset.task, output, target_scaler)
    recorder = _recorder(dataset, config, animation, resume)
    kwargs: dict[str, Any] = {
        "loss": loss,
        "optimizer": None if config.optimizer == "lbfgs" else _optimizer(config, updates),
        "batch_size": batch,
        "shuffle": True,
        "random_state": config.random_state,
        "callbacks": [*callbacks, *([recorder] if recorder is not None else [])],
        # when to stop: the loss stalls (the validation loss if there is a split) or --epochs
        "validation_fraction": validation,
        "early_stopping": not config.fixed_epochs,
        "patience": config.patience,
        "min_delta": config.tol,
        "restore_best": validation is not None,
    }
    start = time.perf_counter()
    history: History
    if config.optimizer == "lbfgs":
        history = _fit_lbfgs(network, Xs, expected, config, kwargs, checkpoint, resume)
    else:
        history = fit(
            network,
            Xs,
            expected,
            epochs=config.epochs,
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            resume=resume,
            **kwargs,
        )
    seconds = time.perf_counter() - start
    model = TrainedModel(
        network,
        config,
        dataset,
        scaler,
        target_scaler,
        history,
        X_train,
        y_train,
        X_test,
        y_test,
        seconds,
        loss,
        output,
        describe_loss(loss, config.l2, config.l1, target_scaler is not None),
    )
    model.scores["train"] = score(model, X_train, y_train)
    if X_test is not None and y_test is not None:
        model.scores["test"] = score(model, X_test, y_test)
    if recorder is not None and animation is not None:
        from .pictures import animate

        animate(model, recorder, Path(animation))
    return model


def animation_recorder(
    dataset: Dataset, config: TrainConfig, resume: str | Path | None = None
) -> TrainingRecorder | None:
    """The callback that records a run for its animation (copies of the parameters, drawn
    after training), or None where there is nothing to draw: data that is not 2-D
    classification (:func:`can_animate`), or a resumed run, which is only part of one."""
    if resume is not None or not can_animate(dataset, config):
        return None
    from ..plot import TrainingRecorder

    return TrainingRecorder()


def _recorder(
    dataset: Dataset, config: TrainConfig, animation: str | Path | None, resume: str | Path | None
) -> TrainingRecorder | None:
    if animation is not None and not can_animate(dataset, config):
        raise ValidationError("an animation needs 2-D classification data")
    return None if animation is None else animation_recorder(dataset, config, resume)


def predict_with(
    network: Network,
    X: Array,
    scaler: Standardizer | None,
    target_scaler: Standardizer | None,
    task: str,
) -> tuple[Array, Array | None]:
    """(predictions, class probabilities or None) for unscaled ``X``, undoing the target
    scaling: :func:`glassnet.io.modelfile.outputs`, which model files predict with too."""
    return outputs(network, X, scaler, target_scaler, task)


def score(model: TrainedModel, X: Array, y: Array) -> dict[str, float]:
    """The training loss (:attr:`TrainedModel.loss_name`, as the progress lines show it) on
    these rows, and accuracy (classification) or RMSE, MAE and R² in the target's own units
    (regression)."""
    inputs = network_inputs(X, model.config.features)
    return score_rows(
        model.network, model.loss, inputs, y, model.scaler, model.target_scaler, model.dataset.task
    )


def save_trained(model: TrainedModel, path: str | Path, source: str) -> None:
    """Write the model file: network, scalers, class labels and what the run was."""
    preprocessing: dict[str, Array] = {}
    if model.scaler is not None:
        preprocessing.update({f"x_{k}": v for k, v in model.scaler.to_arrays().items()})
    if model.target_scaler is not None:
        preprocessing.update({f"y_{k}": v for k, v in model.target_scaler.to_arrays().items()})
    d = model.dataset
    metadata = {
        "task": d.task,
        "feature_names": list(d.feature_names),
        "target_name": d.target_name,
        "data": source,
        "epochs": model.history.epochs,
        "scores": model.scores,
        "loss_name": model.loss_name,
        "features": list(model.config.features),
        "config": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in model.config.__dict__.items()
        },
    }
    if d.encoder is not None:  # how a table's raw columns become the network's inputs
        metadata["table"] = d.encoder.to_json()
    io.save(model.network, path, preprocessing=preprocessing, classes=d.classes, metadata=metadata)


def scalers_of(model_file: io.ModelFile) -> tuple[Standardizer | None, Standardizer | None]:
    """The input and target scalers stored by :func:`save_trained` (None where absent)."""
    return scalers(model_file)
