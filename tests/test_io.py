"""Model files: bit-exact round trips, the header, refusals of bad files, atomic writes."""

from __future__ import annotations

import ast
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import glassnet
from glassnet import (
    BinaryCrossEntropy,
    Dense,
    Dropout,
    LeakyReLU,
    MeanAbsoluteError,
    MeanSquaredError,
    Network,
    Sigmoid,
    SoftmaxCrossEntropy,
    SumSquaredError,
    Tanh,
    fit,
    mlp,
)
from glassnet.errors import GlassnetError, ModelFileError, ValidationError
from glassnet.io import FORMAT, FORMAT_VERSION, ModelFile, load, load_model, save

HEADER = "__glassnet__"


def randomise(net: Network, rng: np.random.RandomState) -> Network:
    """Give every parameter, biases included, random values (a fresh mlp has zero biases)."""
    for param in net.parameters().values():
        param[...] = rng.standard_normal(param.shape).astype(param.dtype)
    return net


def build(case: str, rng: np.random.RandomState) -> Network:
    """The networks of the round-trip cases, named by what they exercise."""
    f32 = {"dtype": np.float32, "random_state": rng}
    if case == "float64-relu-softmax":
        return mlp([4, 6, 3], activation="relu", output="softmax", random_state=rng)
    if case == "float32-tanh-sigmoid-nobias":
        return mlp([4, 5, 1], activation="tanh", output="sigmoid", bias=False, **f32)
    if case == "leaky-slope-identity-l2-l1":
        return mlp([4, 5, 5, 2], activation=LeakyReLU(0.23), l2=0.125, l1=0.0375, random_state=rng)
    if case == "float32-dropout-sigmoid-softmax":
        return mlp(
            [4, 8, 6, 3], activation="sigmoid", output="softmax", dropout=0.3, l2=1e-4, **f32
        )
    if case == "handmade-multilabel":
        layers = [Dense(4, 7, **f32), LeakyReLU(0.3), Dropout(0.25, random_state=rng)]
        layers += [Dense(7, 5, bias=False, **f32), Tanh(), Dense(5, 3, **f32)]
        return Network(layers, output=Sigmoid(), l1=0.5)
    if case == "linear-regression":
        return Network([Dense(4, 1, random_state=rng)], output="identity")
    if case == "every-activation":
        d = [Dense(4, 4, random_state=rng) for _ in range(4)] + [Dense(4, 2, random_state=rng)]
        layers = [d[0], glassnet.Identity(), d[1], glassnet.ReLU(), d[2], glassnet.Softmax()]
        layers += [d[3], Sigmoid(), d[4], LeakyReLU()]
        return Network(layers, output=LeakyReLU(0.05))
    raise AssertionError(case)


CASES = [
    "float64-relu-softmax",
    "float32-tanh-sigmoid-nobias",
    "leaky-slope-identity-l2-l1",
    "float32-dropout-sigmoid-softmax",
    "handmade-multilabel",
    "linear-regression",
    "every-activation",
]


@pytest.fixture
def model_path(tmp_path: Path, rng: np.random.RandomState) -> Path:
    """A saved softmax network (Dense(3, 4), Tanh, Dense(4, 2)) with preprocessing and classes."""
    path = tmp_path / "model.glassnet"
    net = randomise(mlp([3, 4, 2], activation="tanh", output="softmax", random_state=rng), rng)
    save(net, path, preprocessing={"mean": np.arange(3.0)}, classes=["a", "b"])
    return path


