r"""Activation functions: each a small class whose forward and backward sit side by side.

Every activation maps an array ``z`` of any shape ``(n_samples, n_units)`` element-wise
(softmax row-wise) to ``a = f(z)``. ``forward`` keeps in ``self._cache`` only what
``backward`` needs; ``backward(grad_out)`` receives :math:`G = \partial L/\partial a`
(same shape as ``a``) and returns :math:`\partial L/\partial z`.

All of them are stable for :math:`|z|` up to 1e4 and beyond: no overflow warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import ValidationError
from .validation import lookup

Array = NDArray[Any]

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "Activation",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
    "log_softmax",
    "sigmoid",
    "softmax",
]


def sigmoid(z: Array) -> Array:
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, computed without overflow.

    For :math:`z \ge 0` it is :math:`1/(1+e^{-z})`; for :math:`z < 0` the equal form
    :math:`e^{z}/(1+e^{z})`, so ``exp`` only ever sees non-positive numbers.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


_SHIFT_LIMITS = {np.dtype(t): float(np.log(np.finfo(t).max) / 4) for t in (np.float32, np.float64)}


def _softmax_shift(z: Array) -> Array:
    r"""Per-row shift :math:`s` for a stable softmax: the row maximum where it is large.

    :math:`e^{z_k - s}/\sum_j e^{z_j - s}` is the same for any :math:`s`. Rows whose maximum
    :math:`m` lies within :math:`\pm T` (:math:`T` = a quarter of the log of the dtype's
    largest number: 177 in float64, 22 in float32) cannot overflow or lose their largest
    term, so they get :math:`s = 0` and are computed exactly as the textbook formula
    :math:`e^{z_k}/\sum_j e^{z_j}` does, bit for bit; other rows get :math:`s = m`.
    """
    m = z.max(axis=1, keepdims=True)
    limit = np.log(np.finfo(z.dtype).max) / 4
    return np.where(np.abs(m) > limit, m, 0).astype(z.dtype, copy=False)


def softmax_parts(z: Array) -> tuple[Array, Array | None]:
    r"""The unnormalised softmax :math:`e^{z - s}` of each row and the shift :math:`s` used.

    The shift is ``None`` — and :math:`e^{z}` is computed exactly as the textbook formula
    does — when every logit lies within the limit of :func:`_softmax_shift`, which one
    reduction decides; otherwise each row is shifted as :func:`_softmax_shift` says.
    """
    limit = _SHIFT_LIMITS.get(z.dtype)
    if limit is not None and z.size and float(np.abs(z).max()) <= limit:
        return np.exp(z), None
    shift = _softmax_shift(z)
    return np.exp(z - shift), shift


def softmax(z: Array) -> Array:
    r"""Row-wise :math:`\mathrm{softmax}(z)_k = e^{z_k - s} / \sum_j e^{z_j - s}`, stable for any logits.

    The shift :math:`s` (see :func:`_softmax_shift`) keeps ``exp`` from overflowing for large
    logits and leaves moderate rows untouched, so that the tutorials' unshifted formula is
    reproduced to the last bit.
    """
    e, _ = softmax_parts(z)
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(z: Array) -> Array:
    r"""Row-wise :math:`\log\mathrm{softmax}(z) = z - m - \log\sum_j e^{z_j - m}` (log-sum-exp)."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class Activation:
    """Base class: an element-wise (or row-wise) map with no parameters."""

    name: str = "activation"
    params: dict[str, Array]
    grads: dict[str, Array]

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self._cache: Array | None = None

    def __call__(self, z: Array) -> Array:
        """Apply the function without remembering anything (prediction)."""
        return self.function(z)

    def function(self, z: Array) -> Array:
        raise NotImplementedError

    def forward(self, z: Array, training: bool = False) -> Array:
        raise NotImplementedError

    def backward(self, grad_out: Array) -> Array:
        raise NotImplementedError

    def forward_into(self, z: Array, training: bool = False) -> Array:
        """:meth:`forward`, free to write its output over ``z`` (which the caller gives up).

        The network uses this for the fresh output of a Dense layer, which no one else holds,
        to spare an array of that size per pass; the values are those of :meth:`forward`.
        """
        return self.forward(z, training)

    def backward_into(self, grad_out: Array) -> Array:
        """:meth:`backward`, free to write its result over ``grad_out`` (same values)."""
        return self.backward(grad_out)

    def config(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-ready values."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def _cached(self) -> Array:
        if self._cache is None:
            raise ValidationError(f"{type(self).__name__}.backward called before forward")
        return self._cache


class Identity(Activation):
    r"""Identity :math:`a = z`.

    Notes
    -----
    .. math:: \partial L/\partial z = G
    """

    name = "identity"

    def function(self, z: Array) -> Array:
        return z

    def forward(self, z: Array, training: bool = False) -> Array:
        self._cache = z
        return z

    def backward(self, grad_out: Array) -> Array:
        return grad_out


class Sigmoid(Activation):
    r"""Logistic sigmoid :math:`a = \sigma(z) = 1/(1+e^{-z})` (scikit-learn's ``logistic``).

    Notes
    -----
    :math:`\sigma'(z) = \sigma(z)(1-\sigma(z))`, so the derivative is computed from the
    output alone, as the tutorials do:

    .. math:: \partial L/\partial z = G \circ a \circ (1 - a)
    """

    name = "sigmoid"

    def function(self, z: Array) -> Array:
        return sigmoid(z)

    def forward(self, z: Array, training: bool = False) -> Array:
        a = sigmoid(z)
        self._cache = a
        return a

    def backward(self, grad_out: Array) -> Array:
        a = self._cached()
        return grad_out * (a * (1 - a))

    def backward_into(self, grad_out: Array) -> Array:
        a = self._cached()
        return np.multiply(grad_out, a * (1 - a), out=grad_out)


class Tanh(Activation):
    r"""Hyperbolic tangent :math:`a = \tanh(z)`.

    Notes
    -----
    :math:`\tanh'(z) = 1 - \tanh^2(z)`; as in the WildML tutorial,
    :math:`\delta_2 = (1 - a_1^2) \circ \delta_3 W_2^\top`:

    .. math:: \partial L/\partial z = G \circ (1 - a^2)
    """

    name = "tanh"

    def function(self, z: Array) -> Array:
        return np.tanh(z)

    def forward(self, z: Array, training: bool = False) -> Array:
        a = np.tanh(z)
        self._cache = a
        return a

    def backward(self, grad_out: Array) -> Array:
        a = self._cached()
        return grad_out * (1 - a * a)

    def forward_into(self, z: Array, training: bool = False) -> Array:
        a = np.tanh(z, out=z)
        self._cache = a
        return a

    def backward_into(self, grad_out: Array) -> Array:
        a = self._cached()
        return np.multiply(grad_out, 1 - a * a, out=grad_out)


class ReLU(Activation):
    r"""Rectified linear unit :math:`a = \max(0, z)`.

    Notes
    -----
    .. math:: \partial L/\partial z = G \circ [z > 0] = G \circ [a > 0]

    Convention at the kink: :math:`\mathrm{ReLU}'(0) = 0`. The mask is taken from the output
    :math:`a`, so that the forward pass may overwrite :math:`z`.
    """

    name = "relu"

    def function(self, z: Array) -> Array:
        return np.maximum(z, 0)

    def forward(self, z: Array, training: bool = False) -> Array:
        a = np.maximum(z, 0)
        self._cache = a
        return a

    def backward(self, grad_out: Array) -> Array:
        a = self._cached()
        return grad_out * (a > 0)

    def forward_into(self, z: Array, training: bool = False) -> Array:
        a = np.maximum(z, 0, out=z)
        self._cache = a
        return a

    def backward_into(self, grad_out: Array) -> Array:
        a = self._cached()
        return np.multiply(grad_out, a > 0, out=grad_out)


class LeakyReLU(Activation):
    r"""Leaky ReLU :math:`a = z` for :math:`z > 0`, :math:`a = \alpha z` otherwise.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope :math:`\alpha` for negative inputs (``0 <= alpha < 1``).

    Notes
    -----
    .. math:: \partial L/\partial z = G \circ (1 \text{ if } z > 0 \text{ else } \alpha)

    Convention at the kink: the derivative at 0 is :math:`\alpha`.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        if not 0 <= negative_slope < 1:
            raise ValidationError(f"negative_slope must be in [0, 1), got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def function(self, z: Array) -> Array:
        return np.where(z > 0, z, self.negative_slope * z)

    def forward(self, z: Array, training: bool = False) -> Array:
        self._cache = z
        return self.function(z)

    def backward(self, grad_out: Array) -> Array:
        z = self._cached()
        return grad_out * np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype, copy=False)

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class GELU(Activation):
    r"""Gaussian error linear unit, in its tanh form (Hendrycks & Gimpel, 2016).

    .. math:: a = \tfrac12 z\,(1 + \tanh u), \qquad u = c\,(z + 0.044715\,z^3),
              \quad c = \sqrt{2/\pi}

    — within 1e-3 of the exact :math:`z\,\Phi(z)`, and what PyTorch computes with
    ``approximate="tanh"``.

    Notes
    -----
    With :math:`t = \tanh u` and :math:`du/dz = c\,(1 + 3 \cdot 0.044715\,z^2)`,

    .. math::
        \partial L/\partial z = G \circ \Big[\tfrac12 (1 + t)
            + \tfrac12 z\,(1 - t^2)\,c\,(1 + 0.134145\,z^2)\Big]
    """

    name = "gelu"
    _C = float(np.sqrt(2.0 / np.pi))
    _K = 0.044715

    def function(self, z: Array) -> Array:
        return 0.5 * z * (1.0 + np.tanh(self._C * (z + self._K * z * z * z)))

    def forward(self, z: Array, training: bool = False) -> Array:
        t = np.tanh(self._C * (z + self._K * z * z * z))
        self._cache = np.stack([z, t])
        return 0.5 * z * (1.0 + t)

    def backward(self, grad_out: Array) -> Array:
        z, t = self._cached()
        du = self._C * (1.0 + 3 * self._K * z * z)
        return grad_out * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du)


class Softmax(Activation):
    r"""Row-wise softmax :math:`a_k = e^{z_k} / \sum_j e^{z_j}` (shifted by the row maximum).

    Used as an output activation for prediction; training pairs logits with the fused
    :class:`~glassnet.losses.SoftmaxCrossEntropy` instead of back-propagating through this.

    Notes
    -----
    The Jacobian is :math:`\partial a_k/\partial z_j = a_k(\delta_{kj} - a_j)`, so for each row

    .. math:: \partial L/\partial z = a \circ \left(G - \textstyle\sum_k G_k a_k\right)
    """

    name = "softmax"

    def function(self, z: Array) -> Array:
        return softmax(z)

    def forward(self, z: Array, training: bool = False) -> Array:
        a = softmax(z)
        self._cache = a
        return a

    def backward(self, grad_out: Array) -> Array:
        a = self._cached()
        return a * (grad_out - (grad_out * a).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "gelu": GELU,
    "softmax": Softmax,
}


def get_activation(spec: str | Activation) -> Activation:
    """Return a fresh activation for a name (``"tanh"``, ``"logistic"``, …) or an instance as is."""
    if isinstance(spec, Activation):
        return spec
    return lookup(spec, ACTIVATIONS, "activation", " or pass an Activation instance")()
