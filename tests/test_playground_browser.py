"""The playground in headless Chromium against its server on 127.0.0.1.

Debian's ``chromium`` is driven by Playwright. Without it these tests are skipped — except in
CI (``CI=true``), where a missing browser fails them, as ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"  # there, a missing piece is a failure
if not IN_CI:
    pytest.importorskip(
        "starlette", reason='the playground extra: pip install "glassnet[playground]"'
    )
    pytest.importorskip("playwright", reason="playwright drives the browser (the dev extra)")

import glassnet  # noqa: E402
from browser import chromium, launch, open_page, running_server, wait_for  # noqa: E402
from glassnet.cli import main  # noqa: E402

pytestmark = pytest.mark.browser

if chromium() is None:
    if IN_CI:
        raise RuntimeError("CI=true but chromium is missing: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def url():
    with running_server() as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    with launch() as running:
        yield running


@pytest.fixture
def page(browser, url):
    page = open_page(browser, url)
    yield page
    page.close()


def output_pixels(page) -> str:
    return page.evaluate("document.getElementById('output').toDataURL()")


def number(page, selector: str) -> float:
    return float(page.inner_text(selector).replace(",", ""))


def test_play_trains_and_the_output_changes(page):
    first_loss, first_picture = number(page, "#train-loss"), output_pixels(page)
    page.click("#play")
    wait_for(page, "window.playground.framesDrawn > 15")
    page.click("#play")
    assert number(page, "#updates") > 50
    assert number(page, "#train-loss") < first_loss
    assert output_pixels(page) != first_picture
    assert page.evaluate("window.playground.errors") == []


def test_the_address_sets_the_run(browser, url):
    page = open_page(
        browser,
        url,
        "dataset=spiral&hidden=6,5,4&activation=relu&learning_rate=0.1&features=x1,x2,sin(x1)",
    )
    assert page.evaluate("window.playground.network.sizes") == [3, 6, 5, 4, 3]
    assert page.input_value("#activation") == "relu"
    assert page.input_value("#learning_rate") == "0.1"
    assert "spiral" in page.inner_text("#data-name")
    page.close()


def test_a_layer_and_a_unit_are_added_with_the_buttons(page):
    page.click("#add-layer")
    wait_for(page, "window.playground.settings.hidden.length === 3")
    page.click("#unit-buttons .unit-group:nth-child(1) .add-unit")
    wait_for(page, "window.playground.settings.hidden[0] === 5")
    assert page.evaluate("window.playground.network.sizes") == [2, 5, 2, 2, 2]
    assert "hidden=5,2,2" in page.evaluate("location.hash")
    assert page.inner_text("#layer-count") == "3 hidden layers"


def test_the_moons_preset_shows_the_tutorials_number(page):
    page.select_option("#preset", "wildml-moons")
    page.click("#load-preset")
    wait_for(page, "window.playground.settings.print_every === 1000")
    page.click("#play")
    wait_for(page, "window.playground.printed.length >= 2", timeout=30)
    page.click("#play")
    lines = page.evaluate(
        "[...document.querySelectorAll('#printed .printed-line')].map(e => e.textContent)"
    )
    assert lines[0].startswith("Loss after iteration 0: 0.432387")
    assert lines[1] == "Loss after iteration 1000: 0.068947   (the tutorial printed 0.068947)"


def test_a_csv_upload_is_trained_on_and_a_bad_one_explained(page, tmp_path):
    good = tmp_path / "quadrants.csv"
    rows = [f"{a},{b},{'up' if a * b > 0 else 'down'}" for a in range(-5, 6) for b in range(-5, 6)]
    good.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    page.set_input_files("#upload", str(good))
    wait_for(page, "document.getElementById('upload-status').textContent.includes('121 rows')")
    assert "quadrants.csv" in page.inner_text("#data-name")
    bad = tmp_path / "words.csv"
    bad.write_text("a,b,label\n1,two,x\n3,4,y\n")
    page.set_input_files("#upload", str(bad))
    message = wait_for(
        page,
        "!document.getElementById('error').hidden && document.getElementById('error-text').textContent",
    )
    assert "column 'b' holds numbers but row 2 of words.csv holds 'two'" in message
    assert tempfile.gettempdir() not in message


def test_the_exported_command_trains_to_the_shown_loss(browser, url, capsys):
    page = open_page(browser, url, "batch_size=full&hidden=3")
    for update in (1, 2, 3):  # full batch: an update is an epoch
        page.click("#step")
        wait_for(page, f"window.playground.frame.update === {update}")
    page.click("#export-command")
    command = wait_for(page, "document.getElementById('export-text').value")
    shown = number(page, "#train-loss")
    page.close()
    assert command.startswith("glassnet train circles --n-samples 500 --noise 0.1")
    assert "--epochs 3 --fixed-epochs" in command
    capsys.readouterr()
    assert main([*command.split()[1:], "--json", "--quiet"]) == 0
    loss = json.loads(capsys.readouterr().out)["scores"]["train"]["loss"]
    assert f"{loss:.6f}" == f"{shown:.6f}"


def test_the_model_and_the_script_are_exported(page, tmp_path):
    page.click("#step")
    wait_for(page, "window.playground.frame.update === 1")
    page.click("#export-python")
    script = wait_for(page, "document.getElementById('export-text').value")
    assert "glassnet.make_trainer(" in script and "trainer.step(1)" in script
    with page.expect_download() as download:
        page.click("#export-model")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    model = glassnet.io.load_model(path)
    assert model.metadata["updates"] == 1 and model.network.n_features == 2


def test_a_malformed_message_is_answered_and_the_server_keeps_serving(browser, url, page):
    page.evaluate("window.playground.socket.send('{this is not json')")
    wait_for(page, "window.playground.errors.length > 0")
    assert "not JSON" in page.inner_text("#error-text")
    page.evaluate(
        "window.playground.socket.send(JSON.stringify({type: 'set', values: {hidden: 'lots'}}))"
    )
    wait_for(page, "window.playground.errors.length > 1")
    # the same tab and another one still train
    other = open_page(browser, url)
    page.click("#play")
    before = page.evaluate("window.playground.framesDrawn")
    wait_for(page, f"window.playground.framesDrawn > {before + 5}")
    page.click("#play")
    other.click("#step")
    wait_for(other, "window.playground.frame.update === 1")
    other.close()


def test_a_screenshot_of_the_page(page, tmp_path_factory):
    folder = Path(tmp_path_factory.mktemp("screenshots"))
    page.click("#play")
    wait_for(page, "window.playground.framesDrawn > 10")
    page.click("#play")
    page.click("#step")
    wait_for(page, "document.querySelector('#explain-summary') !== null")
    path = folder / "playground.png"
    page.screenshot(path=str(path))
    print(f"playground screenshot in {folder}")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_frames_keep_coming_for_a_six_by_eight_network(browser, url):
    page = open_page(browser, url, "hidden=8,8,8,8,8,8&n_samples=500")
    page.click("#play")
    wait_for(page, "window.playground.framesDrawn > 3")
    start, began = page.evaluate("window.playground.framesDrawn"), time.perf_counter()
    updates = number(page, "#updates")
    time.sleep(2.0)
    frames = page.evaluate("window.playground.framesDrawn") - start
    seconds = time.perf_counter() - began
    page.click("#play")
    made = number(page, "#updates") - updates
    print(
        f"6×8 network, 500 points: {frames / seconds:.1f} frames/s, {made / seconds:.0f} updates/s"
    )
    # the benchmark records the rate (benchmarks/RESULTS.md); here: frames keep coming,
    # several updates apart, even on a loaded two-core machine
    assert frames / seconds >= 8 and made / max(frames, 1) >= 2
    page.close()
