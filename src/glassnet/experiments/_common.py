"""Helpers shared by the experiments."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..losses import Loss
from ..network import Network
from ..training import History


def losses_after_updates(
    history: History, network: Network, x: Any, y: Any, loss: Loss
) -> NDArray[np.float64]:
    """The objective after each update of a full-batch run, one value per update.

    ``history.loss[k]`` is measured before update ``k + 1`` — that is, after update ``k`` —
    so the losses after updates 1..P are ``history.loss[1:]`` followed by the objective at the
    final weights. No extra forward pass per update is needed.
    """
    final = network.objective(x, y, loss)
    return np.array([*history.loss[1:], final], dtype=np.float64)
