"""
Early stopping and the validation curve
=======================================

With ``early_stopping=True`` a :class:`~glassnet.sklearn.GlassClassifier` holds out
``validation_fraction`` of its rows, scores them after every epoch, stops when the score has
not improved for ``n_iter_no_change`` epochs, and keeps the best epoch's weights. Unlike
``MLPClassifier`` it also records the *loss* on those rows, ``validation_loss_curve_``, so
the two curves can be drawn side by side and the moment over-fitting begins is visible.
"""

# %%
# A network with room to over-fit
# -------------------------------
# The handwritten digits (8 × 8 pixels, bundled with scikit-learn), 300 training rows, a
# wide hidden layer and no penalty.

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from glassnet import GlassClassifier, plot

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=300, random_state=0, stratify=y
)

settings = dict(hidden_layer_sizes=(128,), alpha=0.0, learning_rate_init=0.01, random_state=0)
model = GlassClassifier(
    early_stopping=True, validation_fraction=0.2, n_iter_no_change=10, max_iter=300, **settings
).fit(X_train, y_train)
print(
    f"stopped after {model.n_iter_} epochs; best validation accuracy "
    f"{model.best_validation_score_:.3f}; test accuracy {model.score(X_test, y_test):.3f}"
)

# %%
# The curves
# ----------
# The training loss keeps falling; the validation loss turns up once the network starts to
# learn the training rows by heart. The weights kept are those of the best validation score.

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot.loss_curve(
    model.loss_curve_,
    val_losses=model.validation_loss_curve_,
    ax=left,
    title="Loss per epoch",
    xlabel="epoch",
    ylabel="mean cross-entropy",
)
right.plot(range(1, len(model.validation_scores_) + 1), model.validation_scores_)
right.set(title="Validation accuracy per epoch", xlabel="epoch", ylabel="accuracy")
plt.tight_layout()
plt.show()

# %%
# Without early stopping
# ----------------------
# The same network trained for a fixed 60 epochs on all 300 rows. Compare the test
# accuracies: early stopping spends a fifth of the rows on validation, and what it promises is
# the weights of the best validation epoch, not the best test score.

with warnings.catch_warnings():  # a fixed number of epochs: "not converged" is expected
    warnings.simplefilter("ignore", ConvergenceWarning)
    full = GlassClassifier(max_iter=60, tol=0.0, n_iter_no_change=60, **settings).fit(
        X_train, y_train
    )
print(f"60 epochs without early stopping: test accuracy {full.score(X_test, y_test):.3f}")

# %%
# In the engine
# -------------
# :func:`glassnet.fit` offers the same with ``validation_fraction`` and
# ``early_stopping=True``: its :class:`~glassnet.callbacks.History` holds ``loss`` and
# ``val_loss`` per epoch and ``best_epoch``.

import glassnet as gn  # noqa: E402

net = gn.mlp([64, 128, 10], activation="relu", output="softmax", random_state=0)
history = gn.fit(
    net,
    X_train,
    y_train,
    optimizer="adam",
    learning_rate=0.01,
    epochs=300,
    batch_size=64,
    validation_fraction=0.2,
    early_stopping=True,
    patience=10,
    random_state=0,
)
print(
    f"engine: stopped after {len(history.loss)} epochs, best epoch {history.best_epoch}, "
    f"test accuracy {(net.predict(X_test) == y_test).mean():.3f}"
)
plot.loss_curves(history, title="glassnet.fit with early stopping")
plt.show()
