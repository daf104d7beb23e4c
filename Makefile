# The commands the README gives. Everything else is set up on demand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check bench chaos demo token clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start PostgreSQL, NATS and the four services; Ctrl-C stops everything.
run: $(STAMP)
	$(BIN)/knooppunt run $(ARGS)

## Print a development bearer token: make token ARGS="--org lkha --rol coordinator".
token: $(STAMP)
	@$(BIN)/knooppunt token $(ARGS)

## Run the whole test suite against a real PostgreSQL and NATS.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## Measure the write path against raw PostgreSQL and NATS on this machine.
bench: $(STAMP)
	$(BIN)/python -m deploy.bench

## Fault campaign under load (real processes): make chaos ARGS="--faults 1000".
chaos: $(STAMP)
	$(BIN)/python -m deploy.chaos $(ARGS)

clean:
	rm -rf $(VENV) .data
