r"""Activation functions: each a small class whose forward and backward sit side by side.

Every activation maps an array ``z`` of any shape ``(n_samples, n_units)`` element-wise
(softmax row-wise) to ``a = f(z)``. ``forward`` keeps in ``self._cache`` only what
``backward`` needs; ``backward(grad_out)`` receives :math:`G = \partial L/\partial a`
(same shape as ``a``) and returns :math:`\partial L/\partial z`.

All of them but :class:`Exp` (whose value itself leaves the floating-point range above
:math:`z \approx 709`) are stable for :math:`|z|` up to 1e4 and beyond: no overflow warnings.
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
    "Exp",
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


def sigmoid(z: Array, out: Array | None = None) -> Array:
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, computed without overflow.

    With :math:`e = e^{-|z|}`, :math:`\sigma(z) = 1/(1+e)` for :math:`z \ge 0` and
    :math:`e/(1+e)` for :math:`z < 0`, so ``exp`` only ever sees non-positive numbers.
    ``out`` receives the result when given (it may be ``z`` itself).
    """
    e = np.exp(-np.abs(z))
    return np.divide(np.where(z >= 0, 1, e), 1 + e, out=out)


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


def _shifted(z: Array, shift: Array) -> Array:
    r""":math:`z - s` row by row, and :math:`-\infty` where it lies below the dtype's range.

    Computed as :math:`2\,(z/2 - s/2)`: the halves cannot overflow, and doubling the rounded
    half gives the rounded difference itself. Where the half is below :math:`-\max/2` the
    difference is below :math:`-\max`, which rounds to :math:`-\infty` (and
    :math:`e^{z - s}` to 0): it is written as such instead of overflowing.
    """
    half = z / 2 - shift / 2
    limit = np.finfo(z.dtype).max / 2
    return np.where(half < -limit, -np.inf, 2 * np.maximum(half, -limit))


def _row_sum(e: Array) -> Array:
    """:math:`\\sum_j e_j` per row, as a column; two columns are one addition (the same number
    that ``e.sum(axis=1)`` gives, without NumPy's reduction machinery)."""
    return e[:, :1] + e[:, 1:] if e.shape[1] == 2 else e.sum(axis=1, keepdims=True)


def softmax_and_shift(z: Array, out: Array | None = None) -> tuple[Array, bool]:
    r"""Row-wise :math:`\hat y_k = e^{z_k - s} / \sum_j e^{z_j - s}`, and whether any row was shifted.

    Unshifted (:math:`s = 0`, ``False``) when every logit lies within the limit :math:`T` of
    :func:`_softmax_shift`, which one reduction decides: then :math:`\hat y` is the textbook
    formula to the last bit and no :math:`\hat y_k` underflows. Otherwise each row is shifted
    as :func:`_softmax_shift` says (``True``). ``out`` receives :math:`\hat y` when given.
    """
    limit = _SHIFT_LIMITS.get(z.dtype)
    shifted = not (limit is not None and z.size and float(np.abs(z).max()) <= limit)
    e = np.exp(_shifted(z, _softmax_shift(z)) if shifted else z, out=out)
    return np.divide(e, _row_sum(e), out=e), shifted


def softmax(z: Array, out: Array | None = None) -> Array:
    r"""Row-wise :math:`\mathrm{softmax}(z)_k = e^{z_k - s} / \sum_j e^{z_j - s}`, stable for any logits.

    The shift :math:`s` (see :func:`_softmax_shift`) keeps ``exp`` from overflowing for large
    logits and leaves moderate rows untouched, so that the tutorials' unshifted formula is
    reproduced to the last bit. ``out`` receives the result when given (it may be ``z``).
    """
    return softmax_and_shift(z, out)[0]


def log_softmax(z: Array) -> Array:
    r"""Row-wise :math:`\log\mathrm{softmax}(z) = d - \log\sum_j e^{d_j}`, :math:`d = z - \max_j z_j`.

    :math:`d \le 0`, so the sum lies in :math:`[1, K]` and its log loses nothing; entries whose
    :math:`d` is below the dtype's range are :math:`-\infty` (see :func:`_shifted`).
    """
    d = _shifted(z, z.max(axis=1, keepdims=True))
    return d - np.log(np.exp(d).sum(axis=1, keepdims=True))


