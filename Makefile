# Two commands for a new machine: `make demo` and `make test`.
# Both bootstrap .venv from requirements/constraints.txt first and are quick when it is current.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip
# Never let a requirement pull a CUDA torch build: the CPU wheel is pinned in the constraints.
PIP_FLAGS := --disable-pip-version-check --progress-bar off -c requirements/constraints.txt

.PHONY: demo test lint typecheck unit bench clean setup

setup: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check --progress-bar off "pip==26.3"

$(STAMP): $(VENV)/bin/python pyproject.toml requirements/constraints.txt
	$(PIP) install $(PIP_FLAGS) torch==2.13.0
	$(PIP) install $(PIP_FLAGS) -e ".[dev]"
	$(BIN)/python -c "import torch, numpy; assert torch.__version__.startswith('2.13.0'), torch.__version__; assert numpy.__version__ == '1.26.4'"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/silkgate demo

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks/*.py)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks/*.py)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) .silkgate .pytest_cache .mypy_cache .ruff_cache
