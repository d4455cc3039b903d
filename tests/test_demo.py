from __future__ import annotations

from glassnet import demo


def test_demo_prints_the_tutorial_lines_and_writes_pictures(tmp_path, capsys):
    assert demo.main(["--plot", str(tmp_path), "--passes", "2001"]) == 0
    out = capsys.readouterr().out
    assert "Loss after iteration 0: 0.432387" in out
    assert "Loss after iteration 1000: 0.068947" in out  # the tutorial's second line
    assert "Training accuracy:" in out
    for name in ("moons_decision_boundary.png", "moons_loss.png", "moons_logistic_regression.png"):
        assert (tmp_path / name).stat().st_size > 5000
        assert str(tmp_path / name) in out