def read_entries(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def header_of(entries: dict[str, np.ndarray]) -> dict:
    return json.loads(entries[HEADER].tobytes().decode("utf-8"))


def rewrite(path: Path, entries: dict[str, np.ndarray], header: dict | None = None) -> None:
    """Write ``entries`` (and ``header`` as the JSON entry) as a plain npz at ``path``."""
    entries = dict(entries)
    if header is not None:
        entries[HEADER] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as handle:
        np.savez(handle, **entries)


def edit_header(path: Path, edit) -> None:
    entries = read_entries(path)
    header = header_of(entries)
    edit(header)
    rewrite(path, entries, header)


# -- round trips --------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_round_trip_predicts_bit_for_bit(case, tmp_path, rng):
    net = randomise(build(case, rng), rng)
    x = rng.standard_normal((50, 4)) * 3
    path = tmp_path / "net.glassnet"
    save(net, path)
    back = load(path)

    assert type(back) is Network
    assert repr(back) == repr(net)
    assert [type(a) for a in back.layers] == [type(b) for b in net.layers]
    assert (back.l2, back.l1, back.output.name) == (net.l2, net.l1, net.output.name)
    assert back.output.config() == net.output.config()
    assert back.parameters().keys() == net.parameters().keys()
    for name, param in net.parameters().items():
        assert back.parameters()[name].dtype == param.dtype
        assert back.parameters()[name].flags.c_contiguous
        assert_array_equal(back.parameters()[name], param, strict=True)
    for method in ("raw_output", "predict"):
        out, out_back = getattr(net, method)(x), getattr(back, method)(x)
        assert out_back.dtype == out.dtype
        assert np.array_equal(out_back, out)
    if net.output.name in ("softmax", "sigmoid"):
        assert np.array_equal(back.predict_proba(x), net.predict_proba(x))


def test_loaded_network_owns_its_arrays_and_trains(tmp_path, rng):
    net = randomise(mlp([4, 3, 2], output="softmax", random_state=rng), rng)
    save(net, tmp_path / "m.glassnet")
    back = load(tmp_path / "m.glassnet")
    for a, b in zip(back.parameters().values(), net.parameters().values(), strict=True):
        assert not np.shares_memory(a, b)
    x, y = rng.standard_normal((8, 4)), rng.randint(2, size=8)
    assert np.isfinite(back.gradient(x, y, glassnet.SoftmaxCrossEntropy()))


def test_load_draws_nothing_from_the_global_generator(model_path):
    global_rng = np.random.mtrand._rand
    before = global_rng.get_state()
    load(model_path)
    after = global_rng.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_model_file_keeps_preprocessing_classes_and_metadata(tmp_path, rng):
    net = randomise(mlp([3, 2], output="softmax", random_state=rng), rng)
    mean = rng.standard_normal(3)
    std = rng.uniform(1, 2, size=3).astype(np.float32)
    order = np.array([2, 0, 1], dtype=np.int64)
    metadata = {"author": "Zoë", "epochs": 40, "history": [0.5, 0.25], "nested": {"ok": True}}
    path = tmp_path / "m.glassnet"
    save(
        net,
        path,
        preprocessing={"mean": mean, "std": std, "feature-order": order},
        classes=np.array(["setosa", "versicolor"]),
        metadata=metadata,
    )
    model = load_model(path)

    assert isinstance(model, ModelFile)
    assert np.array_equal(model.network.predict(mean[None, :]), net.predict(mean[None, :]))
    assert model.preprocessing.keys() == {"mean", "std", "feature-order"}
    assert_array_equal(model.preprocessing["mean"], mean, strict=True)
    assert_array_equal(model.preprocessing["std"], std, strict=True)
    assert_array_equal(model.preprocessing["feature-order"], order, strict=True)
    assert model.classes == ["setosa", "versicolor"]
    assert model.metadata == metadata
    assert model.glassnet_version == glassnet.__version__


def test_model_file_defaults_and_numpy_labels(tmp_path, rng):
    path = tmp_path / "m.glassnet"
    save(mlp([2, 2], random_state=rng), path)
    model = load_model(path)
    assert (model.preprocessing, model.classes, model.metadata) == ({}, None, {})
    save(mlp([2, 2], random_state=rng), path, classes=[np.int64(3), np.int64(7)])
    assert load_model(path).classes == [3, 7]


def test_header_is_plain_npz_with_the_documented_json(model_path):
    entries = read_entries(model_path)  # numpy.load with allow_pickle=False reads it
    header = header_of(entries)
    assert entries[HEADER].dtype == np.uint8
    assert header["format"] == FORMAT == "glassnet-model"
    assert header["format_version"] == FORMAT_VERSION == 1
    assert header["glassnet_version"] == glassnet.__version__
    assert header["network"] == {
        "layers": [
            {"type": "dense", "config": {"n_in": 3, "n_out": 4, "bias": True, "dtype": "float64"}},
            {"type": "tanh", "config": {}},
            {"type": "dense", "config": {"n_in": 4, "n_out": 2, "bias": True, "dtype": "float64"}},
        ],
        "output": {"type": "softmax", "config": {}},
        "l2": 0.0,
        "l1": 0.0,
        "penalty_scaling": "none",
    }
    assert header["arrays"] == [
        {"name": "0.weight", "shape": [3, 4], "dtype": "<f8"},
        {"name": "0.bias", "shape": [4], "dtype": "<f8"},
        {"name": "2.weight", "shape": [4, 2], "dtype": "<f8"},
        {"name": "2.bias", "shape": [2], "dtype": "<f8"},
        {"name": "preprocessing.mean", "shape": [3], "dtype": "<f8"},
    ]
    assert (header["preprocessing"], header["classes"], header["metadata"]) == (
        ["mean"],
        ["a", "b"],
        {},
    )
    assert set(entries) == {
        HEADER,
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "preprocessing.mean",
    }


def test_package_exports():
    assert glassnet.save is save and glassnet.load is load
    assert glassnet.io.load_model is load_model
    assert issubclass(ModelFileError, ValidationError)
    assert issubclass(ModelFileError, GlassnetError) and issubclass(ModelFileError, ValueError)


# -- what io.py may import ----------------------------------------------------------------
def test_io_module_imports_only_stdlib_numpy_and_the_engine():
    tree = ast.parse(Path(glassnet.io.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = {node.module.split(".")[0]}
        else:
            continue
        assert "pickle" not in roots
        assert roots <= set(sys.stdlib_module_names) | {"numpy", "__future__"}, roots


def test_load_and_predict_import_neither_sklearn_nor_matplotlib(model_path):
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import glassnet.io
        net = glassnet.io.load({str(model_path)!r})
        print(net.predict(np.ones((2, 3))).tolist())
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "matplotlib"))
        assert not heavy, heavy
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("[0, 0]", "[1, 1]")


# -- refusals -----------------------------------------------------------------------------
def test_plain_zip_without_header_is_refused(tmp_path):
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="not a glassnet model file") as info:
        load(path)
    assert str(path) in str(info.value)


