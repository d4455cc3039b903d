r"""The training pass's workspace: the arrays it keeps between steps, so that it allocates
nothing the size of a layer once warm.

In the training pass (:meth:`Network.gradient <glassnet.network.Network.gradient>`) a layer
whose pass takes ``out=`` writes its result into an array kept from the passes before: the
result it allocated on the first pass (or for a larger batch), or a view of that array's first
rows for a smaller batch. A *slot* is a layer, a direction (``"a"`` forward, ``"δ"``
backward) and the dtype and width of the layer's input, which fix those of its result. An
activation instead writes over its input when that is new or the workspace's, as
scikit-learn writes ``np.tanh(X, out=X)``; a layer whose pass takes no ``out`` (a Dense
subclass with a ``forward`` of its own) allocates.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from .activations import Activation

Array = NDArray[Any]

__all__ = ["LayerPlan", "Workspace"]


@dataclass(frozen=True)
class LayerPlan:
    """What a layer's passes accept, read from their signatures once."""

    forward_out: bool  #: ``forward(x, training, out=…)``
    backward_out: bool  #: ``backward(grad, out=…)``
    skips_input_grad: bool  #: ``backward(grad, input_grad=False)``
    in_place: bool  #: an activation: element-wise (softmax row-wise), so ``out`` may be its input

    @classmethod
    def of(cls, layer: Any) -> LayerPlan:
        def takes(method: Callable[..., Any], name: str) -> bool:
            try:
                return name in inspect.signature(method).parameters
            except (TypeError, ValueError):  # a callable without a signature
                return False

        return cls(
            forward_out=takes(layer.forward, "out"),
            backward_out=takes(layer.backward, "out"),
            skips_input_grad=takes(layer.backward, "input_grad"),
            in_place=isinstance(layer, Activation),
        )


class Workspace:
    """The arrays of the training pass, by slot, and the plans of the layers they serve."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[Any, ...], Array] = {}
        self._planned: list[Any] = []  # the layers that _plans was read from
        self._plans: list[LayerPlan] = []

    def kept(self, slot: tuple[Any, ...] | None, rows: int) -> Array | None:
        """The array kept in ``slot`` for a result of ``rows`` rows, or None (none kept yet,
        or only a smaller one)."""
        kept = None if slot is None else self._arrays.get(slot)
        if kept is None or kept.shape[0] < rows:
            return None
        return kept if kept.shape[0] == rows else kept[:rows]

    def keep(self, slot: tuple[Any, ...], array: Array) -> None:
        """Keep ``array``, a layer's new result, for the passes to come."""
        self._arrays[slot] = array

    def plans(self, layers: list[Any]) -> list[LayerPlan]:
        """What each layer's passes accept (:class:`LayerPlan`), read once per layer list."""
        if self._planned != layers:
            self._planned = list(layers)
            self._plans = [LayerPlan.of(layer) for layer in layers]
        return self._plans

    def clear(self) -> None:
        """Free the kept arrays."""
        self._arrays.clear()

    def __len__(self) -> int:
        return len(self._arrays)
