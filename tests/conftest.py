"""Shared fixtures: an explicit random generator, never a global seed."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.RandomState:
    """A fresh ``RandomState(0)`` for each test."""
    return np.random.RandomState(0)


@pytest.fixture
def rising_validation():
    """Fit y = 2x from w = 0 while validating on y = −2x: the validation loss only rises.

    Returns a fresh ``(network, x, y, (x_val, y_val))``.
    """
    from glassnet import mlp

    x = np.linspace(-1, 1, 21).reshape(-1, 1)
    return mlp([1, 1], init="zeros", random_state=0), x, 2 * x, (x, -2 * x)


_FUZZ_REPORT = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def fuzz_report(request):  # type: ignore[no-untyped-def]
    """Call with a line to show it at the end of the run (the fuzz tests' case counts)."""

    def record(line: str) -> None:
        request.config.stash[_FUZZ_REPORT] = line

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    line = config.stash.get(_FUZZ_REPORT, None)
    if line:
        terminalreporter.write_line(line)


@pytest.fixture
def dead_pid() -> int:
    """The process id of a process that has exited and been reaped."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid
