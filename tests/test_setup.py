"""The set-up: environment.yml pins exactly what pyproject.toml pins, CI runs the README's
test command, and the README's first screen gives the two commands."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_environment_yml_pins_the_same_versions_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins |= set(extra)
    conda = set(re.findall(r"^\s*- ([A-Za-z0-9_.-]+==[^\s]+)\s*$", (REPO / "environment.yml").read_text(), flags=re.M))
    assert conda == pins
    assert "torch==2.13.0" in pins


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:8])
    assert "make lab" in first_screen and "make test" in first_screen
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == "make test"
