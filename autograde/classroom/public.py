"""What of the grader a student may have: the public checks and the runtime that runs them.

The boundary is a folder's: the student's runtime is ``autograde/`` less the instructor's
rooms (``classroom/``, ``nbgrader/``, ``catalogue/``) and the configuration nbgrader and
Jupyter find there by path (``nbgrader_config.py``, ``student_lab/``). The instructor's check
modules (``autograde/checks/test_<rule>.py``) hold public and hidden checks side by side;
``public_checks`` keeps a module's ``@pytest.mark.public`` tests and only the names they use
(helpers, constants, imports, fixtures), in their original text. ``publish`` writes the
package a student gets: the runtime, its check modules cut down to their public checks, and
nothing else.

Used by the student bundle (``python -m autograde bundle``) and by the wheel build
(``autograde/wheel.py``), so it needs only the standard library.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

PACKAGE = "autograde"
INSTRUCTOR = ("classroom", "nbgrader", "catalogue")  # the rooms that never ship
CONFIG = ("nbgrader_config.py", "student_lab")  # found by path through JUPYTER_CONFIG_PATH: the instructor's
CHECKS = "checks"
CHECKS_DATA = ("pytest.ini",)


def _is_public(node: ast.AST) -> bool:
    """``@pytest.mark.public`` (or ``@mark.public``) among a definition's decorators."""
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "public":
            return True
    return False


def _is_test(node: ast.AST) -> bool:
    return (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")) or (
        isinstance(node, ast.ClassDef) and node.name.startswith("Test"))


def _is_autouse_fixture(node: ast.AST) -> bool:
    return any(isinstance(d, ast.Call) and any(k.arg == "autouse" for k in d.keywords)
               for d in getattr(node, "decorator_list", []))


def _bound_names(node: ast.AST) -> set[str]:
    """The module-level names a statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _used_names(node: ast.AST) -> set[str]:
    """Every name a statement reads, its functions' parameters (pytest fixtures) and the
    strings in its decorators (``usefixtures("…")``)."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.arg):
            names.add(child.arg)
    for decorator in getattr(node, "decorator_list", []):
        names |= {c.value for c in ast.walk(decorator) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return names


def _has_public_methods(node: ast.ClassDef) -> bool:
    return any(_is_public(item) for item in node.body)


def public_checks(source: str, filename: str = "<checks>") -> str:
    """The public part of a check module: its docstring, its ``@pytest.mark.public`` tests and
    the module-level statements they need, each in its original text. Raises ValueError when
    the module cannot be split safely (a test class that mixes public and hidden methods)."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    body = list(tree.body)
    docstring = body.pop(0) if body and isinstance(body[0], ast.Expr) and isinstance(
        getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str) else None
    module_public = any(isinstance(n, ast.Assign) and "pytestmark" in _bound_names(n) and _is_public_mark(n.value)
                        for n in body)
    kept: list[ast.stmt] = []
    candidates: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.ClassDef) and _is_test(node) and not _is_public(node) and _has_public_methods(node):
            raise ValueError(f"{filename}: test class {node.name} mixes public and hidden checks; split it")
        if _is_test(node):
            if module_public or _is_public(node):
                kept.append(node)
        elif (isinstance(node, ast.ImportFrom) and node.module == "__future__") or _is_autouse_fixture(node) \
                or not _bound_names(node) or "pytestmark" in _bound_names(node) or "pytest_plugins" in _bound_names(node):
            kept.append(node)
        else:
            candidates.append(node)
    needed = set().union(*(_used_names(n) for n in kept)) if kept else set()
    changed = True
    while changed:
        changed = False
        for node in list(candidates):
            if _bound_names(node) & needed:
                candidates.remove(node)
                kept.append(node)
                needed |= _used_names(node)
                changed = True
    kept.sort(key=lambda n: n.lineno)
    parts = [f"# The public checks only: written from the instructor's {Path(filename).name} by autograde.classroom.public.\n"]
    if docstring is not None:
        parts.append(_text(lines, docstring))
    for index, node in enumerate(kept):
        if index or docstring is not None:
            definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            definition = isinstance(node, definitions) or index and isinstance(kept[index - 1], definitions)
            adjacent = index and kept[index - 1].end_lineno + 1 == _first_line(node)
            parts.append("\n\n" if definition else "" if adjacent else "\n")
        parts.append(_text(lines, node))
    result = "".join(parts)
    compile(result, filename, "exec")
    return result


def _is_public_mark(value: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "public" for n in ast.walk(value))


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _text(lines: list[str], node: ast.stmt) -> str:
    return "".join(lines[_first_line(node) - 1:node.end_lineno])


def _imported_modules(path: Path, package_dir: Path, module: str) -> set[str]:
    """The ``autograde…`` modules a file imports (anywhere in it, function bodies included)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] != PACKAGE:
                continue
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if _module_file(package_dir, f"{base}.{alias.name}")}
    return found


def _module_file(package_dir: Path, module: str) -> Path | None:
    parts = module.split(".")[1:]
    if not parts:
        return package_dir / "__init__.py"
    relative = Path(*parts)
    for candidate in (package_dir / relative / "__init__.py", package_dir / relative.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _notebook_imports(notebooks: Path) -> set[str]:
    """The ``autograde…`` modules the released notebooks' code cells import."""
    found = set()
    for path in sorted(Path(notebooks).glob("*/*.ipynb")):
        for cell in json.loads(path.read_text()).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", []))
            lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
                    found.add(node.module)
                elif isinstance(node, ast.Import):
                    found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
    return found


def runtime_modules(package_dir: Path) -> list[Path]:
    """The student's runtime, as paths relative to ``package_dir``: every module of ``autograde``
    outside the instructor's rooms and their configuration. Raises ValueError when one of them,
    or a released notebook (in ``package_dir/../notebooks``), imports from those rooms."""
    package_dir = Path(package_dir)
    shipped = sorted(p.relative_to(package_dir) for p in package_dir.rglob("*.py")
                     if p.relative_to(package_dir).parts[0] not in INSTRUCTOR + CONFIG and "__pycache__" not in p.parts)
    imports = {str(path): _imported_modules(package_dir / path, package_dir, _module_name(path)) for path in shipped}
    imports["the released notebooks"] = _notebook_imports(package_dir.parent / "notebooks")
    for importer, modules in imports.items():
        reached = [m for m in modules if len(m.split(".")) > 1 and m.split(".")[1] in INSTRUCTOR + CONFIG]
        if reached:
            raise ValueError(f"{importer} imports {', '.join(sorted(reached))}: the student's runtime must never "
                             f"reach {', '.join(INSTRUCTOR)}")
    return shipped


def _module_name(relative: Path) -> str:
    parts = relative.with_suffix("").parts
    return ".".join([PACKAGE, *(parts[:-1] if parts[-1] == "__init__" else parts)])


def publish(package_dir: Path, destination: Path) -> list[Path]:
    """Write the student's ``autograde`` package to ``destination`` (replacing what is there):
    the runtime modules (the wheel's build hook among them), the check modules cut down to their
    public checks, and pytest.ini. Returns the files written, relative to ``destination``."""
    package_dir, destination = Path(package_dir), Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    written = []
    for relative in runtime_modules(package_dir):
        source = package_dir / relative
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.parent.name == CHECKS and relative.name.startswith("test_"):
            target.write_text(public_checks(source.read_text(), str(source)))
        else:
            shutil.copy2(source, target)
        written.append(relative)
    for name in CHECKS_DATA:
        shutil.copy2(package_dir / CHECKS / name, destination / CHECKS / name)
        written.append(Path(CHECKS) / name)
    return written
