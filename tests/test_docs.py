"""The documentation: every Python block of docs/tutorials.md runs as written (in order,
sharing one namespace); the site's gallery scripts parse, those the build does not run
import, every public module has an API page, and the README links to what moved to the site.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "tutorials.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_tutorials_document_has_code():
    assert len(BLOCKS) >= 5


@pytest.mark.slow
def test_every_block_runs(capsys):
    namespace: dict[str, object] = {}
    for block in BLOCKS:
        exec(compile(block, str(DOC), "exec"), namespace)
    out = capsys.readouterr().out
    assert "Loss after iteration 0: 0.432387" in out
    assert "training accuracy: 0.975" in out
    assert "0 -> 0.01" in out  # the toy's first output, near its target 0


# --- the documentation site (docs/, built by `make docs`) ------------------------------------

ROOT = Path(__file__).resolve().parents[1]
GALLERY_SCRIPTS = sorted((ROOT / "examples").glob("*.py")) + sorted(
    (ROOT / "docs" / "tutorials_src").glob("*.py")
)
NOT_EXECUTED = ("dask_cluster", "gpu_training")  # docs/conf.py: shown with a recorded run


def _conf_value(name: str) -> str:
    text = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    return re.search(rf"^{name} = (.*)$", text, flags=re.M).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("script", GALLERY_SCRIPTS, ids=lambda p: p.name)
def test_every_gallery_script_parses_and_has_a_title(script):
    source = script.read_text(encoding="utf-8")
    compile(source, str(script), "exec")
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ""
    lines = docstring.strip("\n").splitlines()
    # sphinx-gallery takes the title from the docstring's first lines: a heading underlined
    assert len(lines) >= 2 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), script


def test_the_examples_not_executed_are_the_recorded_ones():
    assert eval(_conf_value("NOT_EXECUTED")) == NOT_EXECUTED
    for name in NOT_EXECUTED:
        docstring = ast.get_docstring(ast.parse((ROOT / "examples" / f"{name}.py").read_text()))
        assert docstring and "recorded run" in docstring.strip().splitlines()[0], name


@pytest.mark.parametrize("name", NOT_EXECUTED)
def test_the_examples_not_executed_import_without_a_gpu_or_cluster(name):
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", ROOT / "examples" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # runs its imports and definitions, not main()
    assert callable(module.main)


def test_every_public_module_has_an_api_page():
    import glassnet

    pages = {p.stem for p in (ROOT / "docs" / "api").glob("*.rst")} - {"index"}
    modules = {
        info.name
        for info in pkgutil.iter_modules(glassnet.__path__)
        if not info.name.startswith("_")
        and hasattr(importlib.import_module(f"glassnet.{info.name}"), "__all__")
    }
    assert modules <= pages, modules - pages
    index = (ROOT / "docs" / "api" / "index.rst").read_text(encoding="utf-8")
    for page in pages:
        assert f"   {page}\n" in index, page
        text = (ROOT / "docs" / "api" / f"{page}.rst").read_text(encoding="utf-8")
        assert f".. automodule:: glassnet.{page}\n   :members:" in text, page


def test_the_readme_links_to_the_site_for_what_moved_there():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in (
        "docs/guide/model_files.md",
        "docs/speed.md",
        "docs/guide/scaling.md",
        "docs/sklearn_mlp.md",
        "docs/guide/command_line.md",
    ):
        assert f"]({page}" in readme, page
        assert (ROOT / page).exists(), page
