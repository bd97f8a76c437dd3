# RehabCare: `make run` brings up the whole system, `make test` runs every check.
# Both start a project-local PostgreSQL and Redis (data in .data/) unless
# DATABASE_URL / REDIS_URL point at external services.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SERVICES := $(PY) scripts/devservices.py exec --

export PORT
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: venv run test lint clean-data bench backup restore verify

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# migrate connects as the database's owner (DATABASE_OWNER_URL); the demo data and the application
# itself run as the application's role (DATABASE_URL), which owns nothing.
run: venv
	$(SERVICES) sh -c '\
	  python manage.py migrate --noinput && \
	  python manage.py seed_demo && \
	  echo "" && echo "RehabCare is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops everything)" && echo "" && \
	  exec env -u DATABASE_OWNER_URL honcho start --port $(PORT)'

lint: venv
	ruff check .
	ruff format --check .
	DJANGO_SETTINGS_MODULE=rehabcare.settings.test mypy

test: lint
	$(SERVICES) sh -c '\
	  DJANGO_SETTINGS_MODULE=rehabcare.settings.test python manage.py makemigrations --check --dry-run && \
	  pytest $(PYTEST_ARGS)'

# The clinic-network benchmark: SCALE=1.0 is 100,000 patients (generated once, then reused).
SCALE ?= 1.0
bench: venv
	$(SERVICES) python -m benchmarks --scale $(SCALE) $(BENCH_ARGS)

# The reliability and security promises, load against gunicorn; writes RELIABILITY.md.
verify: venv
	$(SERVICES) python -m reliability $(VERIFY_ARGS)

# The database to backups/rehabcare-<time>.dump (with its manifest and checksums), and back:
# `make restore FILE=backups/rehabcare-....dump` (stop the application first). Both as the owner.
backup: venv
	$(SERVICES) python scripts/backup.py dump $(FILE)

restore: venv
	$(SERVICES) python scripts/backup.py restore $(FILE)

clean-data:
	$(PY) scripts/devservices.py clean
