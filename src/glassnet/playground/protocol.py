"""The conversation between a page and its training run, without the network in between.

The page sends JSON objects with a ``type``; a :class:`Tab` answers each with a list of JSON
objects, and makes a frame whenever the server asks (while the run plays). Everything here
runs on one tab's run at a time, so the server can hand it to a worker thread.

Messages from the page:

=============  ====================================================================
``hello``      ``settings``: the page's address parameters; starts the run
``set``        ``values``: settings to change (see :mod:`~glassnet.playground.settings`)
``play``       train in the background, a frame at a time; ``pause`` stops
``step``       one update, explained layer by layer (and a gradient check)
``reset``      the run again from its initial weights
``preset``     ``name``: a tutorial's setup (:mod:`~glassnet.playground.presets`)
``upload``     ``name`` and ``text``: a CSV file with two features and a label
``gradcheck``  check backpropagation against central differences now
``export``     ``what``: ``"model"``, ``"python"`` or ``"command"``
``ack``        the page has drawn a frame (the server sends the next one then)
=============  ====================================================================

Bad input of any kind — not JSON, an unknown type, a bad value, a file glassnet cannot read
— is answered with ``{"type": "error", "message": …}`` and changes nothing.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import GlassnetError
from .explain import gradient_check, layer_shapes, one_step
from .exports import MODEL_FILENAME, model_file, python_script, train_command
from .frames import data_message, frame_message, network_message
from .presets import PRESETS, preset_settings
from .problem import MAX_UPLOAD_BYTES, read_upload
from .session import Session
from .settings import MAX_LAYERS, MAX_SAMPLES, MAX_UNITS, Settings, choices, parse_value, to_query

__all__ = ["MAX_MESSAGE_BYTES", "Tab"]

MAX_MESSAGE_BYTES = 2 * MAX_UPLOAD_BYTES + 4096
"""The longest message the page may send (an upload's text, JSON-escaped)."""

AUTO_CHECK_PARAMETERS = 1000
"""Networks up to this many parameters are gradient-checked after every single step."""

Reply = list[dict[str, Any]]


def error(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}


class Tab:
    """One page's run and whether it plays; :meth:`receive` answers a message."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.playing = False
        self.preset: str | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], Reply]] = {
            "hello": self._hello,
            "set": self._set,
            "play": self._play,
            "pause": self._pause,
            "step": self._step,
            "reset": self._reset,
            "preset": self._preset,
            "upload": self._upload,
            "gradcheck": self._gradcheck,
            "export": self._export,
        }

    # -- receiving ---------------------------------------------------------------------------
    def receive(self, text: Any) -> Reply:
        """The replies to one message from the page (an error reply for bad input)."""
        message = self._decode(text)
        if isinstance(message, str):
            return [error(message)]
        kind = message.get("type")
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return [error(f"unknown message type {kind!r}; known: {sorted(self._handlers)}")]
        if self.session is None and kind != "hello":
            return [error("the page has not said hello yet")]
        try:
            return handler(message)
        except (GlassnetError, ValueError) as exc:
            return [error(str(exc))]
        except Exception as exc:  # never let one request stop the tab or the server
            traceback.print_exc()
            return [error(f"the server could not do that ({type(exc).__name__}); the run goes on")]

    @staticmethod
    def _decode(text: Any) -> dict[str, Any] | str:
        """The message as a dict, or what is wrong with it."""
        if not isinstance(text, str):
            return "messages are JSON text"
        if len(text) > MAX_MESSAGE_BYTES:
            return f"message of {len(text)} characters refused; the most is {MAX_MESSAGE_BYTES}"
        try:
            message = json.loads(text)
        except ValueError as exc:
            return f"message is not JSON: {exc}"
        if not isinstance(message, dict):
            return "a message is a JSON object with a 'type'"
        return message

    # -- what the page is sent -----------------------------------------------------------------
    def _run(self) -> Session:
        assert self.session is not None  # receive() checks
        return self.session

    def settings_message(self) -> dict[str, Any]:
        session = self._run()
        return {
            "type": "settings",
            "settings": session.settings.as_dict(),
            "query": to_query(session.settings),
            "preset": self.preset,
            "preset_title": PRESETS[self.preset].title if self.preset else None,
            "printed_by_tutorial": PRESETS[self.preset].printed if self.preset else {},
        }

    def frame(self, seconds: float = 0.0) -> dict[str, Any]:
        """Train about ``seconds`` (none when 0), then the frame to draw."""
        session = self._run()
        made = session.train_for(seconds) if seconds > 0 else 0
        if session.diverged:
            self.playing = False
        message = frame_message(session, made)
        message["shapes"] = layer_shapes(session)
        message["playing"] = self.playing
        return message

    def _everything(self) -> Reply:
        session = self._run()
        return [
            self.settings_message(),
            data_message(session),
            network_message(session),
            self.frame(),
        ]

    def _after(self, rebuilt: str) -> Reply:
        session = self._run()
        if rebuilt == "data":
            return [
                self.settings_message(),
                data_message(session),
                network_message(session),
                self.frame(),
            ]
        if rebuilt == "run":
            return [self.settings_message(), network_message(session), self.frame()]
        return [self.settings_message(), self.frame()]

    # -- the handlers --------------------------------------------------------------------------
    def _hello(self, message: dict[str, Any]) -> Reply:
        """Start from the address's settings; a bad one is reported and left at its default."""
        values = message.get("settings") or {}
        errors, settings = [], Settings()
        if not isinstance(values, dict):
            values, errors = {}, ["the address's settings must be name=value pairs"]
        for name, raw in values.items():
            try:
                settings = settings.with_(**{name: parse_value(name, raw)})
            except (GlassnetError, ValueError) as exc:
                errors.append(str(exc))
        try:
            self.session = Session(settings)
        except (GlassnetError, ValueError) as exc:
            errors.append(f"{exc}; starting from the defaults")
            self.session = Session()
        self.playing, self.preset = False, None
        welcome = {
            "type": "welcome",
            "choices": choices(),
            "presets": {name: p.title for name, p in PRESETS.items()},
            "limits": {
                "layers": MAX_LAYERS,
                "units": MAX_UNITS,
                "button_units": 8,
                "samples": MAX_SAMPLES,
                "upload_bytes": MAX_UPLOAD_BYTES,
            },
            "defaults": Settings().as_dict(),
        }
        return [welcome, *self._everything(), *(error(e) for e in errors)]

    def _set(self, message: dict[str, Any]) -> Reply:
        values = message.get("values")
        if not isinstance(values, dict) or not values:
            return [error("'set' needs 'values': an object of settings to change")]
        rebuilt = self._run().configure(values)
        if rebuilt in ("data", "run"):
            self.preset = None
        return self._after(rebuilt)

    def _play(self, message: dict[str, Any]) -> Reply:
        if self._run().diverged:
            return [error(f"{self._run().diverged} Press reset to start again.")]
        self.playing = True
        return [{"type": "playing", "playing": True}]

    def _pause(self, message: dict[str, Any]) -> Reply:
        self.playing = False
        return [{"type": "playing", "playing": False}]

    def _step(self, message: dict[str, Any]) -> Reply:
        self.playing = False
        session = self._run()
        explained = one_step(session)
        replies = [{"type": "playing", "playing": False}, explained, self.frame()]
        if session.diverged:
            return [*replies, error(session.diverged)]
        if session.network.n_parameters() > AUTO_CHECK_PARAMETERS:
            return replies  # a larger network is checked when asked ("gradcheck")
        return [*replies, gradient_check(session)]

    def _reset(self, message: dict[str, Any]) -> Reply:
        self.playing = False
        self._run().reset()
        return [{"type": "playing", "playing": False}, network_message(self._run()), self.frame()]

    def _preset(self, message: dict[str, Any]) -> Reply:
        name = message.get("name")
        settings = preset_settings(name)
        session = Session(settings)
        self.session, self.playing, self.preset = session, False, str(name)
        return self._everything()

    def _upload(self, message: dict[str, Any]) -> Reply:
        text = message.get("text")
        data = read_upload(message.get("name"), text)
        assert isinstance(text, str)  # read_upload refuses anything else
        self._run().use_upload(data, text)
        self.playing, self.preset = False, None
        return [
            {"type": "uploaded", "name": data.name, "rows": data.n_samples, "task": data.task},
            *self._everything(),
        ]

    def _gradcheck(self, message: dict[str, Any]) -> Reply:
        return [gradient_check(self._run())]

    def _export(self, message: dict[str, Any]) -> Reply:
        what = message.get("what")
        session = self._run()
        if what == "model":
            data = base64.b64encode(model_file(session)).decode()
            return [{"type": "export", "what": "model", "filename": MODEL_FILENAME, "data": data}]
        if what == "python":
            return [{"type": "export", "what": "python", "text": python_script(session)}]
        if what == "command":
            return [{"type": "export", "what": "command", **train_command(session)}]
        return [error(f"export what? 'model', 'python' or 'command', got {what!r}")]
