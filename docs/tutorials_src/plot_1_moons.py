r"""
The moons network, step by step (WildML)
========================================

Denny Britz's "Implementing a Neural Network from Scratch in Python" (WildML, 2015) trains a
2-3-2 network — two inputs, three tanh hidden units, two softmax outputs — on two
interleaving half-moons, and shows what a straight line cannot do. This page follows it
equation by equation. Beside each equation is the glassnet code that computes it, pulled
from the installed package when this page was built, so what you read is what runs.
"""

# %%
# The data
# --------
# 200 points of ``make_moons(200, noise=0.20)``, drawn after ``np.random.seed(0)``.
# glassnet takes the random state explicitly: ``random_state=0`` draws exactly what the
# tutorial's global seed drew.

import matplotlib.pyplot as plt
import numpy as np

import glassnet as gn
from glassnet import experiments, plot
from glassnet.data import make_moons

X, y = make_moons(200, noise=0.20, random_state=0)
print(X.shape, y.shape, "first row:", X[0], "label", y[0])

# %%
# The baseline: logistic regression
# ---------------------------------
# The tutorial first fits scikit-learn's logistic regression and draws its decision
# boundary: a straight line, which cannot follow the moons. In glassnet logistic regression
# is a network with no hidden layer: softmax of :math:`z = xW + b`, trained on the same loss
# as the network below. (5000 passes here, to keep the build short; a line settles early.)

baseline = experiments.logistic_baseline(passes=5000)
print(f"logistic regression: training accuracy {baseline.train_accuracy:.3f}")
plot.decision_boundary(baseline.network, X, y, title="Logistic regression (training rows)")
plt.show()

# %%
# Forward propagation
# -------------------
# .. math::
#
#    z_1 = x W_1 + b_1, \quad a_1 = \tanh(z_1), \quad
#    z_2 = a_1 W_2 + b_2, \quad \hat y = a_2 = \mathrm{softmax}(z_2)
#
# A :class:`~glassnet.layers.Dense` layer computes :math:`z = xW + b` (the product goes into
# the buffer the network keeps between steps when one is given):
#
# .. literalinclude:: ../../src/glassnet/layers.py
#    :pyobject: Dense.forward
#
# :class:`~glassnet.activations.Tanh` computes :math:`a = \tanh(z)` and keeps :math:`a`
# for the backward pass:
#
# .. literalinclude:: ../../src/glassnet/activations.py
#    :pyobject: Tanh.forward
#
# The weights start as the tutorial's ``np.random.randn(2, 3) / np.sqrt(2)`` and
# ``np.random.randn(3, 2) / np.sqrt(3)`` (the ``scaled_normal`` initialiser), biases zero:

net = gn.mlp([2, 3, 2], activation="tanh", output="softmax", l2=0.01, random_state=0)
print(net.summary())
print("W1 =\n", net.layers[0].params["weight"])

# %%
# The loss
# --------
# The cross-entropy summed over the :math:`N` examples, plus the L2 penalty on the weights
# (not the biases):
#
# .. math::
#
#    L = -\sum_{n} \log \hat y_{n, y_n} + \frac{\lambda}{2}\left(\lVert W_1\rVert^2 +
#    \lVert W_2\rVert^2\right), \qquad \lambda = 0.01
#
# :class:`~glassnet.losses.SoftmaxCrossEntropy` takes the logits :math:`z_2` and applies
# the softmax inside, so that it can be stable for large logits:
#
# .. literalinclude:: ../../src/glassnet/losses.py
#    :pyobject: SoftmaxCrossEntropy._per_sample
#
# and the network adds the penalty:
#
# .. literalinclude:: ../../src/glassnet/network.py
#    :pyobject: Network.penalty

loss = gn.SoftmaxCrossEntropy(reduction="sum")
print(
    f"loss before training, divided by N as the tutorial prints it: "
    f"{net.objective(X, y, loss) / len(X):.6f}"
)