def test_npz_without_header_is_refused(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, weight=np.ones((2, 2)))
    with pytest.raises(ModelFileError, match="not a glassnet model file"):
        load(path)


@pytest.mark.parametrize("content", [b"", b"hello, world\n", b"\x93NUMPY" + b"\0" * 100])
def test_file_that_is_not_a_zip_is_refused(tmp_path, content):
    path = tmp_path / "model.glassnet"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=r"not a glassnet model file \(not a zip"):
        load(path)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file_is_refused(model_path, tmp_path, fraction):
    data = model_path.read_bytes()
    cut = tmp_path / "cut.glassnet"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ModelFileError, match="truncated or corrupt"):
        load(cut)


def test_corrupt_array_data_is_refused(model_path):
    data = bytearray(model_path.read_bytes())
    with zipfile.ZipFile(model_path) as archive:
        info = archive.getinfo("0.weight.npy")
    start = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
    data_end = start + 30 + name_length + extra_length + info.compress_size
    data[data_end - 1] ^= 0x01  # one flipped bit in the weights: the zip CRC check fails
    model_path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"corrupt.*'0\.weight'"):
        load(model_path)


def test_newer_format_version_is_refused(model_path):
    edit_header(model_path, lambda h: h.update(format_version=999))
    with pytest.raises(ModelFileError, match=r"written by a newer glassnet.*upgrade"):
        load(model_path)


DELETE = object()
DENSE_1x1 = {"type": "dense", "config": {"n_in": 1, "n_out": 1, "bias": True, "dtype": "float64"}}
WEIGHT_ENTRY = {"name": "0.weight", "shape": [3, 4], "dtype": "<f8"}

