"""Sparse X (SciPy CSR, CSC, COO …): trained and predicted on without ever being made dense."""

from __future__ import annotations

import tracemalloc
import types
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import glassnet
from glassnet.backend import is_sparse, to_device
from glassnet.errors import ValidationError
from glassnet.layers import Dense, Dropout
from glassnet.network import Network
from glassnet.sklearn import GlassClassifier, GlassRegressor
from glassnet.validation import check_array

CONTAINERS = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.coo_array]


def _data(rng, n=120, d=30, density=0.15):
    x = sp.random(n, d, density=density, random_state=rng, format="csr")
    return x, rng.randint(0, 3, n)


# -- recognising and checking ------------------------------------------------------------
@pytest.mark.parametrize("container", CONTAINERS)
def test_check_array_keeps_sparse_input_sparse_in_csr_form(container, rng):
    x, _ = _data(rng)
    checked = check_array(container(x))
    assert is_sparse(checked) and checked.format == "csr"
    assert checked.dtype == np.float64
    assert_array_equal(checked.toarray(), x.toarray())
    assert check_array(x.astype(np.float32)).dtype == np.float32
    assert check_array(x.astype(np.int64)).dtype == np.float64


def test_csr_input_is_not_copied(rng):
    x, _ = _data(rng)
    assert check_array(x) is x


def test_dense_arrays_are_not_sparse():
    assert not is_sparse(np.ones((2, 2)))
    assert not is_sparse([[1.0]])


def test_non_finite_or_empty_sparse_input_is_refused(rng):
    x, _ = _data(rng)
    x.data[3] = np.nan
    with pytest.raises(ValidationError, match="NaN or infinite"):
        check_array(x)
    with pytest.raises(ValidationError, match="empty"):
        check_array(sp.csr_matrix((0, 4)))
    with pytest.raises(ValidationError, match="dense array here"):
        check_array(sp.csr_matrix((2, 4)), ndim=1)


def test_sparse_input_cannot_go_to_a_gpu(rng):
    fake_cupy = types.ModuleType("cupy")
    with pytest.raises(ValidationError, match="CPU only"):
        to_device(_data(rng)[0], fake_cupy)


def test_a_network_that_does_not_start_with_dense_refuses_sparse_input(rng):
    x, y = _data(rng)
    net = Network([Dropout(0.5, random_state=0), Dense(30, 3, random_state=0)], output="softmax")
    with pytest.raises(ValidationError, match="Dense first layer"):
        net.predict(x)
    with pytest.raises(ValidationError, match="Dense first layer"):
        net.fit(x, y, epochs=1)


# -- the engine: the same numbers as on the dense array ----------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"batch_size": None},
        {"batch_size": 16},
        {"batch_size": 16, "shuffle": False},
        {"batch_size": 16, "validation_fraction": 0.2, "early_stopping": True},
        {"batch_size": 32, "sample_weight": np.linspace(0.1, 2.0, 120)},
        {"batch_size": 8, "optimizer": "adam", "metrics": ["accuracy"]},
    ],
)
def test_network_fit_on_sparse_input_equals_the_dense_fit(options, rng):
    x, y = _data(rng)
    results = []
    for data in (x, x.toarray()):
        net = glassnet.mlp([30, 8, 3], activation="tanh", output="softmax", random_state=0, l2=0.01)
        history = glassnet.fit(net, data, y, learning_rate=0.1, epochs=5, random_state=0, **options)
        results.append((history.loss, net.predict_proba(data), net.parameters()))
    (loss_s, proba_s, params_s), (loss_d, proba_d, params_d) = results
    assert_allclose(loss_s, loss_d, rtol=1e-12)
    assert_allclose(proba_s, proba_d, rtol=1e-12, atol=1e-15)
    for name in params_d:
        assert_allclose(params_s[name], params_d[name], rtol=1e-12, atol=1e-14)


