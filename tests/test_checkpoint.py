"""Interruption and resume: a run stopped between two updates and resumed from its
checkpoint ends with exactly the weights of the run that was never stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from glassnet import Adam, Callback, EarlyStopping, GradientDescent, TrainingInterrupted, fit, mlp
from glassnet.errors import GlassnetError, ModelFileError, ValidationError


class StopAt(Callback):
    """Asks to stop after update ``at``, as Ctrl-C would."""

    def __init__(self, at: int) -> None:
        self.at = at

    def on_update_end(self, trainer, update, batch_loss):  # type: ignore[no-untyped-def]
        if update == self.at:
            trainer.stop_requested = True


def data(rng):  # type: ignore[no-untyped-def]
    x = rng.randn(50, 3)
    return x, (x[:, 0] + x[:, 1] ** 2 > 0.5).astype(int)


SETUPS = {
    "full batch gd": ({"l2": 0.01}, {"optimizer": "gd", "learning_rate": 0.1}),
    "shuffled adam, dropout": (
        {"dropout": 0.3},
        {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 8, "random_state": 3},
    ),
    "early stopping": (
        {},
        {
            "optimizer": "gd",
            "learning_rate": 0.8,
            "batch_size": 10,
            "random_state": 2,
            "validation_fraction": 0.3,
            "early_stopping": True,
            "patience": 4,
        },
    ),
    "momentum, validation split": (
        {},
        {
            "optimizer": "gd",
            "learning_rate": 0.05,
            "batch_size": 16,
            "random_state": 5,
            "validation_fraction": 0.2,
            "metrics": ["accuracy"],
        },
    ),
}


def build(options):  # type: ignore[no-untyped-def]
    return mlp([3, 6, 2], activation="tanh", output="softmax", random_state=0, **options)


def optimizer(kwargs):  # type: ignore[no-untyped-def]
    kwargs = dict(kwargs)
    name, lr = kwargs.pop("optimizer"), kwargs.pop("learning_rate")
    opt = (
        Adam(lr)
        if name == "adam"
        else GradientDescent(lr, momentum=0.9 if "validation_fraction" in kwargs else 0.0)
    )
    return opt, kwargs


@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("stop_after", [0, 7, 10])
def test_interrupted_and_resumed_run_ends_on_the_same_weights(setup, stop_after, rng, tmp_path):
    net_options, fit_options = SETUPS[setup]
    x, y = data(rng)
    opt, kwargs = optimizer(fit_options)
    whole = build(net_options)
    h_whole = fit(whole, x, y, optimizer=opt, epochs=12, **kwargs)

    path = tmp_path / "run.ckpt"
    first = build(net_options)
    opt, kwargs = optimizer(fit_options)
    with pytest.raises(TrainingInterrupted, match="resume") as info:
        fit(
            first,
            x,
            y,
            optimizer=opt,
            epochs=12,
            checkpoint=path,
            callbacks=[StopAt(stop_after)],
            **kwargs,
        )
    assert info.value.checkpoint == str(path) and isinstance(info.value, KeyboardInterrupt)
    assert isinstance(info.value, GlassnetError)

    again = build(net_options)  # a new process would build the network afresh
    opt, kwargs = optimizer(fit_options)
    h_again = fit(again, x, y, optimizer=opt, epochs=12, resume=path, **kwargs)
    for name, param in whole.parameters().items():
        assert_array_equal(again.parameters()[name], param, err_msg=name)
    assert h_again.loss == h_whole.loss and h_again.batch_loss == h_whole.batch_loss
    assert h_again.n_updates == h_whole.n_updates and h_again.metrics == h_whole.metrics
    assert (h_again.best_epoch, h_again.stopped_early) == (
        h_whole.best_epoch,
        h_whole.stopped_early,
    )


def test_periodic_checkpoints_resume_from_the_last_one(rng, tmp_path):
    x, y = data(rng)
    whole = build({})
    fit(whole, x, y, optimizer=Adam(0.01), epochs=10, batch_size=8, random_state=1)
    path = tmp_path / "every3.ckpt"
    partial = build({})
    # the last checkpoint is written after epoch 6
    fit(
        partial,
        x,
        y,
        optimizer=Adam(0.01),
        epochs=8,
        batch_size=8,
        random_state=1,
        checkpoint=path,
        checkpoint_every=3,
    )
    resumed = build({})
    history = fit(
        resumed, x, y, optimizer=Adam(0.01), epochs=10, batch_size=8, random_state=1, resume=path
    )
    assert history.epochs == 10
    for name, param in whole.parameters().items():
        assert_array_equal(resumed.parameters()[name], param)


def test_interrupted_without_a_checkpoint_keeps_the_state(rng):
    x, y = data(rng)
    net = build({})
    with pytest.raises(TrainingInterrupted, match="give a checkpoint path") as info:
        fit(net, x, y, epochs=20, batch_size=10, random_state=0, callbacks=[StopAt(4)])
    assert info.value.checkpoint is None
    assert all(np.isfinite(p).all() for p in net.parameters().values())


def test_resume_refuses_what_does_not_fit(rng, tmp_path):
    x, y = data(rng)
    path = tmp_path / "c.ckpt"
    fit(build({}), x, y, optimizer=Adam(0.01), epochs=2, checkpoint=path)
    with pytest.raises(ValidationError, match="Adam"):
        fit(build({}), x, y, optimizer=GradientDescent(0.1), epochs=3, resume=path)
    with pytest.raises(ValidationError, match="parameters do not fit"):
        fit(
            mlp([3, 5, 2], output="softmax", random_state=0),
            x,
            y,
            optimizer=Adam(0.01),
            epochs=3,
            resume=path,
        )
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelFileError, match="checkpoint"):
        fit(build({}), x, y, optimizer=Adam(0.01), epochs=3, resume=bad)


CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from glassnet import Callback, TrainingInterrupted, fit, io, mlp

    mode, ckpt, out = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = np.random.RandomState(0)
    x = rng.randn(200, 4)
    y = (x[:, 0] * x[:, 1] > 0).astype(int)

    class Slow(Callback):
        def on_update_end(self, trainer, update, loss):
            if update == 0:
                print("training", flush=True)
            if mode == "interrupt":
                time.sleep(0.002)

    net = mlp([4, 16, 2], activation="tanh", output="softmax", dropout=0.1, random_state=0)
    kwargs = dict(optimizer="adam", learning_rate=0.01, epochs=60, batch_size=10, random_state=0)
    try:
        if mode == "resume":
            fit(net, x, y, resume=ckpt, **kwargs)
        else:
            fit(net, x, y, checkpoint=ckpt if mode == "interrupt" else None,
                callbacks=[Slow()], **kwargs)
    except TrainingInterrupted as exc:
        print("interrupted:", exc, flush=True)
        sys.exit(3)
    io.save(net, out)
    print("done", flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_real_signal_stops_a_training_process_and_resume_finishes_it(signum, tmp_path):
    from glassnet import io

    ckpt, whole, resumed = tmp_path / "run.ckpt", tmp_path / "whole.gn", tmp_path / "resumed.gn"

    def child(mode, out):  # type: ignore[no-untyped-def]
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, mode, str(ckpt), str(out)],
            stdout=subprocess.PIPE,
            text=True,
        )

    assert child("whole", whole).wait(timeout=120) == 0
    proc = child("interrupt", tmp_path / "never.gn")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "training"
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 3, out
    assert "interrupted:" in out and "checkpoint written" in out
    assert not (tmp_path / "never.gn").exists()
    assert child("resume", resumed).wait(timeout=120) == 0
    a, b = io.load(whole), io.load(resumed)
    for name, param in a.parameters().items():
        assert_array_equal(b.parameters()[name], param)


def test_the_checkpoint_callback_is_the_checkpoint_argument(rng, tmp_path):
    from glassnet import Checkpoint

    x, y = data(rng)
    whole = build({})
    fit(whole, x, y, optimizer=Adam(0.01), epochs=9, batch_size=8, random_state=4)
    path = tmp_path / "cb.ckpt"
    with pytest.raises(TrainingInterrupted):
        fit(
            build({}),
            x,
            y,
            optimizer=Adam(0.01),
            epochs=9,
            batch_size=8,
            random_state=4,
            callbacks=[Checkpoint(path, every=2), StopAt(20)],
        )
    resumed = build({})
    fit(resumed, x, y, optimizer=Adam(0.01), epochs=9, batch_size=8, random_state=4, resume=path)
    for name, param in whole.parameters().items():
        assert_array_equal(resumed.parameters()[name], param)
    with pytest.raises(ValidationError, match="every"):
        Checkpoint(path, every=0)


# -- early stopping's patience count across a resume ----------------------------------------
# Mini-batch gradient descent on 35 training rows in batches of 10: 4 updates an epoch, so epoch e runs
# updates 4e .. 4e+3. With these settings the validation loss of the uninterrupted run stalls
# after epochs 1-2 and again after epoch 4, until patience (4) runs out; the test works the
# patience count out from that run's own val_loss and interrupts where it is above zero.
PATIENCE_RUN = {
    "epochs": 40,
    "batch_size": 10,
    "random_state": 1,
    "validation_fraction": 0.3,
    "early_stopping": True,
    "patience": 4,
}


def waits_after_each_epoch(val_loss):  # type: ignore[no-untyped-def]
    """Early stopping's count of epochs without improvement, written out (min_delta=0)."""
    best, wait, waits = np.inf, 0, []
    for value in val_loss:
        best, wait = (value, 0) if value < best else (best, wait + 1)
        waits.append(wait)
    return waits


