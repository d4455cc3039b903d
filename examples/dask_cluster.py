"""
Training on a Dask cluster (recorded run, not executed here)
============================================================

Training beyond one machine with Dask: ``Incremental`` over a row-chunked Dask array, and
a hyperparameter search whose fits run on the cluster's workers. It needs the ``dask``
extra (``pip install "glassnet[dask]"``) and a cluster, so the documentation build does not
run it; the test suite runs its functions on a local cluster of two worker processes.

    python examples/dask_cluster.py                       # starts a local cluster (2 workers)
    python examples/dask_cluster.py tcp://scheduler:8786  # uses a running cluster instead

A local cluster from the shell: ``dask scheduler`` in one terminal and
``dask worker tcp://127.0.0.1:8786`` in others; pass that address to this script.

A recorded run: ``python examples/dask_cluster.py`` on a 2-core machine (a local cluster of
two workers, 54 s; the grid search's 30-epoch fits warn that they did not converge)::

    cluster: tcp://127.0.0.1:37607, 2 workers
    Incremental(GlassClassifier) on 120 000 rows in chunks: test accuracy 0.989
    GridSearchCV on the cluster: best {'glassclassifier__alpha': 0.0001,
    'glassclassifier__hidden_layer_sizes': (64,)}, accuracy 0.914
"""

from __future__ import annotations

import sys

import numpy as np


def incremental_fit(client, n_rows: int = 120_000, chunk_rows: int = 20_000, seed: int = 0):  # type: ignore[no-untyped-def]
    """Train a GlassClassifier on a Dask array chunked by rows; returns (wrapper, test accuracy)."""
    import dask.array as da
    from dask_ml.wrappers import Incremental

    from glassnet import GlassClassifier

    rs = da.random.RandomState(seed)
    X = rs.normal(size=(n_rows, 8), chunks=(chunk_rows, 8)).astype(np.float32)
    y = ((X[:, 0] * X[:, 1]) > 0).astype(np.int64)
    X_test = (
        da.random.RandomState(seed + 1)
        .normal(size=(20_000, 8), chunks=(10_000, 8))
        .astype(np.float32)
    )
    y_test = ((X_test[:, 0] * X_test[:, 1]) > 0).astype(np.int64)
    model = Incremental(
        GlassClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=seed),
        scoring="accuracy",
    )
    for _ in range(2):  # two passes over the chunks
        model.partial_fit(X, y, classes=[0, 1])
    return model, model.score(X_test, y_test)


def grid_search(client, seed: int = 0):  # type: ignore[no-untyped-def]
    """GridSearchCV whose fits joblib sends to the cluster; returns the fitted search."""
    import joblib
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from glassnet import GlassClassifier

    X, y = load_digits(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), GlassClassifier(max_iter=30, random_state=seed)),
        {
            "glassclassifier__hidden_layer_sizes": [(16,), (64,)],
            "glassclassifier__alpha": [1e-4, 1e-2],
        },
        cv=3,
    )
    with joblib.parallel_backend("dask"):
        search.fit(X, y)
    return search


def main(address: str | None = None) -> int:
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        )
        address = cluster.scheduler_address
    with Client(address) as client:
        print(f"cluster: {address}, {len(client.scheduler_info()['workers'])} workers")
        _, accuracy = incremental_fit(client)
        print(
            f"Incremental(GlassClassifier) on 120 000 rows in chunks: test accuracy {accuracy:.3f}"
        )
        search = grid_search(client)
        print(
            f"GridSearchCV on the cluster: best {search.best_params_}, accuracy {search.best_score_:.3f}"
        )
    if cluster is not None:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
