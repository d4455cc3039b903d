"""What a training run reports: its loss in words, how it ended, and its scores.

The command's summary table, ``evaluate``, the progress lines and the pictures all name the
training loss with :func:`describe_loss`, score rows with :func:`score_rows` (the loss the
network was trained on, then accuracy, or RMSE, MAE and R² in the target's units) and say
how training ended with :func:`how_it_ended`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .. import io, metrics
from ..callbacks import History
from ..data import Standardizer
from ..io.modelfile import outputs, scalers
from ..lbfgs import LbfgsHistory
from ..losses import Loss, default_loss, get_loss
from ..network import Network

if TYPE_CHECKING:
    from .workflow import TrainConfig

Array = NDArray[Any]

__all__ = ["describe_loss", "how_it_ended", "saved_loss", "score_rows", "targets"]


def describe_loss(loss: Loss, l2: float, l1: float, scaled_target: bool) -> str:
    """:func:`~glassnet.cli.workflow.loss_name` for a loss object, the penalties' strengths and the target scaling."""
    words = loss.describe()
    penalties = [name for name, value in (("L2", l2), ("L1", l1)) if value]
    if penalties:
        words += " + " + " + ".join(penalties) + " penalty"
    if scaled_target:
        words += " (standardised target)"
    return words


def how_it_ended(history: History, config: TrainConfig) -> str:
    """One line on why training ended: converged, stopped early, or not converged.

    "Not converged" says how much the loss still fell over the last ``patience`` epochs,
    relative to its value then, and what to change.
    """
    n = history.epochs
    if isinstance(history, LbfgsHistory):  # SciPy's verdict
        return history.how_it_ended()
    if config.fixed_epochs:
        return f"trained the fixed {n} epochs (--fixed-epochs: no convergence check)"
    if history.stopped_early and history.stop_reason:
        if history.val_loss:
            return f"stopped at epoch {n}: {history.stop_reason}"
        return f"converged after {n} epochs: {history.stop_reason}"
    window = min(config.patience, n - 1)
    losses = history.val_loss or history.loss
    if window < 1:
        return f"not converged after {n} epoch(s); raise --epochs"
    before, now = losses[-1 - window], losses[-1]
    fell = 100.0 * (before - now) / abs(before) if before else 0.0
    which = "validation loss" if history.val_loss else "loss"
    return (
        f"not converged after {n} epochs: the {which} fell {fell:.1f} % over the last "
        f"{window} epochs; raise --epochs or --learning-rate"
    )


def targets(y: Array, task: str, output: str, scaler: Standardizer | None) -> Array:
    """What the loss compares the network's output with: class codes (a column of 0/1 for
    one sigmoid unit), or the target values as columns, standardised when ``scaler`` is given."""
    if task == "classification":
        return y.reshape(-1, 1).astype(np.float64) if output == "sigmoid" else y
    column = y.reshape(len(y), -1).astype(np.float64)
    return scaler.transform(column) if scaler is not None else column


def score_rows(
    network: Network,
    loss: Loss,
    X: Array,
    y: Array,
    scaler: Standardizer | None,
    target_scaler: Standardizer | None,
    task: str,
) -> dict[str, float]:
    """:func:`~glassnet.cli.workflow.score` for a network and its scalers (``y``: class codes or target values)."""
    Xs = scaler.transform(X) if scaler is not None else X
    output = "sigmoid" if network.n_outputs == 1 and task == "classification" else ""
    expected = targets(y, task, output, target_scaler)
    scores = {"loss": network.objective(Xs, expected, loss)}
    pred = outputs(network, X, scaler, target_scaler, task)[0]
    if task == "classification":
        return {**scores, "accuracy": metrics.accuracy(y, pred)}
    return {
        **scores,
        "rmse": math.sqrt(metrics.mean_squared_error(y, pred)),
        "mae": metrics.mean_absolute_error(y, pred),
        "r2": metrics.r2_score(y, pred),
    }


def saved_loss(model_file: io.ModelFile) -> tuple[Loss, str]:
    """The loss a saved model was trained on, and its name (files from before the name was
    saved: the loss its output pairs with, named the same way)."""
    config = model_file.metadata.get("config", {})
    network = model_file.network
    loss = get_loss(config["loss"]) if config.get("loss") else default_loss(network.output)
    name = model_file.metadata.get("loss_name")
    if not isinstance(name, str):
        scaled = scalers(model_file)[1] is not None  # only regression scales its target
        name = describe_loss(loss, network.l2, network.l1, scaled)
    return loss, name
