# The README quotes these targets; each is one line of real work.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test lint bench system-deps static

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e '.[dev]' && touch $(STAMP)

install: $(STAMP) static

# the JS/CSS bundle (frontend/ → static/dist/), rebuilt when a source or the lockfile changes
FRONTEND_SOURCES := $(shell find frontend/src -type f) $(wildcard frontend/*.mjs) frontend/package-lock.json
static/dist/app.js: $(FRONTEND_SOURCES)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

static: static/dist/app.js

system-deps:
	bash scripts/install-system-deps.sh && npm ci --prefix tests/pgwire/node --no-audit --no-fund --loglevel=error

run: install static
	$(PY) manage.py migrate --noinput -v0 && $(PY) manage.py collectstatic --noinput -v0 && $(PY) manage.py demo && $(PY) manage.py up

test: install static system-deps
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/lint-imports && $(VENV)/bin/mypy connectors dashboards config pgwire

bench: install
	$(PY) bench/run.py
