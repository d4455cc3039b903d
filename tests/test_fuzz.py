"""Fuzzing the entry points: whatever arrays arrive, the outcome is a result or one of
glassnet's documented exceptions — never a crash, a NumPy warning or a silent NaN.

The number of cases each test ran is printed in the test run's output.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet import GlassnetError, fit, io, mlp
from glassnet.data import load_csv

COUNTS: dict[str, int] = {}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

DTYPES = st.sampled_from(
    [np.float64, np.float32, np.int64, np.int8, np.bool_, np.uint8, np.float16]
)
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 1e-300, -1e-300, 1e300, -1e300, 1e30, np.nan, np.inf, -np.inf]),
)


def _cast(values: list[float], shape: tuple[int, ...], dtype: type) -> np.ndarray:
    data = np.resize(np.array(values, dtype=np.float64), shape)
    if not np.issubdtype(dtype, np.floating):  # integers and booleans: clip into range first
        info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
        data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
        if info is not None:
            data = np.clip(data, max(info.min, -(2**52)), min(info.max, 2**52))  # exact in float64
        return data.astype(dtype)
    with np.errstate(over="ignore"):  # 1e300 becomes inf in float16 and float32: a case too
        return data.astype(dtype)


def arrays(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy[np.ndarray]:
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=6)
    return st.builds(
        lambda shape, dtype, data: (
            _cast(data, shape, dtype) if np.prod(shape) else np.zeros(shape, dtype=dtype)
        ),
        shapes,
        DTYPES,
        st.lists(VALUES, min_size=1, max_size=40),
    )


@st.composite
def training_data(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Mostly well-shaped data (n rows, 3 features) with hostile values, sometimes anything."""
    if draw(st.integers(0, 4)) == 0:
        return draw(arrays()), draw(arrays(max_dims=2))
    n = draw(st.integers(0, 8))
    values = draw(st.lists(VALUES, min_size=1, max_size=3 * max(n, 1)))
    X = _cast(values, (n, 3), draw(DTYPES))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        y = np.array(draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)), dtype=np.int64)
    elif kind == 1:
        y = _cast(draw(st.lists(VALUES, min_size=1, max_size=8)), (n,), np.float64)
    elif kind == 2:
        y = np.zeros(draw(st.integers(0, 9)), dtype=np.int64)  # a length that may not match
    else:
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int64)
    return X, y


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def report(fuzz_report):  # type: ignore[no-untyped-def]
    """Show how many cases ran at the end of the test run's output."""
    yield
    fuzz_report("fuzz cases run: " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())))


def outcome(func):  # type: ignore[no-untyped-def]
    """Run ``func``: a GlassnetError is an accepted outcome; any warning is a failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return func()
        except GlassnetError:
            return None


@FUZZ
@given(data=training_data(), hidden=st.integers(1, 4), lr=st.floats(1e-6, 1e6))
def test_fit_and_predict_take_anything(data, hidden, lr):
    X, y = data
    count("fit/predict")
    net = mlp([3, hidden, 2], activation="tanh", output="softmax", random_state=0)

    def run():  # type: ignore[no-untyped-def]
        fit(net, X, y, epochs=3, learning_rate=lr)
        return net.predict(X)

    result = outcome(run)
    if result is not None:
        count("fit/predict: trained")
        assert result.shape == (X.shape[0],)
        assert all(np.isfinite(p).all() for p in net.parameters().values())


@FUZZ
@given(X=arrays())
def test_predict_takes_anything(X):
    count("predict")
    net = mlp([3, 4, 2], activation="relu", output="softmax", random_state=0)
    result = outcome(lambda: net.predict_proba(X))
    if result is not None:
        assert np.isfinite(result).all() and np.allclose(result.sum(axis=1), 1.0)


@FUZZ
@given(data=st.binary(max_size=400), cut=st.integers(0, 4000), flip=st.integers(0, 4000))
def test_load_takes_any_bytes(tmp_path_factory, data, cut, flip):
    count("load")
    folder = tmp_path_factory.mktemp("fuzz")
    good = folder / "good.glassnet"
    io.save(mlp([2, 3, 2], output="softmax", random_state=0), good)
    blob = bytearray(good.read_bytes())
    candidates = [bytes(data), bytes(blob[: cut % len(blob)]), bytes(blob[:20]) + bytes(data)]
    flipped = bytearray(blob)
    flipped[flip % len(blob)] ^= 0xFF
    candidates.append(bytes(flipped))
    for i, content in enumerate(candidates):
        path = folder / f"candidate{i}.glassnet"
        path.write_bytes(content)
        net = outcome(lambda p=path: io.load(p))
        if net is not None:  # a byte flip the archive does not use: the model is intact
            assert net.n_features == 2


CELL = st.one_of(
    st.sampled_from(["", "NA", "nan", "?", "1", "-2.5", "1e308", "1e400", "inf", "x", "é", '"']),
    st.text(max_size=5),
)


@FUZZ
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=0, max_size=6))
def test_csv_reader_takes_any_table(tmp_path_factory, rows):
    count("csv")
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    lines = ["a,b,c,target", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = outcome(lambda: load_csv(path))
    if dataset is not None:  # text columns are one-hot encoded: a column per category
        assert np.isfinite(dataset.X).all()
        assert dataset.X.shape == (len(dataset.y), len(dataset.feature_names))
