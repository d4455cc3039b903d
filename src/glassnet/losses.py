r"""Losses: each pairs its value (``forward``) with its gradient (``backward``).

``forward(output, target)`` returns the scalar loss :math:`L` and remembers what the
gradient needs; ``backward()`` returns :math:`\partial L/\partial\,\text{output}`, of the
same shape as ``output`` (``(n_samples, n_outputs)``).

Every loss is a sum of per-sample terms :math:`\ell_i`. With ``reduction="mean"``,
:math:`L = \frac1n \sum_i \ell_i`; with ``reduction="sum"``, :math:`L = \sum_i \ell_i`
(the WildML tutorial sums its gradient over the examples).

The two cross-entropies take *logits* and fuse their output function into the loss —
that is what makes their gradient the famous :math:`\delta = \hat y - y`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import (
    Activation,
    Exp,
    Sigmoid,
    Softmax,
    log_softmax,
    sigmoid,
    softmax,
    softmax_and_shift,
)
from .backend import namespace_of
from .errors import ValidationError
from .validation import all_finite, check_sample_weight, lookup

Array = NDArray[Any]

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "PoissonDeviance",
    "SoftmaxCrossEntropy",
    "SumSquaredError",
    "default_loss",
    "get_loss",
    "prepare_target",
]

_REDUCTIONS = ("mean", "sum")


def _c_order(a: Array) -> Array:
    """``a`` itself when C-contiguous, else a C-ordered copy (as the flat positions need)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


