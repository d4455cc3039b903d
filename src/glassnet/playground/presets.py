"""The tutorials' setups as presets: their data, network, initial weights and settings.

- ``wildml-moons``: the WildML tutorial (Denny Britz) — make_moons(200, noise 0.20) drawn
  with seed 0, a 2-3-2 network with tanh hidden units and a softmax output, weights
  randn/√fan_in from the same seed, the cross-entropy summed over the rows plus λ/2·ΣW²
  (λ = 0.01), full-batch gradient descent with ε = 0.01, the raw coordinates (not
  standardised), every point for training. It prints the tutorial's ``Loss after iteration
  i`` every 1000 updates, beside the numbers the tutorial printed.
- ``wildml-hidden-H`` for H in 1, 2, 3, 4, 5, 20, 50: the tutorial's hidden-size lesson, the
  same run with H hidden units.
- ``xor-table``: the toy tutorial (James Loy) — the 4-row table with its constant third
  column, 3-4-1 sigmoid units without biases, weights uniform on [0, 1) from seed 0, the
  sigmoid output inside the network, Σ(y − ŷ)² and gradient descent with rate 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..experiments.tutorials import TUTORIALS
from .settings import Settings

__all__ = ["HIDDEN_SIZES", "PRESETS", "Preset", "preset_settings"]

HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)
"""The hidden sizes of the WildML tutorial's lesson."""


@dataclass(frozen=True)
class Preset:
    """A tutorial's setup: a title, the settings, and the tutorial whose numbers it prints."""

    title: str
    settings: dict[str, Any]
    tutorial: str | None = None
    printed: dict[str, str] = field(default_factory=dict)
    """The lines the tutorial itself printed, to show beside glassnet's."""


_WILDML: dict[str, Any] = {
    "dataset": "moons",
    "n_samples": 200,
    "noise": 0.2,
    "seed": 0,
    "test_size": 0.0,
    "standardize": False,
    "hidden": (3,),
    "activation": "tanh",
    "init": "scaled_normal",
    "output": "softmax",
    "loss": "softmax_cross_entropy",
    "reduction": "sum",
    "optimizer": "gd",
    "learning_rate": 0.01,
    "batch_size": "full",
    "l2": 0.01,
    "print_every": 1000,
}

PRESETS: dict[str, Preset] = {
    "wildml-moons": Preset(
        "WildML: the moons network (2-3-2 tanh/softmax)",
        _WILDML,
        "moons",
        dict(TUTORIALS["moons"].printed),
    ),
    **{
        f"wildml-hidden-{h}": Preset(
            f"WildML hidden-size lesson: {h} hidden unit{'s' if h > 1 else ''}",
            {**_WILDML, "hidden": (h,)},
            "moons",
        )
        for h in HIDDEN_SIZES
    },
    "xor-table": Preset(
        "Toy tutorial: the 4-row XOR table (3-4-1 sigmoid, no biases)",
        {
            "dataset": "xor",
            "seed": 0,
            "test_size": 0.0,
            "standardize": False,
            "hidden": (4,),
            "activation": "sigmoid",
            "init": "uniform",
            "bias": False,
            "output": "sigmoid",
            "loss": "sum_squared_error",
            "reduction": "sum",
            "loss_scale": 1.0,
            "optimizer": "gd",
            "learning_rate": 1.0,
            "batch_size": "full",
            "print_every": 100,
        },
        "toy",
    ),
}
"""The presets by name."""


def preset_settings(name: Any) -> Settings:
    """The complete settings of a preset (every other setting at its default)."""
    if not isinstance(name, str) or name not in PRESETS:
        raise ValidationError(f"unknown preset {name!r}; the presets are {sorted(PRESETS)}")
    return Settings().with_(**PRESETS[name].settings)
