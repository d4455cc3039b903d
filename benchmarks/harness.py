"""Interleaved timing, result tables and the description of the machine.

A *contender* is a name, a note and a ``prepare()`` that builds fresh state (untimed) and
returns the ``run()`` to time. :func:`measure` runs every contender once per round, in
order, sleeping 0.2 s before each run so that OpenBLAS worker threads spinning after the
previous call do not steal time from the next one.
"""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PAUSE_S = 0.2


@dataclass
class Contender:
    """One implementation of a workload; ``prepare()`` returns the callable to time."""

    name: str
    prepare: Callable[[], Callable[[], Any]]
    note: str = ""


@dataclass
class Timing:
    """The per-unit times of one contender over the rounds, and its last run's output."""

    name: str
    note: str
    times: list[float]
    output: Any = None
    ratios: list[float] = field(default_factory=list)
    others: list[float] = field(default_factory=list)
    reruns: int = 0


def _busy_seconds() -> float | None:
    """CPU time all processes have used (user, nice, system, irq, softirq, steal), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system


@dataclass
class Disturbance:
    """When a run counts as disturbed, and how often to run it again.

    A run is disturbed when other processes used more than ``cores`` CPUs on average during it
    (and at least two 10 ms ticks). It is then run again, after waiting up to ``wait_s`` for a
    quiet second, at most ``retries`` times; the last attempt is recorded whatever happened.
    """

    retries: int = 2
    cores: float = 0.25
    wait_s: float = 60.0


def _others_during(seconds: float) -> float | None:
    busy, own = _busy_seconds(), _own_seconds()
    time.sleep(seconds)
    after = _busy_seconds()
    if busy is None or after is None:
        return None
    return max((after - busy) - (_own_seconds() - own), 0.0)


def wait_for_quiet(policy: Disturbance) -> None:
    """Return once other processes use under ``policy.cores`` CPUs for a second, or time out."""
    deadline = time.monotonic() + policy.wait_s
    while time.monotonic() < deadline:
        others = _others_during(1.0)
        if others is None or others < policy.cores:
            return


def timed_run(run: Callable[[], Any]) -> tuple[Any, float, float | None]:
    """``run()``'s output, its wall time, and the CPU seconds other processes used meanwhile."""
    busy, own = _busy_seconds(), _own_seconds()
    start = time.perf_counter()
    output = run()
    elapsed = time.perf_counter() - start
    after = _busy_seconds()
    if busy is None or after is None:
        return output, elapsed, None
    return output, elapsed, max((after - busy) - (_own_seconds() - own), 0.0)


def measure(
    contenders: Sequence[Contender],
    rounds: int,
    units: float,
    policy: Disturbance | None = None,
) -> list[Timing]:
    """Time each contender once per round, interleaved; times are divided by ``units``.

    Also records, per run, the CPU time other processes (and the hypervisor, as steal) took
    during it, divided by the run's wall time, from ``/proc/stat`` in 10 ms ticks; a run
    disturbed by them is run again as ``policy`` says.
    """
    policy = policy or Disturbance()
    timings = [Timing(c.name, c.note, []) for c in contenders]
    for _ in range(rounds):
        for contender, timing in zip(contenders, timings, strict=True):
            for attempt in range(policy.retries + 1):
                run = contender.prepare()
                gc.collect()
                time.sleep(PAUSE_S)
                output, elapsed, others = timed_run(run)
                disturbed = others is not None and others > max(policy.cores * elapsed, 0.02)
                if not disturbed or attempt == policy.retries:
                    break
                timing.reruns += 1
                output = None  # free it before the next attempt
                wait_for_quiet(policy)
            timing.times.append(elapsed / units)
            timing.output = output
            if others is not None:
                timing.others.append(others / elapsed)
    reference = timings[0].times
    for timing in timings:
        timing.ratios = [t / r for t, r in zip(timing.times, reference, strict=True)]
    return timings


def reruns_note(timings: Sequence[Timing]) -> str:
    total = sum(t.reruns for t in timings)
    if not total:
        return "no run was disturbed by other processes"
    parts = ", ".join(f"{t.name} {t.reruns}" for t in timings if t.reruns)
    return f"runs disturbed by other processes and run again: {parts}"


