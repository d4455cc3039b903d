"""
Dropout, L1 and L2 compared
===========================

A network much larger than its data learns the noise in it. Three ways glassnet offers to
hold it back — an L2 penalty (scikit-learn's ``alpha``), an L1 penalty (``l1``) and dropout
(``dropout``, which ``MLPClassifier`` lacks) — on 100 noisy moons, scored on 1000 fresh ones.
"""

# %%
# Each network trains a fixed 300 epochs (``tol=0``), so scikit-learn's "not converged"
# warning is expected and silenced.

import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning

from glassnet import GlassClassifier, plot
from glassnet.data import make_moons

X, y = make_moons(100, noise=0.35, random_state=0)
X_test, y_test = make_moons(1000, noise=0.35, random_state=1)

base = dict(
    hidden_layer_sizes=(64, 64),
    solver="adam",
    learning_rate_init=0.01,
    max_iter=300,
    tol=0.0,
    n_iter_no_change=300,
    random_state=0,
)
models = {
    "no penalty": GlassClassifier(alpha=0.0, **base),
    "L2 (alpha=1.0)": GlassClassifier(alpha=1.0, **base),
    "L1 (l1=0.1)": GlassClassifier(alpha=0.0, l1=0.1, **base),
    "dropout 0.5": GlassClassifier(alpha=0.0, dropout=0.5, **base),
}
for name, model in models.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    weights = sum(abs(w).sum() for w in model.coefs_)
    print(
        f"{name:>15}: train accuracy {model.score(X, y):.3f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}, Σ|W| = {weights:.1f}"
    )

# %%
# The decision boundaries
# -----------------------
# Without a penalty the boundary wraps around single noisy points; each of the three makes
# it smoother. L1 drives many weights to zero (a smaller :math:`\sum|W|`).

plot.sweep_grid(
    list(models.values()),
    list(models),
    X,
    y,
    columns=4,
    scores=[(m.score(X, y), m.score(X_test, y_test)) for m in models.values()],
)
plt.show()
