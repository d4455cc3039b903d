# glassnet — the commands of the README.
#   make demo        reproduces the moons tutorial: its numbers, and its pictures in out/
#   make playground  starts the browser playground and opens it (Ctrl-C stops it)
#   make test        checks lint and formatting, type-checks and runs the whole test suite
#   make bench       times glassnet against the tutorial's loop, scikit-learn and PyTorch
#   make screenshot  refreshes docs/playground.png, the README's picture of the playground
#   make docs        builds the documentation site into docs/_build/html (strict: a warning fails it)
#   make docs-serve  serves the built site at http://127.0.0.1:8000
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BASE   := $(VENV)/.installed-base
DEV    := $(VENV)/.installed-dev
PLAY   := $(VENV)/.installed-playground

.PHONY: demo playground test lint install bench screenshot clean docs docs-serve

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# the package and what it needs to run
$(BASE): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $(BASE)

# the package with the playground's web server
$(PLAY): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[playground]"
	@touch $(PLAY) $(BASE)

# plus the test tools, the optional Dask and playground extras (their tests start a local
# cluster and a local web server; the browser tests drive Debian's chromium) and Sphinx
$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,dask,playground,docs]"
	@touch $(DEV) $(PLAY) $(BASE)

install: $(DEV)

demo: $(BASE)
	$(VENV)/bin/glassnet reproduce moons --plot out/

playground: $(PLAY)
	$(VENV)/bin/glassnet playground --open

lint: $(DEV)
	$(PY) -m ruff check src tests examples benchmarks docs/conf.py docs/tutorials_src
	$(PY) -m ruff format --check src tests examples benchmarks docs/conf.py docs/tutorials_src
	$(PY) -m mypy

test: $(DEV) lint
	$(PY) -m pytest
	$(MAKE) docs

# the site: tutorials and examples run, their output and figures captured; -E rereads every
# page so that a warning is never hidden by a cached one, and -W makes each one an error
docs: $(DEV)
	$(PY) -m sphinx -b html -E -W --keep-going docs docs/_build/html

docs-serve:
	$(PY) -m http.server --directory docs/_build/html --bind 127.0.0.1 8000

# speed against the references, side by side (PyTorch is compared when installed)
bench: $(DEV)
	$(PY) -m benchmarks

# the README's picture: the playground in headless chromium (apt-get install chromium)
screenshot: $(DEV)
	$(PY) tests/browser.py docs/playground.png

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache docs/_build docs/auto_tutorials docs/auto_examples
