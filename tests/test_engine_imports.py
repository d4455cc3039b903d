"""Importing and using the engine loads NumPy only: no scikit-learn, no matplotlib."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import glassnet

ENGINE_MODULES = [
    "glassnet",
    "glassnet.validation",
    "glassnet.activations",
    "glassnet.layers",
    "glassnet.losses",
    "glassnet.initializers",
    "glassnet.network",
    "glassnet.optimizers",
    "glassnet.schedules",
    "glassnet.trainer",
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


# -- the engine's modules import each other one way ------------------------------------------------

#: data → layers → network → loss → optimizer → trainer: each module may import (at module
#: level) only modules listed before it
ENGINE_ORDER = [
    "errors",
    "backend",
    "validation",
    "schedules",
    "initializers",
    "activations",
    "layers",
    "workspace",
    "network",
    "losses",
    "optimizers",
    "gradcheck",
    "metrics",
    "io.archive",
    "io.checkpoint",
    "callbacks",
    "trainer",
    "training",
]
PACKAGE = Path(glassnet.__file__).parent


def module_imports(path: Path) -> set[str]:
    """The glassnet modules a file imports when it is imported (not inside functions, not
    for type checking only), as dotted names relative to the package."""
    name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    package = name.split(".")[:-1]  # a module's package; "io.__init__" → io
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{target}.{alias.name}" if target else alias.name
                found.add(full if (PACKAGE / (full.replace(".", "/") + ".py")).exists() else target)
    return found - {""}


def test_the_engine_modules_import_one_way():
    for i, name in enumerate(ENGINE_ORDER):
        path = PACKAGE / (name.replace(".", "/") + ".py")
        later = module_imports(path) & set(ENGINE_ORDER[i:])
        assert not later, f"{name} imports {sorted(later)}, which come after it"


def test_no_module_of_the_package_imports_itself_back():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        graph[name.removesuffix(".__init__")] = {
            m for m in module_imports(path) if m != name.removesuffix(".__init__")
        }
    done, active = set(), []

    def visit(node):
        assert node not in active, f"import cycle: {' → '.join([*active, node])}"
        if node in done or node not in graph:
            return
        active.append(node)
        for dep in sorted(graph[node]):
            visit(dep)
        active.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
