r"""The :class:`Network`: an ordered stack of layers, its parameters and its penalties.

Data flows one way: ``forward`` runs the layers in order, ``backward`` runs them in
reverse, each layer writing its own parameter gradients. The network's *objective* is

.. math:: J(\theta) = L(f_\theta(X), y) + \frac{\lambda_2}{2}\sum_W \|W\|_F^2
          + \lambda_1 \sum_W \|W\|_1

where the sums run over weight matrices only — biases are not penalised, as in the
WildML tutorial. :meth:`Network.gradient` returns :math:`J` and leaves
:math:`\partial J/\partial\theta` in the layers' ``grads``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import pairwise
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .activations import Activation, Sigmoid, Softmax, get_activation
from .backend import check_device, get_namespace, is_sparse, namespace_of, to_device, to_numpy
from .errors import NotFittedError, ValidationError
from .initializers import Initializer
from .layers import Dense, Dropout
from .validation import RandomStateLike, check_array, check_positive, check_random_state
from .workspace import Workspace

if TYPE_CHECKING:
    from .callbacks import History
    from .losses import Loss

Array = NDArray[Any]

__all__ = ["PENALTY_SCALINGS", "Layer", "Network", "mlp"]

PENALTY_SCALINGS = ("none", "batch_weight")
"""How a network's penalty may be scaled on a batch (see :class:`Network`)."""


class Layer(Protocol):
    """What the network needs of a layer: forward, backward, params and grads."""

    params: dict[str, Array]
    grads: dict[str, Array]

    def forward(self, x: Array, training: bool = False, /) -> Array: ...

    def backward(self, grad_out: Array, /) -> Array: ...

    def __call__(self, x: Array, /) -> Array: ...


