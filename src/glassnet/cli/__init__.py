"""The ``glassnet`` command (click): data in, trained model and pictures out."""

from __future__ import annotations

from .main import main

__all__ = ["main"]
