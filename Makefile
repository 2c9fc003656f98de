# Lokapasar — the two commands a newcomer needs:
#   make run    set everything up and serve the demo on http://127.0.0.1:8000
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint contracts typecheck format messages worker beat serve clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	bash scripts/test.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import contracts in pyproject.toml: the apps' layers and who may use whose models.
contracts: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports

# Types of the services, selectors and the pure policy (files listed in pyproject.toml).
typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compile_translations

# The real stack (set DATABASE_URL and REDIS_URL first, see README).
serve: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	DEBUG=$${DEBUG:-0} $(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn marketplace.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3}

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace worker --loglevel=INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean:
	rm -rf var/static var/test-artifacts
