# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run demo test lint types check bench eval clean

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

# Speed: each prints figures beside a same-run baseline and asserts nothing.
bench: setup
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/query_latency.py
	$(BIN)/python bench/sentry_ingest.py
	$(BIN)/python bench/statsd_ingest.py
	$(BIN)/python bench/host_collector.py

# Accuracy: the analyses on labelled data, beside published figures where there are any.
eval: setup
	$(BIN)/python bench/eval_log_parsing.py
	$(BIN)/python bench/eval_error_grouping.py
	$(BIN)/python bench/eval_anomalies.py
	$(BIN)/python bench/eval_rca.py --reuse

clean:
	rm -rf $(VENV) nightcall-data
