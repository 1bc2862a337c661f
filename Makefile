# Two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup clean validators

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# DfE's validators pin pandas<2, so they live in their own environment, installed here and never at run time.
validators: $(STAMP)
	$(BIN)/python -m csc_scorecard.validators.environment install

demo: $(STAMP)
	$(BIN)/csc-scorecard demo --out demo-output

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: $(STAMP) validators
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .venv-validators demo-output .pytest_cache
