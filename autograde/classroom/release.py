"""notebooks/ regenerated from solutions/ without losing anyone's work (what ``make release`` runs).

    python -m autograde.classroom.release [ASSIGNMENT ...]

nbgrader's ``generate_assignment --force`` deletes the release folder of an assignment and
writes it anew: a trained agent under ``notebooks/06_atari_dqn/runs/`` or a notebook someone
worked in would go with it. Here nbgrader writes each release into a temporary folder (and
records the assignment in the course's gradebook, so ``release_assignment``, ``collect`` and
``autograde`` work next); then each released file is copied into ``notebooks/``. Before
anything is written, every file the release would overwrite or remove is compared with git's
committed copy and with what the last release wrote there (``grading/released.json``): one
that is neither is someone's work, and the release stops, naming it. Files the release does
not make (``runs/``, a student's own data) are left where they are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograde.registry import HERE, REPO

RELEASE = REPO / "notebooks"
RECORD = REPO / "grading" / "released.json"  # {path: sha256} of each file the last release wrote


class WorkAtRisk(Exception):
    """The release would overwrite or remove files that hold someone's work."""


def shown(path: Path) -> str:
    """``path`` as the instructor reads it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def generate(assignment: str, release: Path, course: Path | None = None) -> None:
    """nbgrader's generate_assignment into ``release`` (a folder of our own), recording the
    assignment in the gradebook of ``course`` (default: nbgrader_config.py's course folder)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(HERE), PATH=path)
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
               f"--CourseDirectory.release_directory={release}"]
    if course is not None:
        command.append(f"--CourseDirectory.root={course}")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{result.stderr[-3000:]}")


def git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True)


def committed(path: Path) -> bytes | None:
    """The file as git last committed it; None when git does not have it (or there is no git)."""
    result = git(path.parent, "show", f"HEAD:./{path.name}")
    return result.stdout if result.returncode == 0 else None


def tracked(folder: Path) -> list[str]:
    """The files git has committed under ``folder``, relative to it."""
    if not folder.is_dir():
        return []
    result = git(folder, "ls-tree", "-r", "--name-only", "HEAD")
    return result.stdout.decode().splitlines() if result.returncode == 0 else []


def files_in(folder: Path) -> dict[str, bytes]:
    """{path relative to ``folder``: contents} of every file under it."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_work(path: Path, released: dict[str, str]) -> bool:
    """Whether ``path`` holds work that would be lost: it is neither as git committed it nor as
    the last release wrote it."""
    data = path.read_bytes()
    return released.get(str(path)) != digest(data) and committed(path) != data


def plan(fresh: dict[str, bytes], target: Path, released: dict[str, str]) -> tuple[dict[str, bytes], list[str]]:
    """What releasing ``fresh`` into ``target`` changes: the files to write and the committed
    files the release no longer has (to remove). Raises WorkAtRisk naming every file among
    them that holds someone's work (``is_work``)."""
    writes = {name: data for name, data in fresh.items()
              if not (target / name).is_file() or (target / name).read_bytes() != data}
    removals = [name for name in tracked(target) if name not in fresh and (target / name).is_file()]
    at_risk = [target / name for name in [*writes, *removals]
               if (target / name).exists() and is_work(target / name, released)]
    if at_risk:
        raise WorkAtRisk("\n".join(f"  {shown(path)}" for path in at_risk))
    return writes, removals


def release(assignments: list[str], notebooks: Path = RELEASE, course: Path | None = None,
            record: Path = RECORD) -> list[str]:
    """Release ``assignments`` into ``notebooks``; return what was written or removed.
    Nothing is written unless no file of any of them holds someone's work."""
    released = json.loads(record.read_text()) if record.is_file() else {}
    changes, at_risk = [], []
    with tempfile.TemporaryDirectory(prefix="qlab-release-") as scratch:
        for assignment in assignments:
            generate(assignment, Path(scratch), course)
            try:
                changes.append((notebooks / assignment, *plan(files_in(Path(scratch) / assignment),
                                                             notebooks / assignment, released)))
            except WorkAtRisk as error:
                at_risk.append(str(error))
    if at_risk:
        raise WorkAtRisk("\n".join(at_risk))
    done = []
    for target, writes, removals in changes:
        for name, data in writes.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
            released[str(target / name)] = digest(data)
            done.append(f"wrote {shown(target / name)}")
        for name in removals:
            (target / name).unlink()
            released.pop(str(target / name), None)
            done.append(f"removed {shown(target / name)} (no longer in solutions/)")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(released, indent=1, sort_keys=True) + "\n")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.classroom.release", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment in solutions/")
    args = parser.parse_args(argv)
    assignments = args.assignments or sorted(p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb"))
    try:
        done = release(assignments)
    except WorkAtRisk as error:
        print("make release stopped: it would overwrite or remove these files, and they hold work git does not "
              f"have (edits, or files git does not track):\n{error}\n"
              "Nothing was changed. Commit them, or move them out of notebooks/ (students: work in a copy), "
              "or undo the edits (git checkout -- PATH), then run `make release` again.", file=sys.stderr)
        return 1
    print("\n".join(done) or "notebooks/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
