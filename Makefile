# The commands the README gives. Everything else is set up on demand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Spectral, the linter of the Logius API Design Rules, from npm into tools/spectral.
SPECTRAL := tools/spectral/node_modules/.bin/spectral
OPENAPI_DIR := build/openapi

.PHONY: run test lint lint-api openapi typecheck check bench chaos demo token clean contracts

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

lint: $(STAMP) lint-api
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m deploy.contracts --check
	$(BIN)/lint-imports
	$(BIN)/python -m deploy.check_lines

## Regenerate docs/contracts.md and docs/contracts/ from the producers' payload models.
contracts: $(STAMP)
	$(BIN)/python -m deploy.contracts

$(SPECTRAL): tools/spectral/package.json tools/spectral/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "make lint needs Node.js 18+ and npm for Spectral (the ADR linter):"; \
	  echo "  Debian/Ubuntu: sudo apt-get install nodejs npm; elsewhere: https://nodejs.org"; \
	  exit 1; }
	cd tools/spectral && npm ci --ignore-scripts --no-audit --no-fund
	touch $(SPECTRAL)

## Write the four services' OpenAPI documents to build/openapi.
openapi: $(STAMP)
	$(BIN)/python -m deploy.openapi $(OPENAPI_DIR)

## The NL API Design Rules (Logius' Spectral ruleset, docs/api.md) over the four documents.
lint-api: openapi $(SPECTRAL)
	$(SPECTRAL) lint --fail-severity=error --display-only-failures \
	  -r tools/spectral/knooppunt.yaml $(OPENAPI_DIR)/*.json

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
	rm -rf $(VENV) .data build tools/spectral/node_modules
