# nps-toolkit front door.  `make report` and `make test` work on a fresh clone
# where only Python 3.11 exists: both create .venv and install the package.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= 2
KERNEL ?= nps-toolkit
# where `make kernel` registers the kernel: inside .venv, so JupyterLab started from it lists it
KERNEL_PREFIX ?= --sys-prefix

.DEFAULT_GOAL := help
.PHONY: help setup kernel lab report test test-spark lint format bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "nps-toolkit needs Python >= 3.11 (set PYTHON=python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the package with its dev tools (only when needed)

kernel: setup  ## register the Jupyter kernel "nps-toolkit" (this .venv's Python) inside .venv
	$(PY) -m ipykernel install $(KERNEL_PREFIX) --name $(KERNEL) --display-name "Python ($(KERNEL))"

lab: kernel  ## start JupyterLab in notebooks/ on this .venv (Ctrl-C stops it)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks

report: setup  ## write the example surveys' data, then render every survey in surveys.yml into reports/
	$(PY) -m nps_toolkit.cli example b2b-annual --out data/examples/b2b-annual.csv
	$(PY) -m nps_toolkit.cli example b2c-monthly --out data/examples/b2c-monthly.csv
	$(PY) -m nps_toolkit.cli render --config surveys.yml --output reports

test: setup  ## run the whole test suite: unit tests, doctests and every notebook (nbval)
	MPLBACKEND=Agg $(PY) -m pytest -n $(JOBS) --dist loadfile

# the test files holding Spark tests (every one named *spark*, on one local[2] session)
SPARK_TESTS := tests/test_backends.py tests/test_drivers.py tests/test_banners.py \
	tests/test_themes.py tests/test_config.py tests/test_split.py tests/test_counted.py

test-spark: setup  ## install pyspark (needs Java 17+) and run the Spark tests (local[2])
	$(PY) -m pip install --quiet -e ".[spark]"
	MPLBACKEND=Agg $(PY) -m pytest $(SPARK_TESTS) -k spark

lint: setup  ## ruff check and format check
	$(PY) -m ruff check nps_toolkit tests benchmarks
	$(PY) -m ruff format --check nps_toolkit tests benchmarks

format: setup  ## ruff: fix what can be fixed and format
	$(PY) -m ruff check --fix nps_toolkit tests benchmarks
	$(PY) -m ruff format nps_toolkit tests benchmarks

bench: setup  ## run every benchmark (long): prints toolkit vs alternative times and ratios
	@set -e; for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b; done

clean:  ## remove .venv and rendered reports
	rm -rf $(VENV) reports/*/ .pytest_cache
