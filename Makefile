# `make run` (set up and serve the demo), `make test` (the whole suite), `make check` (the CI gates).
# Every target installs from the hashed lock (requirements/lock.txt); `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt

.PHONY: run test check lint format-check types migrations-check imports install lock migrate demo serve bench clean

# The lock pins every package (pip and setuptools included) with its hashes; the project itself is then
# installed without dependencies and without build isolation, so nothing unpinned is fetched.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Re-resolve pyproject.toml's ranges (newest versions that fit) into the lock, for Python 3.11 on Linux.
# Upgrade one package only: make lock LOCK_ARGS='--upgrade-package django'
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra pdf --extra test --extra dev $(LOCK_ARGS) -o $(LOCK) pyproject.toml

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

# Spread over the machine's cores (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The gates CI runs before the tests. Each runs even when an earlier one failed, so one run lists every
# problem; the target fails if any did.
check: install
	@failed=""; \
	for gate in lint format-check types migrations-check imports; do \
		echo "== $$gate"; \
		$(MAKE) --no-print-directory $$gate || failed="$$failed $$gate"; \
	done; \
	if [ -n "$$failed" ]; then echo "make check: failed:$$failed"; exit 1; fi; \
	echo "make check: all gates passed"

lint: install
	$(BIN)/ruff check .

format-check: install
	$(BIN)/ruff format --check .

# The whole project (pyproject.toml's [tool.mypy]), then the pure core and the geography under --strict.
types: install
	$(BIN)/mypy
	$(BIN)/mypy --strict --no-warn-unused-configs -p indicators.analysis -p districts

# SQLite, so no server is needed: a model change without its migration fails here.
migrations-check: install
	DATABASE_URL= $(BIN)/python manage.py makemigrations --check --dry-run

imports: install
	$(BIN)/lint-imports

# Not part of `make test`: PostgreSQL at DATABASE_URL (default scorecard_bench on 127.0.0.1).
# SIZES=kent,region by default; add national (about 10 million values) when asked.
bench: install
	$(BIN)/python -m bench.run $(if $(SIZES),--sizes $(SIZES))

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
