"""GlassClassifier and GlassRegressor against scikit-learn's MLP on five classic data sets.

Same split (``train_test_split(random_state=0)``, stratified for classifiers), a
``StandardScaler`` fitted on the training part, the same settings — ``hidden_layer_sizes=(100,)``,
relu, adam, ``alpha=1e-4``, every other parameter at its default — and the mean test score over
``random_state`` 0..4. glassnet must score at least scikit-learn's mean minus 0.01.
``pytest -s`` prints the numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn.estimators import GlassClassifier, GlassRegressor

SEEDS = range(5)
SETTINGS = dict(hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=1e-4)

CASES = [
    ("iris", load_iris, GlassClassifier, MLPClassifier, 200),
    ("wine", load_wine, GlassClassifier, MLPClassifier, 200),
    ("breast_cancer", load_breast_cancer, GlassClassifier, MLPClassifier, 200),
    ("digits", load_digits, GlassClassifier, MLPClassifier, 200),
    # The diabetes targets (25..346) are not scaled: adam at its default rate needs more than
    # 200 epochs to reach them, so both libraries get max_iter=1000 there.
    ("diabetes", load_diabetes, GlassRegressor, MLPRegressor, 1000),
]


def _mean_scores(load, ours, theirs, max_iter):
    X, y = load(return_X_y=True)
    stratify = y if ours is GlassClassifier else None
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=stratify)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    scores: dict[str, list[float]] = {"glassnet": [], "sklearn": []}
    with warnings.catch_warnings():
        # Some seeds reach max_iter before tol stops them, in both libraries alike; the
        # ConvergenceWarning says so, and it is not what this comparison is about.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in SEEDS:
            for label, cls in (("glassnet", ours), ("sklearn", theirs)):
                model = cls(**SETTINGS, max_iter=max_iter, random_state=seed)
                scores[label].append(model.fit(X_train, y_train).score(X_test, y_test))
    return np.mean(scores["glassnet"]), np.mean(scores["sklearn"])


@pytest.mark.slow
@pytest.mark.parametrize("name, load, ours, theirs, max_iter", CASES, ids=[c[0] for c in CASES])
def test_scores_at_least_sklearns(name, load, ours, theirs, max_iter):
    glass, sk = _mean_scores(load, ours, theirs, max_iter)
    metric = "accuracy" if ours is GlassClassifier else "R²"
    print(
        f"\n{name:>13}  mean test {metric} over seeds 0-4:  glassnet {glass:.4f}  "
        f"sklearn {sk:.4f}  (max_iter={max_iter})"
    )
    assert glass >= sk - 0.01