# %%
# Backpropagation
# ---------------
# .. math::
#
#    \delta_3 = \hat y - y, \quad
#    \frac{\partial L}{\partial W_2} = a_1^\top \delta_3, \quad
#    \frac{\partial L}{\partial b_2} = \textstyle\sum_n \delta_3, \quad
#    \delta_2 = (1 - a_1^2) \circ \delta_3 W_2^\top, \quad
#    \frac{\partial L}{\partial W_1} = x^\top \delta_2, \quad
#    \frac{\partial L}{\partial b_1} = \textstyle\sum_n \delta_2
#
# :math:`\delta_3 = \hat y - y`, the fused gradient of softmax and cross-entropy:
#
# .. literalinclude:: ../../src/glassnet/losses.py
#    :pyobject: SoftmaxCrossEntropy._grad_per_sample
#
# :math:`\delta_2 = (1 - a_1^2) \circ \delta_3 W_2^\top` is two steps: the Dense layer
# returns :math:`\delta_3 W_2^\top` and writes :math:`a_1^\top\delta_3` and
# :math:`\sum_n \delta_3` into its gradients; Tanh multiplies by :math:`1 - a_1^2`:
#
# .. literalinclude:: ../../src/glassnet/layers.py
#    :pyobject: Dense.backward
#
# .. literalinclude:: ../../src/glassnet/activations.py
#    :pyobject: Tanh.backward
#
# The penalty adds :math:`\lambda W` to each weight gradient (the tutorial's
# ``dW2 += reg_lambda * W2``):
#
# .. literalinclude:: ../../src/glassnet/network.py
#    :pyobject: Network._add_penalty_gradient
#
# :func:`glassnet.gradcheck` holds all of it against central differences,
# :math:`(L(\theta + \epsilon) - L(\theta - \epsilon)) / 2\epsilon` for every parameter:

print(gn.gradcheck(net, X[:20], y[:20], loss))

# %%
# Gradient descent
# ----------------
# :math:`W \leftarrow W - \epsilon\, \partial L/\partial W` with :math:`\epsilon = 0.01`,
# 20 000 full-batch passes. :class:`~glassnet.optimizers.GradientDescent` (without
# momentum) is that one line:
#
# .. literalinclude:: ../../src/glassnet/optimizers.py
#    :pyobject: GradientDescent._update
#
# The tutorial prints its loss every 1000 passes; :class:`~glassnet.callbacks.PrintLoss`
# prints the same lines, and they match the tutorial's numbers (0.432387, then 0.068947):

history = gn.fit(
    net,
    X,
    y,
    loss=loss,
    optimizer=gn.GradientDescent(0.01),
    epochs=20000,
    callbacks=[gn.PrintLoss(every=1000)],
)
print("training accuracy:", (net.predict(X) == y).mean())

# %%
# What the network learned
# ------------------------
# The decision boundary bends around the moons, and the loss after every pass:

plot.decision_boundary(net, X, y, title="2-3-2 tanh network (training rows)")
plt.show()
losses = np.asarray(history.loss) / len(X)
plot.loss_curve(losses, title="Loss per pass (divided by N)", xlabel="pass", log=True)
plt.show()

# %%
# Varying the hidden layer size
# -----------------------------
# The tutorial's last experiment: hidden layers of 1, 2, 3, 4, 5, 20 and 50 units. One or
# two units draw little more than a line; three or more bend around the moons. Given the
# tutorial's 20 000 passes, the largest go on to follow single points. Accuracy on 1000 fresh points (``random_state=1``) says
# which generalise. This sweep runs 3000 passes per size to keep the build short;
# ``glassnet reproduce moons`` runs the tutorial's 20 000.

sweep = experiments.hidden_size_sweep(passes=3000)
print(sweep.table())
plot.sweep_grid(
    [r.network for r in sweep.results],
    [f"{r.hidden} hidden units" for r in sweep.results],
    X,
    y,
    scores=[(r.train_accuracy, r.test_accuracy) for r in sweep.results],
)
plt.show()
