"""The student bundle and the wheel hold no answers: no hidden check, no catalogue, no
solution text, no grading command (the released notebooks' own leak test is test_release.py);
and the released notebooks' check cells still run their public checks from the bundle alone
(the repository not importable)."""

import ast
import json
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograde.classroom.bundle import build
from autograde.notebook import is_answer_cell, is_setup_cell
from autograde.classroom.public import public_checks, runtime_modules
from autograde.registry import HERE, REPO, rules_for

CHECK_MODULES = sorted((HERE / "checks").glob("test_*.py"))
QLAB_TEXT = "\n".join(p.read_text() for p in (REPO / "qlab").rglob("*.py"))


def is_public(node) -> bool:
    return any("public" in ast.unparse(d) for d in node.decorator_list)


def hidden_tests(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text())
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test") and not is_public(n)]


def code_lines(node: ast.FunctionDef, source: str) -> list[str]:
    """A function's lines of code worth searching for: no docstring, no strings, no short lines."""
    body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) \
        else node.body
    lines = source.splitlines()[body[0].lineno - 1:node.end_lineno]
    return [s for s in (line.strip() for line in lines) if len(s) > 20 and not s.startswith(('"', "f\"", "'", "+ "))]


def secrets() -> dict[str, list[str]]:
    """What must not reach a student, by kind."""
    hidden_names, hidden_code = [], []
    shared = "\n".join(p.read_text() for p in (HERE / "checks").glob("*.py") if p not in CHECK_MODULES)
    for path in CHECK_MODULES:
        lines = path.read_text().splitlines()
        for node in hidden_tests(path):
            lines[node.lineno - 1:node.end_lineno] = [""] * (node.end_lineno - node.lineno + 1)
        shared += "\n".join(lines)  # the checks without their hidden tests: a line found here is not theirs alone
    public_names = {n.name for p in CHECK_MODULES for n in ast.parse(p.read_text()).body
                    if isinstance(n, ast.FunctionDef) and is_public(n)}  # a name public in one module is no secret
    for path in CHECK_MODULES:
        for node in hidden_tests(path):
            if node.name not in public_names:
                hidden_names.append(f"def {node.name}(")
            hidden_code += [line for line in code_lines(node, path.read_text()) if line not in shared]
    defined_elsewhere = {n.name for p in [*(HERE / "checks").glob("*.py"), *(REPO / "qlab").rglob("*.py")]
                         for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.FunctionDef)}
    catalogue = [f"def {n.name}(" for p in (HERE / "catalogue").glob("*.py")   # an answer's name, not a helper's
                 for n in ast.parse(p.read_text()).body
                 if isinstance(n, ast.FunctionDef) and n.name not in defined_elsewhere]
    solution = []
    for notebook in (REPO / "solutions").glob("*/*.ipynb"):
        for cell in nbformat.read(str(notebook), as_version=4).cells:
            for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S):
                solution += [s for s in (line.strip() for line in region.splitlines())
                             if len(s) > 12 and s not in QLAB_TEXT]   # qlab is the reference library, by design
    assert hidden_names and hidden_code and catalogue and solution
    return {"hidden check": hidden_names + hidden_code, "catalogue entry": catalogue, "solution line": solution}


def as_text(data: bytes) -> str:
    """A file's bytes as text, losslessly: binary files (the shipped agent's weights) included,
    whose strings stay searchable."""
    return data.decode(errors="surrogateescape")


def assert_no_secrets(files: dict[str, str]) -> None:
    assert not [name for name in files if "catalogue" in name or name.startswith("solutions/")]
    for kind, texts in secrets().items():
        for name, text in files.items():
            leaked = [t for t in texts if t in text]
            assert not leaked, f"{kind} in {name}: {leaked[:3]}"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return build(tmp_path_factory.mktemp("bundle") / "qlab-course")


def build_wheel(source: Path, dist: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(source)], check=True, capture_output=True)
    (path,) = dist.glob("qlab-*.whl")
    return path


def wheel_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: as_text(archive.read(n)) for n in archive.namelist() if not n.startswith("qlab-0")}  # no dist-info


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from a copy of the repository's sources (nothing written into the repo)."""
    source = tmp_path_factory.mktemp("source")
    for name in ["pyproject.toml", "README.md"]:
        (source / name).write_bytes((REPO / name).read_bytes())
    for folder in ["qlab", "autograde", "notebooks"]:   # notebooks: what of autograde they import is kept
        subprocess.run(["cp", "-r", str(REPO / folder), str(source / folder)], check=True)
    return build_wheel(source, tmp_path_factory.mktemp("dist"))


def test_public_checks_keep_every_public_test_and_no_hidden_one():
    for path in CHECK_MODULES:
        tree = ast.parse(public_checks(path.read_text(), path.name))
        kept = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")}
        public = {n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef) and is_public(n)}
        assert kept == public and public, path.name


