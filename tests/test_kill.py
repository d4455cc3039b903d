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
