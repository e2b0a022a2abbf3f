# Two commands do everything on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system test demo accuracy bench clean

# Reinstall only when the dependency pins change.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	@touch $(STAMP)

system:
	@bash scripts/install-system.sh

install: $(STAMP) system

test: install
	$(BIN)/python -m pytest

# Generated and real fixtures, reported separately; EXTRA="dir1 dir2" adds real labelled dirs.
accuracy: install
	$(BIN)/python -m bench.accuracy $(foreach d,$(EXTRA),--extra $(d))

bench: install
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.attachments
	$(BIN)/python -m bench.archive
	$(BIN)/python -m bench.crawl

demo: install
	@bash scripts/demo.sh

clean:
	rm -rf $(VENV) demo.db .pytest_cache
