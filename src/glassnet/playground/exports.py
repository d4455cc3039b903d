"""A run taken out of the playground: a model file, a Python script, a ``glassnet train`` command.

- :func:`model_file`: the network in a glassnet model file (:func:`glassnet.io.save`) with the
  input and target scaling, the class labels and the settings; ``glassnet.io.load`` reads it.
- :func:`python_script`: a script that repeats the run with the public API — the same data,
  features, split, scaling, initial weights and settings, the same number of updates, and
  the settings changed under way applied at the same updates in the same order — and prints
  the losses the page shows.
- :func:`train_command`: the ``glassnet train`` command that trains the same network the
  same number of epochs, when its options can say everything the run did; otherwise the list
  of what they cannot say.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .. import io
from .problem import dataset_options
from .session import EPOCH_LIMIT, LIVE, Session, loss_name, make_schedule
from .settings import Settings

__all__ = ["MODEL_FILENAME", "model_file", "python_script", "train_command"]

MODEL_FILENAME = "playground.glassnet"


# -- the model file ----------------------------------------------------------------------------
def model_file(session: Session) -> bytes:
    """The trained network as the bytes of a glassnet model file."""
    p = session.problem
    preprocessing: dict[str, Any] = {}
    if p.scaler is not None:
        preprocessing.update({f"x_{k}": v for k, v in p.scaler.to_arrays().items()})
    if p.target_scaler is not None:
        preprocessing.update({f"y_{k}": v for k, v in p.target_scaler.to_arrays().items()})
    metadata = {
        "task": p.task,
        "feature_names": [*p.feature_names, *(["1"] * p.extra.size)],
        "target_name": "class" if p.task == "classification" else "y",
        "data": p.name,
        "updates": session.updates,
        "config": session.settings.as_dict(),
        "made_by": "glassnet playground",
    }
    with tempfile.TemporaryDirectory(prefix="glassnet-model-") as folder:
        path = Path(folder) / MODEL_FILENAME
        io.save(
            session.network,
            path,
            preprocessing=preprocessing,
            classes=p.classes,
            metadata=metadata,
        )
        return path.read_bytes()


# -- the Python script -------------------------------------------------------------------------
def _call(name: str, *args: Any, **kwargs: Any) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _data_lines(session: Session) -> list[str]:
    s = session.started_with
    if s.dataset == "upload":
        return [
            "# the uploaded file, as it was uploaded",
            f"CSV = {session.upload_text!r}",
            "with tempfile.TemporaryDirectory() as folder:",
            f"    path = Path(folder) / {session.problem.name!r}",
            '    path.write_text(CSV, encoding="utf-8")',
            "    data = load_csv(path)",
        ]
    return [f"data = {_call('load_dataset', s.dataset, random_state=s.seed, **dataset_options(s))}"]


def _split_lines(session: Session) -> list[str]:
    s, p = session.started_with, session.problem
    lines = [f"inputs = expand(data.X[:, :2], {list(s.features)!r})"]
    if p.extra.size:
        lines.append("inputs = np.column_stack([inputs, data.X[:, 2:]])  # the table's own columns")
    if s.test_size > 0:
        stratify = p.task == "classification"
        lines.append(
            "X_train, X_test, y_train, y_test = "
            + _call(
                "train_test_split",
                test_size=s.test_size,
                stratify=stratify,
                random_state=s.seed,
            ).replace("train_test_split(", "train_test_split(inputs, data.y, ")
        )
    else:
        lines.append("X_train, X_test, y_train, y_test = inputs, inputs[:0], data.y, data.y[:0]")
    if s.standardize:
        lines += [
            "scaler = Standardizer().fit(X_train)",
            "X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)",
        ]
    if p.task == "regression":
        lines += [
            "y_train = y_train.reshape(len(y_train), -1).astype(np.float64)",
            "y_test = y_test.reshape(len(y_test), -1).astype(np.float64)",
        ]
        if s.standardize:
            lines += [
                "y_scaler = Standardizer().fit(y_train)",
                "y_train, y_test = y_scaler.transform(y_train), y_scaler.transform(y_test)",
            ]
    elif session.output == "sigmoid":
        lines += [
            "y_train = y_train.reshape(-1, 1).astype(np.float64)",
            "y_test = y_test.reshape(-1, 1).astype(np.float64)",
        ]
    return lines


def _network_lines(session: Session) -> list[str]:
    s, network = session.started_with, session.network
    sizes = [session.problem.n_inputs, *s.hidden, network.dense_layers[-1].n_out]
    fused = not session.output_in_network
    call = _call(
        "glassnet.mlp",
        sizes,
        activation=s.activation,
        output=session.output if fused else "identity",
        init=s.init,
        bias=s.bias,
        dropout=s.dropout,
        l2=s.l2,
        l1=s.l1,
        random_state=s.seed,
    )
    lines = [f"network = {call}"]
    if not fused:
        activation = type(network.layers[-1]).__name__
        lines += [
            f"# the {session.output} output is the network's last layer, trained on the error",
            f"network = glassnet.Network([*network.layers, glassnet.{activation}()], "
            f"l2={s.l2!r}, l1={s.l1!r})",
        ]
    return lines


def _training_lines(session: Session) -> list[str]:
    s = session.started_with
    loss = session.loss
    schedule = make_schedule(s)
    rate = repr(schedule) if isinstance(schedule, float) else f"glassnet.{schedule!r}"
    optimizer = type(session.trainer.optimizer).__name__
    momentum = f", momentum={s.momentum!r}" if s.optimizer == "gd" else ""
    callbacks = f"[glassnet.PrintLoss({s.print_every})]" if s.print_every else "[]"
    batch = None if s.batch_size == "full" else s.batch_size
    return [
        f"loss = glassnet.{type(loss).__name__}({', '.join(f'{k}={v!r}' for k, v in loss.config().items())})",
        f"optimizer = glassnet.{optimizer}(learning_rate={rate}{momentum})",
        "trainer = glassnet.make_trainer(",
        "    network, X_train, y_train, loss=loss, optimizer=optimizer,",
        f"    epochs={EPOCH_LIMIT}, batch_size={batch!r}, shuffle=True, random_state={s.seed!r},",
        f"    callbacks={callbacks},",
        ")",
    ]


def _replay_lines(session: Session) -> list[str]:
    """``trainer.step`` to each change, the change, … and the rest of the updates."""
    lines, done = [], 0
    for change in session.changes:
        if change.update > done:
            lines.append(f"trainer.step({change.update - done})")
            done = change.update
        value = None if change.value == "full" else change.value
        code = LIVE[change.name].code.format(value=repr(value))
        lines.append(f"{code}  # changed after update {change.update}")
    if session.updates > done:
        lines.append(f"trainer.step({session.updates - done})")
    return lines


def python_script(session: Session) -> str:
    """A Python script that repeats the run exactly and prints its losses."""
    s = session.started_with
    per_row = " / len(X)" if session.loss.reduction == "sum" else ""
    header = [
        f'"""The glassnet playground run: {session.problem.name}, layers '
        f"{'-'.join(map(str, [session.problem.n_inputs, *s.hidden]))}-"
        f'{session.network.dense_layers[-1].n_out}, {session.updates} updates."""',
        "",
        "import numpy as np",
        "",
        "import glassnet",
        "from glassnet.data import Standardizer, expand, load_csv, load_dataset, train_test_split",
    ]
    if s.dataset == "upload":
        header[2:2] = ["import tempfile", "from pathlib import Path", ""]
    body = [
        *_data_lines(session),
        *_split_lines(session),
        *_network_lines(session),
        *_training_lines(session),
        *_replay_lines(session),
        "",
        'for name, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):',
        "    if len(X):",
        f'        print(f"{{name}} loss: {{network.objective(X, y, loss){per_row}!r}}")',
    ]
    return "\n".join([*header, "", *body]) + "\n"


