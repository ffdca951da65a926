# custreport: `make demo` and `make test` each work alone on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_CUSTOMERS ?= 3000
DEMO_SEED ?= 7

.PHONY: setup fonts test-tools demo demo-data test test-fast docs lab bench clean

# The Python packages, each set once per change of pyproject.toml (with uv when it can be had:
# scripts/install-python-packages.sh): what running the reports needs; with the test and
# benchmark tools; with JupyterLab.
$(VENV)/.installed-run: pyproject.toml
	@PYTHON=$(PYTHON) sh scripts/install-python-packages.sh $(VENV) .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml
	@PYTHON=$(PYTHON) sh scripts/install-python-packages.sh $(VENV) '.[dev]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-lab: pyproject.toml
	@PYTHON=$(PYTHON) sh scripts/install-python-packages.sh $(VENV) '.[lab]'
	@touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-dev fonts

fonts:
	@sh scripts/install-fonts.sh

# A headless Chromium for the tests that open report pages at phone width (tests/render/test_layout.py),
# and the PostgreSQL server the database tests start a throwaway copy of (tests/postgres_server.py).
# After the fonts: both install with apt, which takes one install at a time.
test-tools: fonts
	@sh scripts/install-test-tools.sh

# The fonts install (when missing) while the packages install and the demo data is made and
# ingested: only the reports need them.
demo:
	@$(MAKE) --no-print-directory -j2 fonts demo-data
	$(BIN)/custreport run --period latest --regions all

demo-data: $(VENV)/.installed-run
	$(BIN)/custreport demo-data --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED) --out data/raw
	$(BIN)/custreport ingest

# Every core runs tests; a module's tests stay together, so its shared project is built once.
PYTEST := $(BIN)/python -m pytest -q -n auto --dist loadfile

# The fonts and Chromium install while the packages do.
test:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed-dev test-tools
	$(PYTEST)

# The tests that start no report kernel and run no whole project (under two minutes).
test-fast:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed-dev test-tools
	$(PYTEST) -m "not slow"

# docs/tables.md and docs/params.md are written from the code (the test suite fails when they are stale).
docs: $(VENV)/.installed-run
	$(BIN)/python scripts/write_reference.py
	$(BIN)/python scripts/write_params_reference.py

# 10,000 / 100,000 / 1,000,000 customers: one table, also written to benchmarks/results.md.
bench: $(VENV)/.installed-dev fonts
	cd benchmarks && ../$(BIN)/python bench_scale.py

lab: $(VENV)/.installed-lab fonts
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

clean:
	rm -rf data/clean outputs/*/ benchmarks/_work