# (where in the header, new value or DELETE, what the error says); the saved model is
# Dense(3, 4) → Tanh → Dense(4, 2) with preprocessing "mean", whose header lists five arrays
HEADER_EDITS = [
    (("format",), "something-else", "not a glassnet model file"),
    (("format_version",), "1", "invalid format_version"),
    (("format_version",), 0, "invalid format_version"),
    (("network",), DELETE, "no network architecture"),
    (("network", "layers", 1), {"type": "conv2d", "config": {}}, "unknown type 'conv2d'"),
    (("network", "layers", 1, "type"), "getattr", "unknown type 'getattr'"),
    (("network", "output"), {"type": "swish", "config": {}}, "unknown type 'swish'"),
    (("network", "output"), DENSE_1x1, "output must be an activation"),
    (("network", "layers", 1, "config"), DELETE, "layer 1 is not a"),
    (("network", "layers", 1, "config", "slope"), 2, "layer 1 .*invalid config"),
    (("network", "layers", 0, "config", "bias"), "yes", "layer 0 .*invalid entry"),
    (("network", "layers", 0, "config", "n_in"), 3.5, "layer 0 .*invalid config"),
    (("network", "layers", 0, "config", "dtype"), "object", "layer 0 .*invalid config"),
    (("network", "layers", 0, "config", "init"), "he_normal", "layer 0 .*invalid config"),
    (("network", "layers", 2, "config", "n_in"), 5, "layer 0 gives 4 .* layer 2 takes 5"),
    (("network", "l2"), -1.0, "invalid network settings"),
    (("network", "l1"), DELETE, "invalid network settings"),
    (
        ("network", "layers", 2, "config", "n_out"),
        3,
        r"'2\.weight' is listed as .*\[4, 2\].*; the model needs .*\[4, 3\]",
    ),
    (("arrays", 1), DELETE, r"missing arrays \['0\.bias'\]"),
    (("arrays", 4), WEIGHT_ENTRY, "repeated"),
    (("arrays", 4, "shape"), [4], r"'preprocessing\.mean' has shape \(3,\)"),
    (("arrays", 4, "dtype"), "|O", r"'preprocessing\.mean' has shape \(3,\)"),
    (("preprocessing",), [], r"arrays \['preprocessing\.mean'\] are not part of the model"),
    (("preprocessing",), ["mean", "mean"], "preprocessing names are invalid"),
    (("classes",), "ab", "'classes' is invalid"),
    (("metadata",), [1], "'metadata' is invalid"),
    (("glassnet_version",), DELETE, "'glassnet_version' is invalid"),
]


def set_in(header: dict, keys: tuple, value: object) -> None:
    *parents, last = keys
    for key in parents:
        header = header[key]
    if value is DELETE:
        del header[last]
    else:
        header[last] = value


@pytest.mark.parametrize(("keys", "value", "message"), HEADER_EDITS)
def test_inconsistent_header_is_refused(model_path, keys, value, message):
    edit_header(model_path, lambda header: set_in(header, keys, value))
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(model_path)
    assert str(info.value).startswith(f"{model_path}: ")


def test_header_that_is_not_json_is_refused(model_path):
    entries = read_entries(model_path)
    entries[HEADER] = np.frombuffer(b"\xff{not json", dtype=np.uint8)
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match="corrupt header"):
        load(model_path)


def test_array_with_a_wrong_shape_is_refused(model_path):
    entries = read_entries(model_path)
    entries["0.weight"] = np.zeros((4, 3))  # the header still lists (3, 4)
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match=r"'0\.weight' has shape \(4, 3\)"):
        load(model_path)


def test_array_with_a_wrong_dtype_is_refused(model_path):
    entries = read_entries(model_path)
    entries["2.bias"] = entries["2.bias"].astype(np.float32)
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match=r"'2\.bias' has shape \(2,\), dtype <f4"):
        load(model_path)


def test_missing_array_is_refused(model_path):
    entries = read_entries(model_path)
    del entries["2.weight"]
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match=r"missing arrays \['2\.weight'\]"):
        load(model_path)


def test_unlisted_array_is_refused(model_path):
    entries = read_entries(model_path)
    entries["smuggled"] = np.ones(3)
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match=r"\['smuggled'\] are not part of the model"):
        load(model_path)


def test_object_array_is_refused_without_unpickling(model_path, tmp_path):
    class Bomb:
        """Unpickling it would create ``sentinel``: proof that the loader ran pickle."""

        def __reduce__(self):
            return (open, (str(sentinel), "w"))

    sentinel = tmp_path / "unpickled"
    entries = read_entries(model_path)
    bomb = np.empty(3, dtype=object)
    bomb[:] = [Bomb(), Bomb(), Bomb()]
    entries["preprocessing.mean"] = bomb
    rewrite(model_path, entries)
    with pytest.raises(ModelFileError, match=r"holds numeric arrays only.*never unpickles"):
        load_model(model_path)
    assert not sentinel.exists()


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.glassnet")


