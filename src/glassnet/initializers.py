r"""Weight initialisers, each drawing from an explicit ``random_state``.

Each initialiser is a function ``init(shape, random_state, dtype) -> array`` for a weight
matrix of shape ``(fan_in, fan_out)``. An int ``random_state`` means ``RandomState(int)``,
so ``random_state=0`` draws what a tutorial draws after ``np.random.seed(0)``.

============================  ==========================================================
name                          distribution
============================  ==========================================================
``scaled_normal``             :math:`\mathcal N(0,1)/\sqrt{\text{fan\_in}}` (WildML: ``randn / sqrt(fan_in)``)
``standard_normal``           :math:`\mathcal N(0,1)` (ml4a's ``np.random.randn``)
``uniform``                   :math:`U[0, 1)` (the 4-row toy's ``np.random.rand``)
``glorot_uniform``            :math:`U[-l, l]`, :math:`l = \sqrt{6/(\text{fan\_in}+\text{fan\_out})}`
``glorot_normal``             :math:`\mathcal N(0, 2/(\text{fan\_in}+\text{fan\_out}))`
``he_normal``                 :math:`\mathcal N(0, 2/\text{fan\_in})`
``he_uniform``                :math:`U[-l, l]`, :math:`l = \sqrt{6/\text{fan\_in}}`
``zeros``                     all zeros (biases; never for weights of a hidden layer)
============================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .errors import ValidationError
from .validation import RandomStateLike, check_random_state, lookup

Array = NDArray[Any]
Initializer = Callable[[tuple[int, ...], RandomStateLike, DTypeLike], Array]

__all__ = [
    "INITIALIZERS",
    "get_initializer",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "scaled_normal",
    "standard_normal",
    "uniform",
    "zeros",
]


def _normal(shape: tuple[int, ...], random_state: RandomStateLike) -> Array:
    return check_random_state(random_state).standard_normal(shape)


def _unit_uniform(shape: tuple[int, ...], random_state: RandomStateLike) -> Array:
    return check_random_state(random_state).random(shape)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValidationError(f"weight shape must be (fan_in, fan_out), got {shape}")
    return shape[0], shape[1]


def scaled_normal(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    """``randn(fan_in, fan_out) / sqrt(fan_in)``, the WildML tutorial's initialiser."""
    fan_in, _ = _fans(shape)
    return (_normal(shape, random_state) / np.sqrt(fan_in)).astype(dtype, copy=False)


def standard_normal(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    """``randn(fan_in, fan_out)``, unscaled (the ml4a tutorial)."""
    return _normal(shape, random_state).astype(dtype, copy=False)


def uniform(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    """``rand(fan_in, fan_out)``: uniform on [0, 1) (the 4-row toy tutorial)."""
    return _unit_uniform(shape, random_state).astype(dtype, copy=False)


def glorot_uniform(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    r"""Glorot & Bengio (2010): :math:`U[-l, l]`, :math:`l=\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`."""
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return ((2 * _unit_uniform(shape, random_state) - 1) * limit).astype(dtype, copy=False)


def glorot_normal(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    r"""Glorot normal: :math:`\mathcal N(0, 2/(\text{fan\_in}+\text{fan\_out}))`."""
    fan_in, fan_out = _fans(shape)
    scale = np.sqrt(2.0 / (fan_in + fan_out))
    return (_normal(shape, random_state) * scale).astype(dtype, copy=False)


def he_normal(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    r"""He et al. (2015): :math:`\mathcal N(0, 2/\text{fan\_in})`, for ReLU networks."""
    fan_in, _ = _fans(shape)
    return (_normal(shape, random_state) * np.sqrt(2.0 / fan_in)).astype(dtype, copy=False)


def he_uniform(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    r"""He uniform: :math:`U[-l, l]`, :math:`l = \sqrt{6/\text{fan\_in}}`."""
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return ((2 * _unit_uniform(shape, random_state) - 1) * limit).astype(dtype, copy=False)


def zeros(
    shape: tuple[int, ...], random_state: RandomStateLike = None, dtype: DTypeLike = np.float64
) -> Array:
    """All zeros; draws nothing from ``random_state``."""
    return np.zeros(shape, dtype=dtype)


INITIALIZERS: dict[str, Initializer] = {
    "scaled_normal": scaled_normal,
    "standard_normal": standard_normal,
    "uniform": uniform,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "zeros": zeros,
}


def get_initializer(spec: str | Initializer) -> Initializer:
    """Return the initialiser for a name in :data:`INITIALIZERS`, or a callable as is."""
    if callable(spec):
        return spec
    return lookup(spec, INITIALIZERS, "initializer", " or pass a function")
