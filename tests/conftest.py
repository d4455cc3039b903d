"""Shared fixtures: an explicit random generator, never a global seed."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.RandomState:
    """A fresh ``RandomState(0)`` for each test."""
    return np.random.RandomState(0)


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
