"""``glassnet playground``: watch a network learn in the browser, on glassnet's own engine."""

from __future__ import annotations

import click

from .common import cli

INSTALL_HINT = 'the playground needs its extra: pip install "glassnet[playground]"'


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port to listen on [default: a free one].",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but this machine's own prints a warning.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
def playground(port: int, host: str, open_browser: bool) -> None:
    """Start the playground, a local web page where a network learns as you watch.

    Pick data, features, layers and settings as in TensorFlow Playground, press play, and
    see each unit's output and the decision boundary change, the loss fall, the equations
    with their shapes, and the update of a single step. The tutorials' setups are presets;
    a run exports as a model file, a Python script and a `glassnet train` command. Prints
    the page's address; Ctrl-C stops the server.

    \b
    Examples:
      glassnet playground --open
      glassnet playground --port 8000
    """
    try:
        from ..playground.server import serve
    except ImportError as exc:
        raise click.ClickException(f"{INSTALL_HINT} ({exc.name} is missing)") from None

    serve(host, port, open_browser=open_browser, say=click.echo)
