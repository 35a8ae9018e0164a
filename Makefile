# The two commands a newcomer needs: `make dev` (run the platform locally) and `make test` (everything CI runs).
SHELL := /bin/bash
# Python 3.12, as the Lambda runtime (python3.12: Amazon Linux 2023). pyenv's shim only answers when
# 3.12 is selected, so look for an interpreter that actually runs.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= embedded
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: dev up down status test lint checks unit integration functions e2e bench install system-deps openapi clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12, or apt-get install python3.12) or pass PYTHON=/path/to/python3.12" >&2; exit 1; }
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# Java and Maven build Kafka and OpenSearch (PROFILE=full and the tests); installed when missing.
system-deps:
	@bash localstack/install-system-deps.sh

dev: install
	@if [ "$(PROFILE)" = full ]; then $(MAKE) --no-print-directory system-deps; fi
	$(BIN)/algoarts local run --profile $(PROFILE)

up: install
	$(BIN)/algoarts local up --profile $(PROFILE)
down:
	$(BIN)/algoarts local down
status:
	$(BIN)/algoarts local status

openapi: install
	$(BIN)/algoarts openapi --write
	$(BIN)/algoarts asyncapi --write
	$(BIN)/algoarts functions-table --write

test: install system-deps
	@bash tests/run_tiers.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared localstack/localcloud ops/algoarts_ops functions tests

checks: install
	@bash tests/checks/run_checks.sh

unit integration functions e2e: install
	$(BIN)/pytest tests/$@ -q

bench: install
	@for f in tests/benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	-$(BIN)/algoarts local down
	rm -rf .state .aws-sam