class Network:
    r"""An ordered stack of layers.

    Parameters
    ----------
    layers : sequence of layers
        :class:`~glassnet.layers.Dense`, :class:`~glassnet.layers.Dropout` and activations,
        applied in order. Their composition maps ``(n_samples, n_features)`` to the network's
        raw output ``(n_samples, n_outputs)`` — logits when ``output`` is softmax or sigmoid.
    output : str or Activation, default "identity"
        The function that turns the raw output into predictions (``predict_proba``). It is
        *not* part of the training graph: the fused losses
        (:class:`~glassnet.losses.SoftmaxCrossEntropy`,
        :class:`~glassnet.losses.BinaryCrossEntropy`) apply it themselves.
    l2 : float, default 0
        :math:`\lambda_2` in :math:`\frac{\lambda_2}{2}\sum\|W\|^2`; adds :math:`\lambda_2 W`
        to each weight gradient.
    l1 : float, default 0
        :math:`\lambda_1` in :math:`\lambda_1\sum|W|`; adds :math:`\lambda_1\,\mathrm{sign}(W)`.
    penalty_scaling : {"none", "batch_weight"}, default "none"
        How the penalty is scaled on a batch :math:`b` of rows with weights :math:`w_i` (all 1
        without ``sample_weight``). ``"none"``: as written above, whatever the batch.
        ``"batch_weight"``: multiplied by :math:`1/s_b`, :math:`s_b = \sum_{i\in b} w_i`, so
        that with a mean loss the objective is
        :math:`\frac{1}{s_b}\big(\sum_i w_i\ell_i + \frac{\lambda_2}{2}\sum\|W\|^2
        + \lambda_1\sum|W|\big)`: the penalty weighs against the *summed* loss, as
        scikit-learn's ``alpha`` does (the estimators train this way). A batch that weighs
        nothing carries no penalty. Saved with the network, so that a continued or resumed
        training optimises the same objective.

    Attributes
    ----------
    device : {"cpu", "cuda"}
        Where the parameters live: ``"cpu"`` (NumPy arrays) until :meth:`to` moves them.
        Training and prediction run there; ``predict`` and ``predict_proba`` return NumPy
        arrays wherever it is.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        *,
        output: str | Activation = "identity",
        l2: float = 0.0,
        l1: float = 0.0,
        penalty_scaling: str = "none",
    ) -> None:
        self.layers: list[Layer] = list(layers)
        if not self.layers:
            raise ValidationError("a Network needs at least one layer")
        for layer in self.layers:
            if not all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")):
                raise ValidationError(f"{layer!r} is not a layer (needs forward/backward/params)")
        self.output = get_activation(output)
        self.l2 = check_positive(l2, "l2", allow_zero=True)
        self.l1 = check_positive(l1, "l1", allow_zero=True)
        self.penalty_scaling = self.check_penalty_scaling(penalty_scaling)
        self.device = "cpu"
        #: the arrays the training pass keeps between steps (see :mod:`glassnet.workspace`)
        self._workspace = Workspace()

    # -- structure ------------------------------------------------------------------------
    @property
    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def n_features(self) -> int:
        dense = self.dense_layers
        if not dense:
            raise NotFittedError("this network has no Dense layer, so no fixed input width")
        return dense[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.dense_layers[-1].n_out

    @property
    def dtype(self) -> np.dtype[Any]:
        dense = self.dense_layers
        return dense[0].dtype if dense else np.dtype(np.float64)

    @property
    def xp(self) -> ModuleType:
        """The array namespace of the parameters: ``numpy``, or ``cupy`` on ``"cuda"``."""
        first = next(iter(self.parameters().values()), None)
        return get_namespace(self.device) if first is None else namespace_of(first)

    def to(self, device: str) -> Network:
        """Move the parameters and gradients to ``device`` and return the network.

        ``"cpu"`` keeps NumPy arrays; ``"cuda"`` (alias ``"cupy"``) copies them to the GPU as
        CuPy arrays, on which the same forward, backward and optimizer code runs. Move a
        network before training it: an optimizer's state lives where the parameters were.

        Raises
        ------
        DeviceUnavailable
            ``"cuda"`` without CuPy or without a visible CUDA device.
        """
        name = check_device(device)
        xp = get_namespace(name)
        for layer in self.layers:
            for arrays in (layer.params, layer.grads):
                for key, value in arrays.items():
                    arrays[key] = to_device(value, xp)
        self.device = name
        self._workspace.clear()
        return self

    def parameters(self) -> dict[str, Array]:
        """All parameter arrays by name (``"0.weight"``, ``"0.bias"``, ``"2.weight"``, …).

        The arrays are the layers' own: updating them in place updates the network.
        """
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()
        }

    def bind_parameters(self, arrays: Mapping[str, Array]) -> None:
        """Make ``arrays`` the parameters, without copying: ``arrays[name]``, named as
        :meth:`parameters` names them, becomes the layer's own array. The training loop swaps
        two sets of parameters this way (see :class:`~glassnet.trainer.Trainer`)."""
        for name, array in arrays.items():
            index, key = name.split(".", 1)
            self.layers[int(index)].params[key] = array

    def gradients(self) -> dict[str, Array]:
        """The gradient arrays, with the same names as :meth:`parameters`."""
        return {
            f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()
        }

    def n_parameters(self) -> int:
        return int(sum(p.size for p in self.parameters().values()))

    def _penalised(self) -> Iterator[tuple[Array, Array]]:
        for layer in self.layers:
            if "weight" in layer.params:
                yield layer.params["weight"], layer.grads["weight"]

    # -- the passes -----------------------------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        r"""Run the stack on a batch; returns the raw output (logits for classifiers).

        .. math:: a_0 = X, \qquad a_l = f_l(a_{l-1}) \quad (l = 1, \dots, L)

        Each layer allocates its output, over which an activation that follows computes in
        place; ``x`` itself is never written to. ``x`` may be a SciPy sparse matrix (CSR) when
        the first layer is Dense: only that layer's product sees it, and it stays sparse.
        """
        return self._forward(x, training, reuse=False)

    def backward(
        self, grad_out: Array, input_grad: bool = True, *, overwrite: bool = False
    ) -> Array | None:
        r"""Back-propagate :math:`\delta_L = \partial L/\partial a_L` through the stack.

        Layer :math:`l` takes :math:`\delta_l = \partial L/\partial a_l`, writes its parameter
        gradients and hands down :math:`\delta_{l-1}`: through a Dense layer
        :math:`\delta_{l-1} = \delta_l W_l^\top`, through an activation
        :math:`\delta_{l-1} = \delta_l \circ f'(z)` — together the recursion
        :math:`\delta_l = (\delta_{l+1} W_{l+1}^\top) \circ f'(z_l)`. The penalty gradients
        (:math:`\lambda_2 W + \lambda_1 \mathrm{sign}(W)`) are then added to the weights'.
        Returns :math:`\partial L/\partial X`, or ``None`` with ``input_grad=False``, which
        spares the first layer's :math:`G W^\top` (training never needs it).
        ``overwrite=True`` lets the top layer write over ``grad_out``.
        """
        return self._backward(grad_out, input_grad, overwrite, reuse=False)

    def _forward(self, x: Array, training: bool, reuse: bool) -> Array:
        """:meth:`forward`; ``reuse=True`` writes each layer's output into the workspace."""
        owned = False  # whether x is new or the workspace's: free to be written over
        plans = self._workspace.plans(self.layers)
        for i, (layer, plan) in enumerate(zip(self.layers, plans, strict=True)):
            forward: Callable[..., Array] = layer.forward
            in_place = owned and plan.in_place and plan.forward_out
            slot = (i, "a", x.dtype, x.shape[1]) if reuse and plan.forward_out else None
            out = x if in_place else self._workspace.kept(slot, x.shape[0])
            x = forward(x, training) if out is None else forward(x, training, out=out)
            if out is None and slot is not None:  # a first pass, or a larger batch
                self._workspace.keep(slot, x)
            owned = plan.forward_out
        return x

    def check_sparse_input(self, x: Array) -> None:
        """A sparse ``x`` goes to a Dense first layer only: anything else would make it dense.
        Checked where data comes in (:meth:`check_input`, and once per training run), not on
        every pass."""
        if is_sparse(x) and not isinstance(self.layers[0], Dense):
            raise ValidationError(
                "sparse X needs a Dense first layer, which multiplies it without making it "
                f"dense; this network starts with {self.layers[0]!r}"
            )

    def _backward(
        self, delta: Array, input_grad: bool, overwrite: bool, reuse: bool, factor: float = 1.0
    ) -> Array | None:
        """:meth:`backward`; ``reuse=True`` hands the gradients down in workspace arrays."""
        owned = overwrite  # whether delta is new or the workspace's: free to be written over
        plans = self._workspace.plans(self.layers)
        for i in range(len(self.layers) - 1, -1, -1):
            backward: Callable[..., Array] = self.layers[i].backward
            plan = plans[i]
            if i == 0 and not input_grad and plan.skips_input_grad:
                backward(delta, input_grad=False)  # the parameter gradients only
                break
            in_place = owned and plan.in_place and plan.backward_out
            slot = (i, "δ", delta.dtype, delta.shape[1]) if reuse and plan.backward_out else None
            out = delta if in_place else self._workspace.kept(slot, delta.shape[0])
            delta = backward(delta) if out is None else backward(delta, out=out)
            if out is None and slot is not None:  # a first pass, or a larger batch
                self._workspace.keep(slot, delta)
            owned = plan.backward_out
        self._add_penalty_gradient(factor)
        return delta if input_grad else None

    def _add_penalty_gradient(self, factor: float) -> None:
        r""":math:`\partial L/\partial W \mathrel{+}= c\,(\lambda_2 W + \lambda_1 \mathrm{sign}(W))`,
        :math:`c` = ``factor`` (:meth:`penalty_factor`)."""
        if self.l2:
            for weight, weight_grad in self._penalised():
                weight_grad += self.l2 * factor * weight
        if self.l1:
            for weight, weight_grad in self._penalised():
                weight_grad += self.l1 * factor * np.sign(weight)

    # -- the training pass's workspace ----------------------------------------------------
    def release_workspace(self) -> None:
        """Free the arrays the training pass keeps between steps (:meth:`gradient`)."""
        self._workspace.clear()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_workspace"] = Workspace()  # scratch memory: never copied or pickled
        return state

    @staticmethod
    def check_penalty_scaling(value: str) -> str:
        if value not in PENALTY_SCALINGS:
            raise ValidationError(
                f"penalty_scaling must be one of {list(PENALTY_SCALINGS)}, got {value!r}"
            )
        return value

    def penalty_factor(self, batch_weight: float) -> float:
        """The penalty's factor on a batch of weight sum :math:`s_b` (its row count without
        sample weights), as ``penalty_scaling`` says: 1, or :math:`1/s_b` (0 when :math:`s_b = 0`)."""
        if self.penalty_scaling == "none":
            return 1.0
        return 1.0 / batch_weight if batch_weight > 0 else 0.0

    def _batch_penalty_factor(self, rows: int, sample_weight: Array | None) -> float:
        """:meth:`penalty_factor` of a batch; its weights are summed only when they matter."""
        if self.penalty_scaling == "none":
            return 1.0
        return self.penalty_factor(rows if sample_weight is None else float(sample_weight.sum()))

    def penalty(self, factor: float = 1.0) -> float:
        r""":math:`c\,(\frac{\lambda_2}{2}\sum\|W\|^2 + \lambda_1\sum|W|)` over the weight
        matrices, :math:`c` = ``factor`` (:meth:`penalty_factor`)."""
        total = 0.0
        if self.l2:
            total += self.l2 * factor / 2 * sum(float(np.vdot(w, w)) for w, _ in self._penalised())
        if self.l1:
            total += self.l1 * factor * sum(float(np.sum(np.abs(w))) for w, _ in self._penalised())
        return total

    def objective(
        self, x: Array, y: Array, loss: Loss, sample_weight: Array | None = None
    ) -> float:
        """:math:`J = L(f(X), y) + \\text{penalty}` at the current parameters (no gradients).

        The output is computed on the network's device and the loss on host copies: this
        evaluation of a whole set (progress lines, final losses) is outside the update loop.
        """
        weights = None if sample_weight is None else to_numpy(sample_weight)
        output = to_numpy(self.raw_output(x))
        factor = self._batch_penalty_factor(output.shape[0], weights)
        return loss.forward(output, to_numpy(y), weights) + self.penalty(factor)

    def gradient(
        self,
        x: Array,
        y: Array,
        loss: Loss,
        training: bool = True,
        sample_weight: Array | None = None,
        *,
        validated: bool = False,
    ) -> float:
        """One forward and backward pass: returns :math:`J`, leaves its gradient in ``grads``.

        ``validated=True`` tells the loss that ``y`` (and ``sample_weight``) already passed
        :meth:`Loss.check_target`, as the training loop arranges once per run.
        """
        output = self._forward(x, training, reuse=True)
        factor = self._batch_penalty_factor(x.shape[0], sample_weight)
        value = loss.forward(output, y, sample_weight, validated=validated) + self.penalty(factor)
        self._backward(loss.backward(), input_grad=False, overwrite=True, reuse=True, factor=factor)
        return value

    # -- prediction -----------------------------------------------------------------------
    def check_input(self, x: ArrayLike) -> Array:
        """``x`` checked, in the network's dtype and on its device."""
        arr = check_array(x, "X")
        dense = self.dense_layers
        if dense and arr.shape[1] != dense[0].n_in:
            raise ValidationError(
                f"X has {arr.shape[1]} features but the network expects {dense[0].n_in}"
            )
        self.check_sparse_input(arr)
        return to_device(arr.astype(self.dtype, copy=False), self.xp)

    def raw_output(self, x: ArrayLike) -> Array:
        """The stack's output for ``x`` (logits for classifiers), with no caching.

        The array lives on the network's device (a CuPy array on ``"cuda"``); ``predict`` and
        ``predict_proba`` bring theirs back to the host.
        """
        out = self.check_input(x)
        for layer in self.layers:
            out = layer(out)
        return out

    def predict_proba(self, x: ArrayLike) -> Array:
        """Class probabilities: the output activation (softmax or sigmoid) of the raw output."""
        if not isinstance(self.output, (Softmax, Sigmoid)):
            raise ValidationError(
                "predict_proba needs a softmax or sigmoid output; this network's output is "
                f"{self.output.name!r} — use predict"
            )
        return to_numpy(self.output(self.raw_output(x)))

    def predict(self, x: ArrayLike) -> Array:
        """Predictions: class indices for softmax, 0/1 for sigmoid, values otherwise.

        A sigmoid output with one unit gives a 1-D array of 0/1; with several units (multilabel)
        a 0/1 matrix. A softmax output gives the arg-max class index per row.
        """
        out = self.output(self.raw_output(x))
        if isinstance(self.output, Softmax):
            return to_numpy(np.argmax(out, axis=1))
        if isinstance(self.output, Sigmoid):
            labels = to_numpy(out > 0.5).astype(np.intp)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        return to_numpy(out)

    def fit(self, x: ArrayLike, y: ArrayLike, **kwargs: Any) -> History:
        """Train in place; see :func:`glassnet.training.fit` for the arguments."""
        from .training import fit

        return fit(self, x, y, **kwargs)

    def summary(self) -> str:
        """A table of layers, output widths and parameter counts."""
        rows, width = [], None
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                width = layer.n_out
            n = sum(p.size for p in layer.params.values())
            rows.append((f"{i}: {layer!r}", "?" if width is None else f"(n, {width})", n))
        lines = [f"{'layer':<40}{'output':<12}{'params':>8}"]
        lines += [f"{a:<40}{b:<12}{c:>8}" for a, b, c in rows]
        lines.append(f"total parameters: {self.n_parameters()}   output: {self.output.name}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        scaling = (
            "" if self.penalty_scaling == "none" else f", penalty_scaling={self.penalty_scaling!r}"
        )
        return (
            f"Network([{inner}], output={self.output.name!r}, l2={self.l2}, l1={self.l1}{scaling})"
        )


