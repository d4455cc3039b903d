r"""The update just made, layer by layer, and the gradient check: the equations panel's numbers.

:func:`one_step` makes one update and shows, for every Dense layer :math:`l`, its
:math:`\delta_l = \partial L/\partial z_l` on that update's batch and the change of its
weights and biases. :math:`\delta` comes from the engine's own backward passes, layer by
layer, on a copy of the network at the weights before the update; the changes are the
difference of the network's weights after and before. :func:`gradient_check` compares
backpropagation with central differences (:func:`glassnet.gradcheck`) on a copy.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError
from ..gradcheck import gradcheck
from ..layers import Dense
from ..network import Network
from .frames import number
from .session import Session, make_loss

Array = NDArray[Any]

__all__ = ["gradient_check", "layer_shapes", "one_step"]

SHOWN_ROWS = 4
"""Rows of δ the page shows (its shape says how many there are)."""
CHECK_ROWS = 32
"""Training rows the gradient check runs on."""
MAX_CHECK_PARAMETERS = 3000
"""The largest network the page may have checked: each parameter costs two passes."""


def _matrix(values: Array, digits: int = 4) -> list[list[float | None]]:
    return [[number(v, digits) for v in row] for row in np.atleast_2d(values)]


def _deltas(network: Network, x: Array, y: Array, session: Session) -> list[Array]:
    r""":math:`\delta_l` of every Dense layer, last first, by the layers' own backward passes."""
    loss = make_loss(session.settings, session.output)
    loss.forward(network.forward(x, training=False), y)
    delta = loss.backward()
    deltas = []
    for layer in reversed(network.layers):
        if isinstance(layer, Dense):
            deltas.append(delta)  # ∂L/∂z of this layer
        delta = layer.backward(delta)
    return deltas[::-1]


def one_step(session: Session) -> dict[str, Any]:
    """Make one update and describe it: per Dense layer its δ and the change of W and b."""
    network = session.network
    before = {name: p.copy() for name, p in network.parameters().items()}
    if not session.step(1):
        return {"type": "explain", "layers": [], "diverged": session.diverged}
    rows = session.explained_rows()
    x, y = session.problem.X_train[rows], session.targets(train=True)[rows]
    scratch = copy.deepcopy(network)
    scratch.bind_parameters({k: v.copy() for k, v in before.items()})
    deltas = _deltas(scratch, x, y, session)
    after = network.parameters()
    layers = []
    dense = [i for i, layer in enumerate(network.layers) if isinstance(layer, Dense)]
    for number_, (index, delta) in enumerate(zip(dense, deltas, strict=True), start=1):
        weight = f"{index}.weight"
        bias = f"{index}.bias"
        layers.append(
            {
                "layer": number_,
                "delta_shape": list(delta.shape),
                "delta_rows": _matrix(delta[:SHOWN_ROWS]),
                "delta_sum": [number(v, 4) for v in delta.sum(axis=0)],
                "dW": _matrix(after[weight] - before[weight]),
                "db": [number(v, 4) for v in after[bias] - before[bias]] if bias in after else None,
            }
        )
    return {
        "type": "explain",
        "update": session.updates,
        "batch_rows": int(x.shape[0]),
        "learning_rate": number(
            session.trainer.optimizer.schedule(session.trainer.optimizer.t - 1)
        ),
        "dropout_note": bool(session.settings.dropout),
        "layers": layers,
    }


def gradient_check(session: Session) -> dict[str, Any]:
    """Backpropagation against central differences on up to :data:`CHECK_ROWS` training rows,
    at the current weights: each Dense layer's largest relative error."""
    p = session.problem
    count = session.network.n_parameters()
    if count > MAX_CHECK_PARAMETERS:
        raise ValidationError(
            f"the gradient check perturbs each parameter twice; this network has {count}, "
            f"the page checks up to {MAX_CHECK_PARAMETERS}: use glassnet.gradcheck in Python"
        )
    rows = slice(0, min(CHECK_ROWS, len(p.X_train)))
    network = copy.deepcopy(session.network)
    report = gradcheck(
        network,
        p.X_train[rows],
        session.targets(train=True)[rows],
        loss=make_loss(session.settings, session.output),
    )
    dense = [i for i, layer in enumerate(network.layers) if isinstance(layer, Dense)]
    per_layer = [
        max(error for name, error in report.errors.items() if name.split(".")[0] == str(i))
        for i in dense
    ]
    return {
        "type": "gradcheck",
        "update": session.updates,
        "rows": rows.stop,
        "errors": [number(e, 3) for e in per_layer],
        "max_error": number(report.max_error, 3),
        "passed": report.passed,
        "tolerance": report.tolerance,
    }


def layer_shapes(session: Session) -> list[dict[str, Any]]:
    r"""Per Dense layer the shapes of :math:`a_{l-1}`, :math:`W_l`, :math:`z_l`, :math:`a_l`,
    :math:`\delta_l` and :math:`\partial L/\partial W_l` on the current batch size."""
    t = session.trainer
    n = t.x.shape[0]
    rows = n if t.batch_size is None else min(t.batch_size, n)
    shapes = []
    for d in session.network.dense_layers:
        shapes.append(
            {
                "a_in": [rows, d.n_in],
                "W": [d.n_in, d.n_out],
                "b": [d.n_out] if d.bias else None,
                "z": [rows, d.n_out],
                "a": [rows, d.n_out],
                "delta": [rows, d.n_out],
                "dW": [d.n_in, d.n_out],
            }
        )
    return shapes
