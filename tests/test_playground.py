"""The playground without a browser: settings, runs, presets, exports, messages and the server.

The exports are held to what they promise: the Python script, run in a fresh interpreter,
prints exactly the losses the page shows (settings changed under way included); the model
file loads with ``glassnet.io.load`` and predicts what the run's network predicts; the
``glassnet train`` command trains to the same loss. The presets reproduce the tutorials'
numbers.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

pytest.importorskip("starlette", reason='the playground extra: pip install "glassnet[playground]"')

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import glassnet
from glassnet import ValidationError
from glassnet.cli import main
from glassnet.data import expand
from glassnet.experiments import moons, toy
from glassnet.playground import create_app
from glassnet.playground.exports import model_file, python_script, train_command
from glassnet.playground.frames import (
    GRID,
    data_message,
    frame_message,
    grid_points,
    layer_outputs,
)
from glassnet.playground.presets import HIDDEN_SIZES, PRESETS, preset_settings
from glassnet.playground.protocol import MAX_MESSAGE_BYTES, Tab
from glassnet.playground.session import LIVE, Session
from glassnet.playground.settings import (
    LIVE_FIELDS,
    Settings,
    choices,
    parse,
    to_query,
)

WS = "ws://127.0.0.1:8000/ws"
SRC = str(Path(glassnet.__file__).resolve().parents[1])


def run_scripts(scripts: list[str], folder: Path) -> list[dict[str, float]]:
    """Run scripts one after the other in one fresh interpreter; each one's ``name loss:
    value`` lines as floats."""
    paths = []
    for i, code in enumerate(scripts):
        paths.append(folder / f"run_{i}.py")
        paths[-1].write_text(code)
    runner = "import runpy, sys\nfor p in sys.argv[1:]:\n    print('=='); runpy.run_path(p)\n"
    done = subprocess.run(
        [sys.executable, "-c", runner, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    blocks = done.stdout.split("==\n")[1:]
    return [
        {
            name: float(value)
            for name, value in (
                line.split(" loss: ") for line in block.splitlines() if " loss: " in line
            )
        }
        for block in blocks
    ]


def shown(session: Session) -> dict[str, float]:
    train, test = session.losses()
    return {k: v for k, v in (("train", train), ("test", test)) if v is not None}


# -- settings ------------------------------------------------------------------------------------
def test_the_address_gives_back_the_settings():
    settings = Settings(
        dataset="spiral", hidden=(8, 8, 3), features=("x1", "x2", "sin(x1)"), batch_size="full"
    )
    query = to_query(settings)
    assert "dataset=spiral" in query and "hidden=8,8,3" in query
    values = dict(part.split("=", 1) for part in query.split("&"))
    assert parse({k: v.replace("%5E", "^") for k, v in values.items()}) == settings
    assert to_query(Settings()) == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("hidden", "1,2,3,4,5,6,7", "at most 6 hidden layers"),
        ("hidden", "0", "hidden layer's width"),
        ("learning_rate", "fast", "learning_rate must be a number"),
        ("noise", 5, "noise must be a number from 0 to 1"),
        ("activation", "softmax", "activation must be one of"),
        ("features", "x3", "features must be distinct names"),
        ("batch_size", "0", "batch_size must be 'full'"),
        ("colour", "red", "unknown setting 'colour'"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name_and_range(name, value, message):
    with pytest.raises(ValidationError, match=message):
        Settings().with_(**{name: value})


def test_the_choices_are_the_registries_names():
    c = choices()
    assert set(c["optimizer"]) == {
        type(o).name for o in map(glassnet.optimizers.get_optimizer, c["optimizer"])
    }
    assert set(c["activation"]) <= set(glassnet.activations.ACTIVATIONS)
    assert set(c["schedule"]) == set(glassnet.schedules.SCHEDULES)
    assert set(LIVE) == LIVE_FIELDS


# -- runs and presets ----------------------------------------------------------------------------
def test_the_moons_preset_prints_the_tutorials_numbers():
    session = Session(preset_settings("wildml-moons"))
    session.step(1001)
    assert session.printed() == [
        "Loss after iteration 0: 0.432387",
        "Loss after iteration 1000: 0.068947",
    ]
    assert PRESETS["wildml-moons"].printed["Loss after iteration 1000"] == "0.068947"
    train, test = session.losses()
    assert train == pytest.approx(moons(3, passes=1001).losses[-1], rel=1e-12) and test is None


@pytest.mark.parametrize("hidden", [1, 50])
def test_the_hidden_size_lesson_is_the_tutorials_run(hidden):
    assert hidden in HIDDEN_SIZES
    session = Session(preset_settings(f"wildml-hidden-{hidden}"))
    session.step(300)
    assert session.network.dense_layers[0].n_out == hidden
    assert session.losses()[0] == pytest.approx(moons(hidden, passes=300).losses[-1], rel=1e-12)


def test_the_xor_table_preset_is_the_toy_tutorial():
    session = Session(preset_settings("xor-table"))
    session.step(1500)
    expected = toy().network.parameters()
    for name, value in session.network.parameters().items():
        assert_array_equal(value, expected[name])


def test_stepping_in_pieces_is_one_run():
    whole, pieces = Session(), Session()
    whole.step(120)
    for count in (1, 7, 50, 62):
        pieces.step(count)
    for name, value in whole.network.parameters().items():
        assert_array_equal(value, pieces.network.parameters()[name])


def test_a_refused_setting_leaves_the_run_as_it_was():
    session = Session()
    session.step(30)
    before = {k: v.copy() for k, v in session.network.parameters().items()}
    with pytest.raises(ValidationError, match="sigmoid output is for two classes"):
        session.configure({"dataset": "blobs", "output": "sigmoid"})
    assert session.settings == Settings() and session.updates == 30
    for name, value in session.network.parameters().items():
        assert_array_equal(value, before[name])


def test_divergence_is_reported_and_reset_starts_again():
    session = Session(
        Settings(dataset="plane", learning_rate=10.0, activation="relu", hidden=(8, 8))
    )
    session.step(1000)
    assert session.diverged and "diverged" in session.diverged
    assert session.step(5) == 0
    session.reset()
    assert session.diverged is None and session.updates == 0


def test_the_heat_maps_come_from_the_networks_own_prediction():
    session = Session(Settings(hidden=(5, 3), dataset="blobs"))
    session.step(40)
    points = grid_points(session.problem.bounds())
    hidden, prediction = layer_outputs(session.network, session.problem.inputs(points))
    assert len(points) == GRID * GRID and [h.shape[1] for h in hidden] == [5, 3]
    assert_array_equal(prediction, session.network.predict_proba(session.problem.inputs(points)))
    frame = frame_message(session, 0)
    assert len(base64.b64decode(frame["output"]["data"][0])) == GRID * GRID
    assert len(frame["neurons"]) == 2 and len(frame["neurons"][0]) == 5
    json.dumps(frame, allow_nan=False)
    json.dumps(data_message(session), allow_nan=False)


# -- exports -------------------------------------------------------------------------------------
SCRIPTED = {
    "default": Settings(),
    "spiral-adam-dropout": Settings(
        dataset="spiral", hidden=(6, 6), activation="relu", optimizer="adam", dropout=0.2
    ),
    "plane-features-l1": Settings(
        dataset="plane", features=("x1", "x2", "x1^2"), l1=0.001, batch_size=7
    ),
    "schedule-momentum": Settings(
        dataset="moons", schedule="step", schedule_steps=20, optimizer="gd", momentum=0.5
    ),
    "no-hidden-layer": Settings(hidden=(), features=("x1^2", "x2^2")),
    "xor-table": preset_settings("xor-table"),
}


def _changed_run(settings: Settings) -> Session:
    """A run with the live settings changed under way."""
    session = Session(settings)
    session.step(60)
    session.configure({"l2": 0.003})
    session.step(25)
    session.configure({"batch_size": "full"})
    session.step(5)
    if settings.schedule == "constant":
        session.configure({"learning_rate": 0.1})
        session.step(9)
    return session


def _upload_run() -> Session:
    rng = np.random.RandomState(3)
    rows = "\n".join(f"{a:.4f},{b:.4f},{'yes' if a * b > 0 else 'no'}" for a, b in rng.randn(60, 2))
    tab = Tab()
    tab.session = Session()
    message = {"type": "upload", "name": "quadrants.csv", "text": "a,b,label\n" + rows}
    replies = tab.receive(json.dumps(message))
    assert replies[0] == {
        "type": "uploaded",
        "name": "quadrants.csv",
        "rows": 60,
        "task": "classification",
    }
    tab.session.step(33)
    return tab.session


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """Each case's run and what its exported script printed, all scripts in one interpreter."""
    sessions = {name: _changed_run(settings) for name, settings in SCRIPTED.items()}
    sessions["uploaded-file"] = _upload_run()
    printed = run_scripts(
        [python_script(s) for s in sessions.values()], tmp_path_factory.mktemp("scripts")
    )
    return {name: (s, out) for (name, s), out in zip(sessions.items(), printed, strict=True)}