def mlp(
    sizes: Sequence[int],
    *,
    activation: str | Activation = "relu",
    output: str | Activation = "identity",
    bias: bool = True,
    init: str | Initializer = "scaled_normal",
    dropout: float = 0.0,
    l2: float = 0.0,
    l1: float = 0.0,
    penalty_scaling: str = "none",
    random_state: RandomStateLike = None,
    dtype: DTypeLike = np.float64,
    device: str = "cpu",
) -> Network:
    r"""Build a multi-layer perceptron from its layer widths.

    ``mlp([2, 3, 2], activation="tanh", output="softmax")`` is the WildML tutorial's
    network: ``Dense(2, 3) → Tanh → Dense(3, 2)``, whose logits a softmax turns into
    probabilities. Weight matrices are drawn in order (``W1`` then ``W2`` …) from one
    generator, so ``random_state=0`` reproduces a script that called ``np.random.seed(0)``.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_features, hidden_1, …, n_outputs]``; ``[n_features, n_outputs]`` gives a
        one-layer (linear or logistic regression) network.
    activation : str or Activation
        Hidden activation; an instance is used as a template for its class and settings.
    output : str or Activation
        Output function for prediction (see :class:`Network`).
    bias, init, random_state, dtype
        Passed to each :class:`~glassnet.layers.Dense`.
    dropout : float
        If above zero, a :class:`~glassnet.layers.Dropout` follows each hidden activation.
    l2, l1, penalty_scaling
        Penalties and how a batch scales them (see :class:`Network`).
    device : {"cpu", "cuda"}, default "cpu"
        Where the network lives (see :meth:`Network.to`); the weights are drawn on the host
        either way, so a seed gives the same network on every device.
    """
    sizes = list(sizes)
    get_namespace(device)  # an unknown or unavailable device fails before any work
    if len(sizes) < 2:
        raise ValidationError(f"sizes needs at least an input and an output width, got {sizes}")
    # Check these even when there is no hidden layer to use them: a typo must not pass.
    _fresh(activation)
    Dropout(dropout)
    rng = check_random_state(random_state)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(Dense(n_in, n_out, bias=bias, init=init, random_state=rng, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(_fresh(activation))
            if dropout:
                layers.append(Dropout(dropout, random_state=rng))
    network = Network(layers, output=output, l2=l2, l1=l1, penalty_scaling=penalty_scaling)
    return network.to(device)


def _fresh(activation: str | Activation) -> Activation:
    """A new activation per layer, so that no two layers share a cache."""
    if isinstance(activation, Activation):
        return type(activation)(**activation.config())
    return get_activation(activation)