def format_time(seconds: float) -> str:
    """Three significant digits with a unit from ns to s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def time_table(timings: Sequence[Timing], unit: str) -> str:
    """Contender, median time per unit, median ratio to the first row, min–max ratio."""
    width = max(len(t.name) for t in timings) + 2
    head = (
        f"{'contender':<{width}}{'median / ' + unit:>16}{'ratio':>9}{'min–max':>15}"
        f"{'others':>8}   note"
    )
    lines = [head, "-" * len(head)]
    for t in timings:
        spread = f"{min(t.ratios):.2f}–{max(t.ratios):.2f}"
        lines.append(
            f"{t.name:<{width}}{format_time(median(t.times)):>16}{median(t.ratios):>9.2f}"
            f"{spread:>15}{_others(t):>8}   {t.note}".rstrip()
        )
    return "\n".join(lines)


def rate_table(timings: Sequence[Timing], rows: int, batch: int) -> str:
    """Rows per second (median) and the rate as a fraction of the first row's rate."""
    width = max(len(t.name) for t in timings) + 2
    head = (
        f"{'contender':<{width}}{'rows/s':>14}{'rate / bound':>14}{'min–max':>15}"
        f"{'others':>8}   note"
    )
    lines = [head, "-" * len(head)]
    for t in timings:
        inverse = [1.0 / r for r in t.ratios]
        spread = f"{min(inverse):.2f}–{max(inverse):.2f}"
        lines.append(
            f"{t.name:<{width}}{rows / median(t.times):>14,.0f}{median(inverse):>14.2f}"
            f"{spread:>15}{_others(t):>8}   {t.note}".rstrip()
        )
    return "\n".join(lines)


def _others(t: Timing) -> str:
    return f"{max(t.others):.2f}" if t.others else "-"


OTHERS_NOTE = (
    "others: the most CPU that other processes (and steal) used during one of the rounds' "
    "runs, in cores (0.00 = undisturbed; counted in 10 ms ticks, so coarse for runs under 1 s)"
)


def as_json(timings: Sequence[Timing], unit: str) -> dict[str, Any]:
    return {
        "unit": unit,
        "reference": timings[0].name,
        "contenders": {
            t.name: {
                "note": t.note,
                "times_s": t.times,
                "median_s": median(t.times),
                "ratios": t.ratios,
                "median_ratio": median(t.ratios),
                "others_cpu_per_wall": t.others,
                "reruns": t.reruns,
            }
            for t in timings
        },
    }


# -- the machine ------------------------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return done.stdout.rstrip() if done.returncode == 0 else "?"


def environment(torch: Any, threads: int) -> dict[str, Any]:
    """Versions, BLAS and kernel as threadpoolctl reports them, torch's build, git state."""
    import sklearn
    import threadpoolctl

    import glassnet

    blas = [
        {
            k: info.get(k)
            for k in (
                "internal_api",
                "version",
                "architecture",
                "num_threads",
                "threading_layer",
                "filepath",
            )
        }
        for info in threadpoolctl.threadpool_info()
    ]
    changed = _git("status", "--porcelain", "--", "src")
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "threads": threads,
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "glassnet": glassnet.__version__,
        "glassnet_path": str(Path(glassnet.__file__).parent),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "src_uncommitted": [line[3:] for line in changed.splitlines()] if changed != "?" else "?",
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
        "blas": blas,
        "torch": None,
    }
    if torch is not None:
        config = torch.__config__.show().strip().splitlines()
        env["torch"] = {
            "version": torch.__version__,
            "num_threads": torch.get_num_threads(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "config": [line.strip(" -") for line in config[1:6]],
        }
    return env


def describe(env: dict[str, Any]) -> str:
    lines = [
        f"python {env['python']} on {env['platform']}, {env['cpus']} CPUs, "
        f"threads per contender: {env['threads']}",
        f"numpy {env['numpy']}, scikit-learn {env['sklearn']}, threadpoolctl "
        f"{env['threadpoolctl']}, glassnet {env['glassnet']} ({env['glassnet_path']})",
        f"git HEAD {env['git_commit']}; uncommitted changes under src/: "
        + (", ".join(env["src_uncommitted"]) or "none"),
        "environment: " + (", ".join(f"{k}={v}" for k, v in env["openblas_env"].items()) or "-"),
    ]
    for b in env["blas"]:
        kernel = f", architecture {b['architecture']}" if b.get("architecture") else ""
        version = f" {b['version']}" if b.get("version") else ""
        lines.append(
            f"threadpoolctl: {b['internal_api']}{version}{kernel}, num_threads "
            f"{b['num_threads']} ({Path(b['filepath']).name})"
        )
    torch = env["torch"]
    if torch is None:
        lines.append("torch: not installed — its contenders are skipped")
    else:
        lines.append(
            f"torch {torch['version']}, num_threads {torch['num_threads']}, CPU capability "
            f"{torch['cpu_capability']}; built with:"
        )
        lines += [f"    {line}" for line in torch["config"]]
    return "\n".join(lines)
