"""W2 and W3: a 784-256-128-10 ReLU network on 60 000 × 784 synthetic float32 rows.

Data: standard-normal features and labels 0..9 from ``RandomState(0)``. Weights: Glorot
uniform float32 from ``RandomState(1)``, biases zero, copied into every contender. Loss:
softmax cross-entropy averaged over the batch. Each factory below builds a contender's state
(untimed) and returns the ``run()`` that trains ``epochs`` passes over the rows in order.
Preallocated buffers are made with ``np.full`` rather than ``np.empty``/``np.zeros``, so that
their pages are touched while building and no first-touch page fault lands in the timed run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np

SIZES = (784, 256, 128, 10)
N_ROWS = 60_000
BATCH = 128
SGD_LR = 0.01
ADAM_LR = 1e-3
BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8

Run = Callable[[], Any]


def make_data(n_rows: int = N_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Features filled in chunks (no float64 copy of the whole matrix), then the labels."""
    rng = np.random.RandomState(0)
    X = np.empty((n_rows, SIZES[0]), dtype=np.float32)
    for start in range(0, n_rows, 4096):
        stop = min(start + 4096, n_rows)
        X[start:stop] = rng.standard_normal((stop - start, SIZES[0]))
    y = rng.randint(0, SIZES[-1], size=n_rows).astype(np.int64)
    return X, y


def initial_weights() -> list[np.ndarray]:
    rng = np.random.RandomState(1)
    weights = []
    for fan_in, fan_out in pairwise(SIZES):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
    return weights


def torch_model(torch: Any) -> Any:
    """The network in PyTorch (float32), with the same initial weights and zero biases."""
    nn = torch.nn
    linears = [nn.Linear(a, b) for a, b in pairwise(SIZES)]
    model = nn.Sequential(linears[0], nn.ReLU(), linears[1], nn.ReLU(), linears[2]).float()
    with torch.no_grad():
        for layer, w in zip(linears, initial_weights(), strict=True):
            layer.weight.copy_(torch.from_numpy(w.T))
            layer.bias.zero_()
    return model


def batches(n: int, batch: int | None) -> list[slice]:
    size = n if batch is None else batch
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


# -- the GEMM bound -----------------------------------------------------------------------------
def gemm_bound(X: np.ndarray, batch: int | None, epochs: int) -> Run:
    """Only the 8 matrix products of a training step (3 forward, 3 weight gradients, 2 input
    gradients), into preallocated outputs, over the same batches."""
    rng = np.random.RandomState(2)
    W = [w.copy() for w in initial_weights()]
    rows = X.shape[0] if batch is None else min(batch, X.shape[0])
    H1, H2, Z3 = (np.full((rows, k), 0, np.float32) for k in SIZES[1:])
    G1, G2, G3 = (rng.standard_normal((rows, k)).astype(np.float32) for k in SIZES[1:])
    dW = [np.full_like(w, 0) for w in W]
    slices = batches(X.shape[0], batch)

    def run() -> None:
        for _ in range(epochs):
            for s in slices:
                xb = X[s]
                m = xb.shape[0]
                h1, h2, g1, g2, g3 = H1[:m], H2[:m], G1[:m], G2[:m], G3[:m]
                np.matmul(xb, W[0], out=h1)
                np.matmul(h1, W[1], out=h2)
                np.matmul(h2, W[2], out=Z3[:m])
                np.matmul(h2.T, g3, out=dW[2])
                np.matmul(g3, W[2].T, out=g2)
                np.matmul(h1.T, g2, out=dW[1])
                np.matmul(g2, W[1].T, out=g1)
                np.matmul(xb.T, g1, out=dW[0])

    return run


