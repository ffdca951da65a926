# custreport: `make demo` and `make test` each work alone on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_CUSTOMERS ?= 3000
DEMO_SEED ?= 7

.PHONY: setup fonts test-tools demo test test-fast docs lab bench clean

setup: $(STAMP) fonts

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

fonts:
	@sh scripts/install-fonts.sh

# A headless Chromium for the tests that open report pages at phone width (tests/render/test_layout.py).
test-tools:
	@sh scripts/install-test-tools.sh

demo: setup
	$(BIN)/custreport demo-data --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED) --out data/raw
	$(BIN)/custreport ingest
	$(BIN)/custreport run --period latest --regions all

# Every core runs tests; a module's tests stay together, so its shared project is built once.
PYTEST := $(BIN)/python -m pytest -q -n auto --dist loadfile

test: setup test-tools
	$(PYTEST)

# The tests that start no report kernel and run no whole project (under two minutes).
test-fast: setup test-tools
	$(PYTEST) -m "not slow"

# docs/tables.md and docs/params.md are written from the code (the test suite fails when they are stale).
docs: setup
	$(BIN)/python scripts/write_reference.py
	$(BIN)/python scripts/write_params_reference.py

# 10,000 / 100,000 / 1,000,000 customers: one table, also written to benchmarks/results.md.
bench: setup
	cd benchmarks && ../$(BIN)/python bench_scale.py

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

clean:
	rm -rf data/clean outputs/*/ benchmarks/_work
