"""Sphinx configuration of glassnet's documentation site.

Built with ``make docs`` (strict: every warning is an error) into ``docs/_build/html``.
Nothing is fetched while building or while a page is viewed: MathJax comes from the
``sphinx-mathjax-offline`` package and is copied into the site, and there is no intersphinx.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import glassnet  # noqa: E402  (the path above makes the working tree's package importable)

project = "glassnet"
author = "glassnet contributors"
copyright = "glassnet contributors, MIT licence"
release = version = glassnet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # ships MathJax 3 and copies it into _static/mathjax
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "tutorials_src",
    "**/*.ipynb",
    "**/*.py.md5",
    "sg_execution_times.rst",
]
suppress_warnings = ["myst.header"]  # RESULTS.md and README.md start below level 1 in places

# --- API reference --------------------------------------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types in words
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# --- galleries ------------------------------------------------------------------------------
# Tutorials and examples run during the build, their output and figures captured. The GPU
# and Dask-cluster examples are shown with a recorded run's output and are not executed.
NOT_EXECUTED = ("dask_cluster", "gpu_training")
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials_src", "../examples"],
    "gallery_dirs": ["auto_tutorials", "auto_examples"],
    "filename_pattern": r"/(?!" + "|".join(NOT_EXECUTED) + r")[^/]+\.py$",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "min_reported_time": 1,
    "write_computation_times": False,  # those pages load scripts from a CDN
}

# --- HTML -----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"glassnet {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False


def skip_metadata_requests(app, what, name, obj, skip, options):  # type: ignore[no-untyped-def]
    """Leave out scikit-learn's generated ``set_*_request`` methods (documented by sklearn)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-skip-member", skip_metadata_requests)
