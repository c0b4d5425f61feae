"""What a newcomer meets first: one self-check command, named the same everywhere; released
notebooks whose metadata JupyterLab keeps as it is; a package that builds without warnings."""

import json
import re
import subprocess
import sys
import tomllib

import pytest
from ipykernel.ipkernel import IPythonKernel

from autograde.__main__ import main as self_check
from autograde.registry import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
NOTEBOOKS = sorted((REPO / "notebooks").glob("*/*.ipynb")) + sorted((REPO / "solutions").glob("*/*.ipynb"))


def test_one_self_check_command_named_the_same_everywhere(capsys):
    assert PYPROJECT["project"]["scripts"]["qlab-check"] == "autograde.__main__:main"
    with pytest.raises(SystemExit):
        self_check(["--help"])
    assert capsys.readouterr().out.startswith("usage: qlab-check ")
    for path in [REPO / "README.md", *NOTEBOOKS]:
        text = path.read_text()
        assert not re.search(r"python -m autograde (?!batch|bundle)", text), f"{path.name} names another self-check command"
    for path in [REPO / "README.md", *NOTEBOOKS]:
        if path.suffix == ".md" or path.parent.parent.name == "notebooks":
            assert "qlab-check " in path.read_text(), f"{path.name} does not say how to check a notebook"


@pytest.mark.parametrize("content, says", [
    ("print('not a notebook')", "not a readable Jupyter notebook: Expecting value"),
    ('{"cells": []}', "expected the JSON of a format 4 notebook"),
    ('{"nbformat": 3, "worksheets": []}', "expected the JSON of a format 4 notebook"),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', "a cell's source is neither text"),
])
def test_a_file_that_is_no_notebook_gets_one_line_and_exit_code_2(tmp_path, capsys, content, says):
    path = tmp_path / "01_value_iteration.ipynb"
    path.write_text(content)
    assert self_check([str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"cannot grade {path}: ") and says in error and error.count("\n") == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parts[-3]}/{p.stem}")
def test_notebook_metadata_is_what_jupyterlab_writes(path):
    """JupyterLab replaces language_info by the kernel's (marking the notebook modified) unless
    it is equal already; only the Python version may differ from one machine to another."""
    metadata = json.loads(path.read_text())["metadata"]
    kernel = dict(IPythonKernel.language_info)
    assert {**metadata["language_info"], "version": None} == {**kernel, "version": None}
    assert metadata["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def test_package_metadata_builds_without_deprecation_warnings(tmp_path):
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]
    assert "--durations=15" in PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
    done = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "--quiet", "egg_info",
                           "--egg-base", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Deprecat" not in done.stderr, done.stderr
