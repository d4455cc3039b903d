"""What the page draws, as JSON-ready messages: the data, the network and each frame.

Every heat map of a frame — the output's and each hidden unit's — comes from one batched
forward pass of the grid of the input plane through the network's own layers
(:func:`layer_outputs`). Maps travel as bytes (0 → −1, 255 → +1 on the page's colour
scale), base64-encoded; numbers that are not finite travel as ``null``.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..data import FEATURES, expand
from ..layers import Dense, Dropout
from ..network import Network
from .session import Session

Array = NDArray[Any]

__all__ = ["GRID", "NEURON_GRID", "data_message", "frame_message", "grid_points", "layer_outputs"]

GRID = 50
"""The output's heat map is GRID × GRID points of the input plane."""
NEURON_STRIDE = 2
NEURON_GRID = GRID // NEURON_STRIDE
"""Each unit's map takes every second point of the same grid."""


def number(value: Any, digits: int = 6) -> float | None:
    """A float for JSON: rounded to ``digits`` significant digits, ``None`` when not finite."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


def rounded(values: Array, decimals: int = 5) -> Any:
    """An array as nested lists of numbers rounded to ``decimals`` places (``None`` where not
    finite)."""
    arr = np.round(np.asarray(values, dtype=np.float64), decimals)
    if bool(np.isfinite(arr).all()):
        return arr.tolist()
    cells = arr.astype(object)
    cells[~np.isfinite(arr)] = None
    return cells.tolist()


def grid_points(bounds: tuple[float, float, float, float], size: int = GRID) -> Array:
    """``size²`` points of the square ``bounds``, row by row from the top (x₂ largest) — the
    order of an image's pixels."""
    x1_low, x1_high, x2_low, x2_high = bounds
    x1 = np.linspace(x1_low, x1_high, size)
    x2 = np.linspace(x2_high, x2_low, size)
    a, b = np.meshgrid(x1, x2)
    return np.column_stack([a.ravel(), b.ravel()])


def layer_outputs(network: Network, x: Array) -> tuple[list[Array], Array]:
    """One forward pass (prediction mode) through the network's layers: every hidden layer's
    activations, and the network's prediction (its output function applied)."""
    hidden: list[Array] = []
    out = x
    last_dense = max(i for i, layer in enumerate(network.layers) if isinstance(layer, Dense))
    for i, layer in enumerate(network.layers):
        out = layer(out)
        if i < last_dense and not isinstance(layer, (Dense, Dropout)):
            hidden.append(out)
    return hidden, network.output(out)


def _codes(values: Array) -> NDArray[np.uint8]:
    """Values in [−1, 1] as bytes 0..255 (NaN as 0, the middle)."""
    clipped = np.clip(np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    return np.rint((clipped + 1.0) * 127.5).astype(np.uint8)


def _bytes(values: Array) -> str:
    """Values in [−1, 1] as base64 bytes."""
    return base64.b64encode(_codes(values).tobytes()).decode()


def _unit(columns: Array) -> Array:
    """Each column divided by its largest magnitude."""
    peak = np.max(np.abs(columns), axis=0)
    return columns / np.where(peak > 0, peak, 1.0)


def _maps(columns: Array) -> list[str]:
    """One map per column, each divided by its largest magnitude when that is above 1 (ReLU
    units); the columns are encoded together."""
    with np.errstate(all="ignore"):
        peak = np.max(np.abs(columns), axis=0) if len(columns) else np.zeros(columns.shape[1])
        scale = np.where(np.isfinite(peak) & (peak > 1.0), peak, 1.0)
        codes = np.ascontiguousarray(_codes(columns / scale).T)
    return [base64.b64encode(row.tobytes()).decode() for row in codes]


def output_map(session: Session, prediction: Array) -> dict[str, Any]:
    """The output's heat map: P(second class) − P(first), each class's probability, or the
    predicted value on the data's scale."""
    problem = session.problem
    if problem.task == "regression":
        value = prediction[:, 0]
        if problem.target_scaler is not None:
            value = problem.target_scaler.inverse_transform(value.reshape(-1, 1))[:, 0]
        peak = float(np.max(np.abs(problem.labels_train))) or 1.0
        return {"kind": "value", "data": _bytes(value / peak), "peak": number(peak)}
    if prediction.shape[1] == 1:  # one sigmoid unit: P(class 1)
        return {"kind": "two", "data": _bytes(2 * prediction[:, 0] - 1)}
    if prediction.shape[1] == 2:
        return {"kind": "two", "data": _bytes(prediction[:, 1] - prediction[:, 0])}
    return {"kind": "classes", "data": [_bytes(2 * p - 1) for p in prediction.T]}


def data_message(session: Session) -> dict[str, Any]:
    """The data: points, labels, the input features' maps, the picture's square."""
    p = session.problem
    bounds = p.bounds()
    points_grid = grid_points(bounds, NEURON_GRID)
    inputs = p.inputs(points_grid)
    names = [*p.feature_names, *(["1"] * p.extra.size)]

    def points(xy: Array, labels: Array) -> list[list[float | None]]:
        return [
            [number(a, 5), number(b, 5), number(c, 5)] for (a, b), c in zip(xy, labels, strict=True)
        ]

    return {
        "type": "data",
        "name": p.name,
        "task": p.task,
        "classes": None if p.classes is None else [str(c) for c in p.classes],
        "bounds": [number(b) for b in bounds],
        "train": points(p.points_train, p.labels_train),
        "test": points(p.points_test, p.labels_test),
        "peak": number(float(np.max(np.abs(p.labels_train)))) if p.task == "regression" else 1,
        "inputs": [
            {"name": name, "map": code} for name, code in zip(names, _maps(inputs), strict=True)
        ],
        # every feature on the plane, the unused ones too (drawn faded)
        "features": dict(
            zip(FEATURES, _maps(_unit(expand(points_grid, list(FEATURES)))), strict=True)
        ),
    }


def network_message(session: Session) -> dict[str, Any]:
    """The network's shape: the width of every layer from the inputs to the output."""
    net = session.network
    dense = net.dense_layers
    return {
        "type": "network",
        "sizes": [dense[0].n_in, *(d.n_out for d in dense)],
        "activation": session.settings.activation,
        "output": session.output,
        "loss": session.loss.name,
        "reduction": session.loss.reduction,
        "loss_words": session.loss.describe(),
        "parameters": net.n_parameters(),
    }


def frame_message(session: Session, made: int) -> dict[str, Any]:
    """One frame: the update count, the losses, the weights and every heat map."""
    problem = session.problem
    hidden, prediction = layer_outputs(
        session.network, problem.inputs(grid_points(problem.bounds()))
    )
    every_second = np.zeros((GRID, GRID), dtype=bool)
    every_second[::NEURON_STRIDE, ::NEURON_STRIDE] = True
    keep = every_second.ravel()
    train, test = session.losses()
    dense = session.network.dense_layers
    return {
        "type": "frame",
        "update": session.updates,
        "made": made,
        "epoch": number(session.epochs_done(), 8),
        "train_loss": train,
        "test_loss": test,
        "learning_rate": number(session.trainer.optimizer.current_learning_rate()),
        "weights": [rounded(d.params["weight"]) for d in dense],
        "biases": [rounded(d.params["bias"]) if "bias" in d.params else None for d in dense],
        "neurons": [_maps(layer[keep]) for layer in hidden],
        "output": output_map(session, prediction),
        "printed": session.printed(),
        "diverged": session.diverged,
    }
