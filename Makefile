# Veza: `make run` serves the app on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
VAR := $(or $(VEZA_VAR_DIR),var)
# Installation uses uv (a PyPI package; it installs in seconds what pip takes minutes to): the one on PATH,
# else one pip puts into the venv. USE_UV=0, or no uv for this machine, installs with pip alone.
USE_UV ?= 1
UV_REQUIREMENT := uv>=0.4,<1
# Test processes (pytest-xdist, each with its own database and Redis key prefix): one per CPU by default;
# TEST_WORKERS=0 runs the suite in a single process.
TEST_WORKERS ?= auto

.PHONY: install run test lint check format stop check-deploy

# uv never fetches a Python of its own (UV_PYTHON_DOWNLOADS=never): the venv uses $(PYTHON). It compiles the
# packages to bytecode as it installs them, as pip does: otherwise, where PYTHONDONTWRITEBYTECODE is set,
# every start of Veza would compile them again (2 s). Should uv fail, pip installs instead.
$(STAMP): pyproject.toml
	@set -e; uv=; \
	if [ "$(USE_UV)" = 1 ]; then \
		uv=$$(command -v uv || true); \
		if [ -z "$$uv" ]; then \
			test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
			if [ -x $(BIN)/uv ] || $(BIN)/python -m pip install --quiet --disable-pip-version-check '$(UV_REQUIREMENT)'; \
			then uv=$(BIN)/uv; fi; \
		fi; \
	fi; \
	export UV_PYTHON_DOWNLOADS=never; \
	if [ -n "$$uv" ] && echo "installing into $(VENV) with $$uv" && \
		{ test -x $(BIN)/python || $$uv venv --quiet --seed --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')" $(VENV); } && \
		$$uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev,bench]'; \
	then :; else \
		echo "installing into $(VENV) with pip"; \
		test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --upgrade pip; \
		$(BIN)/python -m pip install --quiet -e '.[dev,bench]'; \
	fi
	@touch $(STAMP)

install: $(STAMP)

# One process gets the database ready (migrations, partitions, demo data: each skipped when already done),
# then the development server runs; its process id goes to var/runserver.pid for `make stop`.
run: install
	@test -f .env || { printf '# Development settings written by make run (see .env.example).\nDEBUG=true\n' > .env; \
		echo "created .env with DEBUG=true for development"; }
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py prepare_demo
	@mkdir -p $(VAR) && echo $$$$ > $(VAR)/runserver.pid && \
		echo "DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)" && \
		DEBUG=$${DEBUG:-true} exec $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The architecture's contracts: the import layers (import-linter) and the types (mypy with the Django and
# DRF plugins). Both read the settings, which need these variables set but connect to nothing.
CHECK_ENV := DEBUG=true DATABASE_URL=postgres:///veza REDIS_URL=redis://127.0.0.1:6379/0
check: install
	$(CHECK_ENV) $(BIN)/lint-imports
	$(CHECK_ENV) $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')} \
		ALLOWED_HOSTS=$${ALLOWED_HOSTS:-veza.example} $(BIN)/python manage.py check --deploy --fail-level WARNING

stop:
	$(BIN)/python -m veza.embedded stop