# -- what save refuses --------------------------------------------------------------------
class CustomTanh(Tanh):
    """A subclass has no file representation: its behaviour could differ."""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"network": "not a network"}, "needs a glassnet Network"),
        ({"network": Network([Dense(2, 2, init="zeros"), CustomTanh()])}, "cannot save layer 1"),
        ({"preprocessing": {"mean": np.array([object()])}}, "is not numeric"),
        ({"preprocessing": {"bad/key": np.ones(2)}}, "preprocessing key 'bad/key'"),
        ({"preprocessing": [np.ones(2)]}, "must be a dict"),
        ({"classes": "ab"}, "classes must be a list"),
        ({"classes": [object()]}, "classes must be JSON-serialisable"),
        ({"metadata": {"loss": float("nan")}}, "metadata must be JSON-serialisable"),
        ({"metadata": {1: "a"}}, "str keys"),
    ],
)
def test_save_refuses_what_it_cannot_store(tmp_path, kwargs, message):
    kwargs = {"network": Network([Dense(2, 2, init="zeros")]), **kwargs}
    path = tmp_path / "m.glassnet"
    with pytest.raises(ValidationError, match=message):
        save(kwargs.pop("network"), path, **kwargs)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


# -- writing ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["model.glassnet", "model", "model.npz", "model.tar.gz"])
def test_save_writes_exactly_the_path_given(tmp_path, monkeypatch, rng, name):
    monkeypatch.chdir(tmp_path)
    save(mlp([2, 2], random_state=rng), name)
    assert sorted(os.listdir(tmp_path)) == [name]
    load(name)


def test_save_replaces_an_existing_model(tmp_path, rng):
    path = tmp_path / "m.glassnet"
    save(mlp([2, 3], random_state=rng), path)
    path.chmod(0o640)
    save(mlp([2, 5], random_state=rng), path)
    assert load(path).n_outputs == 5
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["m.glassnet"]


def half_written_archive(handle, *args, **kwargs):
    handle.write(b"PK\x03\x04 the first bytes of an archive")
    raise OSError("disk full")


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def rename_fails(*args, **kwargs):
    raise OSError("rename failed")


@pytest.mark.parametrize(
    ("target", "replacement", "error"),
    [
        ("numpy.savez", half_written_archive, OSError),  # the writer dies mid-archive
        ("os.fsync", interrupt, KeyboardInterrupt),  # interrupted before the data is on disk
        ("os.replace", rename_fails, OSError),
    ],
)
def test_failed_save_leaves_the_previous_file_intact(
    model_path, monkeypatch, rng, target, replacement, error
):
    before = model_path.read_bytes()
    monkeypatch.setattr(target, replacement)
    with pytest.raises(error):
        save(mlp([3, 7, 2], random_state=rng), model_path)
    monkeypatch.undo()
    assert model_path.read_bytes() == before
    assert os.listdir(model_path.parent) == [model_path.name]  # no temporary file left
    assert load_model(model_path).classes == ["a", "b"]


def test_the_temporary_file_names_its_target_and_its_writer(tmp_path, monkeypatch, rng):
    names = []
    real_savez = np.savez

    def recording_savez(handle, **arrays):  # type: ignore[no-untyped-def]
        names.append(Path(handle.name))
        real_savez(handle, **arrays)

    monkeypatch.setattr("numpy.savez", recording_savez)
    save(mlp([2, 2], random_state=rng), tmp_path / "m.glassnet")
    [temporary] = names
    assert temporary.parent == tmp_path
    assert re.fullmatch(rf"\.m\.glassnet\.{os.getpid()}\.[0-9a-f]{{16}}\.tmp", temporary.name)
    assert os.listdir(tmp_path) == ["m.glassnet"]


