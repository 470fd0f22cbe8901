# Two commands: `make demo` and `make test`. Each sets up everything it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench sample clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[postgres,mysql,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/portal demo

test: $(STAMP)
	$(BIN)/ruff check publisher plugins tests scripts pelicanconf.py
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check publisher plugins tests scripts pelicanconf.py

# Regenerate the bundled sample data (files and the SQLite database built from them).
sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py

clean:
	rm -rf $(VENV) output .portal
