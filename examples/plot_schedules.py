r"""
Learning-rate schedules compared
================================

A schedule in glassnet is a pure function of the update count, :math:`\eta(t)`, passed to an
optimizer in place of a number. Five of them, drawn, then each used to train the same
network by mini-batch gradient descent from the same initial weights.
"""

# %%
# The schedules
# -------------
import matplotlib.pyplot as plt
import numpy as np

import glassnet as gn
from glassnet.data import load_dataset

schedules = {
    "Constant(0.1)": gn.Constant(0.1),
    "InverseTime(0.3, decay=0.01)": gn.InverseTime(0.3, decay=0.01),
    "StepDecay(0.3, step_size=250, gamma=0.3)": gn.StepDecay(0.3, step_size=250, gamma=0.3),
    "ExponentialDecay(0.3, gamma=0.998)": gn.ExponentialDecay(0.3, gamma=0.998),
    "Cyclical(0.01, 0.3, step_size=100)": gn.Cyclical(0.01, 0.3, step_size=100),
}
steps = np.arange(1000)
ax = plt.figure(figsize=(7, 4)).gca()
for name, schedule in schedules.items():
    ax.plot(steps, [schedule(int(t)) for t in steps], label=name)
ax.set(title="Learning rate per update", xlabel="update t", ylabel="η(t)")
ax.legend(fontsize=8)
plt.show()

# %%
# Each is one line of arithmetic:
#
# .. literalinclude:: ../../src/glassnet/schedules.py
#    :pyobject: StepDecay.__call__

# %%
# Training with each
# ------------------
# The spiral (three interleaved arms), a 2-32-32-3 tanh network, 300 rows in batches of 30,
# 100 epochs: 1000 updates.

data = load_dataset("spiral", random_state=0)
X, y = data.X, data.y
ax = plt.figure(figsize=(7, 4)).gca()
for name, schedule in schedules.items():
    net = gn.mlp([2, 32, 32, 3], activation="tanh", output="softmax", random_state=0)
    history = gn.fit(
        net, X, y, optimizer=gn.GradientDescent(schedule), epochs=100, batch_size=30, random_state=0
    )
    accuracy = (net.predict(X) == y).mean()
    print(f"{name:>42}: final loss {history.loss[-1]:.4f}, training accuracy {accuracy:.3f}")
    ax.plot(range(1, len(history.loss) + 1), history.loss, label=name)
ax.set(
    title="Training loss per epoch (spiral)",
    xlabel="epoch",
    ylabel="mean cross-entropy",
    yscale="log",
)
ax.legend(fontsize=8)
plt.show()
