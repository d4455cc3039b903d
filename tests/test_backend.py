"""The array backend: NumPy on the CPU, CuPy on a GPU — tested with no GPU and no CuPy.

CI has neither, so the tests put a stand-in where CuPy would be: a module registered as
``cupy`` whose arrays keep NumPy data underneath but follow CuPy's rules on top. They refuse
to become NumPy arrays implicitly (``np.asarray`` raises, as CuPy's do), refuse to mix with
NumPy arrays in arithmetic, answer NumPy functions with arrays of their own kind (through
``__array_ufunc__`` and ``__array_function__``, as CuPy does), and count every copy between
"host" and "device". Every engine path that would break on a real GPU — a host array
created on the hot path, an implicit conversion — breaks here too; and since the arithmetic
underneath is NumPy's, a run on the stand-in must match the CPU run bit for bit.
"""

from __future__ import annotations

import io
import re
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.lib.mixins import NDArrayOperatorsMixin
from sklearn.exceptions import ConvergenceWarning

import glassnet
from glassnet import backend
from glassnet.backend import get_namespace, namespace_of, to_device, to_numpy
from glassnet.cli import main
from glassnet.errors import DeviceUnavailable, GlassnetError, ValidationError
from glassnet.network import mlp
from glassnet.training import PrintLoss

# -- the stand-in for CuPy ----------------------------------------------------------------


class Transfers:
    """What crossed between host and device: uploads, downloads and NumPy index arrays."""

    def __init__(self) -> None:
        self.uploads = self.downloads = self.host_indices = 0


