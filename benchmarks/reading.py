"""READ: reading a CSV file, glassnet's loader against ``pandas.read_csv`` on the same file.

A 200 000-row file of 20 numeric columns (19 standard-normal features written with 7
significant digits, and a 0/1 label), about 40 MB, is written to a temporary directory.
Contenders: ``pandas.read_csv(path)`` (the reference), glassnet's checked reader
``read_table(path)``, and ``load_csv(path)``, what ``glassnet train`` runs — the reader,
the label's encoding and the table encoding into the float64 matrix.

Memory: ``python -m benchmarks.reading --memory CONTENDER --file FILE`` reads the file once in
a fresh process and prints one JSON line with the peak resident memory above the baseline
(taken after the imports, with the kernel's high-water mark reset as in
``benchmarks/memory.py``), in MiB and as a multiple of the data's size as a float64 matrix.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .harness import REPO, Contender

N_ROWS = 200_000
N_COLUMNS = 20
CONTENDERS = ("pandas", "read_table", "load_csv")


def write_file(directory: Path, rows: int = N_ROWS) -> Path:
    """The numeric CSV file: 19 features and a 0/1 label, from ``RandomState(0)``."""
    rng = np.random.RandomState(0)
    X = rng.randn(rows, N_COLUMNS - 1)
    label = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    path = directory / "numbers.csv"
    header = ",".join([*(f"x{i}" for i in range(N_COLUMNS - 1)), "label"])
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for row, y in zip(X, label, strict=True):
            handle.write(",".join(f"{v:.7g}" for v in row) + f",{y}\n")
    return path


def reader(name: str, path: Path) -> Callable[[], Any]:
    """The call that reads ``path`` for one contender."""
    if name == "pandas":
        import pandas as pd

        return lambda: pd.read_csv(path)
    if name == "read_table":
        from glassnet.data import read_table

        return lambda: read_table(path)
    from glassnet.data import load_csv

    return lambda: load_csv(path)


def contenders(path: Path) -> list[Contender]:
    notes = {
        "pandas": "pandas.read_csv(path)",
        "read_table": "checked: ragged rows, names, line numbers, missing spellings",
        "load_csv": "read_table + label + TableEncoder → float64 X",
    }
    labels = {
        "pandas": "pandas.read_csv (ref)",
        "read_table": "glassnet read_table",
        "load_csv": "glassnet load_csv",
    }
    return [
        Contender(labels[name], lambda name=name: reader(name, path), notes[name])
        for name in CONTENDERS
    ]


def memory(contender: str, path: Path) -> dict[str, Any]:
    """Peak resident memory above the baseline while ``contender`` reads ``path`` once."""
    import pandas  # noqa: F401  (every contender's imports come before the baseline)

    import glassnet.data  # noqa: F401

    from .memory import _reset_peak, _status_kib

    run = reader(contender, path)
    gc.collect()
    reset = _reset_peak()
    baseline = _status_kib("VmRSS") if reset else _status_kib("VmHWM")
    result = run()
    peak = _status_kib("VmHWM")
    rows = len(result.y) if hasattr(result, "y") else len(result)
    data_mib = rows * N_COLUMNS * 8 / 2**20
    above = (peak - baseline) / 1024
    return {
        "contender": contender,
        "file_mib": path.stat().st_size / 2**20,
        "data_mib": data_mib,
        "above_mib": above,
        "times_data": above / data_mib,
        "method": "clear_refs+VmHWM" if reset else "VmHWM before/after",
    }


def memory_runs(path: Path) -> list[dict[str, Any]]:
    """:func:`memory` for each contender, each in a fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    results = []
    for name in CONTENDERS:
        cmd = [sys.executable, "-m", "benchmarks.reading", "--memory", name, "--file", str(path)]
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        try:
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        except (IndexError, json.JSONDecodeError):
            error = (done.stderr.strip().splitlines() or ["no output"])[-1]
            results.append({"contender": name, "error": error})
    return results


def memory_table(results: list[dict[str, Any]]) -> str:
    data = next((r["data_mib"] for r in results if "data_mib" in r), float("nan"))
    size = next((r["file_mib"] for r in results if "file_mib" in r), float("nan"))
    lines = [
        f"peak RSS above the baseline while reading once, fresh process each (the file is "
        f"{size:.1f} MiB, the data as float64 {data:.1f} MiB):",
        f"  {'contender':<14}{'above':>12}{'× data':>9}",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"  {r['contender']:<14}error: {r['error']}")
        else:
            lines.append(f"  {r['contender']:<14}{r['above_mib']:>8.1f} MiB{r['times_data']:>9.2f}")
    methods = sorted({r["method"] for r in results if "method" in r})
    lines.append(f"  method: {', '.join(methods) or '-'}")
    return "\n".join(lines)


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="glassnet-bench-read-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reading", description=__doc__)
    parser.add_argument("--memory", choices=CONTENDERS, required=True)
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(memory(args.memory, args.file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