# -- the glassnet train command ----------------------------------------------------------------
def _unsupported(session: Session) -> list[str]:
    """What the command's options cannot say about this run."""
    s, default = session.started_with, Settings()
    reasons = []
    options = dataset_options(s) if s.dataset != "upload" else {}
    if "n_per_class" in options and options["n_per_class"] * 3 != 300:
        reasons.append(f"{s.dataset}'s size of {s.n_samples} points (it has 300 there)")
    if s.dataset == "upload" and list(s.features) != ["x1", "x2"]:
        reasons.append("extra input features of an uploaded file")
    if not s.hidden:
        reasons.append("a network without hidden layers")
    if s.init != "glorot_uniform":
        reasons.append(f"{s.init} initial weights (it draws glorot_uniform)")
    if not s.bias:
        reasons.append("layers without biases")
    if session.output_in_network:
        reasons.append(f"a {session.output} output layer trained on {loss_name(s, session.output)}")
    if s.reduction != "auto":
        reasons.append(f"a loss {s.reduction}med over the rows")
    if s.loss_scale != default.loss_scale and session.loss.name == "sum_squared_error":
        reasons.append(f"the sum of squares scaled by {s.loss_scale}")
    if s.schedule != "constant":
        reasons.append(f"the {s.schedule} schedule counted in updates (the command counts epochs)")
    if session.changes:
        names = ", ".join(sorted({c.name for c in session.changes}))
        reasons.append(f"settings changed during the run ({names})")
    if session.diverged:
        reasons.append("a run that diverged")
    if session.trainer.batch:
        reasons.append(
            f"a run that stopped inside an epoch (after {session.trainer.batch} of its batches)"
        )
    if not session.updates:
        reasons.append("a run with no update yet: train at least one epoch")
    return reasons


