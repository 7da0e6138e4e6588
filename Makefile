# The two commands: `make run` (app with demo data on SQLite) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432
TEST_DB := workflow_test_$(shell date +%s)_$$$$
# The suite runs on one pytest-xdist worker per CPU (at most 4), a test file per worker at a time.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
SUITE = $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: run serve worker test test-sqlite test-postgres install translations vendor lint migration clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor/bootstrap static/vendor/pdfjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs static/vendor/pdfjs/
	mkdir -p static/vendor/chartjs && cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	touch $@

install: $(BIN)/.installed static/vendor/.installed translations

vendor: static/vendor/.installed

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d workflow/translations -f

run: install
	$(FLASK) init-db
	$(FLASK) pki init
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --port $(PORT)

# Outside the embedded mode (DATABASE_URL on PostgreSQL) the app refuses to start without PUBLIC_BASE_URL,
# the address written into certificates for OCSP and CRLs (docs/production.md).
serve: install
	$(FLASK) init-db
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Background jobs on RQ (needs REDIS_URL; see docs/production.md).
worker: install
	$(FLASK) worker

test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	$(SUITE)

# A throwaway PostgreSQL database per run (and one per xdist worker beside it), dropped afterwards
# whatever the outcome.
test-postgres:
	@db=$(TEST_DB); \
	psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $$db" postgres && \
	{ export TEST_DATABASE_URL=$(PG_URL)/$$db; $(SUITE); }; rc=$$?; \
	for name in $$db $$(psql -h 127.0.0.1 -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE '$${db}_gw%'" postgres); do \
	  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $$name WITH (FORCE)" postgres; done; exit $$rc

lint: $(BIN)/.installed
	$(BIN)/ruff check .

# After changing models: regenerate the schema migration (see docs/development.md).
migration: $(BIN)/.installed
	$(FLASK) db migrate -m "$(MESSAGE)"

clean:
	rm -rf $(VENV) node_modules static/vendor
