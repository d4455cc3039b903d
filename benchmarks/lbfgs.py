"""LBFGS: ``solver="lbfgs"`` in glassnet's estimators against scikit-learn's, on small data.

Both libraries run SciPy's L-BFGS-B from the same initial weights (the same seed) on the same
standardised training rows — hidden layer (100,), relu, ``alpha=1e-4``, ``max_iter=200``,
``tol=1e-4`` — so they make the same iterations; the table gives the best of ``rounds`` fit
times, their ratio, the iterations and the test score (accuracy or R²) of each.

    PYTHONPATH=src python -m benchmarks.lbfgs [--rounds 3]    (or python -m benchmarks --only LBFGS)
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import GlassClassifier, GlassRegressor

SETTINGS: dict[str, Any] = dict(
    solver="lbfgs", hidden_layer_sizes=(100,), alpha=1e-4, max_iter=200, random_state=0
)
CASES = [
    ("iris", load_iris, True),
    ("wine", load_wine, True),
    ("breast_cancer", load_breast_cancer, True),
    ("digits", load_digits, True),
    ("diabetes", load_diabetes, False),
]


def _best_fit(cls: Any, X: Any, y: Any, rounds: int) -> tuple[float, Any]:
    best, model = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = cls(**SETTINGS).fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best, model


def run(rounds: int = 3, say: Any = print) -> list[dict[str, Any]]:
    """Time both libraries on every case; print the table with ``say``; return its rows."""
    say(
        f"{'data':>14} {'sklearn s':>10} {'glassnet s':>11} {'ratio':>6} "
        f"{'iters sk/gn':>12} {'score sk':>9} {'score gn':>9}"
    )
    rows = []
    for name, load, classify in CASES:
        X, y = load(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, random_state=0, stratify=y if classify else None
        )
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        ours, theirs = (
            (GlassClassifier, MLPClassifier) if classify else (GlassRegressor, MLPRegressor)
        )
        sk_s, sk = _best_fit(theirs, X_train, y_train, rounds)
        gn_s, gn = _best_fit(ours, X_train, y_train, rounds)
        row = {
            "data": name,
            "sklearn_s": sk_s,
            "glassnet_s": gn_s,
            "ratio": gn_s / sk_s,
            "sklearn_iterations": sk.n_iter_,
            "glassnet_iterations": gn.n_iter_,
            "sklearn_score": sk.score(X_test, y_test),
            "glassnet_score": gn.score(X_test, y_test),
        }
        rows.append(row)
        say(
            f"{name:>14} {sk_s:>10.3f} {gn_s:>11.3f} {gn_s / sk_s:>6.2f} "
            f"{f'{sk.n_iter_}/{gn.n_iter_}':>12} {row['sklearn_score']:>9.4f} "
            f"{row['glassnet_score']:>9.4f}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
