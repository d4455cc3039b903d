# glassnet — the two commands of the README.
#   make demo   reproduces the moons tutorial: its numbers, and its pictures in out/
#   make test   checks lint and formatting, type-checks and runs the whole test suite
#   make bench  times glassnet against the tutorial's loop, scikit-learn and PyTorch
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BASE   := $(VENV)/.installed-base
DEV    := $(VENV)/.installed-dev

.PHONY: demo test lint install bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# the package and what it needs to run
$(BASE): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $(BASE)

# plus the test tools and the optional Dask extra (its tests start a local cluster)
$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,dask]"
	@touch $(DEV) $(BASE)

install: $(DEV)

demo: $(BASE)
	$(VENV)/bin/glassnet reproduce moons --plot out/

lint: $(DEV)
	$(PY) -m ruff check src tests examples benchmarks
	$(PY) -m ruff format --check src tests examples benchmarks
	$(PY) -m mypy

test: $(DEV) lint
	$(PY) -m pytest

# speed against the references, side by side (PyTorch is compared when installed)
bench: $(DEV)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache
