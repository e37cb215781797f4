# Two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[pdf,test]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_users

# SQLite and Celery in eager mode: no servers needed. An empty variable means unset.
run: export DATABASE_URL ?=
run: export CELERY_BROKER_URL ?=
run: demo
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Not part of `make test`: PostgreSQL at DATABASE_URL (default scorecard_bench on 127.0.0.1).
# SIZES=kent,region by default; add national (about 10 million values) when asked.
bench: install
	$(BIN)/python -m bench.run $(if $(SIZES),--sizes $(SIZES))

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
