r"""Layers with parameters or randomness: :class:`Dense` and :class:`Dropout`.

A layer maps a batch ``x`` of shape ``(n_samples, n_in)`` to ``(n_samples, n_out)``.
``forward`` keeps what ``backward`` needs in ``self._cache``; ``backward(grad_out)``
returns :math:`\partial L/\partial x` and writes the parameter gradients into
``self.grads``, which has the same keys as ``self.params``.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .backend import is_sparse, namespace_of, to_device
from .errors import ValidationError
from .initializers import Initializer, get_initializer
from .validation import RandomStateLike, check_random_state

Array = NDArray[Any]

__all__ = ["Dense", "Dropout"]


def _product(a: Array, b: Array, out: Array | None) -> Array:
    """``a @ b``, into ``out`` when given.

    ``np.dot`` writes into ``out`` with less overhead than ``np.matmul`` (it skips the
    general ufunc machinery), and both hand 2-D arrays to the same BLAS routine, so the
    numbers are the same; ``np.dot`` takes ``out`` only in the exact dtype of the product,
    so other cases (and ``out=None``) go through ``np.matmul``.

    A sparse ``a`` (a SciPy CSR input ``X``, or its transpose in a weight gradient) is
    multiplied by the sparse object's own ``@``, which takes no ``out``: its dense product is
    copied into ``out`` when given. ``a`` itself is never made dense.
    """
    if is_sparse(a):
        product = a @ b
        if out is None:
            return product
        np.copyto(out, product, casting="same_kind")
        return out
    if out is not None and a.dtype == b.dtype == out.dtype:
        return np.dot(a, b, out)
    return np.matmul(a, b, out=out)


class Dense:
    r"""Fully connected layer :math:`Z = XW + b`.

    ``X`` may be a SciPy sparse matrix in CSR form (a first layer's input): :math:`XW` and
    :math:`X^\top G` are then sparse-times-dense products, and ``X`` is never made dense.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths; ``W`` has shape ``(n_in, n_out)`` and ``b`` shape ``(n_out,)``.
    bias : bool, default True
        Whether the layer has a bias (the ml4a and toy tutorials use none).
    init : str or callable, default ``"scaled_normal"``
        Weight initialiser (see :mod:`glassnet.initializers`); biases start at zero.
    random_state : int, RandomState, Generator or None
        Where the initial weights are drawn from.
    dtype : dtype, default float64
        Dtype of the parameters (float32 networks stay float32).

    Notes
    -----
    With upstream gradient :math:`G = \partial L/\partial Z` of shape ``(n, n_out)``:

    .. math::
        \frac{\partial L}{\partial W} = X^\top G, \qquad
        \frac{\partial L}{\partial b} = \sum_{\text{rows}} G, \qquad
        \frac{\partial L}{\partial X} = G W^\top

    (WildML: :math:`\partial L/\partial W_2 = a_1^\top \delta_3`,
    :math:`\partial L/\partial b_2 = \sum \delta_3`.)
    """

    name = "dense"

    def __init__(
        self,
        n_in: int,
        n_out: int,
        *,
        bias: bool = True,
        init: str | Initializer = "scaled_normal",
        random_state: RandomStateLike = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        for value, label in ((n_in, "n_in"), (n_out, "n_out")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValidationError(f"{label} must be a positive integer, got {value!r}")
        self.n_in, self.n_out, self.bias = int(n_in), int(n_out), bool(bias)
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise ValidationError(f"dtype must be a floating-point type, got {self.dtype}")
        weight = get_initializer(init)((self.n_in, self.n_out), random_state, self.dtype)
        self.params: dict[str, Array] = {"weight": np.ascontiguousarray(weight, self.dtype)}
        if self.bias:
            self.params["bias"] = np.zeros(self.n_out, dtype=self.dtype)
        self.grads: dict[str, Array] = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache: Array | None = None

    def __call__(self, x: Array) -> Array:
        """Forward pass without caching (prediction)."""
        kept = self._cache
        z = self.forward(x)
        self._cache = kept
        return z

    def forward(self, x: Array, training: bool = False, out: Array | None = None) -> Array:
        """:math:`Z = XW + b`; remembers ``X`` for the backward pass.

        ``out``, an array of shape ``(n_samples, n_out)``, receives :math:`Z` instead of a new
        array (the network's training pass reuses one per layer); the values are the same.
        """
        self._cache = x
        z = _product(x, self.params["weight"], out)  # Z = XW
        if self.bias:
            z += self.params["bias"]  # + b
        return z

    @overload
    def backward(self, grad_out: Array, out: Array | None = None) -> Array: ...

    @overload
    def backward(
        self, grad_out: Array, out: Array | None = None, *, input_grad: bool
    ) -> Array | None: ...

    def backward(
        self, grad_out: Array, out: Array | None = None, *, input_grad: bool = True
    ) -> Array | None:
        """Write :math:`X^\\top G` and :math:`\\sum G` into ``grads``; return :math:`G W^\\top`.

        ``out``, of shape ``(n_samples, n_in)``, receives :math:`G W^\\top` when given;
        ``input_grad=False`` skips it and returns ``None`` (a first layer's input needs no
        gradient).
        """
        x = self._cache
        if x is None:
            raise ValidationError("Dense.backward called before forward")
        _product(x.T, grad_out, self.grads["weight"])  # ∂L/∂W = XᵀG
        if self.bias:
            grad_out.sum(axis=0, out=self.grads["bias"])  # ∂L/∂b = Σ_rows G
        return _product(grad_out, self.params["weight"].T, out) if input_grad else None  # GWᵀ

    def config(self) -> dict[str, Any]:
        return {"n_in": self.n_in, "n_out": self.n_out, "bias": self.bias}

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, bias={self.bias})"


class Dropout:
    r"""Inverted dropout: during training, zero each unit with probability ``rate``.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping a unit.
    random_state : int, RandomState, Generator or None
        Where the masks are drawn from.

    Notes
    -----
    In training, with a fresh mask :math:`M_{ij} \sim \text{Bernoulli}(1-p)`,

    .. math:: Y = X \circ M / (1 - p), \qquad \partial L/\partial X = G \circ M / (1 - p)

    so that :math:`\mathbb E[Y] = X` and prediction is the identity :math:`Y = X`.

    Attributes
    ----------
    rng : RandomState or Generator
        Draws the masks (checkpoints save and restore its state).
    """

    name = "dropout"

    def __init__(self, rate: float = 0.5, *, random_state: RandomStateLike = None) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValidationError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.random_state = random_state
        self.rng = check_random_state(random_state)
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self._cache: Array | None = None

    def __call__(self, x: Array) -> Array:
        return x

    def forward(self, x: Array, training: bool = False) -> Array:
        if not training or self.rate == 0.0:
            self._cache = None
            return x
        keep = 1.0 - self.rate
        # Drawn on the host from the layer's own generator, so that a seed gives the same
        # masks on every device; only the 0/1 mask travels to where ``x`` is.
        kept = to_device(self.rng.random(x.shape) < keep, namespace_of(x))
        mask = kept.astype(x.dtype)
        mask /= keep
        self._cache = mask
        return x * mask

    def backward(self, grad_out: Array) -> Array:
        mask = self._cache
        return grad_out if mask is None else grad_out * mask

    def config(self) -> dict[str, Any]:
        return {"rate": self.rate}

    def __repr__(self) -> str:
        return f"Dropout(rate={self.rate})"
