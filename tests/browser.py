"""The playground in a real browser: a server on loopback and Debian's headless chromium.

The browser tests use :func:`running_server` and :func:`launch`; ``make screenshot`` runs
this file to refresh the README's picture::

    python tests/browser.py docs/playground.png
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium() -> str | None:
    """The path of Debian's chromium, or None when it is not installed."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def running_server() -> Iterator[str]:
    """The playground served on 127.0.0.1 (a free port) in a thread; yields its address."""
    import uvicorn

    from glassnet.playground.server import address, bind, create_app

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the playground's server did not start")
        time.sleep(0.05)
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def launch() -> Iterator[Any]:
    """A headless chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    if path is None:
        raise RuntimeError("chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_for(page: Any, script: str, timeout: float = 20.0) -> Any:
    """Poll ``script`` in the page until it gives a true value (the page's Content Security
    Policy forbids the evaluated predicates of Playwright's own waiting)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never had {script}")
        time.sleep(0.05)


def open_page(browser: Any, url: str, fragment: str = "") -> Any:
    """A new page on the playground, once it has drawn its first frame."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url + (f"#{fragment}" if fragment else ""))
    wait_for(page, "window.playground && window.playground.framesDrawn > 0")
    return page


def screenshot(path: Path, *, seconds: float = 4.0, say: Callable[[str], None] = print) -> None:
    """A picture of the playground learning the spiral: a few seconds of training."""
    with running_server() as url, launch() as browser:
        page = open_page(
            browser,
            url,
            "dataset=spiral&hidden=8,8,5&activation=tanh&learning_rate=0.1&features=x1,x2,sin(x1),sin(x2)&noise=0.1&batch_size=20",
        )
        page.click("#play")
        time.sleep(seconds)
        page.click("#play")
        page.click("#step")
        wait_for(page, "document.querySelector('#explain-summary') !== null")
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    say(f"screenshot written to {path}")


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/playground.png"))
