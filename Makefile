# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv demo test soak stateful bench lint docs docs-serve docs-notebooks server-start server-stop clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

## Start a local Kitsu, fill a sample production and tour the library on it.
demo: venv
	$(PY) -m kitsu_orm.devserver start
	$(PY) examples/sample_production.py
	$(PY) examples/large_production.py
	$(PY) examples/tour.py

## The whole suite, against a real local Kitsu started (or reused) by the pytest plugin.
test: venv
	$(PY) -m pytest

## The stateful commit test (random edits, rollbacks, commits cut by the fault proxy) for
## SOAK seconds (10 minutes by default): runs follow each other, then it stops by itself.
SOAK ?= 600
soak: venv
	KITSU_SOAK=$(SOAK) $(PY) -m pytest tests/test_unitofwork_stateful.py -q -s

## The stateful commit test alone, with make test's bounded profile (it is part of make test).
stateful: venv
	$(PY) -m pytest tests/test_unitofwork_stateful.py -q -s

## Benchmarks side by side with gazu on the same local server; writes docs/performance.md.
## PROFILE=remote puts every benchmarked client behind a latency proxy (a hosted Kitsu:
## 40 ms round trip, 100 Mbit/s); each profile's run rewrites its own part of the page.
PROFILE ?= loopback
bench: venv
	BENCH_PROFILE=$(PROFILE) $(PY) benchmarks/run.py

## The documentation site in site/: the guides, the API reference from the docstrings, and
## the example notebooks as tests/test_notebooks.py executed them (build/notebooks/, written
## by make test); a notebook not executed yet is shown without its outputs. --strict: a
## broken link or reference fails the build.
docs: docs-notebooks
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

docs-serve: docs-notebooks
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

docs-notebooks: venv
	@rm -rf docs/examples && mkdir -p docs/examples
	@for notebook in examples/*.ipynb; do \
	  name=$$(basename "$$notebook"); \
	  if [ -f "build/notebooks/$$name" ]; then cp "build/notebooks/$$name" docs/examples/; \
	  else echo "docs: $$name not executed yet (make test runs it): shown without outputs" >&2; \
	       cp "$$notebook" docs/examples/; fi; \
	done

lint: venv
	$(VENV)/bin/ruff check kitsu_orm tests benchmarks examples
	$(VENV)/bin/mypy

server-start: venv
	$(PY) -m kitsu_orm.devserver start

server-stop: venv
	$(PY) -m kitsu_orm.devserver stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info site docs/examples build/notebooks .cache