@pytest.mark.parametrize("case", [*SCRIPTED, "uploaded-file"])
def test_the_python_script_repeats_the_run_exactly(scripted, case):
    session, printed = scripted[case]
    assert printed == shown(session)
    assert case == "uploaded-file" or len(session.changes) >= 2


def test_the_model_file_loads_and_predicts_the_same(tmp_path):
    session = Session(
        Settings(dataset="circles", features=("x1", "x2", "x1^2", "x2^2"), hidden=(3,))
    )
    session.step(200)
    path = tmp_path / "run.glassnet"
    path.write_bytes(model_file(session))
    network = glassnet.io.load(path)
    X = session.problem.X_test
    assert_array_equal(network.predict_proba(X), session.network.predict_proba(X))
    # from raw points: the file's own scaling and the features by name
    model = glassnet.io.load_model(path)
    points = session.problem.points_test
    inputs = expand(points, model.metadata["feature_names"])
    scaled = (inputs - model.preprocessing["x_mean"]) / model.preprocessing["x_scale"]
    assert_array_equal(network.predict(scaled), session.network.predict(X))
    assert model.classes == [0, 1] and model.metadata["updates"] == 200


def test_the_command_says_what_it_cannot_express():
    session = Session(Settings(init="he_normal", schedule="cyclic"))
    session.step(3)
    session.configure({"l2": 0.1})
    result = train_command(session)
    assert result["command"] is None
    text = "; ".join(result["cannot"])
    for fragment in (
        "he_normal",
        "cyclic schedule",
        "changed during the run (l2)",
        "inside an epoch",
    ):
        assert fragment in text


