# Two commands for a fresh clone: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
# One stamp per extra and per version of the dependency files: `serve` needs only the runtime
# dependencies, the tools need the dev extra too (which includes them, so it stamps both).
DEPS_SUM := $(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(DEPS_SUM)
DEV_STAMP := $(VENV)/.installed-dev-$(DEPS_SUM)
STALE_STAMPS := find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(DEPS_SUM)' -delete

.PHONY: serve test install install-dev lint lint-deploy lint-openapi client-tools test-tools typecheck unit migrate seed lock clean audit bench bench-proxy image-check scale-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(RUNTIME_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e .
	$(STALE_STAMPS)
	touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e '.[dev]'
	$(STALE_STAMPS)
	touch $@ $(RUNTIME_STAMP)

# The client checks' tools (tests/test_clients.py, lint-openapi), pinned: npm packages by
# tests/clients/package-lock.json, openapi-python-client in a venv of its own (its pins conflict
# with the app's) by tests/clients/python/requirements.txt.
CLIENTS := tests/clients
NPM_STAMP := $(CLIENTS)/node_modules/.installed-$(shell cksum < $(CLIENTS)/package-lock.json | cut -d' ' -f1)
CLIENT_TOOLS := $(VENV)/client-tools
CLIENT_TOOLS_STAMP := $(CLIENT_TOOLS)/.installed-$(shell cksum < $(CLIENTS)/python/requirements.txt | cut -d' ' -f1)

$(NPM_STAMP): $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	@.ci/need npm
	rm -rf $(CLIENTS)/node_modules
	cd $(CLIENTS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(CLIENT_TOOLS_STAMP): $(CLIENTS)/python/requirements.txt
	rm -rf $(CLIENT_TOOLS)
	$(PYTHON) -m venv $(CLIENT_TOOLS)
	$(CLIENT_TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

client-tools: $(NPM_STAMP) $(CLIENT_TOOLS_STAMP) ## npm tooling and openapi-python-client, as pinned

# Everything else the suite runs, so that `make test` skips nothing on a fresh machine: the
# explorer's browser tests need Chromium and tests/browser's pinned axe-core, and every backend
# test a PostgreSQL. Missing programs are installed by .ci/need (Debian packages, as root with
# apt-get; otherwise it stops with the exact command), a stopped PostgreSQL is started by
# .ci/postgres where pg_ctlcluster can, or it says how.
BROWSER := tests/browser
BROWSER_STAMP := $(BROWSER)/node_modules/.installed-$(shell cksum < $(BROWSER)/package-lock.json | cut -d' ' -f1)

$(BROWSER_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	@.ci/need npm
	rm -rf $(BROWSER)/node_modules
	npm ci --prefix $(BROWSER) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

test-tools: client-tools $(BROWSER_STAMP) ## what the tests need: the client tools, axe-core, Chromium, PgBouncer, nginx, a running PostgreSQL
	@.ci/need chromium pgbouncer nginx
	@.ci/postgres

install: $(RUNTIME_STAMP) ## create .venv and install what serving needs, pinned by constraints.txt

install-dev: $(DEV_STAMP) ## ... and the dev extra: pytest, ruff, mypy, schemathesis, hadolint, httpx2

migrate: install ## upgrade the database (DATABASE_URL, default var/diplomatic_events.db)
	$(BIN)/python -m app db upgrade

seed: migrate ## load the curated dataset (idempotent)
	$(BIN)/python -m app seed

serve: seed ## set up, migrate, seed and serve (HOST, PORT, ...: environment or .env)
	$(BIN)/python -m app serve

lint: install-dev lint-deploy lint-openapi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers of docs/architecture.md (pyproject.toml: tool.importlinter)

lint-openapi: install client-tools ## Spectral (spectral:oas + OWASP, tests/clients/spectral.yaml) on the live document
	$(BIN)/python -m app openapi > $(CLIENTS)/openapi.json
	cd $(CLIENTS) && node_modules/.bin/spectral lint openapi.json --ruleset spectral.yaml --fail-severity error --display-only-failures

lint-deploy: install-dev ## hadolint the Dockerfile; validate compose.yaml against the Compose Specification
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev test-tools
	$(BIN)/pytest

test: lint typecheck unit ## set up and run ruff, mypy and the whole test suite

image-check: install ## build the Dockerfile with buildah, run and compose the image with podman (docs/deploy.md)
	.ci/image-check

scale-check: install ## a PostgreSQL primary + standby, three API processes and nginx, under faults and a reseed (docs/scaling.md)
	.ci/scale-check

lock: $(BIN)/python ## re-resolve constraints.txt from pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^diplomatic-events-api' > constraints.txt

audit: install-dev ## pip-audit the pinned dependencies (needs access to PyPI's and OSV's vulnerability data)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip-audit
	$(BIN)/pip-audit --strict -r constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

BENCH_DB ?= /tmp/bench-1m.db
BENCH_EVENTS ?= 1000000

bench: install-dev ## ours vs Datasette vs a hand-written floor at 1M events (docs/performance.md)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
	@test -f $(BENCH_DB) || { \
		DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m app db upgrade && \
		DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.generate --events $(BENCH_EVENTS); }
	$(BIN)/python -m bench.run --db $(BENCH_DB)

bench-proxy: install-dev ## nginx's cache in front of one API process: hit ratio, cached vs origin req/s (docs/scaling.md)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
	@PATH=$$PATH:/usr/sbin command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 2; }
	$(BIN)/python -m bench.proxy_cache