class StandInArray(NDArrayOperatorsMixin):
    """A 'device' array: NumPy data underneath, CuPy's rules on top."""

    __module__ = "cupy"  # how glassnet.backend tells a CuPy array, without importing CuPy
    __slots__ = ("_data", "_log")

    def __init__(self, data: np.ndarray, log: Transfers) -> None:
        self._data, self._log = data, log

    # -- what CuPy refuses ----------------------------------------------------------------
    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError("Implicit conversion to a NumPy array is not allowed; use .get()")

    def _unwrap(self, value: Any) -> Any:
        if isinstance(value, StandInArray):
            return value._data
        if isinstance(value, np.ndarray):
            raise TypeError(f"Unsupported type {type(value)}: a host array met a device array")
        if isinstance(value, (list, tuple)):
            return type(value)(self._unwrap(v) for v in value)
        return value

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, (np.ndarray, np.generic)):  # CuPy reductions give 0-d arrays
            return StandInArray(np.asarray(value), self._log)
        if isinstance(value, tuple):
            return tuple(self._wrap(v) for v in value)
        return value

    def _index(self, key: Any) -> Any:
        """CuPy accepts NumPy index arrays, by copying them to the device: count those."""
        if isinstance(key, tuple):
            return tuple(self._index(k) for k in key)
        if isinstance(key, StandInArray):
            return key._data
        if isinstance(key, np.ndarray):
            self._log.host_indices += 1
        return key

    # -- NumPy's dispatch, answered with stand-in arrays ------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = self._unwrap(out)
        result = getattr(ufunc, method)(*self._unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return self._wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        unwrapped = {k: self._unwrap(v) for k, v in kwargs.items()}
        return self._wrap(func(*self._unwrap(args), **unwrapped))

    def __getattr__(self, name: str) -> Any:  # shape, dtype, T, sum, astype, copy, …
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._data, name)
        if not callable(value):
            return self._wrap(value)

        def method(*args: Any, **kwargs: Any) -> Any:
            unwrapped = {k: self._unwrap(v) for k, v in kwargs.items()}
            return self._wrap(value(*self._unwrap(args), **unwrapped))

        return method

    def __getitem__(self, key: Any) -> Any:
        return self._wrap(self._data[self._index(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[self._index(key)] = self._unwrap(value)

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __format__(self, spec: str) -> str:
        return format(self._data.item() if self._data.ndim == 0 else self._data, spec)

    def __repr__(self) -> str:
        return f"stand-in {self._data!r}"

    def get(self) -> np.ndarray:
        """The host copy, as ``cupy.ndarray.get`` returns it."""
        self._log.downloads += 1
        return self._data.copy()


def fake_cupy(device_count: Any = 1) -> types.ModuleType:
    """A module to register as ``cupy``: ``asarray``, ``ndarray`` and the device count."""
    module = types.ModuleType("cupy")
    log = Transfers()

    def asarray(a: Any, dtype: Any = None) -> StandInArray:
        if isinstance(a, StandInArray):
            return a if dtype is None else a.astype(dtype)
        log.uploads += 1
        return StandInArray(np.array(a, dtype=dtype), log)

    def get_device_count() -> int:
        if isinstance(device_count, Exception):
            raise device_count
        return device_count

    def arange(*args: Any, **kwargs: Any) -> StandInArray:  # made on the device: no upload
        return StandInArray(np.arange(*args, **kwargs), log)

    def empty(*args: Any, **kwargs: Any) -> StandInArray:  # made on the device: no upload
        return StandInArray(np.empty(*args, **kwargs), log)

    module.asarray = asarray  # type: ignore[attr-defined]
    module.empty = empty  # type: ignore[attr-defined]
    module.arange = arange  # type: ignore[attr-defined]
    module.ndarray = StandInArray  # type: ignore[attr-defined]
    module.cuda = types.SimpleNamespace(  # type: ignore[attr-defined]
        runtime=types.SimpleNamespace(getDeviceCount=get_device_count)
    )
    module.log = log  # type: ignore[attr-defined]
    return module


@pytest.fixture
def cupy(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The stand-in, importable as ``cupy`` for this test only."""
    module = fake_cupy()
    monkeypatch.setitem(sys.modules, "cupy", module)
    return module


@pytest.fixture
def no_cupy(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import cupy`` fails, as on a machine without it (even if it were installed)."""
    monkeypatch.setitem(sys.modules, "cupy", None)


def test_the_stand_in_keeps_cupys_rules(cupy):
    a = cupy.asarray(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError, match="host array met a device array"):
        a + np.ones((2, 3))
    assert isinstance(np.tanh(a), StandInArray)
    assert isinstance(a.sum(), StandInArray) and float(a.sum()) == 15.0
    assert isinstance(np.where(a > 2, a, 0.0), StandInArray)
    assert namespace_of(a) is cupy and namespace_of(np.tanh(a) @ a.T) is cupy


# -- choosing a device --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cpu", "numpy", "CPU", "NumPy"])
def test_cpu_is_numpy(name):
    assert backend.check_device(name) == "cpu"
    assert get_namespace(name) is np


def test_cupy_is_an_alias_of_cuda():
    assert backend.DEVICES == ("cpu", "cuda")
    assert backend.check_device("cupy") == backend.check_device("CUDA") == "cuda"


@pytest.mark.parametrize("bad", ["tpu", "cuda:0", "", None, 0])
def test_an_unknown_device_names_the_choices(bad):
    with pytest.raises(ValidationError, match=r"unknown device .*\['cpu', 'cuda'\]"):
        get_namespace(bad)


def assert_install_hint(err: DeviceUnavailable) -> None:
    message = str(err)
    assert "\n" not in message
    assert "CuPy" in message and 'pip install "glassnet[gpu]"' in message
    assert "device='cpu'" in message


@pytest.mark.parametrize("device", ["cuda", "cupy"])
def test_cuda_without_cupy_says_how_to_install_it(no_cupy, device):
    with pytest.raises(DeviceUnavailable) as caught:
        get_namespace(device)
    assert_install_hint(caught.value)
    assert isinstance(caught.value, GlassnetError) and isinstance(caught.value, RuntimeError)
    assert glassnet.DeviceUnavailable is DeviceUnavailable


def test_networks_ask_for_cuda_without_cupy(no_cupy):
    with pytest.raises(DeviceUnavailable, match=r"glassnet\[gpu\]"):
        mlp([2, 3, 2], random_state=0, device="cuda")
    net = mlp([2, 3, 2], random_state=0)
    with pytest.raises(DeviceUnavailable, match=r"glassnet\[gpu\]"):
        net.to("cuda")
    assert net.device == "cpu"
    assert all(type(p) is np.ndarray for p in net.parameters().values())


class CUDARuntimeError(RuntimeError):
    """What CuPy raises when the CUDA runtime has no driver or no device."""


@pytest.mark.parametrize(
    ("count", "detail"),
    [
        (0, "reports 0 devices"),
        (
            CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected"),
            "CUDARuntimeError: cudaErrorNoDevice",
        ),
        (CUDARuntimeError("cudaErrorInsufficientDriver"), "cudaErrorInsufficientDriver"),
    ],
)
def test_cuda_without_a_visible_device(monkeypatch, count, detail):
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy(device_count=count))
    with pytest.raises(DeviceUnavailable, match="no CUDA device is visible") as caught:
        get_namespace("cuda")
    message = str(caught.value)
    assert detail in message and "CUDA_VISIBLE_DEVICES" in message and "\n" not in message


def test_cuda_with_a_device_is_cupy(cupy):
    assert get_namespace("cuda") is cupy
    assert get_namespace("cupy") is cupy


# -- moving arrays ------------------------------------------------------------------------


def test_namespace_of_numpy_and_python_values_needs_no_cupy(no_cupy):
    for value in (np.zeros(3), np.float32(1.0), [1.0, 2.0], 3.0):
        assert namespace_of(value) is np
        assert not backend.is_device_array(value)


def test_to_device_and_to_numpy_copy_only_across(cupy):
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert to_numpy(host) is host and to_device(host, np) is host
    dev = to_device(host, cupy)
    assert isinstance(dev, StandInArray) and dev.dtype == np.float32 and dev.shape == (2, 3)
    assert to_device(dev, cupy) is dev
    assert cupy.log.uploads == 1
    back = to_numpy(dev)
    assert type(back) is np.ndarray and back.dtype == np.float32
    np.testing.assert_array_equal(back, host)
    np.testing.assert_array_equal(to_device(dev, np), host)
    assert cupy.log.downloads == 2


# -- networks on the stand-in: the same numbers as on the CPU ------------------------------


def test_network_to_moves_parameters_and_gradients(cupy):
    cpu = mlp([3, 5, 2], activation="tanh", random_state=0)
    net = mlp([3, 5, 2], activation="tanh", random_state=0).to("cupy")
    assert net.device == "cuda" and net.xp is cupy
    for arrays in (net.parameters(), net.gradients()):
        assert all(isinstance(a, StandInArray) for a in arrays.values())
    for name, p in cpu.parameters().items():
        np.testing.assert_array_equal(to_numpy(net.parameters()[name]), p)
    assert net.to("cpu") is net and net.device == "cpu" and net.xp is np
    assert all(type(a) is np.ndarray for a in net.gradients().values())


def classification(n=60, k=3, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, k, n)
    x = rng.randn(n, 4) + y[:, None]
    return x, y


RUNS = {
    "wildml_full_batch_gd": (
        {"sizes": [4, 5, 3], "activation": "tanh", "output": "softmax", "l2": 0.01},
        {"learning_rate": 0.05, "epochs": 25},
    ),
    "adam_minibatches_dropout_weights_validation": (
        {
            "sizes": [4, 8, 6, 3],
            "activation": "relu",
            "output": "softmax",
            "dropout": 0.3,
            "l1": 1e-3,
        },
        {
            "optimizer": "adam",
            "epochs": 8,
            "batch_size": 16,
            "validation_fraction": 0.2,
            "metrics": ["accuracy"],
            "sample_weight": "ramp",
            "early_stopping": True,
            "patience": 3,
        },
    ),
    "binary_sigmoid_float32_momentum": (
        {"sizes": [4, 6, 1], "activation": "sigmoid", "output": "sigmoid", "dtype": np.float32},
        {"optimizer": "nesterov", "epochs": 10, "batch_size": 13, "target": "binary"},
    ),
    "regression_gelu_rmsprop_validation_data": (
        {"sizes": [4, 7, 2], "activation": "gelu"},
        {
            "optimizer": "rmsprop",
            "epochs": 6,
            "batch_size": 20,
            "target": "values",
            "validation_data": True,
        },
    ),
}


def train_both(cupy, run):
    """The same run on the CPU and on the stand-in: (networks, histories, printed lines)."""
    net_kwargs, fit_kwargs = RUNS[run]
    x, labels = classification()
    results = []
    for device in ("cpu", "cuda"):
        kwargs = dict(fit_kwargs)
        target = kwargs.pop("target", "labels")
        y = {
            "labels": labels,
            "binary": (labels > 0).astype(float),
            "values": np.c_[x.sum(axis=1), labels],
        }[target]
        if kwargs.get("sample_weight") == "ramp":
            kwargs["sample_weight"] = np.linspace(0.5, 2.0, len(x))
        if kwargs.pop("validation_data", False):
            kwargs["validation_data"] = (x[:15] + 0.1, y[:15])
        if kwargs.get("optimizer") == "nesterov":  # an instance, with momentum
            kwargs["optimizer"] = glassnet.GradientDescent(0.1, momentum=0.9, nesterov=True)
        net = mlp(**net_kwargs, random_state=0, device=device)
        printed = io.StringIO()
        history = net.fit(
            x, y, random_state=1, callbacks=[PrintLoss(every=3, file=printed)], **kwargs
        )
        results.append((net, history, printed.getvalue()))
    return results


@pytest.mark.parametrize("run", list(RUNS))
def test_training_on_the_device_matches_the_cpu_bit_for_bit(cupy, run):
    (cpu, cpu_history, cpu_printed), (dev, dev_history, dev_printed) = train_both(cupy, run)
    assert dev.device == "cuda"
    assert all(isinstance(p, StandInArray) for p in dev.parameters().values())
    assert dev_history == cpu_history  # losses, validation losses, metrics: exactly
    assert dev_printed == cpu_printed and dev_printed.count("Loss after iteration") > 1
    for name, p in cpu.parameters().items():
        q = to_numpy(dev.parameters()[name])
        assert q.dtype == p.dtype
        np.testing.assert_array_equal(q, p)
    assert cupy.log.uploads > 0 and cupy.log.downloads > 0  # the conversions were used


@pytest.mark.parametrize("run", list(RUNS))
def test_predictions_come_back_as_numpy(cupy, run):
    (cpu, *_), (dev, *_) = train_both(cupy, run)
    x = classification(seed=1)[0]
    for method in ("predict", "predict_proba", "raw_output"):
        if method == "predict_proba" and cpu.output.name == "identity":
            continue
        expected = getattr(cpu, method)(x)
        got = getattr(dev, method)(x)
        if method == "raw_output":  # the engine's own view stays on the device
            assert isinstance(got, StandInArray)
            got = to_numpy(got)
        else:
            assert type(got) is np.ndarray
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    # a device array goes in as well, and is not brought back to be checked
    downloads = cupy.log.downloads
    np.testing.assert_array_equal(dev.predict(to_device(x, cupy)), cpu.predict(x))
    assert cupy.log.downloads == downloads + 1


def uploads_for(cupy, epochs, **kwargs):
    x = classification()[0]
    y = np.c_[x.sum(axis=1)]
    net = mlp([4, 6, 1], activation="tanh", random_state=0, device="cuda")
    before = cupy.log.uploads
    net.fit(x, y, epochs=epochs, random_state=0, **kwargs)
    return cupy.log.uploads - before


def test_the_data_go_to_the_device_once_per_fit(cupy):
    full = [uploads_for(cupy, epochs) for epochs in (1, 20)]
    assert full[0] == full[1] <= 2  # X and y, not once per epoch
    batches = [uploads_for(cupy, epochs, batch_size=8) for epochs in (1, 20)]
    assert batches[1] - batches[0] == 19  # and one shuffled order per epoch, not per batch
    assert cupy.log.host_indices == 0  # no batch is cut with a host index array


def test_numerical_gradients_stay_on_the_cpu(cupy):
    x, y = classification()
    net = mlp([4, 3, 3], output="softmax", random_state=0, device="cuda")
    with pytest.raises(ValidationError, match=r"gradient='numerical'.*network\.to\('cpu'\)"):
        net.fit(x, y, epochs=1, gradient="numerical")


def test_saving_a_device_network_writes_host_arrays(cupy, tmp_path):
    net = mlp([4, 5, 3], activation="tanh", output="softmax", random_state=0, device="cuda")
    x, y = classification()
    net.fit(x, y, epochs=3)
    glassnet.save(net, tmp_path / "model.glassnet")
    loaded = glassnet.load(tmp_path / "model.glassnet")
    assert loaded.device == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(x), net.predict_proba(x))


# -- the estimators -----------------------------------------------------------------------

ESTIMATOR_CASES = {
    "classifier_adam": ("GlassClassifier", {"hidden_layer_sizes": (8,), "max_iter": 15}),
    "classifier_sgd_early_stopping": (
        "GlassClassifier",
        {
            "hidden_layer_sizes": (6, 5),
            "solver": "sgd",
            "early_stopping": True,
            "max_iter": 15,
            "learning_rate_init": 0.05,
            "n_iter_no_change": 3,
            "dropout": 0.2,
        },
    ),
    "regressor_rmsprop": (
        "GlassRegressor",
        {
            "hidden_layer_sizes": (7,),
            "solver": "rmsprop",
            "max_iter": 12,
            "batch_size": 16,
            "learning_rate_init": 0.01,
        },
    ),
}


def fit_estimator(case, device, x, y):
    name, params = ESTIMATOR_CASES[case]
    estimator = getattr(glassnet, name)(**params, random_state=0, device=device)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(x, y)


@pytest.mark.parametrize("case", list(ESTIMATOR_CASES))
def test_estimators_on_the_device_match_the_cpu(cupy, case):
    x, labels = classification()
    y = labels if ESTIMATOR_CASES[case][0] == "GlassClassifier" else x @ [1.0, -2.0, 0.5, 3.0]
    cpu = fit_estimator(case, "cpu", x, y)
    dev = fit_estimator(case, "cuda", x, y)
    assert dev.get_params()["device"] == "cuda" and dev.network_.device == "cuda"
    assert dev.loss_curve_ == cpu.loss_curve_ and dev.n_iter_ == cpu.n_iter_
    assert dev.validation_scores_ == cpu.validation_scores_
    for a, b in zip(dev.coefs_ + dev.intercepts_, cpu.coefs_ + cpu.intercepts_, strict=True):
        assert isinstance(a, StandInArray)
        np.testing.assert_array_equal(to_numpy(a), b)
    methods = ["predict", "score"]
    if hasattr(cpu, "predict_proba"):
        methods += ["predict_proba", "predict_log_proba"]
    for method in methods:
        args = (x, y) if method == "score" else (x,)
        got, expected = getattr(dev, method)(*args), getattr(cpu, method)(*args)
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got, expected)


def test_estimator_partial_fit_warm_start_and_moving_back(cupy, tmp_path):
    x, y = classification()
    cpu = glassnet.GlassClassifier((8,), random_state=0)
    dev = glassnet.GlassClassifier((8,), random_state=0, device="cupy")
    for estimator in (cpu, dev):
        for _ in range(3):
            estimator.partial_fit(x, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(dev.predict_proba(x), cpu.predict_proba(x))
    # switching devices between calls carries the weights and the optimizer's moments along
    dev.set_params(device="cpu")
    dev.partial_fit(x, y)
    cpu.partial_fit(x, y)
    assert dev.network_.device == "cpu"
    np.testing.assert_array_equal(dev.predict_proba(x), cpu.predict_proba(x))
    dev.set_params(device="cuda").partial_fit(x, y)
    cpu.partial_fit(x, y)
    np.testing.assert_array_equal(dev.predict_proba(x), cpu.predict_proba(x))
    dev.save(tmp_path / "clf.glassnet")  # from host copies
    loaded = glassnet.GlassClassifier.load(tmp_path / "clf.glassnet")
    assert loaded.device == "cuda" and loaded.network_.device == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(x), cpu.predict_proba(x))


def test_estimator_device_is_stored_and_checked_in_fit(no_cupy):
    x, y = classification()
    estimator = glassnet.GlassRegressor(device="cuda")  # stored only, as scikit-learn wants
    assert estimator.get_params()["device"] == "cuda"
    with pytest.raises(DeviceUnavailable, match=r"glassnet\[gpu\]"):
        estimator.fit(x, y)
    assert not hasattr(estimator, "network_")  # it failed before any work
    with pytest.raises(ValueError, match="unknown device 'gpu0'"):
        glassnet.GlassClassifier(device="gpu0").fit(x, y)


# -- the command line ---------------------------------------------------------------------


def test_cli_train_on_cuda_without_cupy_is_one_line(no_cupy, capsys):
    code = main(["train", "moons", "--device", "cuda", "--epochs", "2", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: device 'cuda' needs CuPy")
    assert 'pip install "glassnet[gpu]"' in lines[0] and "Traceback" not in err


def test_cli_train_rejects_other_devices(capsys):
    code = main(["train", "moons", "--device", "tpu"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "'tpu'" in err


def test_cli_train_on_the_device_prints_the_cpu_numbers(cupy, capsys, tmp_path):
    outputs = []
    for device in ("cpu", "cuda"):
        model = tmp_path / f"{device}.glassnet"
        args = ["train", "moons", "--hidden", "5", "--epochs", "5", "--quiet", "--out", model]
        code = main([str(a) for a in [*args, "--device", device]])
        out = capsys.readouterr().out
        assert code == 0, out
        outputs.append(
            [line for line in out.splitlines() if "time" not in line and "written" not in line]
        )
        assert glassnet.io.load_model(model).metadata["config"]["device"] == device
    assert outputs[0] == outputs[1] and any("accuracy" in line for line in outputs[0])


# -- CuPy stays optional ------------------------------------------------------------------

IMPORTS_CUPY = re.compile(r"^\s*(import\s+cupy|from\s+cupy\b)|import_module\(\s*['\"]cupy", re.M)


def test_only_the_backend_imports_cupy():
    package = Path(glassnet.__file__).parent
    importing = sorted(
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if IMPORTS_CUPY.search(path.read_text(encoding="utf-8"))
    )
    assert importing == ["glassnet/backend.py"]


def test_softmax_cross_entropy_indexes_rows_on_the_device(cupy):
    x, y = classification()
    net = mlp([4, 6, 3], activation="tanh", output="softmax", random_state=0, device="cuda")
    before = cupy.log.host_indices
    net.fit(x, y, epochs=10, random_state=0)
    assert cupy.log.host_indices == before  # arange(n) is made in the output's namespace
