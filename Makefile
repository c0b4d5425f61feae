# qlab — two commands: `make lab` opens the course, `make test` runs the whole test suite.
# Both create a project-local virtual environment (.venv) and install into it when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSIGNMENT ?= 01_value_iteration
SUBMISSIONS ?= submitted
BUNDLE ?= student-bundle
export PATH := $(abspath $(BIN)):$(PATH)
export JUPYTER_CONFIG_PATH := $(abspath autograde)

.PHONY: lab test release grade student-bundle browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,atari,video,dev]"
	touch $@

# Debian's Chromium for the browser tests of the widgets (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's 'chromium' package to run the browser tests"; fi; }

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Regenerate the student notebooks in notebooks/ from the instructor sources in solutions/.
release: $(STAMP)
	for source in solutions/*/; do \
	  $(BIN)/nbgrader generate_assignment "$$(basename $$source)" --no-db --force || exit 1; \
	done

# nbgrader's grading cycle (autograde, feedback, grades export) on a folder of submissions:
#   make grade ASSIGNMENT=01_value_iteration SUBMISSIONS=path/to/submissions
grade: $(STAMP)
	$(BIN)/python -m autograde.cycle $(ASSIGNMENT) $(SUBMISSIONS)

# What students get: released notebooks, qlab and the public checks (no solutions, hidden
# checks or catalogues):  make student-bundle BUNDLE=path/to/folder
student-bundle: $(STAMP)
	$(BIN)/python -m autograde bundle $(BUNDLE)

clean:
	rm -rf $(VENV) grading build $(BUNDLE)
