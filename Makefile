# Two commands for a fresh clone: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: serve test install lint lint-deploy typecheck unit migrate seed lock clean audit bench image-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) ## create .venv and install the app with its dev extra, pinned by constraints.txt

migrate: install ## upgrade the database (DATABASE_URL, default var/diplomatic_events.db)
	$(BIN)/python -m app db upgrade

seed: migrate ## load the curated dataset (idempotent)
	$(BIN)/python -m app seed

serve: seed ## set up, migrate, seed and serve on http://$(HOST):$(PORT)
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

lint: install lint-deploy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-deploy: install ## hadolint the Dockerfile; validate compose.yaml against the Compose Specification
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit ## set up and run ruff, mypy and the whole test suite

image-check: install ## build the Dockerfile with buildah, run and compose the image with podman (docs/deploy.md)
	.ci/image-check

lock: $(BIN)/python ## re-resolve constraints.txt from pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^diplomatic-events-api' > constraints.txt

audit: install ## pip-audit the pinned dependencies (needs access to PyPI's and OSV's vulnerability data)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip-audit
	$(BIN)/pip-audit --strict -r constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

BENCH_DB ?= /tmp/bench-1m.db
BENCH_EVENTS ?= 1000000

bench: install ## ours vs Datasette vs a hand-written floor at 1M events (docs/performance.md)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
	@test -f $(BENCH_DB) || { \
		DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m app db upgrade && \
		DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.generate --events $(BENCH_EVENTS); }
	$(BIN)/python -m bench.run --db $(BENCH_DB)
