# glassnet — the commands of the README.
#   make demo        reproduces the moons tutorial: its numbers, and its pictures in out/
#   make playground  starts the browser playground and opens it (Ctrl-C stops it)
#   make test        checks lint and formatting, type-checks and runs the whole test suite
#   make bench       times glassnet against the tutorial's loop, scikit-learn and PyTorch
#   make screenshot  refreshes docs/playground.png, the README's picture of the playground
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BASE   := $(VENV)/.installed-base
DEV    := $(VENV)/.installed-dev
PLAY   := $(VENV)/.installed-playground

.PHONY: demo playground test lint install bench screenshot clean

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

# plus the test tools and the optional Dask and playground extras (their tests start a local
# cluster and a local web server; the browser tests drive Debian's chromium)
$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,dask,playground]"
	@touch $(DEV) $(PLAY) $(BASE)

install: $(DEV)

demo: $(BASE)
	$(VENV)/bin/glassnet reproduce moons --plot out/

playground: $(PLAY)
	$(VENV)/bin/glassnet playground --open

lint: $(DEV)
	$(PY) -m ruff check src tests examples benchmarks
	$(PY) -m ruff format --check src tests examples benchmarks
	$(PY) -m mypy

test: $(DEV) lint
	$(PY) -m pytest

# speed against the references, side by side (PyTorch is compared when installed)
bench: $(DEV)
	$(PY) -m benchmarks

# the README's picture: the playground in headless chromium (apt-get install chromium)
screenshot: $(DEV)
	$(PY) tests/browser.py docs/playground.png

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache
