# PMLE Cards: `make run` to study locally, `make test` to run the whole suite. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development and tests run with these unless the environment says otherwise. The tests' key is made afresh
# for each run: a key written in the repository is refused by any server started with DJANGO_DEBUG off.
export DJANGO_DEBUG ?= 1
TEST_KEY := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$(TEST_KEY)

.PHONY: run test test-browser test-postgres lint format bench mutate clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_pmle
	$(BIN)/python manage.py load_questions
	$(BIN)/python manage.py create_demo_user
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest -m "not browser and not postgres" -q

# The suite against PostgreSQL; DATABASE_URL names a database the test runner may create a test_ copy of.
test-postgres: $(BIN)/.installed-dev
	$(TEST_ENV) DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pmle} $(BIN)/pytest -m "not browser" -q

# Needs Chromium at /usr/bin/chromium (apt-get install -y chromium).
test-browser: $(BIN)/.installed-dev
	$(TEST_ENV) $(BIN)/pytest -m browser -q

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(BIN)/.installed-bench: requirements-bench.txt $(BIN)/.installed-dev
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@

# Benchmarks print figures (they are not tests): issue 13's table (hello vs the app under gunicorn with wrk, the
# in-process loop vs Anki's backend, page weight) on SQLite, and on PostgreSQL when one answers on 127.0.0.1:5432;
# then one learner's pages on a small and a large site (each database), and the dashboards with 100,000 reviews.
# wrk comes from apt when it is missing (as root).
BENCH_DATABASES ?= $(shell pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && echo sqlite,postgres || echo sqlite)
bench: $(BIN)/.installed-bench
	command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
	$(BIN)/python scripts/bench.py --database $(BENCH_DATABASES)
	$(TEST_ENV) $(BIN)/python scripts/bench_scale.py
	case $(BENCH_DATABASES) in *postgres*) $(TEST_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
		$(BIN)/python scripts/bench_scale.py;; esac
	$(TEST_ENV) $(BIN)/python scripts/bench_dashboard.py

# Mutation testing, not part of `test`: mutmut breaks sm2, studyday, reviews, access and the stats modules one change at a time,
# runs only the tests that call the changed function ([tool.mutmut] in pyproject.toml), then prints each module's
# score. Survivors are killed by a test or listed in docs/mutants.md. About 2,760 mutants: 21 minutes on 2 idle
# cores. Run it on a quiet machine: a timeout counts as a kill, and a loaded machine times out more.
mutate: $(BIN)/.installed-dev
	rm -rf mutants
	$(TEST_ENV) $(BIN)/mutmut run --max-children 2
	$(BIN)/python scripts/mutate.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache mutants
