# Rasd: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The local PostgreSQL server (trust auth) that the integration suite runs on.
RASD_TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export RASD_TEST_PG_URL

.PHONY: run test setup lint typecheck pytest nodetest chromium bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/rasd run

lint: setup
	$(BIN)/ruff check backend sync tests bench
	$(BIN)/ruff format --check backend sync tests bench

typecheck: setup
	$(BIN)/mypy

chromium:
	@bash .ci/ensure-chromium

# Every suite is required here: a PostgreSQL or browser test that cannot run fails the build.
pytest: setup chromium
	RASD_REQUIRE_SUITES=1 $(BIN)/pytest

nodetest:
	node --test pwa/tests/

test: lint typecheck nodetest pytest

bench: setup
	$(BIN)/python bench/sync_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
