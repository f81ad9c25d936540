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

# Measure the offline analyst on every committed case (world 1), then on worlds 2 to 107,
# written apart from the first generator and each other, generated here (deterministic per seed).
eval: $(BASE)
	$(BIN)/oncall eval fixtures/demo fixtures/scenarios
	rm -rf build/world2 && $(BIN)/oncall scenarios generate build/world2 --world 2 --seed 2
	$(BIN)/oncall eval build/world2
	rm -rf build/world3 && $(BIN)/oncall scenarios generate build/world3 --world 3 --seed 2
	$(BIN)/oncall eval build/world3
	rm -rf build/world4 && $(BIN)/oncall scenarios generate build/world4 --world 4 --seed 3
	$(BIN)/oncall eval build/world4
	rm -rf build/world5 && $(BIN)/oncall scenarios generate build/world5 --world 5 --seed 2
	$(BIN)/oncall eval build/world5
	rm -rf build/world6 && $(BIN)/oncall scenarios generate build/world6 --world 6 --seed 3
	$(BIN)/oncall eval build/world6
	rm -rf build/world7 && $(BIN)/oncall scenarios generate build/world7 --world 7 --seed 3
	$(BIN)/oncall eval build/world7
	rm -rf build/world8 && $(BIN)/oncall scenarios generate build/world8 --world 8 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world8
	rm -rf build/world9 && $(BIN)/oncall scenarios generate build/world9 --world 9 --seed 3
	$(BIN)/oncall eval build/world9
	rm -rf build/world10 && $(BIN)/oncall scenarios generate build/world10 --world 10 --seed 3
	$(BIN)/oncall eval build/world10
	rm -rf build/world11 && $(BIN)/oncall scenarios generate build/world11 --world 11 --seed 4 --per-family 8
	$(BIN)/oncall eval build/world11
	rm -rf build/world12 && $(BIN)/oncall scenarios generate build/world12 --world 12 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world12
	rm -rf build/world13 && $(BIN)/oncall scenarios generate build/world13 --world 13 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world13
	rm -rf build/world14 && $(BIN)/oncall scenarios generate build/world14 --world 14 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world14
	rm -rf build/world15 && $(BIN)/oncall scenarios generate build/world15 --world 15 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world15
	rm -rf build/world16 && $(BIN)/oncall scenarios generate build/world16 --world 16 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world16
	rm -rf build/world17 && $(BIN)/oncall scenarios generate build/world17 --world 17 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world17
	rm -rf build/world18 && $(BIN)/oncall scenarios generate build/world18 --world 18 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world18
	rm -rf build/world19 && $(BIN)/oncall scenarios generate build/world19 --world 19 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world19
	rm -rf build/world20 && $(BIN)/oncall scenarios generate build/world20 --world 20 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world20
	rm -rf build/world21 && $(BIN)/oncall scenarios generate build/world21 --world 21 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world21
	rm -rf build/world22 && $(BIN)/oncall scenarios generate build/world22 --world 22 --seed 4 --per-family 12
	$(BIN)/oncall eval build/world22
	rm -rf build/world23 && $(BIN)/oncall scenarios generate build/world23 --world 23 --seed 4 --per-family 8
	$(BIN)/oncall eval build/world23
	rm -rf build/world24 && $(BIN)/oncall scenarios generate build/world24 --world 24 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world24
	rm -rf build/world25 && $(BIN)/oncall scenarios generate build/world25 --world 25 --seed 4 --per-family 8
	$(BIN)/oncall eval build/world25
	rm -rf build/world26 && $(BIN)/oncall scenarios generate build/world26 --world 26 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world26
	rm -rf build/world27 && $(BIN)/oncall scenarios generate build/world27 --world 27 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world27
	rm -rf build/world28 && $(BIN)/oncall scenarios generate build/world28 --world 28 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world28
	rm -rf build/world29 && $(BIN)/oncall scenarios generate build/world29 --world 29 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world29
	rm -rf build/world30 && $(BIN)/oncall scenarios generate build/world30 --world 30 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world30
	rm -rf build/world31 && $(BIN)/oncall scenarios generate build/world31 --world 31 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world31
	rm -rf build/world32 && $(BIN)/oncall scenarios generate build/world32 --world 32 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world32
	rm -rf build/world33 && $(BIN)/oncall scenarios generate build/world33 --world 33 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world33
	rm -rf build/world34 && $(BIN)/oncall scenarios generate build/world34 --world 34 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world34
	rm -rf build/world35 && $(BIN)/oncall scenarios generate build/world35 --world 35 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world35
	rm -rf build/world36 && $(BIN)/oncall scenarios generate build/world36 --world 36 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world36
	rm -rf build/world37 && $(BIN)/oncall scenarios generate build/world37 --world 37 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world37
	rm -rf build/world38 && $(BIN)/oncall scenarios generate build/world38 --world 38 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world38
	rm -rf build/world39 && $(BIN)/oncall scenarios generate build/world39 --world 39 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world39
	rm -rf build/world40 && $(BIN)/oncall scenarios generate build/world40 --world 40 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world40
	rm -rf build/world41 && $(BIN)/oncall scenarios generate build/world41 --world 41 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world41
	rm -rf build/world42 && $(BIN)/oncall scenarios generate build/world42 --world 42 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world42
	rm -rf build/world43 && $(BIN)/oncall scenarios generate build/world43 --world 43 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world43
	rm -rf build/world44 && $(BIN)/oncall scenarios generate build/world44 --world 44 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world44
	rm -rf build/world45 && $(BIN)/oncall scenarios generate build/world45 --world 45 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world45
	rm -rf build/world46 && $(BIN)/oncall scenarios generate build/world46 --world 46 --seed 3 --per-family 8
	$(BIN)/oncall eval build/world46
	rm -rf build/world47 && $(BIN)/oncall scenarios generate build/world47 --world 47 --seed 4 --per-family 8
	$(BIN)/oncall eval build/world47
	rm -rf build/world48 && $(BIN)/oncall scenarios generate build/world48 --world 48 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world48
	rm -rf build/world49 && $(BIN)/oncall scenarios generate build/world49 --world 49 --seed 6 --per-family 8
	$(BIN)/oncall eval build/world49
	rm -rf build/world50 && $(BIN)/oncall scenarios generate build/world50 --world 50 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world50
	rm -rf build/world51 && $(BIN)/oncall scenarios generate build/world51 --world 51 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world51
	rm -rf build/world52 && $(BIN)/oncall scenarios generate build/world52 --world 52 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world52
	rm -rf build/world53 && $(BIN)/oncall scenarios generate build/world53 --world 53 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world53
	rm -rf build/world54 && $(BIN)/oncall scenarios generate build/world54 --world 54 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world54
	rm -rf build/world55 && $(BIN)/oncall scenarios generate build/world55 --world 55 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world55
	rm -rf build/world56 && $(BIN)/oncall scenarios generate build/world56 --world 56 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world56
	rm -rf build/world57 && $(BIN)/oncall scenarios generate build/world57 --world 57 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world57
	rm -rf build/world58 && $(BIN)/oncall scenarios generate build/world58 --world 58 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world58
	rm -rf build/world59 && $(BIN)/oncall scenarios generate build/world59 --world 59 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world59
	rm -rf build/world60 && $(BIN)/oncall scenarios generate build/world60 --world 60 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world60
	rm -rf build/world61 && $(BIN)/oncall scenarios generate build/world61 --world 61 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world61
	rm -rf build/world62 && $(BIN)/oncall scenarios generate build/world62 --world 62 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world62
	rm -rf build/world63 && $(BIN)/oncall scenarios generate build/world63 --world 63 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world63
	rm -rf build/world64 && $(BIN)/oncall scenarios generate build/world64 --world 64 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world64
	rm -rf build/world65 && $(BIN)/oncall scenarios generate build/world65 --world 65 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world65
	rm -rf build/world66 && $(BIN)/oncall scenarios generate build/world66 --world 66 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world66
	rm -rf build/world67 && $(BIN)/oncall scenarios generate build/world67 --world 67 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world67
	rm -rf build/world68 && $(BIN)/oncall scenarios generate build/world68 --world 68 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world68
	rm -rf build/world69 && $(BIN)/oncall scenarios generate build/world69 --world 69 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world69
	rm -rf build/world70 && $(BIN)/oncall scenarios generate build/world70 --world 70 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world70
	rm -rf build/world71 && $(BIN)/oncall scenarios generate build/world71 --world 71 --seed 9 --per-family 8
	$(BIN)/oncall eval build/world71
	rm -rf build/world72 && $(BIN)/oncall scenarios generate build/world72 --world 72 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world72
	rm -rf build/world73 && $(BIN)/oncall scenarios generate build/world73 --world 73 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world73
	rm -rf build/world74 && $(BIN)/oncall scenarios generate build/world74 --world 74 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world74
	rm -rf build/world75 && $(BIN)/oncall scenarios generate build/world75 --world 75 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world75
	rm -rf build/world76 && $(BIN)/oncall scenarios generate build/world76 --world 76 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world76
	rm -rf build/world77 && $(BIN)/oncall scenarios generate build/world77 --world 77 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world77
	rm -rf build/world78 && $(BIN)/oncall scenarios generate build/world78 --world 78 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world78
	rm -rf build/world79 && $(BIN)/oncall scenarios generate build/world79 --world 79 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world79
	rm -rf build/world80 && $(BIN)/oncall scenarios generate build/world80 --world 80 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world80
	rm -rf build/world81 && $(BIN)/oncall scenarios generate build/world81 --world 81 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world81
	rm -rf build/world82 && $(BIN)/oncall scenarios generate build/world82 --world 82 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world82
	rm -rf build/world83 && $(BIN)/oncall scenarios generate build/world83 --world 83 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world83
	rm -rf build/world84 && $(BIN)/oncall scenarios generate build/world84 --world 84 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world84
	rm -rf build/world85 && $(BIN)/oncall scenarios generate build/world85 --world 85 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world85
	rm -rf build/world86 && $(BIN)/oncall scenarios generate build/world86 --world 86 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world86
	rm -rf build/world87 && $(BIN)/oncall scenarios generate build/world87 --world 87 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world87
	rm -rf build/world88 && $(BIN)/oncall scenarios generate build/world88 --world 88 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world88
	rm -rf build/world89 && $(BIN)/oncall scenarios generate build/world89 --world 89 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world89
	rm -rf build/world90 && $(BIN)/oncall scenarios generate build/world90 --world 90 --seed 5 --per-family 8
	$(BIN)/oncall eval build/world90
	rm -rf build/world91 && $(BIN)/oncall scenarios generate build/world91 --world 91 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world91
	rm -rf build/world92 && $(BIN)/oncall scenarios generate build/world92 --world 92 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world92
	rm -rf build/world93 && $(BIN)/oncall scenarios generate build/world93 --world 93 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world93
	rm -rf build/world94 && $(BIN)/oncall scenarios generate build/world94 --world 94 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world94
	rm -rf build/world95 && $(BIN)/oncall scenarios generate build/world95 --world 95 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world95
	rm -rf build/world96 && $(BIN)/oncall scenarios generate build/world96 --world 96 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world96
	rm -rf build/world97 && $(BIN)/oncall scenarios generate build/world97 --world 97 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world97
	rm -rf build/world98 && $(BIN)/oncall scenarios generate build/world98 --world 98 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world98
	rm -rf build/world99 && $(BIN)/oncall scenarios generate build/world99 --world 99 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world99
	rm -rf build/world100 && $(BIN)/oncall scenarios generate build/world100 --world 100 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world100
	rm -rf build/world101 && $(BIN)/oncall scenarios generate build/world101 --world 101 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world101
	rm -rf build/world102 && $(BIN)/oncall scenarios generate build/world102 --world 102 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world102
	rm -rf build/world103 && $(BIN)/oncall scenarios generate build/world103 --world 103 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world103
	rm -rf build/world104 && $(BIN)/oncall scenarios generate build/world104 --world 104 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world104
	rm -rf build/world105 && $(BIN)/oncall scenarios generate build/world105 --world 105 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world105
	rm -rf build/world106 && $(BIN)/oncall scenarios generate build/world106 --world 106 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world106
	rm -rf build/world107 && $(BIN)/oncall scenarios generate build/world107 --world 107 --seed 7 --per-family 8
	$(BIN)/oncall eval build/world107

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
