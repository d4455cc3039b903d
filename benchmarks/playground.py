"""PLAY: the playground's frames and training steps per second.

The issue's case: a 6 × 8 tanh network (six hidden layers of eight units) on 500 points of
the circle data, batches of 10, half of them for training. Two measurements:

- **session**: the server's work alone, in this process — each frame trains for the
  server's training time per frame (``TRAIN_SECONDS``) and then builds the frame (losses,
  weights, the heat maps from one grid pass) and encodes it as JSON;
- **server**: the playground served by uvicorn on 127.0.0.1 and a WebSocket client that
  says hello from the page's origin, presses play and acknowledges every frame as the page
  does once it has drawn it; frames and updates are counted for ``--seconds`` seconds.

A browser adds its own drawing on top; the browser test prints the rate it sees.
``python -m benchmarks.playground`` runs this alone; ``python -m benchmarks --only PLAY``
within the suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from statistics import median
from typing import Any

SETTINGS = {"hidden": "8,8,8,8,8,8", "n_samples": "500", "dataset": "circles"}


def session_rates(seconds: float) -> dict[str, float]:
    """Frames and updates per second of the server's own work (no network, no page)."""
    from glassnet.playground.protocol import Tab
    from glassnet.playground.server import TRAIN_SECONDS

    tab = Tab()
    tab.receive(json.dumps({"type": "hello", "settings": SETTINGS}))
    assert tab.session is not None
    tab.frame(TRAIN_SECONDS)  # warm up
    frames, build, start, updates = 0, [], time.perf_counter(), tab.session.updates
    while time.perf_counter() - start < seconds:
        tab.frame(TRAIN_SECONDS)
        began = time.perf_counter()
        json.dumps(tab.frame(0.0))  # a frame alone: the grid pass and the encoding
        build.append(time.perf_counter() - began)
        frames += 1
    spent = time.perf_counter() - start - sum(build)
    return {
        "frames_per_s": frames / spent,
        "updates_per_s": (tab.session.updates - updates) / spent,
        "frame_ms": 1000 * median(build),
    }


def server_rates(seconds: float) -> dict[str, float]:
    """Frames and updates per second a WebSocket client receives from a real server."""
    import uvicorn
    from websockets.sync.client import connect

    from glassnet.playground.server import address, bind, create_app

    sock = bind("127.0.0.1", 0)
    url = address(sock)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    origin = url.rstrip("/")
    try:
        with connect(origin.replace("http", "ws") + "/ws", origin=origin, max_size=None) as ws:  # type: ignore[arg-type]
            ws.send(json.dumps({"type": "hello", "settings": SETTINGS}))
            first = None
            while first is None:
                message = json.loads(ws.recv())
                first = message["update"] if message["type"] == "frame" else None
            ws.send(json.dumps({"type": "play"}))
            frames, size, start, last = 0, 0, time.perf_counter(), first
            while time.perf_counter() - start < seconds:
                text = ws.recv()
                message = json.loads(text)
                if message.get("streamed"):
                    ws.send('{"type":"ack"}')
                    frames, size, last = frames + 1, size + len(text), message["update"]
            spent = time.perf_counter() - start
            ws.send(json.dumps({"type": "pause"}))
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    return {
        "frames_per_s": frames / spent,
        "updates_per_s": (last - first) / spent,
        "kib_per_frame": size / max(frames, 1) / 1024,
    }


def run(seconds: float = 5.0, rounds: int = 3, say: Any = print) -> dict[str, Any]:
    say(
        "\n== PLAY: the playground, a 6 × 8 tanh network on 500 circle points, batches of 10 "
        f"(median of {rounds} rounds of {seconds:g} s) =="
    )
    sessions = [session_rates(seconds) for _ in range(rounds)]
    servers = [server_rates(seconds) for _ in range(rounds)]

    def mid(rows: list[dict[str, float]], key: str) -> float:
        return median(r[key] for r in rows)

    say(f"{'measured':<46}{'frames/s':>10}{'updates/s':>11}{'per frame':>14}")
    say(
        f"{'session: the server’s work, in process':<46}{mid(sessions, 'frames_per_s'):>10.1f}"
        f"{mid(sessions, 'updates_per_s'):>11.0f}{mid(sessions, 'frame_ms'):>11.1f} ms"
    )
    say(
        f"{'server: uvicorn + a WebSocket client, acked':<46}{mid(servers, 'frames_per_s'):>10.1f}"
        f"{mid(servers, 'updates_per_s'):>11.0f}{mid(servers, 'kib_per_frame'):>10.1f} KiB"
    )
    say("(per frame: building one frame and its JSON; the size of a frame's message)")
    return {"session": sessions, "server": servers, "settings": SETTINGS, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        run(args.seconds, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
