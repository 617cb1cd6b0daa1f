# Quest platform — developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv runs as a Python module so a fresh `pip install uv` is usable at once (no PATH changes).
UV ?= python3 -m uv
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=
GUARANTEES_ARGS ?=

.PHONY: help install install-python install-frontend install-browser test test-python test-frontend lint dev bench client guarantees

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: install-python install-frontend install-browser ## install everything the tests need

install-python:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

install-frontend:
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

install-browser:
	@if ! dpkg -s chromium fonts-noto-color-emoji >/dev/null 2>&1; then \
		echo "installing Debian's chromium (and an emoji font) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	fi

test: install test-frontend test-python ## install what is needed, then run every test

test-python: ## unit, integration, end-to-end and browser tests (pytest)
	$(UV) run pytest $(PYTEST_ARGS)

test-frontend: ## the web UI's type check and component tests (vitest)
	cd frontend && npm run typecheck && npm test

lint: ## ruff check, ruff format --check, mypy
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy common/quest_common devtools/quest_devtools auth-service/auth_service catalog-service/catalog_service processing-service/processing_service

dev: install-python ## run the whole stack natively behind Traefik (Ctrl-C stops it)
	$(UV) run python -m quest_devtools.devstack

bench: install-python ## run the benchmarks (figures next to bounds measured in the same run; also bench/results/latest.json)
	rm -f bench/results/latest.json
	$(UV) run python bench/login.py
	$(UV) run python bench/catalog.py
	$(UV) run python bench/pipeline.py
	$(UV) run python bench/ingest.py
	$(UV) run python bench/simulation.py
	$(UV) run python bench/leaderboard.py
	$(UV) run python bench/redeem.py

guarantees: install-python ## break each guarantee on purpose (guarantees/mutations/) and check its tests catch it
	$(UV) run python scripts/guarantees.py $(GUARANTEES_ARGS)

client: install-python install-frontend ## regenerate the frontend's typed API client from the services' OpenAPI
	$(UV) run python scripts/export_openapi.py
	cd frontend && npm run client