def _command_loss(capsys, args: list[str]) -> float:
    assert main(["train", *args, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)["scores"]["train"]["loss"]


def test_the_command_prepares_the_data_as_the_playground_does(capsys):
    # moons at its own size and noise, the two coordinates: no new option is needed
    session = Session(Settings(dataset="moons", n_samples=200, noise=0.2, hidden=(5, 3)))
    session.step(2 * 10)  # two epochs of 10 batches
    command = train_command(session)["command"]
    assert command is not None and "--epochs 2 --fixed-epochs" in command
    assert "--n-samples 200 --noise 0.2 --features x1,x2" in command
    assert _command_loss(capsys, command.split()[2:]) == session.losses()[0]


def test_the_exported_command_trains_to_the_same_loss(capsys):
    session = Session(Settings(dataset="circles", noise=0.15, features=("x1", "x2", "x1^2")))
    session.step(25 * 3)
    command = train_command(session)["command"]
    assert command is not None
    assert _command_loss(capsys, command.split()[2:]) == session.losses()[0]


# -- messages ------------------------------------------------------------------------------------
def hello(**settings: str) -> tuple[Tab, list[dict]]:
    tab = Tab()
    return tab, tab.receive(json.dumps({"type": "hello", "settings": settings}))


def test_hello_answers_with_everything_the_page_draws():
    _, replies = hello(hidden="3", dataset="moons")
    kinds = [r["type"] for r in replies]
    assert kinds == ["welcome", "settings", "data", "network", "frame"]
    assert replies[1]["settings"]["hidden"] == [3] and replies[3]["sizes"] == [2, 3, 2]


def test_bad_address_settings_are_reported_and_left_at_their_defaults():
    tab, replies = hello(hidden="99", activation="relu")
    errors = [r["message"] for r in replies if r["type"] == "error"]
    assert len(errors) == 1 and "hidden layer's width" in errors[0]
    assert tab.session is not None and tab.session.settings.activation == "relu"
    assert tab.session.settings.hidden == Settings().hidden


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "a JSON object"),
        ('{"type": "explode"}', "unknown message type"),
        ('{"type": "set", "values": {"learning_rate": -1}}', "learning_rate must be"),
        ('{"type": "set"}', "needs 'values'"),
        ('{"type": "preset", "name": "../../etc/passwd"}', "unknown preset"),
        ('{"type": "export", "what": "/etc/passwd"}', "export what?"),
        ('{"type": "upload", "name": "x.csv", "text": 5}', "carries no text"),
        ("x" * (MAX_MESSAGE_BYTES + 1), "refused"),
    ],
)
def test_bad_messages_get_an_error_and_change_nothing(message, fragment):
    tab, _ = hello()
    assert tab.session is not None
    tab.session.step(5)
    replies = tab.receive(message)
    assert replies[-1]["type"] == "error" and fragment in replies[-1]["message"]
    assert tab.session.updates == 5 and tab.session.settings == Settings()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "a,b,label\n1,2,x\n3,oops,y\n",
            "column 'b' holds numbers but row 3 of bad.csv holds 'oops'",
        ),
        ("a,b,c,label\n1,2,3,x\n4,5,6,y\n", "has 3 feature column(s)"),
        ("a,b,label\n1,2,x\n3,4\n", "row 3 of bad.csv has 2 fields"),
        ("", "bad.csv is empty"),
        ("a,b,label\n" + "1,2,x\n" * 50000, "larger than 256 KiB"),
    ],
)
def test_a_bad_upload_gets_glassnets_own_message_without_a_server_path(text, fragment):
    tab, _ = hello()
    replies = tab.receive(
        json.dumps({"type": "upload", "name": "C:\\Users\\me\\bad.csv", "text": text})
    )
    message = replies[-1]["message"]
    assert replies[-1]["type"] == "error" and fragment in message
    assert tempfile.gettempdir() not in message and "upload.csv" not in message


