# Lokapasar — the two commands a newcomer needs:
#   make run    set everything up and serve the demo on http://127.0.0.1:8000
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PROXY_HOST ?= 127.0.0.1
PROXY_PORT ?= 8080
NGINX ?= nginx

.PHONY: run setup test lint contracts typecheck format messages worker beat serve serve-proxy clean

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

# `make serve` behind an unprivileged nginx (Debian's package) that serves /media/ and
# /static/ and proxies the rest: the production path on one machine (README).
serve-proxy: $(VENV)/.installed
	mkdir -p var/nginx
	DEBUG=$${DEBUG:-0} $(PY) manage.py proxy_config --standalone var/nginx \
		--listen $(PROXY_HOST):$(PROXY_PORT) --upstream $(HOST):$(PORT) > var/nginx/nginx.conf
	$(NGINX) -t -q -p var/nginx -c $(CURDIR)/var/nginx/nginx.conf
	$(NGINX) -p var/nginx -c $(CURDIR)/var/nginx/nginx.conf & nginx_pid=$$!; \
		trap 'kill $$nginx_pid' EXIT INT TERM; $(MAKE) serve

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace worker --loglevel=INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean:
	rm -rf var/static var/test-artifacts
