"""scikit-learn's own MLP tests, run against glassnet's estimators.

scikit-learn ships the tests of its MLP inside the installed package
(``sklearn/neural_network/tests/test_mlp.py``). This file runs them with ``MLPClassifier`` and
``MLPRegressor`` bound to :class:`~glassnet.sklearn.GlassClassifier` and
:class:`~glassnet.sklearn.GlassRegressor`:

1. the source of the *installed* file is read (found with ``importlib.util.find_spec``; it is
   never copied into this project), its one line
   ``from sklearn.neural_network import MLPClassifier, MLPRegressor`` is rewritten to import
   glassnet's classes under those names, and the result is executed as a private module
   (compiled with the original path, so tracebacks point into scikit-learn's file).
   ``sklearn.neural_network`` itself is left alone, so the tests that compare with
   scikit-learn's other estimators still compare two different things;
2. its ``test_*`` functions are re-exported here as module-level functions, with their
   ``parametrize`` and ``filterwarnings`` marks, so pytest collects them as tests of this
   file (``pytest tests/test_sklearn_mlp_suite.py -k warm_start`` works as usual);
3. the fixtures that scikit-learn's ``conftest.py`` provides (``global_random_seed``,
   ``global_dtype``) are defined here with scikit-learn's defaults;
4. the tests that fail for a stated reason are listed in :data:`KNOWN_DIFFERENCES` and marked
   ``xfail(strict=True)`` by an autouse fixture, keyed by the test's name as pytest shows it
   (parameters included), so a listed test that starts passing fails the run until it leaves
   the list.

The scikit-learn versions the ``dev`` extra accepts are pinned in ``pyproject.toml``: the
test module changes between releases.
"""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest

_IMPORT_LINE = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
_GLASSNET_LINE = (
    "from glassnet.sklearn import GlassClassifier as MLPClassifier, "
    "GlassRegressor as MLPRegressor\n"
)

#: test name (as pytest names it) -> why it is expected to fail
KNOWN_DIFFERENCES: dict[str, str] = {
    "test_fit": (
        "builds an unfitted MLPClassifier's state by hand before partial_fit: assigns the "
        "lists coefs_ and intercepts_ and replaces their items in place, and sets "
        "scikit-learn's private _coef_velocity, _intercept_velocity, _coef_grads and "
        "learning_rate_. glassnet's coefs_/intercepts_ are the fitted network_'s own arrays, "
        "assignable once fitted, so partial_fit starts from its own initial weights; the same "
        "worked SGD step from weights assigned to a fitted GlassClassifier is asserted in "
        "tests/test_estimators_like_sklearn.py::test_sklearns_worked_sgd_step"
    ),
    "test_gradient": (
        "calls scikit-learn's private method _loss_grad_lbfgs (its packed loss and gradient); "
        "glassnet's gradients are checked against numerical ones in tests/test_gradcheck.py "
        "and its L-BFGS against scikit-learn's weights in tests/test_lbfgs.py"
    ),
    "test_predict_proba_multilabel": (
        "asserts that the argmax of predict_log_proba equals the argmax of predict_proba. "
        "glassnet computes the log-probabilities from the logits, -log(1 + exp(-z)), so "
        "they never become -inf; scikit-learn takes log(predict_proba). On this data "
        "several sigmoid outputs of a row round to exactly 1.0, so predict_proba's argmax "
        "picks the first of the tied columns while the log-probabilities still tell the "
        "largest logit. Everything else the test asserts passes (shape, threshold at 0.5, "
        "rows not summing to 1, log-probabilities close to log(predict_proba))"
    ),
}


def _load_sklearn_mlp_tests() -> types.ModuleType:
    """scikit-learn's ``test_mlp`` module, executed with glassnet's estimators in its names."""
    spec = importlib.util.find_spec("sklearn.neural_network.tests.test_mlp")
    if spec is None or spec.origin is None:
        raise RuntimeError("the installed scikit-learn ships no neural_network/tests/test_mlp.py")
    path = Path(spec.origin)
    source = path.read_text(encoding="utf-8")
    if source.count(_IMPORT_LINE) != 1:
        raise RuntimeError(f"{path} no longer imports the MLP estimators in one line; update")
    module = types.ModuleType("_sklearn_test_mlp_on_glassnet")
    module.__file__ = str(path)
    code = compile(source.replace(_IMPORT_LINE, _GLASSNET_LINE), str(path), "exec")
    exec(code, module.__dict__)
    return module


_SKLEARN_TESTS = _load_sklearn_mlp_tests()

for _name, _test in vars(_SKLEARN_TESTS).items():
    if _name.startswith("test_") and isinstance(_test, types.FunctionType):
        globals()[_name] = _test


@pytest.fixture(params=[42])
def global_random_seed(request: pytest.FixtureRequest) -> int:
    """scikit-learn's seed fixture, with its default seed (42)."""
    return int(request.param)


@pytest.fixture(params=[np.float64])
def global_dtype(request: pytest.FixtureRequest) -> type:
    """scikit-learn's dtype fixture, with its default dtype (float64)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _known_difference(request: pytest.FixtureRequest) -> None:
    reason = KNOWN_DIFFERENCES.get(request.node.name)
    if reason is not None:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def test_known_differences_name_collected_tests(request: pytest.FixtureRequest) -> None:
    """Every entry of the list names a test of scikit-learn's module (no stale entries)."""
    names = {item.name for item in request.session.items if item.module is request.module}
    if len(names) < 10:
        pytest.skip("run the whole file to check the list")
    assert set(KNOWN_DIFFERENCES) <= names, sorted(set(KNOWN_DIFFERENCES) - names)