def test_a_test_class_mixing_public_and_hidden_checks_is_refused():
    source = "import pytest\nclass TestX:\n    @pytest.mark.public\n    def test_a(self): pass\n    def test_b(self): pass\n"
    with pytest.raises(ValueError, match="mixes public and hidden"):
        public_checks(source)


def test_bundle_holds_the_release_qlab_and_the_public_runtime(bundle):
    assert sorted(p.name for p in (bundle / "notebooks").iterdir()) == sorted(
        p.name for p in (REPO / "notebooks").iterdir())
    assert (bundle / "qlab" / "envs" / "gridworld.py").is_file()
    autograde = sorted(str(p.relative_to(bundle / "autograde")) for p in (bundle / "autograde").rglob("*") if p.is_file())
    assert autograde == sorted([str(p) for p in runtime_modules(HERE)] + ["checks/pytest.ini"])
    assert not (bundle / "solutions").exists()
    for instructor_only in ["classroom", "nbgrader", "catalogue", "student_lab", "nbgrader_config.py"]:
        assert not (bundle / "autograde" / instructor_only).exists()


def test_the_students_runtime_is_the_package_less_the_instructors_rooms():
    """The boundary is a folder's: every module outside classroom/, nbgrader/, catalogue/ and
    nbgrader's configuration ships, and none of them imports from those rooms."""
    instructor = ("classroom", "nbgrader", "catalogue", "student_lab", "nbgrader_config.py")
    everything = {p.relative_to(HERE) for p in HERE.rglob("*.py") if "__pycache__" not in p.parts}
    assert set(runtime_modules(HERE)) == {p for p in everything if p.parts[0] not in instructor}
    assert {"sandbox/worker.py", "qlab_check.py", "outcomes.py", "wheel.py"} <= {str(p) for p in runtime_modules(HERE)}


def test_a_runtime_module_that_reaches_an_instructors_room_is_refused(tmp_path):
    package = tmp_path / "autograde"
    (package / "classroom").mkdir(parents=True)
    (package / "classroom" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from autograde.classroom import batch\n")
    with pytest.raises(ValueError, match="never reach"):
        runtime_modules(package)


def test_bundle_leaks_no_answer(bundle):
    assert_no_secrets({str(p.relative_to(bundle)): as_text(p.read_bytes()) for p in bundle.rglob("*") if p.is_file()})


def test_bundle_refuses_to_overwrite_other_folders(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="not empty"):
        build(tmp_path)
    with pytest.raises(ValueError, match="instructor's repository"):
        build(REPO)


def test_wheel_holds_qlab_and_only_the_public_runtime(wheel, bundle):
    files = wheel_files(wheel)
    autograde = sorted(n.removeprefix("autograde/") for n in files if n.startswith("autograde/"))
    assert autograde == sorted(str(p.relative_to(bundle / "autograde"))
                               for p in (bundle / "autograde").rglob("*") if p.is_file())
    assert "qlab/envs/gridworld.py" in files and "qlab/pretrained/pong_dqn.pt" in files
    assert_no_secrets(files)


def test_bundle_installs_as_the_same_wheel(wheel, bundle, tmp_path):
    assert wheel_files(build_wheel(bundle, tmp_path)) == wheel_files(wheel)


def filled(assignment: str) -> list[str]:
    """The released notebook's setup, answer (the solution's) and check cells, in order."""
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(
        str(REPO / "solutions" / assignment / f"{assignment}.ipynb"), as_version=4).cells if is_answer_cell(c)}
    cells = []
    for cell in nbformat.read(str(REPO / "notebooks" / assignment / f"{assignment}.ipynb"), as_version=4).cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if is_answer_cell(cell):
            cells.append("\n".join(line for line in solution[grade_id].splitlines() if "### " not in line))
        elif is_setup_cell(cell) or cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            cells.append(cell.source)
    return cells


# Runs cells with only the bundle and the environment's third-party packages importable: no
# site (so no .pth file adds the instructor's checkout), the repository nowhere on sys.path.
RUNNER = """
import importlib.util, json, sys
bundle, site_packages, cells = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
sys.path[:0] = [bundle, site_packages]
import autograde, qlab
assert autograde.__file__.startswith(bundle) and qlab.__file__.startswith(bundle), (autograde.__file__, qlab.__file__)
assert importlib.util.find_spec("autograde.catalogue") is None
namespace = {"__name__": "__main__"}
for source in cells:
    exec(compile(source, "<cell>", "exec"), namespace)
"""


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["01_value_iteration", "02_q_learning"])
def test_released_notebooks_run_their_public_checks_from_the_bundle_alone(bundle, tmp_path, assignment):
    cells = tmp_path / "cells.json"
    cells.write_text(json.dumps(filled(assignment)))
    run = subprocess.run([sys.executable, "-S", "-c", RUNNER, str(bundle), sysconfig.get_paths()["purelib"], str(cells)],
                         capture_output=True, text=True, cwd=tmp_path, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-3000:]
    for rule in rules_for(assignment):
        assert re.search(rf"^{rule.name}: all \d+ public checks pass$", run.stdout, flags=re.M), run.stdout
