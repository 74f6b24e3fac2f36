# Veza: `make run` serves the app on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint check format stop check-deploy

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	@test -f .env || { printf '# Development settings written by make run (see .env.example).\nDEBUG=true\n' > .env; \
		echo "created .env with DEBUG=true for development"; }
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py create_message_partitions --months 3
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
