"""A control group for each sandbox, where the machine lets the grader make one.

The resource limits a sandbox sets on itself (processes under a uid of its own, CPU seconds
per process) bound how much it can start, not the CPU its processes take together: a
submission that forks 60 busy processes would slow every neighbour graded beside it. In a
control group of its own, the sandbox's processes share one scheduling entity (the kernel
weighs groups, not processes, against each other: 60 busy processes get what one would when
the machine is busy, and all of it when it is idle) and at most ``TASKS`` tasks.

The grader can make one where it runs as root on cgroup v1 (the ``cpu`` and ``pids``
hierarchies) or on a v2 hierarchy whose ``cpu`` and ``pids`` controllers it may use; elsewhere
``create`` returns None and the resource limits are the only bound (the README says so).
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
TASKS = 256  # processes and threads, together
_names = itertools.count()


class Group:
    """One sandbox's control group: the folders of its hierarchies (one on v2, two on v1)."""

    def __init__(self, folders: list[Path]):
        self.folders = folders

    def join(self) -> None:
        """Put the calling process in the group (a ``preexec_fn``: what it starts stays there)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def tasks(self) -> list[int]:
        return sorted({int(pid) for folder in self.folders
                       for pid in (folder / "cgroup.procs").read_text().split()})

    def remove(self) -> None:
        """End whatever is still in the group, then remove it."""
        for _ in range(100):
            try:
                pids = self.tasks()
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                for folder in self.folders:
                    if folder.exists():
                        folder.rmdir()
                return
            except OSError:  # busy until the last process is reaped
                time.sleep(0.02)


def _hierarchies() -> list[tuple[Path, dict[str, str]]] | None:
    """Where to make a group and what to write in it, or None where the machine allows none."""
    if (ROOT / "cgroup.controllers").exists():  # v2
        enabled = (ROOT / "cgroup.subtree_control").read_text().split()
        if {"cpu", "pids"} <= set(enabled):
            return [(ROOT, {"pids.max": str(TASKS)})]
        return None
    if (ROOT / "cpu").is_dir() and (ROOT / "pids").is_dir():  # v1
        return [(ROOT / "cpu", {}), (ROOT / "pids", {"pids.max": str(TASKS)})]
    return None


def _sweep(roots: list[Path]) -> None:
    """Remove the groups of graders that ended without removing theirs (the name says whose)."""
    for root in roots:
        for folder in root.glob("qlab-*-*-*"):
            try:
                os.kill(int(folder.name.split("-")[2]), 0)
            except ProcessLookupError:
                Group([folder]).remove()
            except (ValueError, OSError):
                continue


def create(kind: str) -> Group | None:
    """A new group named after ``kind`` (``sandbox``, ``kernel``), or None where none can be made."""
    if os.geteuid() != 0:
        return None
    try:
        hierarchies = _hierarchies()
    except OSError:
        return None
    if hierarchies is None:
        return None
    _sweep([root for root, _ in hierarchies])
    name = f"qlab-{kind}-{os.getpid()}-{next(_names)}"
    made = []
    try:
        for root, settings in hierarchies:
            folder = root / name
            folder.mkdir()
            made.append(folder)
            for setting, value in settings.items():
                (folder / setting).write_text(value)
    except OSError:
        Group(made).remove()
        return None
    return Group(made)
