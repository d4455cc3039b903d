"""Beyond one machine: Dask's Incremental and joblib backend, and out-of-core partial_fit.

These run a real ``distributed.LocalCluster`` with two worker processes on loopback (the
``dask`` extra, which ``make test`` installs).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _example(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.slow
def test_incremental_trains_on_a_chunked_dask_array_across_workers(client):
    import dask.array as da
    from distributed import get_task_stream

    dask_example = _example("dask_cluster")
    with get_task_stream(client) as stream:
        model, accuracy = dask_example.incremental_fit(client, n_rows=120_000, chunk_rows=20_000)
    assert len(client.scheduler_info()["workers"]) == 2
    workers = {task["worker"] for task in stream.data}
    assert workers, "no task ran on the cluster"
    # the XOR of two signs is not linearly separable: chance is 0.5, a line gets ~0.5 too
    assert accuracy > 0.85
    est = model.estimator_
    assert est.n_features_in_ == 8 and list(est.classes_) == [0, 1]
    X_new = da.random.RandomState(5).normal(size=(1000, 8), chunks=(500, 8)).astype(np.float32)
    predictions = model.predict(X_new)
    proba = model.predict_proba(X_new)
    assert isinstance(predictions, da.Array) and isinstance(proba, da.Array)
    p = proba.compute()
    assert p.shape == (1000, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    expected = (X_new[:, 0] * X_new[:, 1] > 0).compute().astype(int)
    assert np.mean(predictions.compute() == expected) > 0.85


@pytest.mark.slow
def test_grid_search_runs_its_fits_on_the_cluster(client):
    from distributed import get_task_stream

    dask_example = _example("dask_cluster")
    with get_task_stream(client) as stream:
        search = dask_example.grid_search(client)
    # joblib batches the 12 fits (4 settings × 3 folds) into tasks; all ran on the workers
    workers = set(client.scheduler_info()["workers"])
    assert stream.data and {task["worker"] for task in stream.data} <= workers
    assert search.best_score_ > 0.9
    assert set(search.best_params_) == {
        "glassclassifier__hidden_layer_sizes",
        "glassclassifier__alpha",
    }


def test_partial_fit_over_a_memory_mapped_file(tmp_path):
    example = _example("out_of_core")
    x_path, y_path = example.make_files(tmp_path, n_rows=60_000)
    X = np.load(x_path, mmap_mode="r")
    assert isinstance(X, np.memmap) and X.shape == (60_000, 8)
    model, score = example.train(x_path, y_path, chunk_rows=10_000, epochs=2)
    # 5 training chunks of 10 000 rows, 2 passes: one epoch of each chunk per partial_fit
    assert model.t_ == 100_000
    assert score > 0.85
    assert model.coefs_[0].dtype == np.float32  # float32 on disk stays float32