# -- hand-tight NumPy ---------------------------------------------------------------------------
class HandTight:
    """Forward, backward and update with every buffer preallocated and ``out=`` everywhere."""

    def __init__(self, weights: list[np.ndarray], rows: int, optimizer: str) -> None:
        f32 = np.float32
        self.W = [w.copy() for w in weights]
        self.b = [np.full(w.shape[1], 0, f32) for w in weights]
        self.dW = [np.full_like(w, 0) for w in self.W]
        self.db = [np.full_like(b, 0) for b in self.b]
        self.H1, self.H2, self.P = (np.full((rows, k), 0, f32) for k in SIZES[1:])
        self.G1, self.G2 = np.full((rows, SIZES[1]), 0, f32), np.full((rows, SIZES[2]), 0, f32)
        self.M1, self.M2 = np.full((rows, SIZES[1]), 0, bool), np.full((rows, SIZES[2]), 0, bool)
        self.row_max, self.row_sum = np.full(rows, 0, f32), np.full(rows, 0, f32)
        self.ones, self.ones_k, self.index = (
            np.ones(rows, f32),
            np.ones(SIZES[-1], f32),
            np.arange(rows),
        )
        self.optimizer, self.t = optimizer, 0
        params = self.W + self.b
        if optimizer == "adam":
            self.m = [np.full_like(p, 0) for p in params]
            self.v = [np.full_like(p, 0) for p in params]
            self.tmp = [np.full_like(p, 0) for p in params]
            self.tmp2 = [np.full_like(p, 0) for p in params]

    def step(self, xb: np.ndarray, yb: np.ndarray) -> float:
        m = xb.shape[0]
        W, b, dW, db = self.W, self.b, self.dW, self.db
        h1, h2, p, g1, g2 = self.H1[:m], self.H2[:m], self.P[:m], self.G1[:m], self.G2[:m]
        m1, m2, ones, index = self.M1[:m], self.M2[:m], self.ones[:m], self.index[:m]
        row_max, row_sum = self.row_max[:m], self.row_sum[:m]
        # forward: Z = XW + b, H = max(Z, 0)
        np.matmul(xb, W[0], out=h1)
        h1 += b[0]
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, W[1], out=h2)
        h2 += b[1]
        np.maximum(h2, 0, out=h2)
        np.matmul(h2, W[2], out=p)
        p += b[2]
        # softmax cross-entropy (mean): loss = mean(log Σ exp(z − max) − (z_y − max))
        np.max(p, axis=1, out=row_max)
        p -= row_max[:, None]
        picked = p[index, yb]
        np.exp(p, out=p)
        np.matmul(p, self.ones_k, out=row_sum)
        p /= row_sum[:, None]
        loss = float((np.log(row_sum, out=row_sum).sum() - picked.sum()) / m)
        p[index, yb] -= 1  # G3 = (softmax − onehot) / m
        p *= 1.0 / m
        # backward
        np.matmul(h2.T, p, out=dW[2])
        np.matmul(ones, p, out=db[2])
        np.matmul(p, W[2].T, out=g2)
        g2 *= np.greater(h2, 0, out=m2)
        np.matmul(h1.T, g2, out=dW[1])
        np.matmul(ones, g2, out=db[1])
        np.matmul(g2, W[1].T, out=g1)
        g1 *= np.greater(h1, 0, out=m1)
        np.matmul(xb.T, g1, out=dW[0])
        np.matmul(ones, g1, out=db[0])
        self._update()
        return loss

    def _update(self) -> None:
        params, grads = self.W + self.b, self.dW + self.db
        self.t += 1
        if self.optimizer == "sgd":
            for param, grad in zip(params, grads, strict=True):
                param -= np.multiply(grad, SGD_LR, out=grad)
            return
        lr_t = ADAM_LR * math.sqrt(1 - BETA2**self.t) / (1 - BETA1**self.t)
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            m, v, tmp, tmp2 = self.m[i], self.v[i], self.tmp[i], self.tmp2[i]
            m *= BETA1
            m += np.multiply(grad, 1 - BETA1, out=tmp)
            v *= BETA2
            np.multiply(grad, grad, out=tmp)
            v += np.multiply(tmp, 1 - BETA2, out=tmp)
            np.sqrt(v, out=tmp)
            tmp += ADAM_EPS
            np.divide(m, tmp, out=tmp2)
            param -= np.multiply(tmp2, lr_t, out=tmp2)

    def params(self) -> list[np.ndarray]:
        return [*self.W, *self.b]


