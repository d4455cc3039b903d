"""The WildML tutorial (seeds 000/003): a 2-H-2 tanh/softmax network on the moons.

The tutorial: ``np.random.seed(0); X, y = make_moons(200, noise=0.20)``; weights
``randn(2, H)/sqrt(2)`` then ``randn(H, 2)/sqrt(H)``, biases 0; full-batch gradient descent
with ε = 0.01 on the summed cross-entropy plus λ/2·ΣW² (λ = 0.01) for 20 000 passes,
printing ``calculate_loss`` — (Σ NLL + λ/2·ΣW²)/N — every 1000 passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from ..data import make_moons
from ..losses import SoftmaxCrossEntropy
from ..metrics import accuracy
from ..network import Network, mlp
from ..optimizers import GradientDescent
from ..training import Callback, History, PrintLoss, fit
from ._common import losses_after_updates

Array = NDArray[Any]

__all__ = ["MoonsResult", "SweepResult", "hidden_size_sweep", "logistic_baseline", "moons"]


@dataclass
class MoonsResult:
    """One trained moons network.

    ``losses[i]`` is the tutorial's ``calculate_loss`` after update ``i + 1`` (printed by the
    tutorial as "Loss after iteration i"). ``test_accuracy`` is set when test data was given.
    """

    network: Network
    losses: NDArray[np.float64]
    train_accuracy: float
    hidden: int
    X: Array
    y: Array
    history: History
    test_accuracy: float | None = None


@dataclass
class SweepResult:
    """The hidden-size sweep: one :class:`MoonsResult` per size, and the held-out data."""

    results: list[MoonsResult]
    X_test: Array
    y_test: Array
    sizes: list[int] = field(default_factory=list)

    def table(self) -> str:
        lines = [f"{'hidden':>6}  {'final loss':>10}  {'train acc':>9}  {'test acc':>8}"]
        for r in self.results:
            lines.append(
                f"{r.hidden:>6}  {r.losses[-1]:>10.6f}  {r.train_accuracy:>9.3f}  "
                f"{r.test_accuracy:>8.3f}"
            )
        return "\n".join(lines)


def _run(
    sizes: list[int],
    *,
    passes: int,
    learning_rate: float,
    l2: float,
    n_samples: int,
    noise: float,
    random_state: Any,
    print_every: int | None = None,
    file: TextIO | None = None,
    callbacks: Sequence[Callback] = (),
) -> MoonsResult:
    """The tutorial's ``build_model`` for any layer widths, on its moons."""
    X, y = make_moons(n_samples, noise=noise, random_state=random_state)
    network = mlp(sizes, activation="tanh", output="softmax", l2=l2, random_state=random_state)
    loss = SoftmaxCrossEntropy(reduction="sum")  # the tutorial sums over the examples
    cbs = list(callbacks)
    if print_every:
        cbs.append(PrintLoss(print_every, file=file))
    history = fit(
        network,
        X,
        y,
        loss=loss,
        optimizer=GradientDescent(learning_rate),
        epochs=passes,
        batch_size=None,
        callbacks=cbs,
    )
    # the tutorial's calculate_loss is the summed objective divided by N
    losses = losses_after_updates(history, network, X, y, loss) / X.shape[0]
    hidden = sizes[1] if len(sizes) > 2 else 0
    return MoonsResult(network, losses, accuracy(y, network.predict(X)), hidden, X, y, history)


def moons(
    hidden: int = 3,
    passes: int = 20000,
    *,
    learning_rate: float = 0.01,
    l2: float = 0.01,
    n_samples: int = 200,
    noise: float = 0.20,
    random_state: Any = 0,
    print_every: int | None = None,
    file: TextIO | None = None,
    callbacks: Sequence[Callback] = (),
    X_test: Array | None = None,
    y_test: Array | None = None,
) -> MoonsResult:
    """Train the tutorial's 2-``hidden``-2 network on ``make_moons(n_samples, noise)``.

    Both the data and the initial weights come from ``random_state`` (0, as the tutorial's
    ``np.random.seed(0)``). ``print_every=1000`` prints the tutorial's lines; ``X_test`` and
    ``y_test``, when given, are scored into ``test_accuracy``.
    """
    result = _run(
        [2, hidden, 2],
        passes=passes,
        learning_rate=learning_rate,
        l2=l2,
        n_samples=n_samples,
        noise=noise,
        random_state=random_state,
        print_every=print_every,
        file=file,
        callbacks=callbacks,
    )
    if X_test is not None and y_test is not None:
        result.test_accuracy = accuracy(y_test, result.network.predict(X_test))
    return result


def logistic_baseline(passes: int = 20000, **kwargs: Any) -> MoonsResult:
    """Logistic regression on the same data: a network with no hidden layer (``hidden=0``).

    Takes the keyword arguments of :func:`moons` but ``hidden``; its decision boundary is a
    straight line, which cannot follow the moons.
    """
    settings: dict[str, Any] = {
        "learning_rate": 0.01,
        "l2": 0.01,
        "n_samples": 200,
        "noise": 0.20,
        "random_state": 0,
    }
    settings.update(kwargs)
    return _run([2, 2], passes=passes, **settings)


def hidden_size_sweep(
    sizes: Sequence[int] = (1, 2, 3, 4, 5, 20, 50),
    passes: int = 20000,
    *,
    n_test: int = 1000,
    test_random_state: Any = 1,
    **kwargs: Any,
) -> SweepResult:
    """Train one network per hidden size and score each on a held-out test set.

    The test set is a fresh ``make_moons(n_test)`` draw from ``test_random_state``, so the
    training data stays exactly the tutorial's. Small hidden layers follow the overall
    shape; large ones start to memorise the training points.
    """
    noise = kwargs.get("noise", 0.20)
    X_test, y_test = make_moons(n_test, noise=noise, random_state=test_random_state)
    results = [moons(h, passes, X_test=X_test, y_test=y_test, **kwargs) for h in sizes]
    return SweepResult(results, X_test, y_test, list(sizes))
