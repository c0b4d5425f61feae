# qlab — two commands: `make lab` opens the course, `make test` runs the whole test suite.
# Both create a project-local virtual environment (.venv) and install into it when needed.
# `make instructor` opens the same lab with nbgrader's instructor tools (Formgrader, Create Assignment).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSIGNMENT ?= 01_value_iteration
SUBMISSIONS ?= submitted
BUNDLE ?= student-bundle
export PATH := $(abspath $(BIN)):$(PATH)
export JUPYTER_CONFIG_PATH := $(abspath autograde)

.PHONY: lab instructor test release grade nbgrader-cycle student-bundle browser bubblewrap clean

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

# Debian's bubblewrap confines the student's code while grading (autograde/sandbox/isolation.py);
# without it the grader still runs, unconfined, with a loud warning.
bubblewrap:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "bwrap is missing: install Debian's 'bubblewrap' package to grade with isolation"; fi; }

# Students: a calm lab (no news pop-up, no nbgrader instructor tools; Validate stays), configured
# by autograde/student_lab/ before the course's own settings. Its terminals find `qlab-check`
# (the course's .venv/bin first on PATH after the login profile, see terminal_rc.sh there).
lab: export JUPYTER_CONFIG_PATH := $(abspath autograde/student_lab):$(abspath autograde)
lab: $(STAMP)
	@echo "Am I done? In JupyterLab's terminal (File > New > Terminal): qlab-check 01   (the assignment's number)"
	@echo "           in another shell: source .venv/bin/activate, then the same command in this folder"
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Instructors: the whole course folder, with nbgrader's Formgrader and Create Assignment.
instructor: $(STAMP)
	$(BIN)/jupyter lab . $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Two test processes (pytest-xdist), one per core. An xdist group's tests stay in one process
# (a module, or a rule's catalogue, or one nbgrader cycle: tests/conftest.py), the slow groups
# handed out first, in the order tests/conftest.py puts them.
test: $(STAMP) browser bubblewrap
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder

# Regenerate the student notebooks in notebooks/ from the instructor sources in solutions/ and
# record the assignments in the gradebook (grading/course/). Stops, changing nothing, when a file
# it would overwrite holds someone's work (autograde/classroom/release.py).
release: $(STAMP)
	$(BIN)/python -m autograde.classroom.release

# Grade a whole class out of the students' kernels, in parallel on Dask (grading/batch/ASSIGNMENT/grades.csv):
#   make grade ASSIGNMENT=01_value_iteration SUBMISSIONS=path/to/submissions [BATCH="--scheduler tcp://host:8786"]
grade: $(STAMP) bubblewrap
	$(BIN)/python -m autograde batch $(ASSIGNMENT) $(SUBMISSIONS) $(BATCH)

# nbgrader's own cycle (autograde in the students' kernels, feedback pages, gradebook, export):
#   make nbgrader-cycle ASSIGNMENT=01_value_iteration SUBMISSIONS=path/to/submissions
nbgrader-cycle: $(STAMP)
	$(BIN)/python -m autograde.nbgrader.cycle $(ASSIGNMENT) $(SUBMISSIONS)

# What students get: released notebooks, qlab and the public checks (no solutions, hidden
# checks or catalogues):  make student-bundle BUNDLE=path/to/folder
student-bundle: $(STAMP)
	$(BIN)/python -m autograde bundle $(BUNDLE)

# grading/ holds a class's gradebook, submissions and feedback: clean leaves it alone.
clean:
	rm -rf $(VENV) build $(BUNDLE)
