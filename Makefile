# doithoai: the one entry point. CI calls `make test` (through .ci/run).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install deps broker run lint test test-unit eval bench fuzz screenshots asyncapi compose-check clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed ## create .venv from the lock file

deps: install broker ## everything the tests need: venv, RabbitMQ, docker-compose (validator), LibreOffice (DOCX check), promtool, Chromium
	@command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose)
	@command -v soffice >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	  --no-install-recommends libreoffice-writer-nogui libharfbuzz-subset0 fonts-liberation2)
	@command -v promtool >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	  --no-install-recommends prometheus)
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core)

broker: ## start RabbitMQ on 127.0.0.1:5672 unless one answers (installs it from Debian if missing)
	@scripts/ensure-rabbitmq.sh

run: install ## the whole system locally (embedded defaults; see README)
	$(VENV)/bin/doithoai run

lint: install ## ruff (lint and format check) and mypy (strict on shared/ and the services' handlers)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python -m mypy

# Tests run on PYTEST_WORKERS processes (pytest-xdist, one file per worker at a time); the tests
# marked `exclusive` (they stop the shared RabbitMQ) run after them, alone.
PYTEST_WORKERS ?= 2

test: deps lint ## install what is missing, lint, and run every test
	@status=0; \
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not exclusive" || status=1; \
	$(VENV)/bin/pytest -m exclusive || status=1; \
	exit $$status

test-unit: install ## fast tests of pure logic
	$(VENV)/bin/pytest tests/unit

eval: install ## classification figures on ../shared/domain/sample-submissions.jsonl and tests/data/corpus/*.jsonl (per split)
	@$(VENV)/bin/python -m scripts.evaluate

bench: install ## benchmarks (speed and memory targets are checked here, never in tests)
	@# every benchmark runs even when an earlier one misses its target (exit 1); make fails at the end
	@status=0; for b in routing replay documents pipeline flood reads; do \
	  echo "$(VENV)/bin/python -m bench.bench_$$b"; $(VENV)/bin/python -m bench.bench_$$b || status=1; \
	done; exit $$status

screenshots: deps ## the residents' and staff pages in Chromium at 360 px and 1280 px -> screenshots/
	$(VENV)/bin/pytest tests/browser

fuzz: deps ## a longer schemathesis run over every service's OpenAPI (make test runs a short one)
	DOITHOAI_FUZZ_EXAMPLES=200 $(VENV)/bin/pytest -q tests/fuzz

asyncapi: install ## write docs/asyncapi.json from the event contracts
	$(VENV)/bin/python -c "from services.deployment import CONSUMERS; from shared.asyncapi import DOCUMENT, render; DOCUMENT.write_text(render(CONSUMERS), encoding='utf-8')"

compose-check: deps ## validate docker-compose.yml without an engine
	docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"

clean: ## remove local data and caches (not the venv)
	rm -rf .data .pytest_cache
