"""A process killed (SIGKILL) while it writes a model file never leaves a broken one.

The child saves the same path over and over, each version with a new counter; the parent
kills it at a random moment, many times. Whatever moment the kill lands on, the file on disk
is a complete earlier or later version, and it loads.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from glassnet import io, mlp

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from glassnet import io, mlp

    path = sys.argv[1]
    net = mlp([64, 256, 10], output="softmax", random_state=0)  # ~19 000 parameters
    start = {k: v.copy() for k, v in net.parameters().items()}
    version = 0
    print("ready", flush=True)
    while True:
        version += 1
        for name, p in net.parameters().items():
            p[...] = start[name] + version
        io.save(net, path, metadata={"version": version})
    """
)


@pytest.mark.slow
def test_sigkill_during_saves_leaves_a_complete_model(tmp_path):
    path = tmp_path / "model.glassnet"
    start = mlp([64, 256, 10], output="softmax", random_state=0).parameters()
    chooser = random.Random(0)
    versions = []
    for _ in range(15):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(chooser.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if not path.exists():  # killed before the first save completed: nothing was promised
            continue
        model = io.load_model(path)  # complete, or this raises
        version = model.metadata["version"]
        # version v holds the initial parameters plus v in every entry: all of one version
        for name, param in model.network.parameters().items():
            np.testing.assert_array_equal(param, start[name] + version)
        versions.append(version)
    assert len(versions) >= 10 and max(versions) > 1


TRAINER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from glassnet import Callback, fit, io, mlp

    ckpt, model = sys.argv[1], sys.argv[2]
    rng = np.random.RandomState(0)
    x = rng.randn(400, 16)
    y = (x[:, 0] > 0).astype(int)

    class SaveModel(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            io.save(trainer.network, model, metadata={"epoch": epoch + 1})
            if epoch == 0:
                print("ready", flush=True)

    net = mlp([16, 128, 2], output="softmax", random_state=0)
    fit(net, x, y, optimizer="adam", epochs=100000, batch_size=50, random_state=0,
        checkpoint=ckpt, callbacks=[SaveModel()])
    """
)


@pytest.mark.slow
def test_sigkill_during_training_leaves_loadable_checkpoints_and_models(tmp_path):
    from glassnet import fit

    ckpt, model = tmp_path / "run.ckpt", tmp_path / "model.glassnet"
    chooser = random.Random(1)
    rng = np.random.RandomState(0)
    x = rng.randn(400, 16)
    y = (x[:, 0] > 0).astype(int)
    for _ in range(10):
        child = subprocess.Popen(
            [sys.executable, "-c", TRAINER, str(ckpt), str(model)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(chooser.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        epoch = io.load_model(model).metadata["epoch"]  # a complete model file
        net = mlp([16, 128, 2], output="softmax", random_state=0)
        # a complete checkpoint: the run goes on from it (for one more epoch here)
        history = fit(net, x, y, optimizer="adam", epochs=epoch + 2, batch_size=50,
                      random_state=0, resume=ckpt)  # fmt: skip
        assert history.epochs == epoch + 2  # the restored history counts the earlier epochs
