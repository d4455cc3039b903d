"""Shared fixtures: an explicit random generator, never a global seed."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.RandomState:
    """A fresh ``RandomState(0)`` for each test."""
    return np.random.RandomState(0)
