# The portal's commands. `make run` for a local demo, `make test` for the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

# The production processes; docker-compose.yml runs the very same commands.
GUNICORN_CMD = gunicorn rma_portal.wsgi:application --bind 0.0.0.0:8000 --workers 2 --threads 4 --timeout 60 --access-logfile -
WORKER_CMD = celery -A rma_portal worker --loglevel=INFO --concurrency=2
BEAT_CMD = celery -A rma_portal beat --loglevel=INFO --schedule /tmp/celerybeat-schedule

# A local run: embedded SQLite, emails as files, tasks run in-process.
LOCAL_ENV = DJANGO_DEBUG=1 SITE_URL=http://$(HOST):$(PORT)

.PHONY: run test serve lint format bench bench-admin clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --no-input
	$(LOCAL_ENV) $(BIN)/python manage.py createcachetable
	$(LOCAL_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(LOCAL_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Portal:  http://$(HOST):$(PORT)/login/    Admin: http://$(HOST):$(PORT)/admin/"
	@echo "Emails (sign-in codes included) are written as files to var/mail/"
	@echo ""
	$(LOCAL_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Production-like, without Docker: needs DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, ...
serve: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(BIN)/$(WORKER_CMD) & $(BIN)/$(BEAT_CMD) & $(BIN)/$(GUNICORN_CMD)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# The back office at 1,000,000 cases (seeded once into BENCH_ADMIN_DATABASE_URL).
bench-admin: $(VENV)/.installed-dev
	$(BIN)/python bench/admin.py --write docs/performance.md

clean:
	rm -rf var/test staticfiles
