# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser run demo test lint types check bench eval clean

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

# The browser tests (tests/web) drive Debian's chromium through Playwright for Python, whose own
# browser download cannot work here: install the package when it is missing (root and apt only).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "browser tests will be skipped: Debian's 'chromium' package is missing and this" \
	      "is not root on apt; install it with 'sudo apt-get install chromium'"; \
	  fi; }

test: setup browser
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
	$(BIN)/python bench/diagnosis_latency.py
	$(BIN)/python bench/log_templates.py

# Accuracy: the analyses on labelled data, beside published figures where there are any.
eval: setup
	$(BIN)/python bench/eval_log_parsing.py
	$(BIN)/python bench/eval_error_grouping.py
	$(BIN)/python bench/eval_anomalies.py
	$(BIN)/python bench/eval_rca.py --reuse
	$(BIN)/python bench/eval_dimensions.py

clean:
	rm -rf $(VENV) nightcall-data
