"""Importing and using the engine loads NumPy only: no scikit-learn, no matplotlib."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

ENGINE_MODULES = [
    "glassnet",
    "glassnet.activations",
    "glassnet.layers",
    "glassnet.losses",
    "glassnet.initializers",
    "glassnet.network",
    "glassnet.optimizers",
    "glassnet.schedules",
    "glassnet.training",
    "glassnet.callbacks",
    "glassnet.io.checkpoint",
    "glassnet.gradcheck",
    "glassnet.metrics",
    "glassnet.errors",
]
# glassnet.io (saving and loading) belongs to the engine once it exists.
if importlib.util.find_spec("glassnet.io") is not None:
    ENGINE_MODULES.append("glassnet.io")


def test_engine_imports_and_trains_without_sklearn_or_matplotlib():
    code = textwrap.dedent(
        f"""
        import importlib
        import sys

        import numpy as np

        for name in {ENGINE_MODULES!r}:
            importlib.import_module(name)

        import glassnet

        rng = np.random.RandomState(0)
        x = np.vstack([rng.randn(20, 2) + 2, rng.randn(20, 2) - 2])
        y = np.repeat([0, 1], 20)
        net = glassnet.mlp([2, 4, 2], activation="tanh", output="softmax", random_state=0)
        history = net.fit(x, y, learning_rate=0.1, epochs=5, batch_size=8, random_state=0,
                          validation_fraction=0.2, metrics=["accuracy"], early_stopping=True)
        assert history.epochs == 5, history
        net.predict_proba(x)
        glassnet.gradcheck(net, x[:5], y[:5])

        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "matplotlib"))
        assert "sklearn" not in sys.modules, heavy
        assert "matplotlib" not in sys.modules, heavy
        print("ok", len(sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")
