"""``python -m benchmarks.compare BEFORE AFTER``: glassnet's engine at two commits, interleaved.

Each commit's ``src/`` is unpacked (``git archive``) into a temporary directory. Then, round
by round and workload by workload, a fresh Python process runs that workload's glassnet
contender once (the same factories as ``python -m benchmarks``) for one commit and then for
the other, the order alternating from round to round, so that a slow moment of the machine
hits both sides alike. The benchmark code itself is this checkout's, for both commits.

Each run is timed inside its process as the harness times a contender (state built untimed,
a 0.2 s pause, then ``time.perf_counter`` around the run) and checked for disturbance the
same way: a run during which other processes used more than ``--disturbed`` CPUs is run
again, after waiting for a quiet second, at most ``--retries`` times. The table gives per
workload the median time of each commit, the median over rounds of the ratio AFTER/BEFORE
(both measured in the same round) and its min–max.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

from .harness import OTHERS_NOTE, PAUSE_S, REPO, Disturbance, timed_run, wait_for_quiet

WORKLOADS = ("W1", "W2-SGD", "W2-Adam", "W3", "PRED")
W3_STEPS = 10


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("before", help="the base commit (any git revision)")
    parser.add_argument("after", help="the commit to compare with it")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads (default all)")
    parser.add_argument("--quick", action="store_true", help="W1 2000 passes, 10 000 rows")
    parser.add_argument("--retries", type=int, default=2, help="reruns of a disturbed run")
    parser.add_argument("--disturbed", type=float, default=0.25, metavar="CORES")
    parser.add_argument("--json", metavar="FILE", help="also write the raw timings to FILE")
    args = parser.parse_args(argv)
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(args.only) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {WORKLOADS}")
    if args.rounds < 1 or args.threads < 1 or args.retries < 0:
        parser.error("--rounds and --threads must be at least 1, --retries at least 0")
    return args


# -- one run, in its own process ----------------------------------------------------------------
def prepare(workload: str, quick: bool, data_dir: Path) -> tuple[Callable[[], Any], float]:
    """Build the workload's glassnet contender (untimed); returns its run and its units."""
    from . import dense, predict, wildml

    if workload == "W1":
        passes = 2000 if quick else 20000
        return wildml.glassnet_engine(*wildml.moons_data(), passes), passes
    X, y = np.load(data_dir / "X.npy"), np.load(data_dir / "y.npy")
    if workload in ("W2-SGD", "W2-Adam"):
        optimizer = "sgd" if workload == "W2-SGD" else "adam"
        return dense.glassnet_fit(X, y, optimizer, dense.BATCH, 1), 1
    if workload == "W3":
        return dense.glassnet_fit(X, y, "sgd", None, W3_STEPS), W3_STEPS
    model_dir = Path(tempfile.mkdtemp(dir=data_dir))
    return predict.glassnet_predict(X, predict.saved_model(model_dir)), 1


def worker(workload: str, quick: bool, data_dir: Path, threads: int) -> None:
    """Time one run and print it as JSON (the parent reads the last line)."""
    from threadpoolctl import threadpool_limits

    import glassnet

    with threadpool_limits(limits=threads):
        run, units = prepare(workload, quick, data_dir)
        gc.collect()
        time.sleep(PAUSE_S)
        _, elapsed, others = timed_run(run)
    result = {"seconds": elapsed, "units": units, "others": others, "glassnet": glassnet.__file__}
    print(json.dumps(result), flush=True)


# -- the interleaved rounds ------------------------------------------------------------------------
def unpack(revision: str, directory: Path) -> str:
    """``git archive`` the revision's ``src/`` into ``directory``; returns its short hash."""
    commit = git("rev-parse", "--short", f"{revision}^{{commit}}")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "src"], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    return commit


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def run_once(args: argparse.Namespace, workload: str, src: Path, data_dir: Path) -> dict[str, Any]:
    """One run of ``workload`` against the glassnet in ``src``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(REPO)])}
    cmd = [sys.executable, "-m", "benchmarks.compare", "--worker", workload, str(data_dir)]
    cmd += ["--threads", str(args.threads)] + (["--quick"] if args.quick else [])
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{workload} against {src} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["glassnet"]).is_relative_to(src):
        raise RuntimeError(f"the worker imported {result['glassnet']}, not the one in {src}")
    return result


def measured(
    args: argparse.Namespace, workload: str, src: Path, data_dir: Path, policy: Disturbance
) -> tuple[float, float | None, int]:
    """Time per unit, other processes' CPU per wall second, and the number of reruns."""
    for attempt in range(policy.retries + 1):
        result = run_once(args, workload, src, data_dir)
        seconds, others = result["seconds"], result["others"]
        disturbed = others is not None and others > max(policy.cores * seconds, 0.02)
        if not disturbed or attempt == policy.retries:
            break
        wait_for_quiet(policy)
    load = None if others is None else others / seconds
    return seconds / result["units"], load, attempt


def compare(args: argparse.Namespace, sides: dict[str, Path], data_dir: Path) -> dict[str, Any]:
    policy = Disturbance(retries=args.retries, cores=args.disturbed)
    names = list(sides)
    table: dict[str, Any] = {
        w: {name: {"times_s": [], "others": [], "reruns": 0} for name in names} for w in args.only
    }
    for round_ in range(args.rounds):
        for workload in args.only:
            for name in names if round_ % 2 == 0 else names[::-1]:
                t, load, reruns = measured(args, workload, sides[name], data_dir, policy)
                cell = table[workload][name]
                cell["times_s"].append(t)
                cell["others"].append(load)
                cell["reruns"] += reruns
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return table


def format_table(table: dict[str, Any], before: str, after: str) -> str:
    head = (
        f"{'workload':<10}{'before':>12}{'after':>12}{'after/before':>14}{'min–max':>13}"
        f"{'others':>8}{'reruns':>8}"
    )
    lines = [head, "-" * len(head)]
    for workload, cells in table.items():
        b, a = cells[before], cells[after]
        ratios = [x / y for x, y in zip(a["times_s"], b["times_s"], strict=True)]
        loads = [v for v in b["others"] + a["others"] if v is not None]
        lines.append(
            f"{workload:<10}{format_s(median(b['times_s'])):>12}{format_s(median(a['times_s'])):>12}"
            f"{median(ratios):>14.3f}{f'{min(ratios):.3f}–{max(ratios):.3f}':>13}"
            f"{(f'{max(loads):.2f}' if loads else '-'):>8}{b['reruns'] + a['reruns']:>8}"
        )
    return "\n".join(lines)


def format_s(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:  # python -m benchmarks.compare --worker W DATA_DIR [...]
        threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 2
        worker(argv[1], "--quick" in argv, Path(argv[2]), threads)
        return 0
    args = parse_args(argv)
    from . import dense

    with tempfile.TemporaryDirectory(prefix="glassnet-compare-") as tmp:
        root = Path(tmp)
        sides = {}
        for label, revision in (("before", args.before), ("after", args.after)):
            commit = unpack(revision, root / label)
            sides[commit] = root / label / "src"
        X, y = dense.make_data(10_000 if args.quick else dense.N_ROWS)
        np.save(root / "X.npy", X)
        np.save(root / "y.npy", y)
        del X, y
        table = compare(args, sides, root)
    before, after = list(sides)
    print(
        f"glassnet {before} (before) against {after} (after), {args.rounds} rounds, "
        f"{args.threads} threads{', quick sizes' if args.quick else ''}; time per pass (W1), "
        f"epoch (W2), step (W3), all rows (PRED)"
    )
    print(format_table(table, before, after))
    print(OTHERS_NOTE)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
