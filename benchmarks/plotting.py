"""PLOT: what ``--plot`` costs — the training phase with and without it, and the drawing.

The README's example, ``glassnet train moons --hidden 3 --activation tanh --plot out/``,
taken apart into the phases the command runs (its options parsed by the command itself):

- *training*: :func:`glassnet.cli.workflow.train` — split, scale, build, fit and score —
  once as without ``--plot`` and once with the :class:`~glassnet.plot.TrainingRecorder`
  that ``--plot`` adds to the callbacks (it copies the parameters at log-spaced updates
  and draws nothing). Each timed run trains ``TRAININGS`` times, as one run is only tens of
  milliseconds.
- *drawing*: :func:`glassnet.cli.pictures.training_pictures` — loss curves, confusion
  matrix, decision boundary and the training GIF — on a model trained (untimed) with a
  recorder.

And the recorder on the longest run it films: the WildML tutorial's 20 000 full-batch
passes (``glassnet.experiments.moons``), which ``glassnet reproduce moons --plot`` records.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .harness import Contender

Run = Callable[[], Any]

COMMAND = ["moons", "--hidden", "3", "--activation", "tanh"]
TRAININGS = 10


def _setup() -> tuple[Any, Any]:
    """The dataset and the config of the README's example, parsed by the ``train`` command."""
    from glassnet.cli.common import config_from
    from glassnet.cli.train import train
    from glassnet.cli.workflow import load_data

    options = train.make_context("train", list(COMMAND)).params
    config = config_from(options)
    return load_data("moons", random_state=config.random_state), config


def _trainings(recording: bool) -> Run:
    from glassnet.cli.workflow import animation_recorder
    from glassnet.cli.workflow import train as run

    dataset, config = _setup()

    def train() -> Any:
        for _ in range(TRAININGS):
            recorder = animation_recorder(dataset, config) if recording else None
            model = run(dataset, config, callbacks=[recorder] if recorder else [])
        return model

    return train


def _drawing(folder: Path) -> Run:
    from glassnet.cli.pictures import training_pictures
    from glassnet.cli.workflow import animation_recorder
    from glassnet.cli.workflow import train as run

    dataset, config = _setup()
    recorder = animation_recorder(dataset, config)
    model = run(dataset, config, callbacks=[recorder])

    def draw() -> list[Path]:
        return training_pictures(model, folder, recorder)

    return draw


def _tutorial(passes: int, recording: bool) -> Run:
    from glassnet.experiments import moons
    from glassnet.plot import TrainingRecorder

    def train() -> Any:
        return moons(3, passes, callbacks=[TrainingRecorder()] if recording else [])

    return train


def training_contenders() -> list[Contender]:
    return [
        Contender("train, no --plot (ref)", lambda: _trainings(False), "workflow.train"),
        Contender("train, --plot", lambda: _trainings(True), "with the TrainingRecorder"),
    ]


def drawing_contenders(folder: Path) -> list[Contender]:
    return [
        Contender(
            "draw all pictures",
            lambda: _drawing(folder),
            "loss, confusion matrix and boundary PNGs, the GIF",
        )
    ]


def tutorial_contenders(passes: int) -> list[Contender]:
    return [
        Contender("experiments.moons (ref)", lambda: _tutorial(passes, False)),
        Contender(
            "experiments.moons, recorded", lambda: _tutorial(passes, True), "TrainingRecorder"
        ),
    ]


def recorder_share(passes: int) -> dict[str, float]:
    """The time spent inside the recorder's hooks during one tutorial run, beside the run's.

    Unlike the ratio of two runs' times, this does not depend on how busy the machine is.
    """
    from glassnet.experiments import moons
    from glassnet.plot import TrainingRecorder

    class Timed(TrainingRecorder):
        spent = 0.0

        def on_update_end(self, trainer: Any, update: int, batch_loss: float) -> None:
            start = time.perf_counter()
            super().on_update_end(trainer, update, batch_loss)
            self.spent += time.perf_counter() - start

    recorder = Timed()
    start = time.perf_counter()
    moons(3, passes, callbacks=[recorder])
    total = time.perf_counter() - start
    return {"hooks_s": recorder.spent, "run_s": total, "copies": len(recorder.snapshots)}


def pyplot_import_seconds() -> float:
    """Importing matplotlib's pyplot in a fresh process: the first picture of a command pays it."""
    code = (
        "import time; t = time.perf_counter(); import matplotlib; matplotlib.use('Agg'); "
        "import matplotlib.pyplot; print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return float(done.stdout.strip())


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="glassnet-plot-bench-")
