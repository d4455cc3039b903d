"""Every Python block of docs/tutorials.md runs as written (in order, sharing one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "tutorials.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_tutorials_document_has_code():
    assert len(BLOCKS) >= 5


@pytest.mark.slow
def test_every_block_runs(capsys):
    namespace: dict[str, object] = {}
    for block in BLOCKS:
        exec(compile(block, str(DOC), "exec"), namespace)
    out = capsys.readouterr().out
    assert "Loss after iteration 0: 0.432387" in out
    assert "training accuracy: 0.975" in out
    assert "0 -> 0.01" in out  # the toy's first output, near its target 0
