# The Makefile only bootstraps .venv; every real step is an invoke task in tasks.py.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := pyproject.toml constraints.txt

.PHONY: site test tools serve clean system-tools

site: $(VENV)/.site
	$(BIN)/invoke build
	@echo
	@echo "The site is in output/. View it with:  make serve  ->  http://127.0.0.1:8000/"

test: tools $(VENV)/.test
	$(BIN)/invoke test
	@# A smoke run of the benchmark: every scenario at 1,000 op-eds, checked against a cold
	@# build; its times are printed, never asserted. The report goes to a temporary folder.
	$(BIN)/invoke bench --articles 1000 --verify --report "$${TMPDIR:-/tmp}/opeds-bench-1000.json"

# What invoke check and invoke publish need beyond `make site`: the system tools and the
# npm checkers. (Both tasks also run npm ci themselves when npm is there.)
tools: system-tools node_modules/.installed

# Debian packages the checks and publish targets need: Chromium (browser tests, axe), Java
# (Nu checker), npm, rsync, git. Installed when this runs as root with apt-get; otherwise
# make stops and says what to install.
SYSTEM_TOOLS := chromium:chromium java:default-jre-headless npm:npm rsync:rsync git:git
system-tools:
	@for need in $(SYSTEM_TOOLS); do \
	  cmd=$${need%%:*}; pkg=$${need#*:}; \
	  command -v $$cmd >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $$pkg (for $$cmd)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null \
	      || { echo "could not install $$pkg: run  sudo apt-get install $$pkg" >&2; exit 1; }; \
	  else \
	    echo "the checks need $$cmd: run  sudo apt-get install $$pkg" >&2; exit 1; \
	  fi; \
	done

serve: $(VENV)/.site
	$(BIN)/invoke serve

clean:
	rm -rf $(VENV) output .output.new .output.old .publish .publish.new .publish.old cache node_modules

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The project's own modules compiled once, as pip compiles an installed package's: with
# PYTHONDONTWRITEBYTECODE set, Python would compile them again in every build.
$(VENV)/.site: $(VENV)/bin/python $(DEPS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	$(BIN)/python -m compileall -q opeds tasks.py
	touch $@

# The checkers' Node packages (Nu HTML checker, axe-core), exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(VENV)/.test: $(VENV)/bin/python $(DEPS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m compileall -q opeds tasks.py
	touch $@ $(VENV)/.site