def test_one_step_is_explained_and_gradient_checked():
    tab, _ = hello(hidden="4,3", batch_size="8")
    replies = tab.receive('{"type": "step"}')
    kinds = [r["type"] for r in replies]
    assert kinds == ["playing", "explain", "frame", "gradcheck"]
    explained, check = replies[1], replies[3]
    assert [layer["delta_shape"] for layer in explained["layers"]] == [[8, 4], [8, 3], [8, 2]]
    assert check["passed"] and check["max_error"] < 1e-6 and len(check["errors"]) == 3


def test_the_explained_update_is_the_update_made():
    session = Session(Settings(hidden=(3,), batch_size="full", optimizer="gd"))
    tab = Tab()
    tab.session = session
    before = session.network.dense_layers[-1].params["weight"].copy()
    explained = tab.receive('{"type": "step"}')[1]
    # plain gradient descent: ΔW₂ = −η a₁ᵀδ₂, and Σ_rows δ₂ = ∂L/∂b₂ = −Δb₂/η
    change = session.network.dense_layers[-1].params["weight"] - before
    assert np.allclose(explained["layers"][-1]["dW"], change, rtol=1e-3, atol=1e-9)
    assert np.allclose(
        np.array(explained["layers"][-1]["delta_sum"]) * -0.03,
        explained["layers"][-1]["db"],
        rtol=1e-3,
    )


