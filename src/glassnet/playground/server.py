"""The playground's web server: a small Starlette app served by uvicorn.

``GET /`` is the page and ``/static/…`` its script and style, shipped inside the package;
``/ws`` is one WebSocket per tab, over which the page sends its settings, files and
commands and the server streams frames. Each tab has its own run (a
:class:`~glassnet.playground.protocol.Tab`), worked on in a worker thread so that one tab's
training never holds up another's; closing the tab ends its run.

Only the playground's own pages may talk to it: a request must name one of the allowed
hosts (which stops DNS rebinding), and a WebSocket must come from the page's own origin —
the ``Origin`` header equal to ``http://`` and the ``Host`` it was sent to — since other web
pages open in the same browser could otherwise reach a server on 127.0.0.1. Uploads travel
over that WebSocket, so the same check covers them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from .protocol import MAX_MESSAGE_BYTES, Tab

__all__ = [
    "FRAME_SECONDS",
    "LOOPBACK_HOSTS",
    "address",
    "bind",
    "create_app",
    "is_loopback",
    "origin_allowed",
    "serve",
]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
FRAME_SECONDS = 1 / 30
"""The shortest time between two frames (30 frames a second at most)."""
TRAIN_SECONDS = 0.012
"""The training time of a frame; the rest of its time draws it."""
UNACKED_FRAMES = 2
"""Frames sent ahead of the page's drawing at most."""

_DUE = object()  # no message waiting, and a frame is due
_ACK = object()  # the page has drawn a frame
_STATIC = resources.files("glassnet.playground").joinpath("static")
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """Whether a WebSocket's ``Origin`` is the page's own: ``http://`` + the ``Host`` header."""
    return bool(origin and host) and origin == f"http://{host}"


async def _page(request: Request) -> Response:
    html = _STATIC.joinpath("index.html").read_text(encoding="utf-8")
    return HTMLResponse(
        html, headers={"Content-Security-Policy": _POLICY, "Cache-Control": "no-store"}
    )


class _Connection:
    """One tab's WebSocket: messages in, replies and frames out, the run in a worker thread."""

    def __init__(self, socket: WebSocket) -> None:
        self.socket = socket
        self.tab = Tab()
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.unacked = 0
        self.last_frame = 0.0

    async def serve(self) -> None:
        """Answer messages as they come and, while the run plays, send frames in between."""
        reader = asyncio.create_task(self._read())
        try:
            while True:
                text = await self._next_message()
                if text is None:  # the tab has gone
                    return
                if text is _ACK:
                    self.unacked = max(0, self.unacked - 1)
                elif text is not _DUE:
                    await self._answer(text)
                elif self._ready():
                    await self._frame()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _next_message(self) -> Any:
        """The next message (text or ``_ACK``); ``_DUE`` when a frame is due first; None when
        the tab has closed."""
        due = self.last_frame + FRAME_SECONDS - time.perf_counter() if self._ready() else 3600.0
        if due <= 0:
            return self.inbox.get_nowait() if not self.inbox.empty() else _DUE
        try:
            return await asyncio.wait_for(self.inbox.get(), due)
        except asyncio.TimeoutError:
            return _DUE

    def _ready(self) -> bool:
        return self.tab.playing and self.unacked < UNACKED_FRAMES

    async def _read(self) -> None:
        try:
            while True:
                message = await self.socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = json.dumps({"type": "binary"})  # answered as an unknown type
                try:
                    kind = json.loads(text).get("type") if len(text) < 200 else None
                except (ValueError, AttributeError):
                    kind = None
                await self.inbox.put(_ACK if kind == "ack" else text)
        finally:
            await self.inbox.put(None)

    async def _answer(self, text: str) -> None:
        for reply in await asyncio.to_thread(self.tab.receive, text):
            await self._send(reply)

    async def _frame(self) -> None:
        self.last_frame = time.perf_counter()
        frame = await asyncio.to_thread(self.tab.frame, TRAIN_SECONDS)
        frame["streamed"] = True  # the page acknowledges these once drawn
        self.unacked += 1
        await self._send(frame)

    async def _send(self, message: dict[str, Any]) -> None:
        await self.socket.send_text(json.dumps(message, separators=(",", ":")))


def _hostname(host: str) -> str:
    """``"127.0.0.1:8000"`` → ``"127.0.0.1"``, ``"[::1]:8000"`` → ``"[::1]"``."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _OriginCheck:
    """Refuses a WebSocket from another origin, or to a host not allowed, before it is
    accepted (the handshake gets HTTP 403)."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app, self.hosts = app, {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            host = headers.get("host", "")
            named = "*" in self.hosts or _hostname(host).lower() in self.hosts
            if not (named and origin_allowed(headers.get("origin"), host)):
                await send({"type": "websocket.close", "code": 1008, "reason": "foreign origin"})
                return
        await self.app(scope, receive, send)


async def _socket(socket: WebSocket) -> None:
    await socket.accept()
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):  # the tab went away
        await _Connection(socket).serve()


def create_app(hosts: Sequence[str] = LOOPBACK_HOSTS) -> Starlette:
    """The playground's ASGI app, answering requests that name one of ``hosts`` (``"*"``:
    any host; the WebSocket's origin is checked either way)."""
    return Starlette(
        routes=[
            Route("/", _page),
            WebSocketRoute("/ws", _socket),
            Mount("/static", StaticFiles(directory=str(_STATIC)), name="static"),
        ],
        middleware=[
            Middleware(_OriginCheck, hosts=hosts),
            Middleware(TrustedHostMiddleware, allowed_hosts=[h.strip("[]") for h in hosts]),
        ],
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.1, ::1, localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host`` and ``port`` (0: a free port the system picks)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    sock.listen(64)
    return sock


def address(sock: socket.socket) -> str:
    """The page's address for a listening socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    open_browser: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the playground until Ctrl-C (or SIGTERM), saying its address first.

    Bound to a loopback address, it answers only requests for this machine's names; on
    another address any host name is accepted (a warning says so), the WebSocket's origin
    being checked still.
    """
    import uvicorn

    sock = bind(host, port)
    url = address(sock)
    if not is_loopback(host):
        say(
            f"warning: serving on {host}, not only on this machine: anyone who can reach it "
            "can use the playground and its CPU. Use --host 127.0.0.1 to keep it local."
        )
    hosts = [*LOOPBACK_HOSTS, host] if is_loopback(host) else ["*"]
    try:
        config = uvicorn.Config(
            create_app(hosts),
            log_level="warning",
            lifespan="off",
            ws_max_size=2 * MAX_MESSAGE_BYTES,
            timeout_graceful_shutdown=2,
        )
        say(f"glassnet playground running at {url}  (Ctrl-C stops it)")
        if open_browser:
            threading.Timer(0.5, webbrowser.open, args=(url,)).start()
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C is the way to stop; uvicorn hands it on once shut down
        pass
    finally:
        sock.close()
    say("glassnet playground stopped")