def test_save_removes_the_temporaries_of_dead_writers_only(tmp_path, rng, dead_pid):
    """A writer killed before its rename leaves its temporary; the next save of that target
    removes it — but not a live writer's temporary, another target's, or any other file."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    hex1, hex2, hex3 = "0123456789abcdef", "fedcba9876543210", "00aa11bb22cc33dd"
    stale = [f".m.glassnet.{dead_pid}.{hex1}.tmp", f".m.glassnet.{dead_pid}.{hex2}.tmp"]
    live = [
        f".m.glassnet.{os.getpid()}.{hex1}.tmp",  # this process may still be writing it
        f".m.glassnet.{sleeper.pid}.{hex1}.tmp",  # another live process
    ]
    other = [
        f".other.glassnet.{dead_pid}.{hex1}.tmp",  # another target's
        f".m.{dead_pid}.{hex1}.tmp",  # the target "m"'s, not "m.glassnet"'s
        f".m.glassnet.{hex1}.tmp",  # no writer named: it cannot be known to be gone
        f".m.glassnet.{dead_pid}.tmp",
        f".m.glassnet.{dead_pid}.{hex1}.tmp.bak",
        f"m.glassnet.{dead_pid}.{hex1}.tmp",
        f".m.glassnet.{dead_pid}.{hex1[:15]}.tmp",
        ".m.glassnet.swp",
        "notes.txt",
    ]
    try:
        for name in stale + live + other:
            (tmp_path / name).write_bytes(b"PK\x03\x04 a half-written archive")
        (tmp_path / f".m.glassnet.{dead_pid}.{hex3}.tmp").mkdir()  # not a file: kept
        other.append(f".m.glassnet.{dead_pid}.{hex3}.tmp")
        save(mlp([2, 3], random_state=rng), tmp_path / "m.glassnet")
        assert sorted(os.listdir(tmp_path)) == sorted([*live, *other, "m.glassnet"])
        assert load(tmp_path / "m.glassnet").n_outputs == 3
    finally:
        sleeper.kill()
        sleeper.wait(timeout=60)
    save(mlp([2, 4], random_state=rng), tmp_path / "m.glassnet")  # now that writer is gone too
    assert sorted(os.listdir(tmp_path)) == sorted([live[0], *other, "m.glassnet"])
    assert load(tmp_path / "m.glassnet").n_outputs == 4


def test_save_into_a_missing_directory_is_a_clear_error(tmp_path, rng):
    path = tmp_path / "no" / "such" / "dir" / "m.glassnet"
    with pytest.raises(FileNotFoundError, match=r"directory .*does not exist"):
        save(mlp([2, 2], random_state=rng), path)
    assert list(tmp_path.iterdir()) == []


def test_save_onto_a_directory_is_a_clear_error(tmp_path, rng):
    with pytest.raises(IsADirectoryError):
        save(mlp([2, 2], random_state=rng), tmp_path)


LOSS_CASES = [
    ("softmax", 3, SoftmaxCrossEntropy()),
    ("sigmoid", 1, BinaryCrossEntropy()),
    ("sigmoid", 3, BinaryCrossEntropy(reduction="sum")),
    ("identity", 2, MeanSquaredError()),
    ("identity", 1, SumSquaredError(scale=1.0)),
    ("identity", 2, MeanAbsoluteError()),
]


@pytest.mark.parametrize(("output", "n_out", "loss"), LOSS_CASES, ids=lambda c: str(c))
def test_networks_trained_with_every_loss_round_trip(output, n_out, loss, tmp_path, rng):
    X = rng.randn(30, 4)
    if isinstance(loss, SoftmaxCrossEntropy):
        y = rng.randint(0, n_out, 30)
    elif isinstance(loss, BinaryCrossEntropy):
        y = (rng.rand(30, n_out) > 0.5).astype(float)
    else:
        y = rng.randn(30, n_out)
    net = mlp([4, 5, n_out], activation="tanh", output=output, dropout=0.2, random_state=rng)
    fit(net, X, y, loss=loss, optimizer="adam", epochs=20, batch_size=8, random_state=0)
    save(net, tmp_path / "m.glassnet")
    back = load(tmp_path / "m.glassnet")
    assert np.array_equal(back.predict(X), net.predict(X))
    assert np.array_equal(back.raw_output(X), net.raw_output(X))
    # the reloaded network computes the same loss, and trains on from the same point
    assert loss.forward(back.raw_output(X), y) == loss.forward(net.raw_output(X), y)


# -- the arrays' checksum -------------------------------------------------------------------
def test_header_records_a_checksum_of_the_arrays(model_path):
    import hashlib

    entries = read_entries(model_path)
    header = header_of(entries)
    digest = hashlib.sha256()  # written out: name, dtype, shape, bytes, in name order
    for name in sorted(n for n in entries if n != HEADER):
        a = entries[name]
        digest.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode("utf-8"))
        digest.update(a.tobytes())
    assert header["checksum"] == "sha256:" + digest.hexdigest()


@pytest.mark.parametrize("tamper", ["weight", "preprocessing", "checksum"])
def test_a_file_whose_arrays_do_not_match_the_checksum_is_refused(model_path, tamper):
    entries = read_entries(model_path)
    header = header_of(entries)
    if tamper == "weight":  # a well-formed archive with one weight changed
        entries["0.weight"] = entries["0.weight"].copy()
        entries["0.weight"][0, 0] += 1.0
    elif tamper == "preprocessing":
        entries["preprocessing.mean"] = entries["preprocessing.mean"] * 2
    else:
        header["checksum"] = "sha256:" + "0" * 64
    rewrite(model_path, entries, header)
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load(model_path)


def test_a_file_without_a_checksum_is_refused(model_path):
    entries = read_entries(model_path)
    header = header_of(entries)
    del header["checksum"]
    rewrite(model_path, entries, header)
    with pytest.raises(ModelFileError, match="checksum"):
        load(model_path)


def test_empty_and_scalar_preprocessing_arrays_round_trip(tmp_path):
    net = mlp([2, 2], output="softmax", random_state=0)
    prep = {"empty": np.zeros((2, 0)), "scalar": np.array(1.5), "none": np.zeros(0)}
    save(net, tmp_path / "m.glassnet", preprocessing=prep)
    back = load_model(tmp_path / "m.glassnet")
    for key, value in prep.items():
        assert_array_equal(back.preprocessing[key], value)
        assert back.preprocessing[key].shape == value.shape


# -- files that would exhaust memory -------------------------------------------------------
def test_absurd_declared_sizes_are_refused_before_anything_is_allocated(model_path):
    entries = read_entries(model_path)
    header = header_of(entries)
    header["network"]["layers"][0]["config"].update(n_in=2**20, n_out=2**20)  # 8 TiB of float64
    rewrite(model_path, entries, header)
    with pytest.raises(ModelFileError, match=r"declares \d+ parameters"):
        load(model_path)


def test_an_array_declaring_more_data_than_stored_is_refused(model_path, tmp_path):
    entries = read_entries(model_path)
    raw = {}
    with zipfile.ZipFile(model_path) as archive:
        for name in archive.namelist():
            raw[name] = archive.read(name)
    # rewrite the .npy header of one weight to claim a billion rows, keeping its few bytes
    member = "0.weight.npy"
    data = raw[member]
    header_len = struct.unpack("<H", data[8:10])[0]
    text = data[10 : 10 + header_len].decode("latin1")
    forged = text.replace("(3, 4)", "(1000000000, 4)").ljust(header_len)[:header_len]
    raw[member] = data[:10] + forged.encode("latin1") + data[10 + header_len :]
    bomb = tmp_path / "forged.glassnet"
    with zipfile.ZipFile(bomb, "w") as archive:
        for name, content in raw.items():
            archive.writestr(name, content)
    assert entries["0.weight"].shape == (3, 4)
    with pytest.raises(ModelFileError, match="more data than the archive holds"):
        load(bomb)


def test_a_zip_bomb_header_is_refused_without_inflating_it(tmp_path):
    bomb = tmp_path / "bomb.glassnet"
    size = 64 * 2**20  # 64 MiB of zeros deflate to about 64 KiB
    npy_header = np.lib.format.header_data_from_array_1_0(np.zeros(0, dtype=np.uint8))
    npy_header["shape"] = (size,)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("__glassnet__.npy", "w", force_zip64=True) as handle:
            np.lib.format.write_array_header_1_0(handle, npy_header)
            chunk = bytes(2**20)
            for _ in range(64):
                handle.write(chunk)
    assert bomb.stat().st_size < 2**20
    with pytest.raises(ModelFileError, match="too large"):
        load(bomb)