def train_command(session: Session) -> dict[str, Any]:
    """``{"command": "glassnet train …" or None, "cannot": [reasons]}``.

    The options are ``glassnet train``'s; ``--n-samples``, ``--noise`` and ``--features``
    make the built-in 2-D data as the playground does, and ``--fixed-epochs --epochs N``
    trains exactly the run's N epochs.
    """
    reasons = _unsupported(session)
    if reasons:
        return {"command": None, "cannot": reasons}
    s = session.started_with
    data = session.problem.name if s.dataset == "upload" else s.dataset
    args = [data]
    options = dataset_options(s) if s.dataset != "upload" else {}
    if "n_samples" in options:
        args += ["--n-samples", str(s.n_samples)]
    if "noise" in options:
        args += ["--noise", repr(s.noise)]
    if s.dataset != "upload":
        args += ["--features", ",".join(s.features)]
    args += ["--test-size", repr(s.test_size), "--seed", str(s.seed)]
    if not s.standardize:
        args.append("--no-standardize")
    if s.hidden:
        args += ["--hidden", ",".join(map(str, s.hidden))]
    args += ["--activation", s.activation]
    if s.output != "auto":
        args += ["--output", s.output]
    if s.loss != "auto":
        args += ["--loss", s.loss]
    args += ["--optimizer", s.optimizer, "--learning-rate", repr(s.learning_rate)]
    if s.momentum:
        args += ["--momentum", repr(s.momentum)]
    args += ["--batch-size", str(s.batch_size)]
    args += ["--l1", repr(s.l1), "--l2", repr(s.l2), "--dropout", repr(s.dropout)]
    args += ["--epochs", str(session.trainer.epoch), "--fixed-epochs"]
    note = (
        f"{data} is the file you uploaded; its last column is the label"
        if s.dataset == "upload"
        else ""
    )
    return {"command": "glassnet train " + " ".join(args), "cannot": [], "note": note}
