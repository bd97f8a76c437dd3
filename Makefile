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

.PHONY: venv lock run test test-fast lint clean-data bench backup restore verify messages compile-messages

# The development set (requirements-dev.txt: the runtime lock and the test, lint, load and dev groups),
# every file checked against its hash. Production installs requirements.txt only.
$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# pyproject.toml's dependencies to the two locks, keeping every version already locked (uv reads the
# old lock first); the dev lock is held to the runtime lock's versions. A new version of one package:
# `make lock LOCK_ARGS="--upgrade-package django"`. Then `make venv` installs it.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
  --custom-compile-command "make lock" --quiet $(LOCK_ARGS)
lock: venv
	$(UV_COMPILE) -o requirements.txt
	$(UV_COMPILE) --group dev -c requirements.txt -o requirements-dev.txt

# migrate connects as the database's owner (DATABASE_OWNER_URL); the demo data and the application
# itself run as the application's role (DATABASE_URL), which owns nothing. honcho gives each process a
# PORT of its own (web, then +100 for the worker), so the links the worker sends name the web's (SITE_URL).
run: venv compile-messages
	$(SERVICES) sh -c '\
	  python manage.py migrate --noinput && \
	  python manage.py seed_demo && \
	  echo "" && echo "RehabCare is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops everything)" && echo "" && \
	  exec env -u DATABASE_OWNER_URL SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" honcho start --port $(PORT)'

lint: venv
	ruff check .
	ruff format --check .
	DJANGO_SETTINGS_MODULE=rehabcare.settings.test mypy

# After the whole suite, the tests whose answers depend on the day and the hour run again with the
# clock moved to each of these instants (pytest --clock, clinic time unless an offset is given): a
# Monday 00:30 in summer (still Sunday in UTC), a Sunday 23:30 that is also New Year's Eve, both sides
# of spring's lost hour (00:30 GMT, and 01:30 UTC = 02:30 BST), the first of autumn's two 01:30s, and
# 29 February. `make test CLOCKS=` skips these runs; `make test CLOCKS=2027-06-01T09:00` runs one.
# Each run on CLOCK_WORKERS pytest-xdist workers, each with its own test database (about 3 minutes a run on
# two cores, against 4.5 one after the other).
CLOCK_WORKERS ?= 2
CLOCKS ?= 2027-07-05T00:30 2028-12-31T23:30 2027-03-28T00:30 2027-03-28T01:30+00:00 \
  2027-10-31T01:30+01:00 2028-02-29T08:00
# Left out of those runs: the agenda's and the conferences' tests (each freezes its own instant), the
# real Celery workers' (other processes, on the machine's clock), the query-count pins with 200
# patients, two of the three report tests that each seed the demo (one is kept), the demo's sessions
# test, which seeds it twice at an instant of its own, and the demo's Polish reminders (another seeding);
# also what no clock touches: the providers' answers through their fakes (timeouts, 4xx, 5xx), their
# settings, and the consent migration.
CLOCK_TESTS := tests/adherence tests/checkins tests/careplans tests/screening/test_pages.py \
  tests/screening/test_services.py tests/teams/test_patient_forms.py tests/teams/test_patient_overview.py \
  tests/test_list_queries.py tests/test_clock.py \
  tests/routing/test_services.py tests/routing/test_rescreens.py tests/routing/test_pages.py \
  tests/routing/test_resolution.py \
  tests/training/test_skillmix.py \
  tests/teams/test_seed_demo.py::test_demo_north_has_past_conferences_and_a_planned_one_listing_every_reason \
  --deselect tests/checkins/test_worker_e2e.py --deselect tests/checkins/test_providers_worker.py \
  --deselect tests/checkins/test_providers_backends.py --deselect tests/checkins/test_providers_smtp.py \
  --deselect tests/checkins/test_providers_settings.py --deselect tests/checkins/test_consent_migration.py \
  --deselect tests/checkins/test_demo_languages.py \
  --deselect tests/adherence/test_sessions_demo.py \
  --deselect tests/adherence/test_dashboard.py::test_dashboard_and_audits_run_the_same_queries_for_10_and_200_patients \
  --deselect tests/adherence/test_report.py::test_report_for_a_caregiver_needs_the_patients_consent \
  --deselect tests/adherence/test_report.py::test_pdf_report_renders_for_a_demo_patient

test: lint compile-messages
	$(SERVICES) sh -c '\
	  DJANGO_SETTINGS_MODULE=rehabcare.settings.test python manage.py makemigrations --check --dry-run && \
	  pytest $(PYTEST_ARGS) && \
	  for clock in $(CLOCKS); do \
	    echo "== the date-sensitive tests again, the clock moved to $$clock" && \
	    pytest -q -n $(CLOCK_WORKERS) --clock=$$clock $(CLOCK_TESTS) || exit 1; \
	  done'

# The unit tier, in parallel: every test but the browser's, the slow ones (pytest.ini: slow), those that start real processes (worker, beat,
# manage.py, pg_dump, a live server), the faults and the benchmark; no lint. Each pytest-xdist worker has
# its own test database (test_rehabcare_gw0, ...), kept between runs here (--reuse-db; new migrations are
# still applied) but not under CI (CI=true). `make test-fast WORKERS=4`, `make test-fast PYTEST_ARGS=--lf`.
UNIT_TIER := not browser and not process and not faults and not bench and not slow
WORKERS ?= auto
REUSE_DB := $(if $(filter true,$(CI)),,--reuse-db)
test-fast: venv compile-messages
	$(SERVICES) pytest -n $(WORKERS) $(REUSE_DB) -m "$(UNIT_TIER)" $(PYTEST_ARGS)

# The clinic-network benchmark: SCALE=1.0 is 100,000 patients (generated once, then reused).
SCALE ?= 1.0
# wrk, the load generator of its comparison with a bare Django floor, and HAProxy, the balancer in front of
# two web nodes (benchmarks/scaleout.py), come from Debian when missing.
bench: venv
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy)
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

# Translations (locale/): `make messages` finds every marked string anew (needs GNU gettext's xgettext),
# then translate the new and fuzzy entries of locale/pl/LC_MESSAGES/*.po; compile-messages (polib, no
# gettext needed) makes the .mo files that run and test read.
MESSAGES_IGNORE := --ignore=.venv --ignore=.data --ignore=staticfiles --ignore=test-artifacts \
  --ignore=node_modules --ignore=benchmarks --ignore=tests --ignore=static/vendor
messages: venv
	$(PY) manage.py makemessages -l pl --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages -l pl -d djangojs --no-obsolete $(MESSAGES_IGNORE)
	$(PY) scripts/compile_messages.py

compile-messages: venv
	$(PY) scripts/compile_messages.py
