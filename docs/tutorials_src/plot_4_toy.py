r"""
The 4-row sigmoid network (Loy)
===============================

James Loy's "How to build a Neural Network from scratch in Python" is the smallest of the
four: a table of four rows with three inputs, a hidden layer of four sigmoid units, one
sigmoid output, no biases, the sum of squared errors, and 1500 iterations.
"""

# %%
# The data and the network
# ------------------------
# The target is the exclusive or of the first two inputs; the third is always 1.

import matplotlib.pyplot as plt

from glassnet import experiments, plot
from glassnet.data import toy_xor

X, y = toy_xor()
print("X =\n", X, "\ny =", y.ravel())

# %%
# Feedforward
# -----------
# .. math::
#
#    a_1 = \sigma(x W_1), \qquad \hat y = \sigma(a_1 W_2)
#
# with :math:`W_1` (3 × 4) and :math:`W_2` (4 × 1) drawn uniformly on [0, 1) —
# ``np.random.rand`` in the tutorial, the ``uniform`` initialiser here:
#
# .. literalinclude:: ../../src/glassnet/experiments/toy.py
#    :pyobject: toy
#    :start-at: network = Network(
#    :end-at: ]
#
# Backpropagation
# ---------------
# The loss is :math:`L = \sum_i (y_i - \hat y_i)^2`. By the chain rule,
#
# .. math::
#
#    \frac{\partial L}{\partial W_2} = a_1^\top \left[2(\hat y - y) \circ \sigma'(z_2)\right],
#    \qquad
#    \frac{\partial L}{\partial W_1} = x^\top \left[\left(2(\hat y - y) \circ
#    \sigma'(z_2)\right) W_2^\top \circ \sigma'(z_1)\right]
#
# The tutorial adds the negative of these to the weights (learning rate 1). In glassnet
# each factor is one object's backward: the loss gives :math:`2(\hat y - y)`,
#
# .. literalinclude:: ../../src/glassnet/losses.py
#    :pyobject: SumSquaredError._grad_per_sample
#
# each sigmoid multiplies by :math:`\sigma'(z) = a(1 - a)`,
#
# .. literalinclude:: ../../src/glassnet/activations.py
#    :pyobject: Sigmoid.backward
#
# and each Dense layer takes :math:`a^\top G` for its weights and passes :math:`G W^\top`
# on (see the moons tutorial).

result = experiments.toy(iterations=1500)
for row, out, target in zip(X, result.outputs.ravel(), y.ravel(), strict=True):
    print(f"{row} -> {out:.4f}   (target {target})")
print(f"sum of squared errors after 1500 iterations: {result.losses[-1]:.6f}")

# %%
# The predictions converge
# ------------------------
# The loss per iteration, as the tutorial plots it:

plot.loss_curve(
    result.losses,
    title="Sum of squared errors per iteration (4 rows)",
    xlabel="iteration",
    ylabel="Σ(y − ŷ)²",
    log=True,
)
plt.show()
