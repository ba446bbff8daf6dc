# schoolgate — `make run` and `make test` are the two commands; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create the virtual environment and install schoolgate with its dev tools

system-deps: ## install the Debian packages the integration tests talk to (idempotent)
	@bash scripts/system-deps.sh

run: $(STAMP) ## the policy showcase, then the staff console on the demo district (Ctrl-C stops it)
	$(BIN)/schoolgate demo
	$(BIN)/schoolgate console

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check schoolgate tests bench
	$(BIN)/ruff format --check schoolgate tests bench
	$(BIN)/mypy schoolgate

test: $(STAMP) system-deps lint test-postgres ## everything CI runs: lint, types, the whole suite (SQLite), the control plane on PostgreSQL
	$(BIN)/pytest $(PYTEST_ARGS)

# The control plane's suite again on PostgreSQL (pytest-django makes its own test database);
# tests/control/test_migrations.py fails on models changed without a checked-in migration.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/schoolgate
test-postgres: $(STAMP) ## the control plane's tests on PostgreSQL (started or installed if missing)
	@bash scripts/postgres.sh
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest tests/control $(PYTEST_ARGS)

# The OIDC sign-in tests run panva's oidc-provider (Node); tests/control/test_oidc_flow.py runs
# this itself when node_modules is missing.
oidc-provider: ## install the test OpenID provider's pinned npm packages (scripts/oidc-provider)
	cd scripts/oidc-provider && npm ci --no-audit --no-fund

format: $(STAMP) ## rewrite the code in the house style
	$(BIN)/ruff check --fix schoolgate tests bench
	$(BIN)/ruff format schoolgate tests bench

bench: $(STAMP) ## the benchmarks (see bench/README.md); not part of `make test`
	$(BIN)/python bench/engine/run.py

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help venv system-deps run lint test test-postgres oidc-provider format bench clean
