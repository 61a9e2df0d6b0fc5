# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)
	$(PY) ../shared/eval/score.py ../shared/eval/dev.yaml --cmd "$(VENV)/bin/guidance-bot ask --json -"

bench: $(STAMP)
	$(PY) bench/matching.py
	$(PY) bench/startup.py
	$(PY) bench/quality.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
