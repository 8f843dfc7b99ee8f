# The two commands of the README: `make run` (the app) and `make test` (the tests).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run test lint bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m app seed-demo
	$(PY) -m app serve

lint: install
	$(PY) -m ruff check .

# Everything once with the OSS simulator, then the integration suite again in the assisted
# (operator) mode; tests that make sense in one mode only are skipped in the other's pass.
test: lint
	JBM_TEST_OSS_MODE=simulator $(PY) -m pytest
	JBM_TEST_OSS_MODE=assisted $(PY) -m pytest tests/integration

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done
