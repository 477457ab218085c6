# Designia backend. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 0.0.0.0
PORT ?= 8000

# `make test` talks to the local MariaDB and Redis unless told otherwise.
TEST_DATABASE_URL ?= mysql://root@127.0.0.1:3306/designia
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
PYTEST_DB_FLAG ?= --reuse-db
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: help install install-dev run migrate seed test pytest lint typecheck-all messages fmt worker beat flower bench schema services clean backup restore

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed  ## create the virtualenv and install runtime dependencies

install-dev: $(VENV)/.installed-dev  ## ... and the development/test tools

migrate: install  ## apply database migrations
	$(PY) manage.py migrate --noinput

seed: migrate  ## load the demo data and today's exchange rates (idempotent)
	$(PY) manage.py seed_demo
	$(PY) manage.py update_exchange_rates

run: seed  ## serve API, admin and WebSockets on http://localhost:8000 with demo data
	$(PY) manage.py runserver $(HOST):$(PORT)

services:  ## make sure MariaDB and Redis are running (starts them if not)
	bash scripts/services.sh

pytest: install-dev  ## the test suite only (PYTEST_ARGS=... to narrow it)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DB_FLAG) $(PYTEST_ARGS)

test: services lint pytest  ## the whole suite (MariaDB + Redis) and the linters

# vulture at 80 % confidence: certain dead code only (unused imports, variables, unreachable code).
# Below 80 every admin class, consumer handler, serializer validate() and Celery task is "unused"
# (called by name), and the whitelist would be the app's whole surface; dead functions and
# properties are removed by review (issue 19) at 60 %: `vulture --min-confidence 60 ...`.
VULTURE_EXCLUDE := .venv,*/migrations/*,*/tests/*,tests/,bench/,test_celery_simple.py

lint: install-dev  ## ruff, black, isort, secret scan, dead code (vulture), import contracts, Django checks, migrations, OpenAPI schema, alert rules (promtool), Alertmanager config
	$(BIN)/ruff check .
	$(BIN)/black --check --quiet .
	$(BIN)/isort --check-only --quiet .
	$(PY) scripts/secrets_check.py
	$(BIN)/vulture --min-confidence 80 --exclude "$(VULTURE_EXCLUDE)" . scripts/vulture_whitelist.py
	$(BIN)/lint-imports --no-cache --no-logo .importlinter
	$(BIN)/mypy --config-file mypy.ini
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py compilemessages -l pt --ignore=".venv"
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	promtool check rules infrastructure/prometheus/alerts/*.rules.yml
	promtool test rules infrastructure/prometheus/alerts/tests/*.test.yml
	amtool check-config infrastructure/prometheus/alertmanager.yml

secrets-baseline: install-dev  ## after auditing new detect-secrets findings as false positives: record them in .secrets.baseline
	$(BIN)/detect-secrets scan --baseline .secrets.baseline

typecheck-all: install-dev  ## mypy over every app (make lint checks the apps mypy.ini lists: all of them)
	-$(BIN)/mypy --config-file mypy.ini designiaBackend authentication marketplace payment_system chat ar notifications infrastructure

messages: install-dev  ## extract translatable texts into locale/pt (then translate them) and compile the catalogues
	$(PY) manage.py makemessages -l pt --ignore=".venv/*" --ignore="bench/*" --ignore="scripts/*"
	$(PY) manage.py compilemessages -l pt --ignore=".venv"

fmt: install-dev  ## format the code
	$(BIN)/ruff check --fix .
	$(BIN)/isort .
	$(BIN)/black .

worker: install  ## Celery worker on both queues (needs REDIS_URL)
	$(BIN)/celery -A designiaBackend worker -Q payment_tasks,marketplace_tasks,email_tasks -l info

beat: install  ## Celery beat (needs REDIS_URL)
	$(BIN)/celery -A designiaBackend beat -l info

flower: install  ## Flower, the Celery dashboard, on http://localhost:5555 (needs REDIS_URL)
	$(BIN)/celery -A designiaBackend flower --port=5555

backup: install  ## database dump + media into a dated, checksummed archive in BACKUP_DIR (keeps BACKUP_KEEP)
	$(PY) manage.py backup_create

restore: install  ## restore ARCHIVE=backups/designia-backup-....tar.gz into an empty database and storage
	@test -n "$(ARCHIVE)" || (echo "usage: make restore ARCHIVE=backups/designia-backup-<time>.tar.gz" >&2; exit 2)
	$(PY) manage.py backup_restore "$(ARCHIVE)"

schema: install  ## write the OpenAPI schema to schema.yml
	$(PY) manage.py spectacular --validate --file schema.yml

BENCH_DATABASE_URL ?= mysql://root@127.0.0.1:3306/designia_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
# The sweep benchmark drops and reseeds a database of its own each run.
BENCH_SWEEP_DATABASE_URL ?= mysql://root@127.0.0.1:3306/designia_bench_sweep

bench: install-dev services  ## catalogue (through nginx), checkout, chat and payment-sweep benchmarks; figures go to bench/RESULTS.md
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	# The chat benchmark's load generator (bench/chat_client: Node.js + ws, npm ci at run time).
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/run.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/checkout.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/chat.py
	BENCH_SWEEP_DATABASE_URL=$(BENCH_SWEEP_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/sweep.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