def test_a_large_network_is_checked_only_when_asked_and_not_beyond_the_limit():
    tab, _ = hello(hidden="40,40")
    assert [r["type"] for r in tab.receive('{"type": "step"}')] == ["playing", "explain", "frame"]
    tab.receive(json.dumps({"type": "set", "values": {"hidden": "50,50,50"}}))
    reply = tab.receive('{"type": "gradcheck"}')[0]
    assert reply["type"] == "error" and "checks up to 3000" in reply["message"]


@pytest.mark.parametrize("what", ["model", "python", "command"])
def test_the_exports_answer(what):
    tab, _ = hello()
    reply = tab.receive(json.dumps({"type": "export", "what": what}))[0]
    assert reply["type"] == "export" and reply["what"] == what
    if what == "model":
        assert base64.b64decode(reply["data"])[:2] == b"PK"
    if what == "command":
        assert reply["command"] is None and "no update yet" in reply["cannot"][0]


# -- the server ----------------------------------------------------------------------------------
def test_the_page_is_served_with_a_content_security_policy():
    client = TestClient(create_app(), base_url="http://127.0.0.1:8000")
    page = client.get("/")
    assert page.status_code == 200 and "glassnet playground" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/playground.js").status_code == 200
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_a_foreign_origin_is_refused():
    client = TestClient(create_app(), base_url="http://127.0.0.1:8000")
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999"):
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(WS, headers={"origin": origin}) as socket,
        ):
            socket.receive_text()
    rebinding = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("ws://evil.example:8000/ws", headers=rebinding) as socket,
    ):
        socket.receive_text()


def test_the_pages_own_origin_talks_and_bad_input_does_not_stop_it():
    client = TestClient(create_app(), base_url="http://127.0.0.1:8000")
    with client.websocket_connect(WS, headers={"origin": "http://127.0.0.1:8000"}) as socket:
        socket.send_text("{garbage")
        assert json.loads(socket.receive_text())["type"] == "error"
        socket.send_bytes(b"\x00\x01")
        assert "unknown message type" in json.loads(socket.receive_text())["message"]
        socket.send_text(json.dumps({"type": "hello", "settings": {}}))
        kinds = [json.loads(socket.receive_text())["type"] for _ in range(5)]
        assert kinds == ["welcome", "settings", "data", "network", "frame"]
        socket.send_text('{"type": "play"}')
        assert json.loads(socket.receive_text()) == {"type": "playing", "playing": True}
        frame = json.loads(socket.receive_text())
        assert frame["type"] == "frame" and frame["streamed"] and frame["update"] > 0
        socket.send_text('{"type": "pause"}')


def _serve(host: str) -> subprocess.Popen[str]:
    """``glassnet playground --host HOST`` in a process of its own, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "glassnet.cli", "playground", "--host", host],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
    )


def test_the_command_serves_until_ctrl_c():
    process = _serve("127.0.0.1")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("glassnet playground running at http://127.0.0.1:")
        url = line.split()[4]
        import urllib.request

        with urllib.request.urlopen(url, timeout=10) as page:
            assert b"glassnet playground" in page.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_a_host_other_than_loopback_is_warned_about():
    process = _serve("0.0.0.0")
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("warning: serving on 0.0.0.0")
        assert process.stdout.readline().startswith("glassnet playground running at")
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0