class Loss:
    """Base class. Subclasses define ``_per_sample`` and ``_grad_per_sample``."""

    name = "loss"
    #: what one row's loss is, in words (for progress lines, tables and pictures)
    per_row = "loss"
    #: the activation that turns the network's raw output into predictions
    output_activation = "identity"
    default_reduction = "mean"

    def __init__(self, reduction: str | None = None) -> None:
        reduction = self.default_reduction if reduction is None else reduction
        if reduction not in _REDUCTIONS:
            raise ValidationError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
        self._cache: tuple[Array, Array, Array | None] | None = None

    def describe(self) -> str:
        """The value :meth:`forward` returns, in words: ``"mean cross-entropy per row"``."""
        if self.reduction == "mean":
            return f"mean {self.per_row} per row"
        return f"{self.per_row} summed over rows"

    # -- shared plumbing -----------------------------------------------------------------
    def _scale(self, n: int) -> float:
        return 1.0 / n if self.reduction == "mean" else 1.0

    def _check(self, output: Array, target: Array) -> tuple[Array, Array]:
        output = np.asarray(output)
        if output.ndim != 2:
            raise ValidationError(
                f"{type(self).__name__} needs output of shape (n_samples, n_outputs), "
                f"got {output.shape}"
            )
        target = self._prepare_target(output, np.asarray(target))
        return output, target

    def check_target(self, target: Array, n_outputs: int, dtype: Any) -> Array:
        """Validate ``target`` for outputs of width ``n_outputs`` once, ahead of many passes.

        What this returns can be given to :meth:`forward` with ``validated=True``, which then
        skips the checks (the training loop does this).
        """
        target = np.asarray(target)
        return self._prepare_target(np.empty((target.shape[0], n_outputs), dtype), target)

    def _prepare_target(self, output: Array, target: Array) -> Array:
        if target.ndim == 1:
            target = target.reshape(-1, 1)
        if target.shape != output.shape:
            raise ValidationError(
                f"target shape {target.shape} does not match output shape {output.shape}"
            )
        return target.astype(output.dtype, copy=False)

    def forward(
        self,
        output: Array,
        target: Array,
        sample_weight: Array | None = None,
        *,
        validated: bool = False,
    ) -> float:
        r"""Return the loss :math:`L` of ``output`` against ``target``.

        With ``sample_weight`` :math:`w`, :math:`L = \sum_i w_i \ell_i / \sum_i w_i` (mean) or
        :math:`\sum_i w_i \ell_i` (sum); integer weights act as repeated rows.
        ``validated=True`` skips the checks of arguments that :meth:`check_target` (and the
        weights' own check) already passed.
        """
        if not validated:
            output, target = self._check(output, target)
            if sample_weight is not None:
                sample_weight = check_sample_weight(sample_weight, output.shape[0], output.dtype)
        w = sample_weight
        self._cache = (output, target, w)
        per_sample = self._per_sample(output, target)
        if w is None:
            return float(per_sample.sum() * self._scale(output.shape[0]))
        total = float(per_sample @ w)
        if self.reduction == "sum":
            return total
        weight = float(w.sum())  # a batch whose rows all weigh 0 contributes nothing
        return total / weight if weight > 0 else 0.0

    def __call__(self, output: Array, target: Array, sample_weight: Array | None = None) -> float:
        return self.forward(output, target, sample_weight)

    def backward(self) -> Array:
        r"""Return :math:`\partial L/\partial\,\text{output}` for the last ``forward``.

        Row :math:`i` is :math:`\partial\ell_i/\partial\,\text{output}_i` times
        :math:`w_i/\sum w` (mean) or :math:`w_i` (sum); without weights :math:`w_i = 1`.
        """
        if self._cache is None:
            raise ValidationError(f"{type(self).__name__}.backward called before forward")
        output, target, w = self._cache
        grad = self._grad_per_sample(output, target)
        if w is not None:
            weight = float(w.sum()) if self.reduction == "mean" else 1.0
            grad *= (w / weight if weight > 0 else np.zeros_like(w))[:, None]
        elif self.reduction == "mean":
            grad /= output.shape[0]
        return grad

    def _per_sample(self, output: Array, target: Array) -> Array:
        raise NotImplementedError

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        return {"reduction": self.reduction}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class SoftmaxCrossEntropy(Loss):
    r"""Categorical cross-entropy on logits, with the softmax fused in.

    ``target`` is either class indices of shape ``(n,)`` or one-hot / probability rows of
    shape ``(n, n_classes)``.

    Notes
    -----
    With :math:`\hat y = \mathrm{softmax}(z)` and one-hot :math:`y`,

    .. math::
        \ell_i = -\sum_k y_{ik} \log \hat y_{ik}
               = (m_i - z_{i y_i}) + \log\sum_j e^{z_{ij} - m_i},
        \qquad \frac{\partial \ell_i}{\partial z_i} = \hat y_i - y_i

    — the WildML tutorial's :math:`\delta_3 = \hat y - y`. When every logit is moderate
    (see :func:`~glassnet.activations.softmax_and_shift`) no :math:`\hat y_{ik}` underflows
    and :math:`\ell_i = -\log \hat y_{i y_i}` is the tutorial's own formula; otherwise the
    log-probabilities come from the shifted log-sum-exp (:math:`m_i` the row maximum), whose
    sum lies in :math:`[1, K]`, so that tied logits of :math:`10^{300}` still give
    :math:`\log 2`, and logits of :math:`\pm 10^4` finite values.
    """

    name = "softmax_cross_entropy"
    per_row = "cross-entropy"
    output_activation = "softmax"

    def __init__(self, reduction: str | None = None) -> None:
        super().__init__(reduction)
        #: ŷ of the last forward pass, which backward turns into ŷ − y in place
        self._probs: Array | None = None
        #: i·K + yᵢ, the flat positions of the targets in an (n, K) array (see _positions)
        self._target_positions: Array | None = None
        #: i·K for each row, kept between passes for the shape and array type in _offsets_for
        self._row_offsets: Array | None = None
        self._offsets_for: tuple[tuple[int, ...], type] | None = None

    def _prepare_target(self, output: Array, target: Array) -> Array:
        n, k = output.shape
        if target.ndim == 1:
            if target.shape[0] != n:
                raise ValidationError(f"target has {target.shape[0]} labels for {n} outputs")
            if not np.issubdtype(target.dtype, np.integer):
                with np.errstate(invalid="ignore"):  # NaN and inf fail the test below
                    whole = bool(np.all(np.mod(target, 1) == 0))
                if not whole:
                    raise ValidationError(
                        "class targets must be integer indices 0..n_classes-1 or one-hot rows"
                    )
            if target.size and (target.min() < 0 or target.max() >= k):
                raise ValidationError(
                    f"class index out of range: labels must lie in 0..{k - 1} for {k} outputs, "
                    f"got {target.min()}..{target.max()}"
                )
            return target.astype(np.intp, copy=False)  # in range now: the cast is exact
        return super()._prepare_target(output, target)

    def _per_sample(self, output: Array, target: Array) -> Array:
        output = _c_order(output)  # the flat positions below read it row by row
        probs, shifted = softmax_and_shift(output)
        self._probs = probs  # ŷ, kept for the gradient
        if target.ndim == 2:  # ℓᵢ = −Σ_k y_ik log ŷ_ik, with 0 · log 0 = 0
            log_probs = log_softmax(output) if shifted else np.log(probs)
            return -(target * np.where(target != 0, log_probs, 0)).sum(axis=1)
        at = self._positions(output, target)
        if shifted:  # ℓᵢ = (mᵢ − z_{i,yᵢ}) + log Σⱼ e^{z_ij − mᵢ}: nothing cancels
            return -log_softmax(output).reshape(-1)[at]
        picked = probs.reshape(-1)[at]  # ŷ_{i,yᵢ}, which moderate logits keep from underflow
        return np.negative(np.log(picked, out=picked), out=picked)  # ℓᵢ = −log ŷ_{i,yᵢ}

    def _positions(self, output: Array, target: Array) -> Array:
        """``arange(n)·K + target``: where each row's target class sits in ``output.ravel()``.

        ``arange(n)·K`` is kept between passes (it depends on the shape only); the
        targets are added afresh every time.
        """
        if self._row_offsets is None or self._offsets_for != (output.shape, type(output)):
            n, k = output.shape
            self._row_offsets = namespace_of(output).arange(n) * k
            self._offsets_for = (output.shape, type(output))
        self._target_positions = self._row_offsets + target
        return self._target_positions

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        grad, self._probs = self._probs, None  # ŷ, written over by ŷ − y
        if grad is None or grad.shape != output.shape:  # a second backward after one forward
            grad = softmax(_c_order(output))
            if target.ndim == 1:
                self._positions(output, target)
        if target.ndim == 2:
            return np.subtract(grad, target, out=grad)  # δ = ŷ − y
        grad.reshape(-1)[self._target_positions] -= 1  # δ = ŷ − y, y one-hot at yᵢ
        return grad


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy on logits, with the sigmoid fused in (one or several outputs).

    ``target`` holds 0/1 (or probabilities) of shape ``(n,)`` or ``(n, n_outputs)``.

    Notes
    -----
    With :math:`\hat y = \sigma(z)`,

    .. math::
        \ell_i = -\sum_k \big[y_{ik}\log\hat y_{ik} + (1-y_{ik})\log(1-\hat y_{ik})\big]
               = \sum_k \big[\mathrm{softplus}(z_{ik}) - y_{ik} z_{ik}\big],
        \qquad \frac{\partial \ell_i}{\partial z_i} = \hat y_i - y_i

    where :math:`\mathrm{softplus}(z) = \max(z, 0) + \log(1 + e^{-|z|})` never overflows.
    """

    name = "binary_cross_entropy"
    per_row = "binary cross-entropy"
    output_activation = "sigmoid"

    def _per_sample(self, output: Array, target: Array) -> Array:
        softplus = np.maximum(output, 0) + np.log1p(np.exp(-np.abs(output)))
        return (softplus - target * output).sum(axis=1)

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        return sigmoid(output) - target


class MeanSquaredError(Loss):
    r"""Mean squared error :math:`\ell_i = \frac1K\sum_k (\hat y_{ik} - y_{ik})^2`.

    Notes
    -----
    .. math:: \frac{\partial \ell_i}{\partial \hat y_i} = \frac2K(\hat y_i - y_i)
    """

    name = "mean_squared_error"
    per_row = "squared error"

    def _per_sample(self, output: Array, target: Array) -> Array:
        diff = output - target
        return (diff * diff).mean(axis=1)

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        return (2.0 / output.shape[1]) * (output - target)


class SumSquaredError(Loss):
    r"""Sum of squares :math:`\ell_i = c\sum_k (y_{ik} - \hat y_{ik})^2`, summed by default.

    Parameters
    ----------
    scale : float, default 0.5
        The factor :math:`c`: 0.5 gives the ml4a tutorial's :math:`\frac12\sum(y-\hat y)^2`,
        1.0 the toy tutorial's :math:`\sum(y-\hat y)^2`.
    reduction : {"sum", "mean"}, default "sum"

    Notes
    -----
    .. math:: \frac{\partial \ell_i}{\partial \hat y_i} = 2c\,(\hat y_i - y_i)
    """

    name = "sum_squared_error"
    per_row = "half squared error"
    default_reduction = "sum"

    def __init__(self, scale: float = 0.5, reduction: str | None = None) -> None:
        super().__init__(reduction)
        if not scale > 0:
            raise ValidationError(f"scale must be > 0, got {scale!r}")
        self.scale = float(scale)
        self.per_row = "half squared error" if scale == 0.5 else f"{scale:g} × squared error"

    def _per_sample(self, output: Array, target: Array) -> Array:
        diff = target - output
        return self.scale * (diff * diff).sum(axis=1)

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        return (2.0 * self.scale) * (output - target)

    def config(self) -> dict[str, Any]:
        return {"scale": self.scale, "reduction": self.reduction}


class MeanAbsoluteError(Loss):
    r"""Mean absolute error :math:`\ell_i = \frac1K\sum_k |\hat y_{ik} - y_{ik}|`.

    Notes
    -----
    .. math:: \frac{\partial \ell_i}{\partial \hat y_i} = \frac1K\,\mathrm{sign}(\hat y_i - y_i)

    with the subgradient 0 at :math:`\hat y = y`.
    """

    name = "mean_absolute_error"
    per_row = "absolute error"

    def _per_sample(self, output: Array, target: Array) -> Array:
        return np.abs(output - target).mean(axis=1)

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        return np.sign(output - target) / output.shape[1]


class PoissonDeviance(Loss):
    r"""Half Poisson deviance on log-rates, with the exponential (log link) fused in.

    The network's raw output :math:`z` is the log of the predicted rate
    :math:`\hat y = e^z` (its output function is :class:`~glassnet.activations.Exp`);
    ``target`` holds non-negative counts or rates of shape ``(n,)`` or ``(n, n_outputs)``.
    scikit-learn's ``MLPRegressor(loss="poisson")`` trains on this loss.

    Notes
    -----
    Half the Poisson deviance of each output, summed over the outputs:

    .. math::
        \ell_i = \sum_k \Big[y_{ik}\log\frac{y_{ik}}{\hat y_{ik}} - y_{ik} + \hat y_{ik}\Big]
               = \sum_k \big[y_{ik}\log y_{ik} - y_{ik} z_{ik} + e^{z_{ik}} - y_{ik}\big],
        \qquad \frac{\partial \ell_i}{\partial z_i} = \hat y_i - y_i

    with :math:`0 \log 0 = 0`. It is 0 where :math:`\hat y = y`, and the log link makes its
    gradient the same :math:`\delta = \hat y - y` as the cross-entropies'. A negative target
    has no Poisson deviance: it raises :class:`~glassnet.errors.ValidationError`.
    """

    name = "poisson"
    per_row = "half Poisson deviance"
    output_activation = "exp"

    def _prepare_target(self, output: Array, target: Array) -> Array:
        target = super()._prepare_target(output, target)
        if target.size and float(target.min()) < 0:
            raise ValidationError(
                "the Poisson loss needs non-negative targets (counts or rates); "
                f"got a minimum of {float(target.min())}"
            )
        return target

    def _per_sample(self, output: Array, target: Array) -> Array:
        y_log_y = target * np.log(np.where(target > 0, target, 1))  # y log y, 0 log 0 = 0
        return (y_log_y - target * output + np.exp(output) - target).sum(axis=1)

    def _grad_per_sample(self, output: Array, target: Array) -> Array:
        return np.exp(output) - target  # δ = ŷ − y


LOSSES: dict[str, type[Loss]] = {
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "cross_entropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "sum_squared_error": SumSquaredError,
    "sse": SumSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "poisson": PoissonDeviance,
}


def get_loss(spec: str | Loss) -> Loss:
    """Return a fresh loss for a name in :data:`LOSSES`, or an instance as is."""
    if isinstance(spec, Loss):
        return spec
    return lookup(spec, LOSSES, "loss")()


def default_loss(output: Activation) -> Loss:
    """The loss that pairs with a network's output function: softmax → cross-entropy,
    sigmoid → binary cross-entropy, exp → Poisson deviance, anything else → mean squared
    error."""
    if isinstance(output, Exp):
        return PoissonDeviance()
    if isinstance(output, Softmax):
        return SoftmaxCrossEntropy()
    if isinstance(output, Sigmoid):
        return BinaryCrossEntropy()
    return MeanSquaredError()


def prepare_target(y: ArrayLike, n: int, loss: Loss, dtype: Any) -> Array:
    """``y`` checked for ``n`` rows: class indices stay integers for the cross-entropy, every
    other target is cast to ``dtype``."""
    arr = np.asarray(y)
    if arr.ndim not in (1, 2):
        raise ValidationError(f"y must be 1-D or 2-D, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValidationError(f"X has {n} rows but y has {arr.shape[0]}; they must match")
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise ValidationError(
            f"y must be numeric (class indices or values), got dtype {arr.dtype}; "
            "encode string labels first"
        )
    if not all_finite(arr):
        raise ValidationError("y contains NaN or infinite values")
    if isinstance(loss, SoftmaxCrossEntropy) and arr.ndim == 1:
        return arr
    return arr.astype(dtype, copy=False)
