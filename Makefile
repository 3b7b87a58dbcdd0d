# Telroi — the two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test lint typecheck pytest chromium bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

# Runtime install, redone when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Runtime + development tools (tests, lint, types, the browser driver).
$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/telroi serve --port $(PORT)

# Debian's chromium drives the browser tests (a browser download cannot work here); a CJK
# font makes the Chinese screenshots legible.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  echo "installing Debian's chromium and a CJK font for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei; fi

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy app

pytest: $(VENV)/.dev-installed chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

# Speed figures against same-run baselines (see README, "Benchmarks").
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/rating.py
	$(BIN)/python bench/comparison.py

# Re-extract the UI strings and merge them into the catalogues (then translate the new ones).
messages: $(VENV)/.dev-installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o app/locale/messages.pot --no-location --omit-header --no-wrap .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching --no-wrap

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
