# glassnet — the two commands of the README.
#   make demo   reproduces the moons tutorial: its numbers, and its pictures in out/
#   make test   lints and runs the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/glassnet reproduce moons --plot out/

lint: $(STAMP)
	$(PY) -m ruff check src tests
	$(PY) -m mypy

test: $(STAMP) lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache
