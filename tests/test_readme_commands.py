"""The README's command-line examples, run as written, learn what they are meant to show.

Every line of the README's ``glassnet`` block is executed in order, in a folder holding the
``data.csv``, ``test.csv`` and ``new.csv`` it names (iris with its species names), and each
line's outcome is checked: the moons network bends around the moons, the sweep shows the
tutorial's lesson (one or two hidden units draw a line, three or more bend it), circles,
spiral and xor are learned, the CSV model evaluates and predicts.
"""

from __future__ import annotations

import csv
import re
import shlex
from pathlib import Path

import pytest
from sklearn.datasets import load_iris

from glassnet.cli import main
from tables import evaluated

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """The lines of the ``sh`` block under the README's "The `glassnet` command" heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The `glassnet` command") :]
    block = section[section.index("```sh\n") + 6 : section.index("```", section.index("```sh") + 5)]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def scores(out: str) -> dict[str, dict[str, float]]:
    """The summary table (``train``/``test`` rows under a header) as numbers."""
    lines = out.splitlines()
    rows = [i for i, line in enumerate(lines) if line.split()[:1] in (["train"], ["test"])]
    assert rows, out
    header = lines[rows[0] - 1].split()
    return {
        lines[i].split()[0]: dict(zip(header, map(float, lines[i].split()[1:]), strict=True))
        for i in rows
    }


def sweep_rows(out: str) -> dict[str, dict[str, float]]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("setting"))
    header = re.split(r"\s{2,}", lines[start].strip())[1:]
    table = {}
    for line in lines[start + 1 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header) + 1:
            break
        table[cells[0]] = dict(zip(header, map(float, cells[1:]), strict=True))
    return table


LINES = readme_commands()


def line_starting(prefix: str) -> str:
    (line,) = [line for line in LINES if line.startswith(prefix)]
    return line


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A working folder with the CSV files the README's lines name (iris, species names)."""
    folder = tmp_path_factory.mktemp("readme")
    iris = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    for file, with_label in (("data.csv", True), ("test.csv", True), ("new.csv", False)):
        with (folder / file).open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*names, "species"] if with_label else names)
            for row, label in zip(iris.data, iris.target, strict=True):
                cells = [f"{v:g}" for v in row]
                writer.writerow([*cells, iris.target_names[label]] if with_label else cells)
    return folder


def run_line(capsys, line: str, folder: Path) -> str:
    """Run one README line in ``folder`` (a sweep on the two cores CI has) and return stdout."""
    words = shlex.split(line)
    assert words[0] == "glassnet", line
    extra = ["--jobs", "2"] if words[1] == "sweep" else []
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        code = main([*words[1:], *extra])
    out, err = capsys.readouterr()
    assert code == 0, f"{line}\n{out}\n{err}"
    return out


CHECKED = [
    "glassnet datasets",
    "glassnet train moons",
    "glassnet train circles",
    "glassnet train spiral",
    "glassnet train xor",
    "glassnet train data.csv",
    "glassnet evaluate",
    "glassnet predict",
    "glassnet sweep moons",
    "glassnet sweep iris",
    "glassnet gradcheck",
    "glassnet summary",
    "glassnet reproduce moons",
]


def test_every_readme_command_has_its_outcome_checked():
    assert len(LINES) == len(CHECKED)
    for line, prefix in zip(LINES, CHECKED, strict=True):
        assert line.startswith(prefix), (line, prefix)


def test_datasets_and_gradcheck(capsys, folder):
    out = run_line(capsys, line_starting("glassnet datasets"), folder)
    assert {"moons", "circles", "spiral", "xor", "iris"} <= {w.split()[0] for w in out.splitlines()}
    out = run_line(capsys, line_starting("glassnet gradcheck"), folder)
    errors = [float(x) for x in re.findall(r"\d\.\d+e-\d+", out)]
    assert errors and max(errors) < 1e-6, out


def test_moons_with_three_tanh_units_bends_around_the_moons(capsys, folder):
    out = run_line(capsys, line_starting("glassnet train moons"), folder)
    assert scores(out)["train"]["accuracy"] >= 0.95, out
    assert "converged after" in out
    assert out.splitlines()[0] == "loss = mean cross-entropy per row"  # named before it shows
    assert (folder / "moons.glassnet").exists()
    assert (folder / "out" / "decision_boundary.png").exists()


@pytest.mark.parametrize("name", ["circles", "spiral", "xor"])
def test_small_networks_learn_circles_spiral_and_xor(capsys, folder, name):
    out = run_line(capsys, line_starting(f"glassnet train {name} "), folder)
    table = scores(out)
    assert table["train"]["accuracy"] >= (1.0 if name == "xor" else 0.95), out
    if "test" in table:
        assert table["test"]["accuracy"] >= 0.9, out
    assert "converged after" in out


def test_the_csv_lines_train_evaluate_predict_and_summarise(capsys, folder):
    out = run_line(capsys, line_starting("glassnet train data.csv"), folder)
    assert scores(out)["test"]["accuracy"] >= 0.9, out
    # --early-stopping watches a validation split and keeps its best epoch's weights
    assert re.search(r"stopped at epoch \d+: no improvement of the validation loss", out), out
    out = run_line(capsys, line_starting("glassnet evaluate"), folder)
    assert float(evaluated(out)["accuracy"]) >= 0.9, out  # accuracy on test.csv
    run_line(capsys, line_starting("glassnet predict"), folder)
    with (folder / "predictions.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 150
    assert set(rows[0]) == {"prediction", "proba_setosa", "proba_versicolor", "proba_virginica"}
    truth = load_iris()
    right = sum(
        r["prediction"] == truth.target_names[t] for r, t in zip(rows, truth.target, strict=True)
    )
    assert right / 150 >= 0.9
    out = run_line(capsys, line_starting("glassnet summary"), folder)
    assert "species" in out and "setosa" in out


def test_the_hidden_size_sweep_shows_the_tutorials_lesson(capsys, folder):
    """One unit draws a line (about 0.83 on these moons); three or more bend around them."""
    out = run_line(capsys, line_starting("glassnet sweep moons"), folder)
    table = sweep_rows(out)
    accuracy = {int(k.split("=")[1]): v["train accuracy"] for k, v in table.items()}
    assert sorted(accuracy) == [1, 2, 3, 4, 5, 20, 50]
    for units in (3, 4, 5, 20, 50):
        assert accuracy[units] >= accuracy[1] + 0.08, table
    assert (folder / "out" / "sweep.png").exists()
    assert "not converged" not in out


def test_the_learning_rate_sweep_learns_at_both_rates(capsys, folder):
    out = run_line(capsys, line_starting("glassnet sweep iris"), folder)
    table = sweep_rows(out)
    assert len(table) == 2
    assert all(row["train accuracy"] >= 0.95 for row in table.values()), table


def test_reproduce_moons_prints_the_tutorials_numbers(capsys, folder):
    out = run_line(capsys, line_starting("glassnet reproduce moons"), folder)
    assert "Loss after iteration 1000: 0.068947" in out
    # the README's excerpt of what `make demo` prints is what it prints
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## What `make demo` shows") :]
    excerpt = section[section.index("```\n") + 4 : section.index("```", section.index("```\n") + 4)]
    lines = out.splitlines()
    for line in excerpt.splitlines():
        if line != "...":
            assert line in lines, line
