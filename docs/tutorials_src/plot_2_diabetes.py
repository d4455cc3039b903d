r"""
A two-layer sigmoid network predicts diabetes (Bannier)
=======================================================

Pierre-Antoine Bannier's "How to create a neural network from scratch in Python — Math &
Code" builds a network with one sigmoid hidden layer and one sigmoid output, trains it on a
diabetes table with the binary cross-entropy for 1500 epochs, and plots the cost per epoch.
glassnet ships the table it needs: the Pima Indians diabetes data (532 complete cases, with
its own train/test split of 200 and 332 women).
"""

# %%
# The data
# --------
# Seven measurements per woman (pregnancies, glucose, blood pressure, skin fold, BMI,
# pedigree, age) and whether she has diabetes. Each input is standardised with the
# training rows' mean and standard deviation: :math:`x' = (x - \mu)/\sigma`.

import matplotlib.pyplot as plt

from glassnet import experiments, plot
from glassnet.data import load_pima, standardize

data = load_pima()
X_train, y_train = data.subset("train")
X_test, y_test = data.subset("test")
print(f"{len(X_train)} training rows, {len(X_test)} test rows, features: {data.feature_names}")
X_train, X_test = standardize(X_train, X_test)
print("after standardising, training means:", X_train.mean(axis=0).round(12))

# %%
# The forward pass
# ----------------
# .. math::
#
#    a_1 = \sigma(x W_1 + b_1), \qquad \hat y = \sigma(a_1 W_2 + b_2), \qquad
#    \sigma(z) = \frac{1}{1 + e^{-z}}
#
# :class:`~glassnet.activations.Sigmoid`, forward and backward side by side — the
# derivative :math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))` is computed from the output:
#
# .. literalinclude:: ../../src/glassnet/activations.py
#    :pyobject: Sigmoid
#    :start-at: def forward
#
# The output layer's sigmoid is fused into the loss below, so the network ends in a logit
# :math:`z_2` and the loss turns it into :math:`\hat y`.
#
# The cost and its gradient
# -------------------------
# The binary cross-entropy, averaged over the :math:`m` rows,
#
# .. math::
#
#    J = -\frac{1}{m}\sum_i \left[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\right],
#    \qquad \frac{\partial J}{\partial z_2} = \frac{1}{m}(\hat y - y)
#
# — the tutorial's :math:`\hat y - y`: the sigmoid's derivative cancels the cross-entropy's
# denominator. glassnet writes the cost as :math:`\mathrm{softplus}(z) - yz`, which never
# overflows:
#
# .. literalinclude:: ../../src/glassnet/losses.py
#    :pyobject: BinaryCrossEntropy
#    :start-at: def _per_sample
#
# Training
# --------
# :func:`glassnet.experiments.diabetes` is the whole tutorial: four sigmoid hidden units,
# full-batch gradient descent with learning rate 0.1, 1500 epochs:
#
# .. literalinclude:: ../../src/glassnet/experiments/diabetes.py
#    :pyobject: diabetes
#    :start-at: network = mlp

result = experiments.diabetes(hidden=4, epochs=1500, learning_rate=0.1)
print(
    f"cost after epoch 1: {result.losses[0]:.4f}; after epoch 800: {result.losses[799]:.4f}; "
    f"after epoch 1500: {result.losses[-1]:.4f}"
)
print(f"training accuracy {result.train_accuracy:.3f}, test accuracy {result.test_accuracy:.3f}")

# %%
# The cost per epoch
# ------------------
# The tutorial's plot: the cost falls steeply, then flattens — by about the 800th epoch
# it barely moves.

plot.loss_curve(
    result.losses,
    title="Binary cross-entropy per epoch (training rows)",
    xlabel="epoch",
    ylabel="mean binary cross-entropy",
)
plt.show()

# %%
# How well it predicts
# --------------------
# The confusion matrix on the 332 held-out women:

from glassnet import metrics  # noqa: E402  (the section's own import)

matrix = metrics.confusion_matrix(result.y_test, result.network.predict(result.X_test))
print(matrix)
plot.confusion_matrix(
    matrix, class_names=["no diabetes", "diabetes"], title="Test rows (332 women)"
)
plt.show()
