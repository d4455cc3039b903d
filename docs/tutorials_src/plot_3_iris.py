r"""
Iris regression and the numerical gradient (ml4a)
=================================================

ml4a's "DIY neural network" predicts a flower's petal length from its sepal length and
width: first by linear regression trained with gradient descent, then with a 2-3-1 network
(sigmoid hidden layer, linear output, no biases) — trained once by backpropagation and once
by the slow numerical gradient, to show that both find the same weights.
"""

# %%
# The data
# --------
# The 150 iris flowers; inputs and target are divided by their column maxima, as the
# tutorial does.

import matplotlib.pyplot as plt

from glassnet import experiments, plot
from glassnet.experiments.iris import load_iris_regression

X, y = load_iris_regression(random_state=2)
print(X.shape, y.shape, "largest values:", X.max(axis=0), y.max())

# %%
# Linear regression is a network with no hidden layer
# ---------------------------------------------------
# :math:`\hat y = w_1 x_1 + w_2 x_2 + b`, on the cost
#
# .. math::
#
#    J = \frac12 \sum_i (y_i - \hat y_i)^2, \qquad
#    \frac{\partial J}{\partial \hat y_i} = \hat y_i - y_i
#
# :class:`~glassnet.losses.SumSquaredError` with ``scale=0.5`` is that cost:
#
# .. literalinclude:: ../../src/glassnet/losses.py
#    :pyobject: SumSquaredError
#    :start-at: def _per_sample
#    :end-before: def config
#
# The tutorial prints its starting weights to three decimals (w1 = 0.080, w2 = 0.220,
# b = 0.259) and its costs before and after 2000 updates with learning rate 0.001. From
# those rounded weights glassnet lands near its numbers (5.384, then 0.665):

initial, final, weights = experiments.linear_regression_from(0.080, 0.220, 0.259)
print(
    f"linear regression: initial cost {initial:.3f}, final cost {final:.3f}, "
    f"(w1, w2, b) = ({weights[0]:.3f}, {weights[1]:.3f}, {weights[2]:.3f})"
)

# %%
# The numerical gradient
# ----------------------
# Before backpropagation, the tutorial estimates each partial derivative by nudging one
# weight at a time:
#
# .. math::
#
#    \frac{\partial J}{\partial w} \approx \frac{J(w + \epsilon) - J(w - \epsilon)}{2\epsilon}
#
# :func:`glassnet.numerical_gradient` is that loop, over every entry of an array:
#
# .. literalinclude:: ../../src/glassnet/gradcheck.py
#    :pyobject: numerical_gradient
#
# ``fit(..., gradient="numerical")`` trains on it instead of backpropagation: two cost
# evaluations per weight per update.
#
# The 2-3-1 network, trained both ways
# ------------------------------------
# .. math::
#
#    a_1 = \sigma(x W_1), \qquad \hat y = a_1 W_2
#
# :func:`glassnet.experiments.iris_regression` draws one set of initial weights, copies
# them into two networks, and trains one by backpropagation and one by the numerical
# gradient, 2000 updates each with learning rate 0.01:
#
# .. literalinclude:: ../../src/glassnet/experiments/iris.py
#    :pyobject: iris_regression
#    :start-at: w1, w2 = rng.standard_normal

result = experiments.iris_regression()
print(f"2-3-1 network: initial cost {result.initial_cost:.3f}")
print(f"  by backpropagation:      final cost {result.losses[-1]:.6f}")
print(f"  by numerical gradient:   final cost {result.numerical_losses[-1]:.6f}")
print(f"R² of the network {result.r2:.3f}, of the line {result.linear_r2:.3f}")

# %%
# The costs, update by update
# ---------------------------
# The two curves lie on top of each other.

ax = plt.figure(figsize=(6, 4)).gca()
plot.loss_curve(
    result.losses,
    ax=ax,
    label="backpropagation",
    log=True,
    title="Cost ½Σ(y − ŷ)² per update",
    xlabel="update",
    ylabel="cost",
)
plot.loss_curve(
    result.numerical_losses,
    ax=ax,
    label="numerical gradient",
    log=True,
    title="Cost ½Σ(y − ŷ)² per update",
    xlabel="update",
    ylabel="cost",
)
plt.show()

# %%
# The prediction surface
# ----------------------
# The tutorial draws its predictions as a surface over the two inputs, with the flowers as
# points:

plot.prediction_surface(
    result.network,
    result.X,
    result.y.ravel(),
    title="2-3-1 network: petal length over sepal length and width",
    axis_labels=("sepal length", "sepal width", "petal length"),
)
plt.show()
