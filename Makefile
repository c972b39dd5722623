# Pishkhan — the README's commands. `make run` serves the demo; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: help setup system-deps system-deps-test assets run test reliability lint format bench clean

help:
	@echo "make run    — set up, migrate, load demo data, serve on http://127.0.0.1:5000"
	@echo "make test   — set up and run the whole suite on SQLite and PostgreSQL"
	@echo "make setup  — .venv with pinned dependencies, front-end assets from npm"
	@echo "make lint   — ruff and the import contracts (lint-imports)"
	@echo "make reliability — kill -9 fault test under gunicorn with deploy/gunicorn.conf.py (SQLite, PostgreSQL)"

setup: system-deps $(STAMP) assets

system-deps:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

assets: static/vendor/.stamp

static/vendor/.stamp: package.json package-lock.json scripts/vendor-assets.sh $(STAMP)
	scripts/vendor-assets.sh
	touch $@

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 --no-control-socket --access-logfile - wsgi:app

test: setup system-deps-test
	scripts/test.sh

# Writes streamed to gunicorn (deploy/gunicorn.conf.py) while a worker and then the master are
# SIGKILLed; RELIABILITY_SECONDS=60 for longer phases. A short run is part of `make test`.
reliability: setup system-deps-test
	scripts/reliability.sh

# The annual report, dashboard and map on a generated national-size database, on SQLite and on a
# throwaway PostgreSQL server; BENCH_ARGS="--scale 0.1 --engines sqlite" for a quick run.
bench: $(STAMP) assets
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
