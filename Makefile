# Every target builds .venv from pyproject.toml by itself when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench conformance hinges clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sim run-all

test: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/python -m pytest -W error -q

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks

hinges: $(STAMP)
	$(BIN)/sim hinges scenarios/uncertainty.toml

bench: $(STAMP)
	$(BIN)/python -m benchmarks

conformance: $(STAMP)
	$(BIN)/python -m sim.xmile.conformance; x=$$?; $(BIN)/python -m sim.vensim.conformance; \
	v=$$?; exit $$((x || v))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
