# Two commands: `make demo` and `make test`. Each sets up everything it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Not in git (node_modules/ is ignored, axe-core's files aside): a fresh clone always runs npm ci once.
NPM := tests/browser/node_modules/.installed
SYSTEM := $(VENV)/.system-packages

.PHONY: demo demo-unified test lint bench bench-scale bench-search-scale sample clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[postgres,mysql,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/portal demo

# Three sample agencies published in a temporary folder, and the unified platform gathered from them (issue 19).
demo-unified: $(STAMP)
	$(BIN)/portal demo --unified

# Chromium, CJK fonts and cairo from Debian (installed when missing; see the script).
$(SYSTEM): scripts/install-system-packages.sh | $(STAMP)
	scripts/install-system-packages.sh
	touch $(SYSTEM)

# axe-core and Lighthouse from the npm registry, for the browser tests (and Lighthouse for make bench).
$(NPM): tests/browser/package.json tests/browser/package-lock.json | $(SYSTEM)
	cd tests/browser && npm ci --no-audit --no-fund
	touch $(NPM)

test: $(STAMP) $(SYSTEM) $(NPM)
	$(BIN)/ruff check publisher plugins tests scripts bench pelicanconf.py
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check publisher plugins tests scripts bench pelicanconf.py

# Time pull, build and publish on synthetic records, next to plain Pelican and Hugo on the same records, with
# ratios (bench/README.md; Hugo from Debian's package, installed by the bench when missing); about 25 minutes.
bench: $(STAMP) $(SYSTEM) $(NPM)
	$(BIN)/python -m bench.run --counts 1000,20000
	$(BIN)/python -m bench.search_bench   # search: build time, index size, p50/p95, static bytes
	$(BIN)/python -m bench.lighthouse     # Lighthouse's four scores on home, a list, a decision, search

# The same at 100k records, then the republish without the static search fallback (about 40 minutes).
bench-scale: $(STAMP)
	$(BIN)/python -m bench.run --counts 100000 --repeat 1
	$(BIN)/python -m bench.run --counts 100000 --repeat 1 --only-publish --no-static

# Search at province scale: tantivy at 1k to 1M records, the static fallback at 100k (about 20 minutes).
bench-search-scale: $(STAMP)
	$(BIN)/python -m bench.search_scale --counts 1000 20000 200000 1000000 --static 100000

# Regenerate the bundled sample data (files and the SQLite database built from them).
sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py

clean:
	rm -rf $(VENV) output .portal tests/browser/node_modules
