# InsideOut — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_EMPLOYEES ?= 400
# Service requests over the demo's two years (about 6 s to load with 400 people).
DEMO_REQUESTS ?= 3000
export INSIDEOUT_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install test test-sqlite test-postgres lint bench messages clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip "setuptools>=77" wheel
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

## Set everything up and serve the site with the demo organisation on SQLite.
run: $(STAMP)
	$(BIN)/insideout migrate --no-input -v 0
	$(BIN)/insideout demo --employees $(DEMO_EMPLOYEES) --requests $(DEMO_REQUESTS) --if-empty
	INSIDEOUT_DEBUG=$${INSIDEOUT_DEBUG:-true} $(BIN)/insideout serve --host $(HOST) --port $(PORT)

## Every test: lint, then the suite on SQLite and on a private PostgreSQL server.
test: $(STAMP)
	$(BIN)/python tools/testrun.py

lint: $(STAMP)
	$(BIN)/python tools/testrun.py --lint-only

## Speed and memory targets; writes docs/performance.md.
bench: $(STAMP)
	$(BIN)/python tools/bench.py

messages: $(STAMP)
	cd src/insideout && ../../$(BIN)/insideout makemessages -l de --no-obsolete --ignore "*/tests/*" && ../../$(BIN)/insideout compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
