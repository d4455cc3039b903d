"""A process killed (SIGKILL) while it writes a model file never leaves a broken one.

The child saves the same path over and over, each version with a new counter; the parent
kills it at a random moment, many times. Whatever moment the kill lands on, the file on disk
is a complete earlier or later version, and it loads. A training child kills itself at known
moments of a write instead — half way through the temporary file, or just before its
rename — so that those moments are always hit. The temporaries the killed writers leave go
with the next save or resume.
"""

from __future__ import annotations

import os
import random
import re
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
    io.save(mlp([64, 256, 10], output="softmax", random_state=0), path)  # every writer is gone,
    assert os.listdir(tmp_path) == [path.name]  # and so are their temporaries


TRAINER = textwrap.dedent(
    """
    import io as stdio
    import os, signal, sys
    import numpy as np
    from glassnet import Callback, fit, io, mlp

    ckpt, model, victim, moment, nth = sys.argv[1:5] + [int(sys.argv[5])]
    target = ckpt if victim == "checkpoint" else model
    writes = 0
    real_savez, real_replace = np.savez, os.replace

    def die():
        print("dying", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    def savez(handle, **arrays):  # writes the archive into the temporary file
        global writes
        if os.path.basename(handle.name).startswith("." + os.path.basename(target) + "."):
            writes += 1
            if writes == nth and moment == "mid-write":
                whole = stdio.BytesIO()
                real_savez(whole, **arrays)
                handle.write(whole.getvalue()[: len(whole.getvalue()) // 2])
                handle.flush()
                die()
        real_savez(handle, **arrays)

    def replace(source, destination):  # renames the complete temporary over the target
        if writes == nth and moment == "before-rename" and os.fspath(destination) == target:
            die()
        real_replace(source, destination)

    np.savez, os.replace = savez, replace
    rng = np.random.RandomState(0)
    x = rng.randn(400, 16)
    y = (x[:, 0] > 0).astype(int)

    class SaveModel(Callback):  # each epoch: the model file, then the checkpoint
        def on_epoch_end(self, trainer, epoch, logs):
            io.save(trainer.network, model, metadata={"epoch": epoch + 1})

    net = mlp([16, 128, 2], output="softmax", random_state=0)
    fit(net, x, y, optimizer="adam", epochs=10, batch_size=50, random_state=0,
        checkpoint=ckpt, callbacks=[SaveModel()])  # it dies in epoch 3, or fails the test
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["mid-write", "before-rename"])
@pytest.mark.parametrize("victim", ["checkpoint", "model"])
def test_sigkill_while_writing_in_training_leaves_complete_files_and_litter_to_clean(
    victim, moment, tmp_path
):
    """The child kills itself (SIGKILL) at a known moment of its third write of the checkpoint
    or of the model file: half way through the temporary file, or with it complete but not
    yet renamed. What is on disk is then the complete previous version, and its temporary."""
    from glassnet import fit

    ckpt, model = tmp_path / "run.ckpt", tmp_path / "model.glassnet"
    child = subprocess.Popen(
        [sys.executable, "-c", TRAINER, str(ckpt), str(model), victim, moment, "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = child.communicate(timeout=300)
    finally:
        child.kill()  # gone already, unless the test failed
        child.wait()
    assert child.returncode == -signal.SIGKILL and out == "dying\n", err
    rng = np.random.RandomState(0)
    x = rng.randn(400, 16)
    y = (x[:, 0] > 0).astype(int)

    def trained(epochs):  # type: ignore[no-untyped-def]
        net = mlp([16, 128, 2], output="softmax", random_state=0)
        fit(net, x, y, optimizer="adam", epochs=epochs, batch_size=50, random_state=0)
        return net

    # epoch 3 wrote the model, then died writing the checkpoint; or died writing the model
    saved = io.load_model(model)  # complete, or this raises
    epoch = 3 if victim == "checkpoint" else 2
    assert saved.metadata["epoch"] == epoch
    for name, param in trained(epoch).parameters().items():
        np.testing.assert_array_equal(saved.network.parameters()[name], param)
    target = ckpt if victim == "checkpoint" else model
    [litter] = [p for p in tmp_path.iterdir() if p.name not in (ckpt.name, model.name)]
    assert re.fullmatch(
        rf"\.{re.escape(target.name)}\.{child.pid}\.[0-9a-f]{{16}}\.tmp", litter.name
    )

    # the checkpoint of epoch 2 is complete: the run goes on from it, exactly
    net = mlp([16, 128, 2], output="softmax", random_state=0)
    history = fit(net, x, y, optimizer="adam", epochs=4, batch_size=50, random_state=0, resume=ckpt)
    assert history.epochs == 4  # the restored history counts the earlier epochs
    for name, param in trained(4).parameters().items():
        np.testing.assert_array_equal(net.parameters()[name], param)
    if victim == "model":  # the resume cleaned up the checkpoint's litter; a save, the model's
        io.save(net, model)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ckpt.name, model.name])
