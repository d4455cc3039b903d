"""
Checkpoint and resume
=====================

``fit(..., checkpoint=PATH)`` writes the whole state of a run — weights, optimizer state,
schedule position, epoch and batch counters, the random generators' states, the early-
stopping record — atomically, every epoch and when training is interrupted.
``fit(..., resume=PATH)`` goes on from it and ends with exactly the weights of a run that
was never stopped. Here a run of 100 epochs is interrupted by a real SIGINT (what Ctrl-C sends)
about 40 epochs in, resumed, and compared with an uninterrupted run, bit for bit.
"""

# %%
import os
import signal
import tempfile
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.data import load_dataset

data = load_dataset("moons", random_state=0)


def network() -> gn.Network:
    return gn.mlp([2, 16, 16, 2], activation="relu", output="softmax", dropout=0.1, random_state=0)


settings = dict(optimizer="adam", learning_rate=0.01, epochs=100, batch_size=32, random_state=0)

# %%
# The run that is never interrupted
# ---------------------------------
reference = network()
gn.fit(reference, data.X, data.y, **settings)

# %%
# The run that is: a callback sends this process SIGINT
# -----------------------------------------------------


class CtrlC(gn.Callback):
    def on_epoch_end(self, trainer, epoch, logs):  # type: ignore[no-untyped-def]
        if epoch == 40:
            os.kill(os.getpid(), signal.SIGINT)


folder = Path(tempfile.mkdtemp())
interrupted = network()
try:
    gn.fit(
        interrupted, data.X, data.y, checkpoint=folder / "run.ckpt", callbacks=[CtrlC()], **settings
    )
except gn.TrainingInterrupted as stop:
    print("interrupted:", stop)

# %%
# Resume in a new network, built as before
# ----------------------------------------
resumed = network()
history = gn.fit(resumed, data.X, data.y, resume=folder / "run.ckpt", **settings)
print(f"resumed run ended after epoch {len(history.loss)}")
same = all(
    np.array_equal(a, b)
    for a, b in zip(resumed.parameters().values(), reference.parameters().values(), strict=True)
)
print("weights identical to the uninterrupted run:", same)

# %%
# From the command line the same is ``glassnet train … --checkpoint run.ckpt`` and, after
# Ctrl-C, the same command with ``--resume run.ckpt``.
