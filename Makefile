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

# The worker and beat of `make serve` are started again whenever they exit (the compose
# file's restart policy does the same for their containers).
SUPERVISE = $(BIN)/python -m rma_portal.supervise

# A local run: embedded SQLite, emails as files, tasks run in-process.
LOCAL_ENV = DJANGO_DEBUG=1 SITE_URL=http://$(HOST):$(PORT)

.PHONY: run test serve lint format bench bench-admin faults soak clean

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
	@echo "Reminders and overdue flags run on their schedule in the background (run_schedule)."
	@echo ""
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(LOCAL_ENV) $(BIN)/python manage.py run_schedule & \
	$(LOCAL_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Production-like, without Docker: needs DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, ...
serve: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(SUPERVISE) $(BIN)/$(WORKER_CMD) & $(SUPERVISE) $(BIN)/$(BEAT_CMD) & $(BIN)/$(GUNICORN_CMD)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# The fault scenarios (docs/reliability.md): their own Redis, worker, SMTP and web server,
# on PostgreSQL. CI runs them with the rest of the PostgreSQL suite.
faults: $(VENV)/.installed-dev
	@test -n "$$DATABASE_URL" || { echo "faults needs DATABASE_URL=postgres://..."; exit 2; }
	$(BIN)/pytest -m faults -p no:cacheprovider -s tests/faults $(PYTEST_ARGS)

# Several minutes of customers walking the whole journey on the production processes, with
# figures printed at the end (docs/reliability.md). Not part of CI.
soak: $(VENV)/.installed-dev
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# The back office at 1,000,000 cases (seeded once into BENCH_ADMIN_DATABASE_URL).
bench-admin: $(VENV)/.installed-dev
	$(BIN)/python bench/admin.py --write docs/performance.md

clean:
	rm -rf var/test staticfiles
