"""Reading the tables the ``glassnet`` command prints, for the tests that check their numbers."""

from __future__ import annotations


def evaluated(out: str) -> dict[str, str]:
    """The row of ``glassnet evaluate``'s table, as a dict from its header."""
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("rows "))
    return dict(zip(lines[at].split(), lines[at + 1].split(), strict=True))
