# Handoff — one Makefile; every target does its own set-up.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo serve test lint typecheck unit integration infra-test e2e schemas lock synth bundle bench clean

$(STAMP): pyproject.toml requirements/dev.lock package-lock.json
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	npm ci --silent --no-audit --no-fund
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/python -m handoff.local demo

serve: setup
	$(BIN)/python -m handoff.local serve --host 127.0.0.1 --port 8080

lint: setup
	$(BIN)/ruff check functions infra tests benchmarks
	$(BIN)/ruff format --check functions infra tests benchmarks

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup -q

unit: setup
	$(BIN)/pytest tests/unit -q

integration: setup
	$(BIN)/pytest tests/integration -q

infra-test: setup
	$(BIN)/pytest tests/infra -q

e2e: setup
	$(BIN)/pytest tests/e2e -q

schemas: setup
	$(BIN)/python -m handoff.contracts schemas

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock
	$(BIN)/uv pip compile -q pyproject.toml --extra documents --python-version 3.12 --python-platform aarch64-manylinux2014 -o requirements/lambda.lock
	$(BIN)/uv pip compile -q pyproject.toml --python-version 3.12 --python-platform aarch64-manylinux2014 -o requirements/lambda-core.lock

bundle: setup
	$(BIN)/python -m infra.bundle

# Docker-free: infra/bundle.py builds the Lambda assets with pip (arm64 wheels). STAGE=prod for prod.
synth: setup
	npx --no-install cdk synth --quiet -c stage=$(or $(STAGE),dev)

bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) node_modules cdk.out build out .pytest_cache .mypy_cache .ruff_cache
