"""The browser playground: watch a network learn, on glassnet's own engine.

``glassnet playground`` (or :func:`serve`) starts a local web server; each browser tab that
opens it gets its own training run (:class:`~glassnet.playground.session.Session`), stepped
by the engine's trainer in the background and streamed to the page as frames. It needs the
``playground`` extra (Starlette, uvicorn, websockets): ``pip install "glassnet[playground]"``.

=======================  ===============================================================
:mod:`.settings`         what decides a run, checked, and how it travels in the address
:mod:`.problem`          the data, prepared as ``glassnet train`` prepares it; uploads
:mod:`.session`          one tab's run: network, trainer, and the changes made under way
:mod:`.frames`           what the page draws: data, network, frames (one grid pass)
:mod:`.explain`          the update just made, layer by layer, and the gradient check
:mod:`.presets`          the tutorials' setups
:mod:`.exports`          model file, Python script, ``glassnet train`` command
:mod:`.protocol`         the page's messages and the answers, without the network
:mod:`.server`           the Starlette app and :func:`serve`
=======================  ===============================================================
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    """Import the web server on first use: the rest works without the web libraries."""
    if name in __all__:
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
