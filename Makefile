# The Makefile only bootstraps .venv; every real step is an invoke task in tasks.py.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := pyproject.toml constraints.txt

.PHONY: site test serve clean venv

site: $(VENV)/.site
	$(BIN)/invoke build
	@echo
	@echo "The site is in output/. View it with:  make serve  ->  http://127.0.0.1:8000/"

test: $(VENV)/.test node_modules/.installed
	$(BIN)/invoke test

serve: $(VENV)/.site
	$(BIN)/invoke serve

clean:
	rm -rf $(VENV) output .build cache node_modules

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.site: $(VENV)/bin/python $(DEPS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $@

# The test suite's Node tools (the Nu HTML checker), exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(VENV)/.test: $(VENV)/bin/python $(DEPS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.site