def test_float32_sparse_input_trains_in_float32(rng):
    x, y = _data(rng)
    x32 = x.astype(np.float32)
    net = glassnet.mlp([30, 8, 3], output="softmax", random_state=0, dtype=np.float32)
    net.fit(x32, y, learning_rate=0.1, epochs=3, batch_size=16, random_state=0)
    assert all(p.dtype == np.float32 for p in net.parameters().values())
    assert net.predict_proba(x32).dtype == np.float32
    dense = glassnet.mlp([30, 8, 3], output="softmax", random_state=0, dtype=np.float32)
    dense.fit(x32.toarray(), y, learning_rate=0.1, epochs=3, batch_size=16, random_state=0)
    assert_allclose(net.predict_proba(x32), dense.predict_proba(x32.toarray()), rtol=1e-5)


def test_sparse_weight_gradient_passes_gradcheck(rng):
    x, y = _data(rng, n=12, d=9, density=0.3)
    net = glassnet.mlp([9, 5, 3], activation="tanh", output="softmax", random_state=0)
    report = glassnet.gradcheck(net, x, y)
    assert report.max_error < 1e-6, report


# -- the estimators ----------------------------------------------------------------------
@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "options", [{}, {"early_stopping": True}, {"solver": "sgd", "batch_size": 16}]
)
def test_estimators_on_sparse_input_equal_the_dense_fit(container, dtype, options, rng):
    x, labels = _data(rng)
    x = x.astype(dtype)
    weights = np.linspace(0.5, 1.5, x.shape[0])
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for Estimator, y in ((GlassClassifier, labels), (GlassRegressor, labels * 0.5 - 0.3)):
        fits = []
        for data in (container(x), x.toarray()):
            model = Estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0, **options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(data, y, sample_weight=weights)
            if not options:
                model.partial_fit(data, y)
            fits.append(model)
        sparse_fit, dense_fit = fits
        for a, b in zip(sparse_fit.coefs_, dense_fit.coefs_, strict=True):
            assert a.dtype == dtype
            assert_allclose(a, b, rtol=tolerance, atol=tolerance)
        assert_allclose(sparse_fit.loss_curve_, dense_fit.loss_curve_, rtol=tolerance)
        assert_allclose(
            sparse_fit.predict(container(x)),
            dense_fit.predict(x.toarray()),
            rtol=tolerance,
            atol=tolerance,
        )
        assert sparse_fit.score(container(x), y) == pytest.approx(sparse_fit.score(x.toarray(), y))
        if Estimator is GlassClassifier:
            assert_allclose(
                sparse_fit.predict_proba(container(x)),
                dense_fit.predict_proba(x.toarray()),
                rtol=tolerance,
            )


# -- memory: X is never made dense -------------------------------------------------------
def _peak_bytes(work):
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_wide_sparse_matrix_is_never_made_dense():
    # 300 rows × 100 000 columns, 0.1 % filled: 30 000 stored values (0.6 MB with their
    # indices) against 240 MB dense. What is dense is the size of the first weight matrix
    # (100 000 × 4, 3.2 MB): the weights and their gradient, Adam's two moments, the trainer's
    # second set of parameters, the best weights early stopping keeps, the initial draw and
    # the product Xᵀδ before it is copied into the gradient — about 9 of them at the peak of a
    # fit, 1/8 of one dense copy of X.
    rng = np.random.RandomState(0)
    x = sp.random(300, 100_000, density=0.001, random_state=rng, format="csr")
    y = rng.randint(0, 2, 300)
    dense_bytes = x.shape[0] * x.shape[1] * 8
    weight_bytes = x.shape[1] * 4 * 8
    model = GlassClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    net = glassnet.mlp([100_000, 4, 2], output="softmax", random_state=0)
    phases = {
        "fit, early stopping, sample weights": lambda: model.set_params(early_stopping=True).fit(
            x, y, sample_weight=np.ones(300)
        ),
        "fit": lambda: model.set_params(early_stopping=False).fit(x, y),
        "partial_fit on CSC": lambda: model.partial_fit(x.tocsc(), y),
        "predict_proba": lambda: model.predict_proba(x),
        "score on COO": lambda: model.score(x.tocoo(), y),
        "glassnet.fit, shuffled batches": lambda: net.fit(
            x, y, epochs=2, batch_size=64, learning_rate=0.1, random_state=0
        ),
        "Network.predict": lambda: net.predict(x),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        peaks = {name: _peak_bytes(work) for name, work in phases.items()}
    assert 10 * weight_bytes < dense_bytes / 7
    assert all(peak < 10 * weight_bytes for peak in peaks.values()), (peaks, weight_bytes)
