# Every target does its own set-up, so a fresh clone needs only `make site`
# or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.PHONY: install install-build site test bench fuzz golden clean

install: $(INSTALLED) $(NODE_INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --silent --no-audit --no-fund --ignore-scripts   # vnu-jar's would fetch a JDK: Debian's is used
	touch $@

# What the deploy needs: the build's own dependencies, no test tools.
install-build:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	npm ci --silent --no-audit --no-fund --omit=dev

site: install
	$(PY) -m generator build

test: install
	$(PY) -m pytest

fuzz: install
	HYPOTHESIS_PROFILE=long $(PY) -m pytest tests/test_transcript_fuzz.py tests/test_content_fuzz.py

golden: install
	$(PY) -m tests.golden refresh

clean:
	rm -rf _site .cache $(VENV) node_modules

# make bench BENCH_ARGS="--sizes 1000 --no-pagefind": see bench/run.py
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)