class Activation:
    r"""Base class: an element-wise (or row-wise) map :math:`a = f(z)` with no parameters.

    ``forward(z, training, out=None)`` computes :math:`a` and keeps what ``backward`` needs;
    ``backward(grad_out, out=None)`` returns :math:`\partial L/\partial z`. Each is one NumPy
    expression; ``out``, an array of the result's shape, receives the result instead of a new
    array — it may be the input itself (the network's training pass writes over the output of
    the layer before, as scikit-learn writes ``np.tanh(X, out=X)``).
    """

    name: str = "activation"
    params: dict[str, Array]
    grads: dict[str, Array]

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self._cache: Array | None = None

    def __call__(self, z: Array) -> Array:
        """Apply the function without remembering anything (prediction)."""
        kept = self._cache
        a = self.forward(z)
        self._cache = kept
        return a

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        raise NotImplementedError

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        raise NotImplementedError

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

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = np.positive(z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        return np.positive(grad_out, out=out)


class Sigmoid(Activation):
    r"""Logistic sigmoid :math:`a = \sigma(z) = 1/(1+e^{-z})` (scikit-learn's ``logistic``).

    Notes
    -----
    :math:`\sigma'(z) = \sigma(z)(1-\sigma(z))`, so the derivative is computed from the
    output alone, as the tutorials do:

    .. math:: \partial L/\partial z = G \circ a \circ (1 - a)
    """

    name = "sigmoid"

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = sigmoid(z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        a = self._cached()
        return np.multiply(grad_out, a * (1 - a), out=out)


class Tanh(Activation):
    r"""Hyperbolic tangent :math:`a = \tanh(z)`.

    Notes
    -----
    :math:`\tanh'(z) = 1 - \tanh^2(z)`; as in the WildML tutorial,
    :math:`\delta_2 = (1 - a_1^2) \circ \delta_3 W_2^\top`:

    .. math:: \partial L/\partial z = G \circ (1 - a^2)
    """

    name = "tanh"

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = np.tanh(z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        a = self._cached()
        return np.multiply(grad_out, 1 - a * a, out=out)


class ReLU(Activation):
    r"""Rectified linear unit :math:`a = \max(0, z)`.

    Notes
    -----
    .. math:: \partial L/\partial z = G \circ [z > 0] = G \circ [a > 0]

    Convention at the kink: :math:`\mathrm{ReLU}'(0) = 0`. The mask is taken from the output
    :math:`a`, so that the forward pass may overwrite :math:`z`.
    """

    name = "relu"

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = np.maximum(z, 0, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        a = self._cached()
        return np.multiply(grad_out, a > 0, out=out)


class LeakyReLU(Activation):
    r"""Leaky ReLU :math:`a = z` for :math:`z > 0`, :math:`a = \alpha z` otherwise.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope :math:`\alpha` for negative inputs (``0 <= alpha < 1``).

    Notes
    -----
    As :math:`0 \le \alpha < 1`, :math:`a = \max(z, \alpha z)`, and

    .. math:: \partial L/\partial z = G \circ (1 \text{ if } a > 0 \text{ else } \alpha)

    Convention at the kink: the derivative at 0 is :math:`\alpha`. As :math:`\alpha \ge 0`,
    :math:`a > 0` exactly where :math:`z > 0`: the mask is taken from the output, so that the
    forward pass may overwrite :math:`z`.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        if not 0 <= negative_slope < 1:
            raise ValidationError(f"negative_slope must be in [0, 1), got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = np.maximum(z, self.negative_slope * z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        a = self._cached()
        slope = np.where(a > 0, 1, self.negative_slope).astype(a.dtype, copy=False)
        return np.multiply(grad_out, slope, out=out)

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

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        t = np.tanh(self._C * (z + self._K * z * z * z))  # t = tanh u
        self._cache = np.stack([z, t])
        return np.multiply(0.5 * z, 1.0 + t, out=out)  # a = ½ z (1 + t)

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        z, t = self._cached()
        du = self._C * (1.0 + 3 * self._K * z * z)
        return np.multiply(grad_out, 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du, out=out)


class Exp(Activation):
    r"""Exponential :math:`a = e^z`: the inverse of the log link (scikit-learn's ``exp`` output).

    Turns a log-rate into a rate, as the output of a Poisson regressor; training pairs it
    with the fused :class:`~glassnet.losses.PoissonDeviance`, which takes the log-rate.
    Overflows to :math:`+\infty` above :math:`z \approx 709` (float64), like ``np.exp``.

    Notes
    -----
    :math:`\frac{d}{dz}e^z = e^z = a`, so the derivative is the output itself:

    .. math:: \partial L/\partial z = G \circ a
    """

    name = "exp"

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = np.exp(z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        return np.multiply(grad_out, self._cached(), out=out)


class Softmax(Activation):
    r"""Row-wise softmax :math:`a_k = e^{z_k} / \sum_j e^{z_j}` (shifted where the logits are large).

    Used as an output activation for prediction; training pairs logits with the fused
    :class:`~glassnet.losses.SoftmaxCrossEntropy` instead of back-propagating through this.

    Notes
    -----
    The Jacobian is :math:`\partial a_k/\partial z_j = a_k(\delta_{kj} - a_j)`, so for each row

    .. math:: \partial L/\partial z = a \circ \left(G - \textstyle\sum_k G_k a_k\right)
    """

    name = "softmax"

    def forward(self, z: Array, training: bool = False, out: Array | None = None) -> Array:
        self._cache = a = softmax(z, out=out)
        return a

    def backward(self, grad_out: Array, out: Array | None = None) -> Array:
        a = self._cached()
        return np.multiply(a, grad_out - (grad_out * a).sum(axis=1, keepdims=True), out=out)


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
    "exp": Exp,
}


def get_activation(spec: str | Activation) -> Activation:
    """Return a fresh activation for a name (``"tanh"``, ``"logistic"``, …) or an instance as is."""
    if isinstance(spec, Activation):
        return spec
    return lookup(spec, ACTIVATIONS, "activation", " or pass an Activation instance")()
