"""What an instructor hands students: the released notebooks, qlab and the public checks.

    python -m autograde bundle OUT_DIR        (or: make student-bundle)

OUT_DIR gets ``notebooks/`` (the released assignments), ``qlab/`` (the library), ``autograde/``
cut down to the runtime of ``check()`` and the ``@pytest.mark.public`` checks (see
``autograde.classroom.public``), and what installs them (pyproject.toml, environment.yml, a README for
students). Not in it: ``solutions/``, the hidden checks, the catalogues of wrong
and right answers, the grading commands. ``qlab`` does hold reference implementations of
the rules (its agents use them); importing them from a graded answer is reported as a
violation when grading.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from autograde.classroom.public import publish
from autograde.registry import REPO

MARKER = ".qlab-student-bundle"
INSTALL_FILES = ("pyproject.toml", "environment.yml")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".hypothesis")

README = """# qlab — deep Q-learning, the student's copy

- `notebooks/` — the assignments. Fill in the `# YOUR CODE HERE` cells; run each check cell
  (`check("rule", function)`) to see which of the public checks your answer passes.
- `qlab/` — the course library (environments, replay buffers, networks, training loops, plots).
- `autograde/` — what `check()` needs and the public checks; `qlab-check NOTEBOOK.ipynb` runs
  them on your saved notebook outside its kernel. Your instructor grades with more checks
  (random inputs, edge cases) than these.

Set up and open the course (Python 3.11 or later):

    python -m venv .venv
    .venv/bin/pip install ".[course]"
    .venv/bin/jupyter lab notebooks/
"""


def build(out: Path) -> Path:
    """Write the bundle into ``out`` (a new or empty folder, or an earlier bundle)."""
    out = Path(out).resolve()
    if out == REPO or REPO.is_relative_to(out):
        raise ValueError(f"{out} holds the instructor's repository; write the bundle somewhere else")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"{out} is not empty and is not a student bundle; give a new or empty folder")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(REPO / "notebooks", out / "notebooks", ignore=IGNORE)
    shutil.copytree(REPO / "qlab", out / "qlab", ignore=IGNORE)
    publish(REPO / "autograde", out / "autograde")
    for name in INSTALL_FILES:
        shutil.copy2(REPO / name, out / name)
    (out / "README.md").write_text(README)
    (out / MARKER).write_text("made by `python -m autograde bundle`; rebuilt in place by it\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde bundle", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write (new, empty, or an earlier bundle)")
    args = parser.parse_args(argv)
    try:
        out = build(args.out)
    except ValueError as error:
        print(f"cannot build the bundle: {error}", file=sys.stderr)
        return 2
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"student bundle: {out} ({files} files; no solutions, hidden checks or catalogues)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
