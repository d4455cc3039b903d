"""
The estimators in a scikit-learn pipeline
=========================================

:class:`~glassnet.sklearn.GlassClassifier` is a scikit-learn estimator: it goes into a
``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` like ``MLPClassifier``. Here it
predicts diabetes from the Pima Indians table that glassnet ships (nothing is downloaded),
read as a DataFrame with its named columns.
"""

# %%
# The table
# ---------
# ``glassnet.data.read_table`` reads a CSV as the ``glassnet`` command does. The bundled
# Pima file has a column ``split`` with the table's own train/test split.

from importlib import resources

from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet import GlassClassifier
from glassnet.data import read_table

path = resources.files("glassnet") / "data" / "files" / "pima_diabetes.csv"
table = read_table(path)
train, test = table[table["split"] == "train"], table[table["split"] == "test"]
features = [c for c in table.columns if c not in ("diabetes", "split")]
X_train, y_train = train[features], train["diabetes"]
X_test, y_test = test[features], test["diabetes"]
print(table.head())
print(f"{len(train)} training rows, {len(test)} test rows; classes {sorted(set(y_train))}")

# %%
# A pipeline, cross-validated
# ---------------------------
# The labels are the strings ``"Yes"`` and ``"No"``; ``predict`` returns them.

model = make_pipeline(
    StandardScaler(),
    GlassClassifier(
        hidden_layer_sizes=(8,), alpha=1.0, learning_rate_init=0.01, max_iter=500, random_state=0
    ),
)
scores = cross_val_score(model, X_train, y_train, cv=3)
print("3-fold accuracy on the training rows:", scores.round(3))

# %%
# A grid search over the network's size and penalty
# -------------------------------------------------

search = GridSearchCV(
    model,
    {"glassclassifier__hidden_layer_sizes": [(4,), (8,)], "glassclassifier__alpha": [1.0, 3.0]},
    cv=3,
)
search.fit(X_train, y_train)
print("best:", search.best_params_, f"cross-validated accuracy {search.best_score_:.3f}")
print(f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.3f}")
print("first predictions:", search.predict(X_test[:5]).tolist())

# %%
# Beside scikit-learn's own MLP
# -----------------------------
# The same pipeline with ``MLPClassifier`` and the same settings.

reference = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(8,), alpha=1.0, learning_rate_init=0.01, max_iter=500, random_state=0
    ),
).fit(X_train, y_train)
mine = model.fit(X_train, y_train)
print(
    f"MLPClassifier test accuracy {reference.score(X_test, y_test):.3f}, "
    f"GlassClassifier {mine.score(X_test, y_test):.3f}"
)
