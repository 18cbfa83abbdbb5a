# Two commands a new user needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install deploy-deps run seed test lint bench synth clean

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

# The tracing hot path compiled to C by mypyc, in place (setup.py says which modules and why);
# rebuilt whenever a tracing module changes, since a compiled module shadows its source (touched:
# an unchanged one is copied with its old time, and the tests compare times). Without
# a C compiler they stay Python and everything works the same.
NATIVE := $(VENV)/.native
$(NATIVE): setup.py $(wildcard tracing/*.py tracing/*/*.py) $(STAMP)
	@echo "compiling the tracing hot path (mypyc, about 40 seconds)"
	@rm -f tracing/*.so
	@if BOARD_NATIVE=1 $(BIN)/python setup.py -q build_ext --inplace >$(VENV)/native.log 2>&1; \
	then touch tracing/*.so $@; \
	else rm -f tracing/*.so; echo "not compiled (see $(VENV)/native.log): tracing runs as Python"; \
		touch $@; fi

install: $(STAMP) $(NATIVE) $(GRAPHIQL)/node_modules/.installed

# The CDK app's libraries (deploy extra, ~430 MB) need Node to run; without Node its tests skip,
# so they are installed only where `node` is found (CI has it).
DEPLOY_STAMP := $(VENV)/.deploy-installed
NODE := $(shell command -v node 2>/dev/null)

$(DEPLOY_STAMP): pyproject.toml constraints.txt | $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,deploy]'
	touch $@

deploy-deps: install $(if $(NODE),$(DEPLOY_STAMP))

run: install
	$(BIN)/board run

seed: install
	$(BIN)/board seed

test: deploy-deps
	$(BIN)/pytest

lint: deploy-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench $(SCENARIOS)

# CloudFormation templates of the AWS deployment (README: Deploy to AWS) into deploy/cdk.out/.
synth: $(DEPLOY_STAMP)
	CDK_OUTDIR=deploy/cdk.out $(BIN)/python -m deploy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build tracing/*.so
