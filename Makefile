# The two set-up commands of the README: `make lab` and `make test`.
# Both create .venv with the machine's python3 when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# nbgrader runs `alembic` from PATH when it creates a gradebook, so the venv's bin goes first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: lab test env clean release strip benchmark

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Jupyter refuses to start as root (containers, cloud notebooks, CI machines) without
# --allow-root; it is added for root only, so nothing changes for anyone else.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) notebooks/

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The accuracy and speed benchmarks (benchmarks/README.md); installs the optional peer library.
benchmark: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,benchmark]"
	cd benchmarks && ../$(BIN)/python accuracy.py && ../$(BIN)/python scaling.py

clean:
	rm -rf $(VENV) .pytest_cache

# Regenerate the learner notebooks from the instructor notebooks (never edit release/ by hand):
# first every translated edition from the English notebooks and locale/ (it stops on an
# incomplete catalog), then `nbgrader generate_assignment` for cofi and for each cofi-LANG.
release: $(STAMP)
	$(BIN)/python -m editions release

# Remove outputs from every notebook before committing.
strip: $(STAMP)
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/source/*/*.ipynb notebooks/release/*/*.ipynb