class PatienceProbe(Callback):
    """Records early stopping's count as a run begins: for a resumed run, the restored one."""

    def on_train_begin(self, trainer):  # type: ignore[no-untyped-def]
        self.waits = [cb.wait for cb in trainer.callbacks if isinstance(cb, EarlyStopping)]


@pytest.mark.parametrize("restore_best", [True, False])
# ends of epochs 1, 5, 6 (count 1, 2, 3); inside epochs 2, 5, 7 (count 1, 1, 3 carried in);
# the last update of epoch 7, where patience runs out and the run is over anyway
@pytest.mark.parametrize("stop_after", [7, 23, 27, 9, 22, 29, 31])
def test_resume_after_epochs_without_improvement_keeps_the_patience_count(
    stop_after, restore_best, rng, tmp_path
):
    x, y = data(rng)
    whole = build({})
    h_whole = fit(
        whole, x, y, optimizer=GradientDescent(0.8), restore_best=restore_best, **PATIENCE_RUN
    )
    waits = waits_after_each_epoch(h_whole.val_loss)
    assert h_whole.stopped_early and waits[-1] == 4 and h_whole.epochs < 40
    epochs_done = (stop_after + 1) // 4  # epochs completed when the update stop_after ends

    path, again = tmp_path / "run.ckpt", build({})
    if epochs_done == h_whole.epochs:  # asked to stop as early stopping ends the run: it ends
        try:
            h_again = fit(
                again,
                x,
                y,
                optimizer=GradientDescent(0.8),
                restore_best=restore_best,
                checkpoint=path,
                callbacks=[StopAt(stop_after)],
                **PATIENCE_RUN,
            )
        except TrainingInterrupted as exc:  # a KeyboardInterrupt: it would end the test session
            pytest.fail(f"a finished run was reported as interrupted: {exc}")
    else:
        with pytest.raises(TrainingInterrupted):
            fit(
                build({}),
                x,
                y,
                optimizer=GradientDescent(0.8),
                restore_best=restore_best,
                checkpoint=path,
                callbacks=[StopAt(stop_after)],
                **PATIENCE_RUN,
            )
        probe = PatienceProbe()
        h_again = fit(
            again,
            x,
            y,
            optimizer=GradientDescent(0.8),
            restore_best=restore_best,
            resume=path,
            callbacks=[probe],
            **PATIENCE_RUN,
        )
        assert probe.waits == [waits[epochs_done - 1]] and waits[epochs_done - 1] > 0
    assert (h_again.epochs, h_again.n_updates) == (h_whole.epochs, h_whole.n_updates)
    assert h_again.val_loss == h_whole.val_loss and h_again.loss == h_whole.loss
    assert (h_again.best_epoch, h_again.stopped_early) == (h_whole.best_epoch, True)
    for name, param in whole.parameters().items():
        assert_array_equal(again.parameters()[name], param, err_msg=name)


def test_resume_removes_the_temporaries_of_dead_writers_only(rng, tmp_path, dead_pid):
    x, y = data(rng)
    path = tmp_path / "run.ckpt"
    fit(build({}), x, y, optimizer=Adam(0.01), epochs=3, checkpoint=path)
    stale = tmp_path / f".run.ckpt.{dead_pid}.0123456789abcdef.tmp"  # a writer killed mid-save
    live = tmp_path / f".run.ckpt.{os.getpid()}.0123456789abcdef.tmp"
    other = tmp_path / f".model.glassnet.{dead_pid}.0123456789abcdef.tmp"
    for temporary in (stale, live, other):
        temporary.write_bytes(b"PK\x03\x04 half an archive")
    # nothing is left to train, so nothing is saved: the resume itself cleans up
    history = fit(build({}), x, y, optimizer=Adam(0.01), epochs=3, resume=path)
    assert history.epochs == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, live.name, other.name])
