# Two commands a new user needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run seed test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the dependency set changes; constraints.txt pins what CI tested.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# GraphiQL's scripts, served by the API itself; without npm the page falls back to a CDN.
GRAPHIQL := graph/graphiql_assets
$(GRAPHIQL)/node_modules/.installed: $(GRAPHIQL)/package-lock.json
	@if ! command -v npm >/dev/null; then \
		echo "npm not found: GraphiQL will load its scripts from unpkg.com"; \
	elif npm ci --prefix $(GRAPHIQL) --no-audit --no-fund --ignore-scripts --loglevel=error; then \
		touch $@; \
	else echo "npm ci failed: GraphiQL will load its scripts from unpkg.com"; fi

install: $(STAMP) $(GRAPHIQL)/node_modules/.installed

run: install
	$(BIN)/board run

seed: install
	$(BIN)/board seed

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench $(SCENARIOS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
