# ASYE 360: `make run` sets everything up and starts the service; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup run test fuzz bench bench-system scaleout system assets clean

# Debian packages the project needs: Chromium for the browser tests (WeasyPrint's Pango and the
# fonts ship with the base image; they are listed so a bare Debian machine gets them too).
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# What the benchmarks need besides: pgbench (PostgreSQL's own limit, benchmark 1b) and nginx (two
# servers behind one proxy, `make scaleout`), from Debian like the packages above.
BENCH_PACKAGES := nginx postgresql-contrib

bench-system:
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

frontend/dist/.built: frontend/package.json frontend/package-lock.json frontend/build.mjs $(shell find frontend/scss frontend/js -type f 2>/dev/null)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent
	touch $@

assets: frontend/dist/.built

setup: system $(VENV)/.installed assets

# Survey links and QR codes use BASE_URL; by default, the address `make run` serves on.
run: export BASE_URL ?= http://$(HOST):$(PORT)
run: setup
	$(VENV)/bin/asye360 db upgrade
	$(VENV)/bin/asye360 demo
	@echo "ASYE 360 is starting on http://$(HOST):$(PORT)/ (stop it with Ctrl+C)"
	$(VENV)/bin/asye360 serve --host $(HOST) --port $(PORT)

# The whole suite, on SQLite by default; set TEST_DATABASE_URL to run it on PostgreSQL.
test: setup
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# The API fuzzer at length (tests/fuzz; `make test` runs 25 examples per operation).
FUZZ_EXAMPLES ?= 500
fuzz: setup
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -n 2 tests/fuzz $(PYTEST_ARGS)

# Load without loss and the four benchmark ratios on PostgreSQL (TEST_DATABASE_URL, default
# local); writes bench/README.md. BENCH_ARGS=--small checks the scripts in under a minute.
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
BENCH_ARGS ?=
bench: setup bench-system
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(BENCH_DATABASE_URL)}" $(PY) -m bench.run $(BENCH_ARGS)

# Two servers on one PostgreSQL database behind nginx: do the sign-in limit and the per-link
# ceiling trip at the configured numbers, not twice them? (Exit status 1 when they do not.)
scaleout: setup bench-system
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(BENCH_DATABASE_URL)}" $(PY) -m bench.scaleout

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache .hypothesis