def handtight(X: np.ndarray, y: np.ndarray, optimizer: str, batch: int | None, epochs: int) -> Run:
    rows = X.shape[0] if batch is None else min(batch, X.shape[0])
    net = HandTight(initial_weights(), rows, optimizer)
    slices = batches(X.shape[0], batch)

    def run() -> list[np.ndarray]:
        for _ in range(epochs):
            for s in slices:
                net.step(X[s], y[s])
        return net.params()

    return run


# -- glassnet -----------------------------------------------------------------------------------
def glassnet_fit(
    X: np.ndarray, y: np.ndarray, optimizer: str, batch: int | None, epochs: int
) -> Run:
    import glassnet as gn

    from .wildml import set_weights

    net = gn.mlp(list(SIZES), activation="relu", output="softmax", dtype=np.float32, random_state=0)
    set_weights(net, initial_weights())
    opt = gn.GradientDescent(SGD_LR) if optimizer == "sgd" else gn.Adam(ADAM_LR)
    loss = gn.SoftmaxCrossEntropy()

    def run() -> list[np.ndarray]:
        gn.fit(net, X, y, loss=loss, optimizer=opt, epochs=epochs, batch_size=batch, shuffle=False)
        params = net.parameters()
        weights = [v for k, v in params.items() if k.endswith(".weight")]
        return weights + [v for k, v in params.items() if k.endswith(".bias")]

    return run


# -- PyTorch ------------------------------------------------------------------------------------
def torch_fit(
    torch: Any, X: np.ndarray, y: np.ndarray, optimizer: str, batch: int | None, epochs: int
) -> Run:
    model = torch_model(torch)
    nn, linears = torch.nn, [model[0], model[2], model[4]]
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=SGD_LR)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=(BETA1, BETA2), eps=ADAM_EPS)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    slices = batches(X.shape[0], batch)
    cross_entropy = nn.functional.cross_entropy

    def run() -> list[np.ndarray]:
        for _ in range(epochs):
            for s in slices:
                opt.zero_grad()
                loss = cross_entropy(model(Xt[s]), yt[s])
                loss.backward()
                opt.step()
        with torch.no_grad():
            return [lin.weight.numpy().T.copy() for lin in linears] + [
                lin.bias.numpy().copy() for lin in linears
            ]

    return run


# -- scikit-learn -------------------------------------------------------------------------------
def sklearn_fit(
    X: np.ndarray, y: np.ndarray, optimizer: str, batch: int | None, epochs: int
) -> Run:
    """MLPClassifier, one ``partial_fit`` per epoch on float32 input, with our weights.

    A first ``partial_fit`` on one batch creates the fitted attributes; the weights are then
    replaced and the optimizer dropped, so the timed call starts a fresh one on our weights.
    """
    from sklearn.neural_network import MLPClassifier

    est = MLPClassifier(
        hidden_layer_sizes=SIZES[1:-1],
        activation="relu",
        solver=optimizer,
        alpha=0.0,
        batch_size=X.shape[0] if batch is None else batch,
        learning_rate_init=SGD_LR if optimizer == "sgd" else ADAM_LR,
        momentum=0.0,
        beta_1=BETA1,
        beta_2=BETA2,
        epsilon=ADAM_EPS,
        shuffle=False,
        random_state=0,
    )
    classes = np.arange(SIZES[-1])
    est.partial_fit(X[:BATCH], y[:BATCH], classes=classes)
    weights = initial_weights()
    est.coefs_ = [w.copy() for w in weights]
    est.intercepts_ = [np.zeros(w.shape[1], np.float32) for w in weights]
    del est._optimizer

    def run() -> list[np.ndarray]:
        for _ in range(epochs):
            est.partial_fit(X, y)
        return [*est.coefs_, *est.intercepts_]

    return run


def mean_loss(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Mean softmax cross-entropy of the network ``params`` (3 weights, 3 biases) on (X, y)."""
    W, b = params[:3], params[3:]
    h = X
    for i in range(3):
        h = h @ W[i] + b[i]
        if i < 2:
            np.maximum(h, 0, out=h)
    z = h.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(logsumexp - z[np.arange(len(y)), y]))
