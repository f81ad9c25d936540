# Every target builds the virtual environment first, from the lock files, so a
# fresh machine gets the versions we tested. `demo` needs only the base lock;
# `test` adds the test tools and every optional backend stack.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE   := $(VENV)/.base-installed
DEV    := $(VENV)/.dev-installed

.PHONY: demo test lint bench bytecode lock image-lock dist docs fixtures scenarios eval package clean

# A stamp, not $(BIN)/python: that is a symlink whose (old) target time would make it always stale.
$(VENV)/.created: requirements/build.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements/build.lock
	touch $@

$(BASE): $(VENV)/.created requirements/base.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(MAKE) --no-print-directory bytecode
	touch $@

# The project's modules compiled ahead, as installing a wheel compiles them: where the environment says
# not to write bytecode (PYTHONDONTWRITEBYTECODE), an editable install would otherwise compile some four
# hundred modules again at every command's start, a third of a second each time. Sources edited later
# are compiled again when read, as ever; `bench` compiles first, so that it measures what a user runs.
bytecode: $(VENV)/.created
	$(BIN)/python -m compileall -q oncall > /dev/null

$(DEV): $(BASE) requirements/dev.lock
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@

demo: $(BASE)
	$(BIN)/oncall investigate fixtures/demo

test: $(DEV)
	$(BIN)/python -m pytest

lint: $(DEV)
	$(BIN)/ruff check oncall tests
	$(BIN)/ruff format --check oncall tests
	$(BIN)/mypy

bench: $(DEV) bytecode
	$(BIN)/python -m tests.bench

# Regenerate the demo bundle (deterministic: the same bytes every time).
fixtures: $(BASE)
	$(BIN)/python fixtures/make_demo.py

# Regenerate the committed evaluation cases (deterministic per seed: the same bytes every time).
scenarios: $(BASE)
	rm -rf fixtures/scenarios
	$(BIN)/oncall scenarios generate fixtures/scenarios --seed 1

# Measure the offline analyst on every committed case (world 1), then on worlds 2 to 109,
# written apart from the first generator and each other, generated here (deterministic per seed).
# Each world at the seed no rule was shaped on: world:seed, and :N where it is generated with --per-family N
EVAL_WORLDS := 2:2 3:2 4:3 5:2 6:3 7:3 8:3:8 9:3 10:3 11:4:8 12:5:8 13:3:8 14:3:8 15:3:8 16:3:8 17:3:8 18:3:8 \
               19:5:8 20:3:8 21:3:8 22:4:12 23:4:8 24:3:8 25:4:8 26:3:8 27:3:8 28:3:8 29:3:8 30:3:8 31:3:8 32:3:8 \
               33:3:8 34:3:8 35:3:8 36:3:8 37:3:8 38:3:8 39:3:8 40:3:8 41:3:8 42:3:8 43:3:8 44:3:8 45:3:8 46:3:8 \
               47:4:8 48:5:8 49:6:8 50:5:8 51:5:8 52:5:8 53:5:8 54:5:8 55:7:8 56:5:8 57:5:8 58:5:8 59:5:8 60:5:8 \
               61:5:8 62:5:8 63:5:8 64:5:8 65:5:8 66:5:8 67:5:8 68:5:8 69:5:8 70:5:8 71:9:8 72:5:8 73:5:8 74:5:8 \
               75:5:8 76:7:8 77:5:8 78:5:8 79:5:8 80:5:8 81:5:8 82:5:8 83:5:8 84:5:8 85:5:8 86:5:8 87:7:8 88:5:8 \
               89:5:8 90:5:8 91:7:8 92:7:8 93:7:8 94:7:8 95:7:8 96:7:8 97:7:8 98:7:8 99:7:8 100:7:8 101:7:8 102:7:8 \
               103:7:8 104:7:8 105:7:8 106:7:8 107:7:8 108:7:8 109:7:8

eval: $(BASE)
	$(BIN)/oncall eval fixtures/demo fixtures/scenarios
	@set -e; for spec in $(EVAL_WORLDS); do \
	  w=$${spec%%:*}; rest=$${spec#*:}; seed=$${rest%%:*}; fam=; \
	  [ "$$rest" = "$$seed" ] || fam="--per-family $${rest#*:}"; \
	  echo "rm -rf build/world$$w && oncall scenarios generate build/world$$w --world $$w --seed $$seed $$fam"; \
	  rm -rf build/world$$w && $(BIN)/oncall scenarios generate build/world$$w --world $$w --seed $$seed $$fam; \
	  echo "oncall eval build/world$$w"; $(BIN)/oncall eval build/world$$w; \
	done

# The Lambda deployment zip (template.yaml's CodeUri is build/package/): requirements/lambda.omit
# lists what is left out (the runtime's boto3; what only `oncall serve` uses); nothing from fixtures/.
LAMBDA_OMIT := $(shell grep -v '^\#' requirements/lambda.omit)
package: $(BASE)
	rm -rf build/package build/oncall-copilot-lambda.zip
	$(BIN)/pip install --quiet --target build/package -r requirements/lambda.lock
	cd build/package && for p in $(LAMBDA_OMIT); do rm -rf $$p $$p-*.dist-info; done
	cp -r oncall build/package/
	find build/package -name __pycache__ -prune -exec rm -rf {} +
	cd build/package && $(CURDIR)/$(BIN)/python -m zipfile -c ../oncall-copilot-lambda.zip .
	@du -h build/oncall-copilot-lambda.zip

# Re-resolve the pins (needs uv on the PATH); commit the result.
lock:
	uv pip compile requirements/build.in -o requirements/build.lock --python-version 3.11 --no-header
	uv pip compile pyproject.toml -o requirements/base.lock --python-version 3.11 --no-header
	uv pip compile pyproject.toml --all-extras -o requirements/dev.lock --python-version 3.11 --no-header
	uv pip compile pyproject.toml --extra lambda -o requirements/lambda.lock --python-version 3.11 --no-header

# The configuration reference, generated from the settings models (a test checks it is current).
docs: $(BASE)
	$(BIN)/python -m oncall.estate.reference > docs/configuration.md

# The container image's lock, with a sha256 per file (the Dockerfile installs with --require-hashes).
image-lock: $(BASE)
	$(BIN)/python requirements/hash_lock.py 2>/dev/null

# A wheel and an sdist in dist/, to install where the package is not on PyPI:
# pip install dist/oncall_copilot-*.whl (or pip install 'git+https://.../oncall-copilot.git').
dist: $(BASE)
	rm -rf dist && $(BIN)/pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@ls dist

clean:
	rm -rf $(VENV) build *.egg-info
