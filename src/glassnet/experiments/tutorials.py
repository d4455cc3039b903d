"""The tutorials glassnet reproduces: who wrote them, what they set up, what they printed.

``printed`` holds the numbers as the tutorial itself shows them, so that ``glassnet
reproduce`` can put glassnet's own beside them. Where a tutorial starts from weights drawn
without a seed, its numbers cannot be matched digit for digit, and ``note`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TUTORIALS", "Tutorial"]


@dataclass(frozen=True)
class Tutorial:
    """One tutorial: its author and title, its setting, and what it printed."""

    author: str
    title: str
    where: str
    setting: str
    loss: str
    printed: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def header(self) -> str:
        """``Reproducing <author>, "<title>" (<where>)`` and the setting, two lines."""
        return f'Reproducing {self.author}, "{self.title}" ({self.where})\n{self.setting}'


TUTORIALS: dict[str, Tutorial] = {
    "moons": Tutorial(
        author="Denny Britz",
        title="Implementing a Neural Network from Scratch in Python – An Introduction",
        where="WildML, 2015",
        setting=(
            "make_moons(200, noise=0.20), np.random.seed(0); 2-3-2 network, tanh hidden, "
            "softmax output; 20000 full-batch passes, learning rate 0.01, L2 0.01"
        ),
        loss="loss incl. L2 penalty, as the tutorial prints it: (Σ −log p + λ/2·ΣW²) / N",
        printed={"Loss after iteration 0": "0.432387", "Loss after iteration 1000": "0.068947"},
    ),
    "diabetes": Tutorial(
        author="Pierre-Antoine Bannier",
        title="How to create a neural network from scratch in Python — Math & Code",
        where="Medium",
        setting=(
            "Pima diabetes (200 training rows, 332 test rows): 7 standardised inputs, "
            "4 sigmoid hidden units, sigmoid output, cross-entropy, 1500 epochs"
        ),
        loss="mean binary cross-entropy per row (the tutorial's cost)",
        note=(
            "the tutorial prints no numbers; it plots the cost and reads that it is "
            "minimised by about the 800th epoch"
        ),
    ),
    "iris": Tutorial(
        author="ml4a (Gene Kogan and contributors)",
        title="DIY neural network",
        where="ml4a guides",
        setting="Iris: sepal length and width -> petal length, scaled by their maxima",
        loss="cost ½Σ(y − ŷ)² summed over the 150 rows, as the tutorial prints it",
        printed={
            "linear regression: initial cost": "5.384",
            "linear regression: final cost": "0.665",
            "2-3-1 network: initial cost": "85.579",
            "2-3-1 network: final cost": "0.562",
        },
        note=(
            "the tutorial draws its initial weights without a seed. Its linear start is "
            "printed to 3 decimals (w1=0.080, w2=0.220, b=0.259), so glassnet's linear rows "
            "start from those rounded values and land near, not on, its costs; the 2-3-1 "
            "rows start from glassnet's own draw (random_state=2)"
        ),
    ),
    "toy": Tutorial(
        author="James Loy",
        title="How to build a Neural Network from scratch in Python",
        where="Towards Data Science, 2018",
        setting="4-row table, 3-4-1 sigmoid network, no biases, 1500 iterations",
        loss="sum of squared errors Σ(y − ŷ)², the tutorial's loss",
        note=(
            "the tutorial shows its final predictions as a picture, close to the targets "
            "0, 1, 1, 0; its weights are drawn without a seed"
        ),
    ),
}
