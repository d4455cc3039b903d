from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import imread

from glassnet import mlp, plot
from glassnet.errors import ValidationError


def _check_png(path, min_size=(200, 200)):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = imread(path)
    assert img.shape[0] >= min_size[1] and img.shape[1] >= min_size[0]
    # not blank: many distinct colours
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 10


def test_decision_boundary_png(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(50, 2)
    y = (X[:, 0] > 0).astype(int)
    net = mlp([2, 3, 2], activation="tanh", output="softmax", random_state=0)
    net.fit(X, y, epochs=50, learning_rate=0.5)
    path = tmp_path / "sub" / "boundary.png"
    fig = plot.decision_boundary(net, X, y, path=path, title="t")
    _check_png(path)
    assert fig.axes[0].get_title() == "t"
    plt.close("all")


def test_decision_boundary_rejects_non_2d_inputs():
    with pytest.raises(ValidationError, match="2-D inputs"):
        plot.decision_boundary(lambda x: x[:, 0] > 0, np.zeros((4, 3)), np.zeros(4))


def test_loss_curve_and_sweep_grid(tmp_path):
    plot.loss_curve(np.linspace(1, 0.1, 100), val_losses=np.linspace(1.1, 0.2, 100),
                    path=tmp_path / "loss.png", log=True)  # fmt: skip
    _check_png(tmp_path / "loss.png")
    X = np.random.RandomState(1).randn(30, 2)
    y = (X.sum(axis=1) > 0).astype(int)
    models = [lambda z: z[:, 0] > 0, lambda z: z[:, 1] > 0, lambda z: z.sum(axis=1) > 0]
    plot.sweep_grid(models, ["a", "b", "c"], X, y, path=tmp_path / "grid.png")
    _check_png(tmp_path / "grid.png", min_size=(600, 600))
    plt.close("all")
