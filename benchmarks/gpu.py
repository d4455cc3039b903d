"""GPU: W2 on a CUDA device at batch 128, 1024 and 8192 — glassnet on CuPy beside PyTorch.

Same network, data, initial weights and SGD (lr 0.01) as W2 (:mod:`benchmarks.dense`), in
float32 on the GPU. Each batch size uses the largest multiple of it that fits in the rows,
so that every contender trains on the same full batches (CUDA graphs need fixed shapes).
The data are on the device before the clock starts; every run ends with a device
synchronisation, so the times cover the work and not just its launch.

Contenders, per batch size (the reference first):

- PyTorch CUDA eager: ``nn.Sequential`` + ``optim.SGD``, one kernel launch per operation;
- PyTorch CUDA graphs: the whole step (forward, loss, backward, update) captured once in a
  ``torch.cuda.CUDAGraph`` and replayed per batch, the inputs copied into static tensors;
- plain CuPy: the step written out with CuPy calls (cuBLAS products, one call per operation);
- glassnet fit on ``device="cuda"`` (the engine's own code on CuPy arrays).

Run by ``python -m benchmarks --only GPU``; without CuPy, PyTorch or a CUDA device it says
so and skips. The functions take the array module (``xp``) and the torch device as
arguments, so their arithmetic can be checked on the CPU (NumPy, ``torch.device("cpu")``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.backend import to_numpy

from . import dense
from .harness import Contender

BATCHES = (128, 1024, 8192)

Run = Callable[[], Any]


def gpu_status() -> tuple[Any, Any, str]:
    """``(cupy, torch, "")`` when both are importable and see a CUDA device; else the reason."""
    try:
        import cupy
    except ImportError:
        return None, None, "CuPy is not installed (pip install 'glassnet[gpu]')"
    try:
        if int(cupy.cuda.runtime.getDeviceCount()) < 1:
            return None, None, "CuPy sees no CUDA device"
    except Exception as exc:  # no driver, no runtime
        return None, None, f"CuPy sees no CUDA device ({type(exc).__name__}: {exc})"
    try:
        import torch
    except ImportError:
        return cupy, None, "PyTorch is not installed (the reference)"
    if not torch.cuda.is_available():
        return cupy, None, "PyTorch sees no CUDA device (a CPU-only build?)"
    return cupy, torch, ""


def device_name(cupy: Any) -> str:
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def full_rows(n_rows: int, batch: int) -> int:
    return (n_rows // batch) * batch


# -- the plain CuPy loop ----------------------------------------------------------------------
def plain_loop(xp: Any, X: Any, y: Any, batch: int, sync: Callable[[], None]) -> Run:
    """The W2 step written out with one array-library call per operation."""
    W = [xp.asarray(w) for w in dense.initial_weights()]
    b = [xp.zeros(w.shape[1], dtype=xp.float32) for w in W]
    onehot = xp.zeros((X.shape[0], dense.SIZES[-1]), dtype=xp.float32)
    onehot[xp.arange(X.shape[0]), y] = 1
    starts = range(0, X.shape[0], batch)

    def run() -> list[np.ndarray]:
        for start in starts:
            x, t = X[start : start + batch], onehot[start : start + batch]
            h1 = xp.maximum(x @ W[0] + b[0], 0)
            h2 = xp.maximum(h1 @ W[1] + b[1], 0)
            z = h2 @ W[2] + b[2]
            e = xp.exp(z - z.max(axis=1, keepdims=True))
            g3 = (e / e.sum(axis=1, keepdims=True) - t) / x.shape[0]
            g2 = (g3 @ W[2].T) * (h2 > 0)
            g1 = (g2 @ W[1].T) * (h1 > 0)
            for i, (a, g) in enumerate(((x, g1), (h1, g2), (h2, g3))):
                W[i] -= dense.SGD_LR * (a.T @ g)
                b[i] -= dense.SGD_LR * g.sum(axis=0)
        sync()
        return [to_numpy(w) for w in W] + [to_numpy(v) for v in b]

    return run


# -- glassnet ----------------------------------------------------------------------------------
def glassnet_fit(X: Any, y: np.ndarray, batch: int, device: str, sync: Callable[[], None]) -> Run:
    import glassnet as gn

    from .wildml import set_weights

    net = gn.mlp(
        list(dense.SIZES), activation="relu", output="softmax", dtype=np.float32, random_state=0
    )
    set_weights(net, dense.initial_weights())  # on the host, then moved
    net.to(device)
    opt, loss = gn.GradientDescent(dense.SGD_LR), gn.SoftmaxCrossEntropy()

    def run() -> list[np.ndarray]:
        gn.fit(net, X, y, loss=loss, optimizer=opt, epochs=1, batch_size=batch, shuffle=False)
        sync()
        params = net.parameters()
        weights = [to_numpy(v) for k, v in params.items() if k.endswith(".weight")]
        return weights + [to_numpy(v) for k, v in params.items() if k.endswith(".bias")]

    return run


# -- PyTorch -----------------------------------------------------------------------------------
def torch_model(torch: Any, device: Any) -> Any:
    return dense.torch_model(torch).to(device)


def _torch_params(model: Any) -> list[np.ndarray]:
    linears = [model[0], model[2], model[4]]
    return [lin.weight.detach().cpu().numpy().T.copy() for lin in linears] + [
        lin.bias.detach().cpu().numpy().copy() for lin in linears
    ]


def torch_eager(torch: Any, Xt: Any, yt: Any, batch: int, sync: Callable[[], None]) -> Run:
    model = torch_model(torch, Xt.device)
    opt = torch.optim.SGD(model.parameters(), lr=dense.SGD_LR)
    cross_entropy = torch.nn.functional.cross_entropy
    starts = range(0, Xt.shape[0], batch)

    def run() -> list[np.ndarray]:
        for start in starts:
            opt.zero_grad(set_to_none=True)
            loss = cross_entropy(model(Xt[start : start + batch]), yt[start : start + batch])
            loss.backward()
            opt.step()
        sync()
        return _torch_params(model)

    return run


def torch_graphs(torch: Any, Xt: Any, yt: Any, batch: int, sync: Callable[[], None]) -> Run:
    """The whole SGD step captured once as a CUDA graph (PyTorch's whole-network recipe).

    The warm-up steps that capturing needs change the weights; they are put back to the
    common initial weights afterwards, in place, where the graph reads them.
    """
    model = torch_model(torch, Xt.device)
    initial = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=dense.SGD_LR)
    cross_entropy = torch.nn.functional.cross_entropy
    static_x = Xt[:batch].clone()
    static_y = yt[:batch].clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            opt.zero_grad(set_to_none=True)
            cross_entropy(model(static_x), static_y).backward()
            opt.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = cross_entropy(model(static_x), static_y)
        static_loss.backward()
        opt.step()
    with torch.no_grad():
        for p, p0 in zip(model.parameters(), initial, strict=True):
            p.copy_(p0)
    sync()
    starts = range(0, Xt.shape[0], batch)

    def run() -> list[np.ndarray]:
        for start in starts:
            static_x.copy_(Xt[start : start + batch])
            static_y.copy_(yt[start : start + batch])
            graph.replay()
        sync()
        return _torch_params(model)

    return run


# -- the workload --------------------------------------------------------------------------------
def contenders(
    cupy: Any, torch: Any, X: np.ndarray, y: np.ndarray, batch: int
) -> tuple[list[Contender], np.ndarray, np.ndarray]:
    """One batch size's contenders (PyTorch eager first), and the host rows they train on."""
    n = full_rows(X.shape[0], batch)
    Xh, yh = X[:n], y[:n]
    Xc, yc = cupy.asarray(Xh), cupy.asarray(yh)
    Xt, yt = torch.from_numpy(Xh).cuda(), torch.from_numpy(yh).cuda()

    def sync() -> None:
        cupy.cuda.Device().synchronize()
        torch.cuda.synchronize()

    found = [
        Contender("PyTorch CUDA eager (ref)", lambda: torch_eager(torch, Xt, yt, batch, sync)),
        Contender(
            "PyTorch CUDA graphs",
            lambda: torch_graphs(torch, Xt, yt, batch, sync),
            "whole step captured",
        ),
        Contender(
            "plain CuPy",
            lambda: plain_loop(cupy, Xc, yc, batch, sync),
            "cuBLAS products, one call per operation",
        ),
        Contender(
            "glassnet fit cuda",
            lambda: glassnet_fit(Xc, yh, batch, "cuda", sync),
            "device='cuda'",
        ),
    ]
    return found, Xh, yh
