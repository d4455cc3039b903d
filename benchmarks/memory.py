"""Peak memory above the data for one epoch of W2, in a fresh process.

``python -m benchmarks.memory CONTENDER [--optimizer sgd|adam] [--rows N] [--threads N]``
with CONTENDER one of numpy, glassnet, torch, sklearn. The process imports what the
contender needs, creates the data and the contender's state, then resets the kernel's
high-water mark (``/proc/self/clear_refs`` ← 5) and takes the resident set size as the
baseline; after one epoch, the peak is ``VmHWM`` from ``/proc/self/status``. Where the reset
is refused, the baseline is ``VmHWM`` before training (which can only understate the
figure). Prints one JSON line: ``above_mib`` is peak minus baseline, in MiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from typing import Any

CONTENDERS = ("numpy", "glassnet", "torch", "sklearn")


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def measure(contender: str, optimizer: str, rows: int, threads: int) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    from . import dense

    torch = None
    if contender == "torch":
        import torch

        torch.set_num_threads(threads)
    elif contender == "glassnet":
        import glassnet  # noqa: F401  (imported before the baseline, like the others)
    elif contender == "sklearn":
        import sklearn.neural_network  # noqa: F401

    with threadpool_limits(limits=threads):
        X, y = dense.make_data(rows)
        data_mib = (X.nbytes + y.nbytes) / 2**20
        if contender == "numpy":
            run = dense.handtight(X, y, optimizer, dense.BATCH, 1)
        elif contender == "glassnet":
            run = dense.glassnet_fit(X, y, optimizer, dense.BATCH, 1)
        elif contender == "torch":
            run = dense.torch_fit(torch, X, y, optimizer, dense.BATCH, 1)
        else:
            run = dense.sklearn_fit(X, y, optimizer, dense.BATCH, 1)
        gc.collect()
        reset = _reset_peak()
        baseline = _status_kib("VmRSS") if reset else _status_kib("VmHWM")
        run()
        peak = _status_kib("VmHWM")
    return {
        "contender": contender,
        "optimizer": optimizer,
        "rows": rows,
        "data_mib": data_mib,
        "baseline_mib": baseline / 1024,
        "peak_mib": peak / 1024,
        "above_mib": (peak - baseline) / 1024,
        "method": "clear_refs+VmHWM" if reset else "VmHWM before/after",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    parser.add_argument("contender", choices=CONTENDERS)
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    result = measure(args.contender, args.optimizer, args.rows, args.threads)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
