# `make site` and `make test` work from a fresh clone: they create .venv and install what is missing.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DIGEST := $(VENV)/bin/digest
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup site serve test lint typecheck unit system-deps bench train-cleaner clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The distribution was called "digest" before it became digest-ssg: drop the old name's install first
	@# (both install the `digest` command; removing the old one later would take the command with it).
	@$(PY) -m pip uninstall --quiet --yes digest 2>/dev/null || true
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests drive: Chromium (browser tests), Java (Nu HTML Checker), git (deploys).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v git >/dev/null 2>&1 || missing="$$missing git"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

site: setup
	$(DIGEST) build

serve: setup
	$(DIGEST) serve

lint: setup
	$(VENV)/bin/ruff check generator tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy

unit: setup system-deps
	$(VENV)/bin/pytest -q

test: lint typecheck unit

bench: setup
	$(PY) benchmarks/bench_clean.py

# Rebuilds generator/clean/roles.json (the cleaner's line-role model) from the labelled pages beside the
# repository and prints the cross-validated scores; not part of `make test`.
TRAIN_CORPUS ?= ../shared/corpus/extraction-train
train-cleaner: setup
	$(PY) -m generator.clean.train $(TRAIN_CORPUS)

clean:
	rm -rf _site .digest-cache .pytest_cache .mypy_cache .ruff_cache
