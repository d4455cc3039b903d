"""Everything that decides a playground run, checked, and how it travels in the page's address.

:class:`Settings` holds one run's choices — data, input features, network, loss, optimizer
and display — each with its range. :func:`parse` reads them from the page's address or from
a control in the page (strings or JSON values) and raises a
:class:`~glassnet.errors.ValidationError` that names the setting and its range;
:func:`to_query` writes the settings that differ from the defaults back into an address, so
a link reproduces the setup.

The lists of names (activations, losses, optimizers, schedules, initialisers, features, data
sets) come from the engine's registries; the playground keeps none of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from ..activations import ACTIVATIONS
from ..data import FEATURES
from ..errors import ValidationError
from ..initializers import INITIALIZERS
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from ..schedules import SCHEDULES

__all__ = [
    "CLASSIFICATION_DATASETS",
    "DATA_FIELDS",
    "DISPLAY_FIELDS",
    "LIVE_FIELDS",
    "MAX_LAYERS",
    "MAX_SAMPLES",
    "MAX_UNITS",
    "REGRESSION_DATASETS",
    "Settings",
    "choices",
    "parse",
    "to_query",
]

MAX_LAYERS = 6
"""Hidden layers at most (TensorFlow Playground's limit)."""
MAX_UNITS = 50
"""Units per hidden layer at most: the page's buttons stop at 8, the hidden-size lesson goes to 50."""
BUTTON_UNITS = 8
"""Units per hidden layer the page's + button adds up to."""
MAX_SAMPLES = 2000
"""Points of a generated data set (and rows of an uploaded file) at most."""

CLASSIFICATION_DATASETS = ("circles", "noisy_xor", "blobs", "spiral", "moons", "xor")
"""The built-in data sets the page offers for classification (``xor`` is the 4-row table)."""
REGRESSION_DATASETS = ("plane", "multi_gaussian")
"""… and for regression."""
UPLOAD = "upload"
"""The ``dataset`` of a run on an uploaded CSV file."""


def _canonical(registry: Mapping[str, Any]) -> list[str]:
    """A registry's names without its aliases: the name each class gives itself."""
    return [name for name, kind in registry.items() if getattr(kind, "name", name) == name]


def choices() -> dict[str, list[str]]:
    """The names each choice setting accepts, from the engine's registries."""
    return {
        "dataset": [*CLASSIFICATION_DATASETS, *REGRESSION_DATASETS, UPLOAD],
        "features": list(FEATURES),
        "activation": [n for n in _canonical(ACTIVATIONS) if n != "softmax"],
        "init": list(INITIALIZERS),
        "output": ["auto", "softmax", "sigmoid", "identity"],
        "loss": ["auto", *_canonical(LOSSES)],
        "reduction": ["auto", "mean", "sum"],
        "optimizer": _canonical(OPTIMIZERS),
        "schedule": list(SCHEDULES),
    }


@dataclass(frozen=True)
class Settings:
    """One playground run's choices; the defaults are TensorFlow Playground's where it has them.

    ``batch_size`` is a row count or ``"full"``; ``output`` and ``loss`` ``"auto"`` take what
    the task needs (softmax and cross-entropy for classes, identity and mean squared error for
    values). ``schedule_steps`` is the schedule's period in updates (a step decay's interval,
    the cycle's half-length, ``1/decay`` of the inverse-time rate) and ``gamma`` its factor.
    ``reduction`` ``"auto"`` is the loss's own (a mean, but a sum for the sum of squares);
    ``loss_scale`` is the sum of squares' factor (½ by default, 1 in the toy tutorial).
    ``print_every`` above 0 prints the tutorials' ``Loss after iteration i`` lines.
    ``discretize`` and ``show_test`` change the picture only.
    """

    dataset: str = "circles"
    n_samples: int = 500
    noise: float = 0.1
    test_size: float = 0.5
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    standardize: bool = True
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    init: str = "glorot_uniform"
    bias: bool = True
    dropout: float = 0.0
    output: str = "auto"
    loss: str = "auto"
    reduction: str = "auto"
    loss_scale: float = 0.5
    optimizer: str = "gd"
    learning_rate: float = 0.03
    momentum: float = 0.0
    schedule: str = "constant"
    schedule_steps: int = 1000
    gamma: float = 0.5
    batch_size: int | str = 10
    l1: float = 0.0
    l2: float = 0.0
    print_every: int = 0
    discretize: bool = False
    show_test: bool = False

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed, each parsed and checked."""
        return replace(self, **{name: parse_value(name, value) for name, value in changes.items()})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples as lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


DATA_FIELDS = frozenset({"dataset", "n_samples", "noise", "test_size", "seed", "features"})
DATA_FIELDS |= {"standardize"}
"""Settings that make new data (and so a new network)."""
LIVE_FIELDS = frozenset({"learning_rate", "l1", "l2", "batch_size"})
"""Settings that change a run under way, from the next update on (and are replayed in order)."""
DISPLAY_FIELDS = frozenset({"discretize", "show_test"})
"""Settings of the picture only."""


# -- parsing ---------------------------------------------------------------------------------
def _number(low: float, high: float, *, integer: bool = False) -> Callable[[str, Any], Any]:
    def check(name: str, raw: Any) -> Any:
        value = raw
        if isinstance(raw, str):
            try:
                value = int(raw) if integer else float(raw)
            except ValueError:
                value = None
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and integer and isinstance(value, float):
            ok = value.is_integer()
            value = int(value) if ok else value
        if not ok or not math.isfinite(value) or not low <= value <= high:
            kind = "an integer" if integer else "a number"
            raise ValidationError(f"{name} must be {kind} from {low:g} to {high:g}, got {raw!r}")
        return int(value) if integer else float(value)

    return check


def _choice(name: str, raw: Any) -> str:
    options = choices()[name]
    if not isinstance(raw, str) or raw not in options:
        raise ValidationError(f"{name} must be one of {options}, got {raw!r}")
    return raw


def _flag(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "1", "false", "0"):
        return raw.lower() in ("true", "1")
    raise ValidationError(f"{name} must be true or false, got {raw!r}")


def _items(name: str, raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, (list, tuple)):
        return list(raw)
    raise ValidationError(f"{name} must be a list, got {raw!r}")


def _hidden(name: str, raw: Any) -> tuple[int, ...]:
    unit = _number(1, MAX_UNITS, integer=True)
    sizes = tuple(unit("a hidden layer's width", v) for v in _items(name, raw))
    if len(sizes) > MAX_LAYERS:
        raise ValidationError(f"at most {MAX_LAYERS} hidden layers, got {len(sizes)}")
    return sizes


def _features(name: str, raw: Any) -> tuple[str, ...]:
    names = _items(name, raw)
    known = choices()["features"]
    unknown = [n for n in names if n not in known]
    if unknown or not names or len(set(names)) != len(names):
        raise ValidationError(
            f"features must be distinct names among {known} (at least one), got {raw!r}"
        )
    return tuple(n for n in known if n in names)  # the page's order


def _batch_size(name: str, raw: Any) -> int | str:
    if raw == "full":
        return "full"
    try:
        return int(_number(1, MAX_SAMPLES, integer=True)(name, raw))
    except ValidationError:
        raise ValidationError(
            f"batch_size must be 'full' or an integer from 1 to {MAX_SAMPLES}, got {raw!r}"
        ) from None


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "dataset": _choice,
    "n_samples": _number(10, MAX_SAMPLES, integer=True),
    "noise": _number(0, 1),
    "test_size": _number(0, 0.9),
    "seed": _number(0, 2**31 - 1, integer=True),
    "features": _features,
    "standardize": _flag,
    "hidden": _hidden,
    "activation": _choice,
    "init": _choice,
    "bias": _flag,
    "dropout": _number(0, 0.9),
    "output": _choice,
    "loss": _choice,
    "reduction": _choice,
    "loss_scale": _number(1e-3, 10),
    "optimizer": _choice,
    "learning_rate": _number(1e-6, 10),
    "momentum": _number(0, 0.99),
    "schedule": _choice,
    "schedule_steps": _number(1, 10**6, integer=True),
    "gamma": _number(1e-3, 1),
    "batch_size": _batch_size,
    "l1": _number(0, 10),
    "l2": _number(0, 10),
    "print_every": _number(0, 10**6, integer=True),
    "discretize": _flag,
    "show_test": _flag,
}


def parse_value(name: str, raw: Any) -> Any:
    """One setting from a string (the address) or a JSON value (a control), checked."""
    parser = _PARSERS.get(name) if isinstance(name, str) else None
    if parser is None:
        raise ValidationError(f"unknown setting {name!r}; the settings are {sorted(_PARSERS)}")
    return parser(name, raw)


def parse(values: Mapping[str, Any], base: Settings | None = None) -> Settings:
    """``base`` (default: the defaults) with ``values`` applied; the first bad one raises."""
    return (base or Settings()).with_(**dict(values))


def _text(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_query(settings: Settings) -> str:
    """The settings that differ from the defaults, as ``name=value&…`` for the page's address.

    :func:`parse` of the decoded query gives ``settings`` back.
    """
    default = Settings()
    changed = {
        f.name: _text(getattr(settings, f.name))
        for f in fields(Settings)
        if getattr(settings, f.name) != getattr(default, f.name)
    }
    return urlencode(changed, safe=",^*()")
