# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run demo test lint types check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/nightcall serve

# The first run: a server on ./nightcall-data, the demo shop with a fault, what nightcall found.
demo: setup
	$(BIN)/nightcall demo --first-run

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff format --check nightcall tests bench
	$(BIN)/ruff check nightcall tests bench

types: setup
	$(BIN)/mypy

check: lint types test

bench: setup
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/query_latency.py

clean:
	rm -rf $(VENV) nightcall-data
