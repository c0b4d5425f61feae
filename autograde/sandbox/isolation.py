"""How the student's process is started: under bubblewrap where it works, else plainly.

Under ``bwrap`` the process sees a read-only system (/usr, /etc, Python and its libraries,
the repository's ``qlab`` and ``autograde`` packages) with the hidden checks and catalogues
replaced by empty folders; nothing else of the repository (no ``solutions/``, no submissions,
no other student's files), a fresh writable /tmp as its working directory (holding a copy of
the data files beside the notebook, when asked), no network, its own process tree (killed with
the grader), and, when the grader runs as root, a uid of its own so that the process-count
limit holds a fork bomb. Resource limits (memory, CPU time,
file size, processes) are set by the process itself before any student code runs
(``autograde.sandbox.worker``).
"""

from __future__ import annotations

import functools
import glob
import itertools
import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

from autograde.registry import HERE, REPO

HIDDEN = [HERE / "checks", HERE / "catalogue"]
VISIBLE_PACKAGES = [REPO / "qlab", HERE]
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
TMP_SIZE = 256 * 2**20
_uids = itertools.count()


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and allowed to make its namespaces here."""
    try:
        probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                "--unshare-pid", "--unshare-net", "--die-with-parent", "true"],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@functools.cache
def python_roots() -> list[str]:
    """The folders Python and its libraries are read from."""
    roots = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    paths = sysconfig.get_paths()
    roots |= {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots |= {os.path.realpath(p) for p in site.getsitepackages() if os.path.isdir(p)}
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(roots)


@functools.cache
def visible_roots() -> list[str]:
    return [*python_roots(), *(str(p) for p in VISIBLE_PACKAGES)]


@functools.lru_cache(maxsize=4096)
def is_visible(path: str) -> bool:
    """Whether a file the grader imported from is also there for the student's process."""
    path = os.path.realpath(path)
    if any(path.startswith(str(h) + os.sep) for h in HIDDEN):
        return False
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in visible_roots())


def new_uid() -> int:
    """A uid no other sandbox of this machine uses now (for a grader running as root): the
    process-count limit then counts this sandbox's processes only."""
    return 100_000 + (os.getpid() * 64 + next(_uids)) % 900_000


def worker_python() -> str:
    """The Python of this virtual environment, by a path that exists inside the sandbox."""
    return os.path.join(os.path.realpath(sys.prefix), "bin", os.path.basename(sys.executable))


def _ancestors(paths: list[str]) -> list[str]:
    found = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) != "/":
                found.add(str(parent))
    return sorted(found, key=lambda p: (p.count("/"), p))


def bwrap_command(argv: list[str], as_root: bool, *, files: list[tuple[int, str]] = (),
                  checks_shown: list[Path] | None = None, binds: tuple[tuple[str, str, bool], ...] = (),
                  tmp_size: int = TMP_SIZE, root_capabilities: tuple[str, ...] = ()) -> list[str]:
    """``argv`` run under bubblewrap with the view described in this module's docstring.

    ``files``: (open file descriptor, relative path) pairs copied into its /tmp (the notebook's
    data files, a private copy the process may read and change). ``checks_shown``: the files of
    the checks folder the process may read (nbgrader's kernel runs its assignment's checks);
    None hides them all. ``binds``: (source, destination, writable) folders added to the view.
    ``root_capabilities``: what a process started as root keeps besides moving to a uid of its
    own (which then ends every capability).
    """
    system = [p for p in SYSTEM if os.path.exists(p)]
    python = [r for r in python_roots() if not any(r.startswith(s + os.sep) for s in system)]
    packages = [str(p) for p in VISIBLE_PACKAGES]
    command = ["bwrap", "--die-with-parent", "--new-session",
               "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               # the fresh /tmp first: binds below it (a virtual environment under /tmp) stay visible
               "--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]
    for folder in sorted({str(parent) for _, path in files for parent in Path(path).parents if str(parent) != "."}):
        command += ["--perms", "0777", "--dir", f"/tmp/{folder}"]
    for descriptor, path in files:
        command += ["--perms", "0666", "--file", str(descriptor), f"/tmp/{path}"]
    if as_root:  # keep only what the worker needs to move to a uid of its own
        command += ["--cap-drop", "ALL"]
        for capability in ("CAP_SETUID", "CAP_SETGID", *root_capabilities):
            command += ["--cap-add", capability]
    else:
        command += ["--unshare-user"]
    for parent in _ancestors(python + packages):  # bwrap would make these 0700: unreadable after setuid
        if not any(parent == b or parent.startswith(b + os.sep) for b in system + python):
            command += ["--perms", "0755", "--dir", parent]
    for path in system + python + packages:
        command += ["--ro-bind", path, path]
    for path in HIDDEN:
        if path.exists():
            command += ["--tmpfs", str(path)]
            if path.name == "checks" and checks_shown is not None:
                for shown in checks_shown:
                    command += ["--ro-bind", str(shown), str(shown)]
            command += ["--remount-ro", str(path)]
    for source, destination, writable in binds:
        command += ["--bind" if writable else "--ro-bind", source, destination]
    command += ["--dev", "/dev", "--proc", "/proc", "--chdir", "/tmp"]
    for device in sorted(glob.glob("/dev/nvidia*")):  # CUDA, where the machine has it
        command += ["--dev-bind", device, device]
    if os.path.exists("/dev/nvidiactl") and os.path.isdir("/sys"):
        command += ["--ro-bind", "/sys", "/sys"]
    return command + argv


def environment(tmp: str = "/tmp") -> dict:
    """A small, clean environment: the repository's packages first on the path, no proxies,
    no instructor settings; ``tmp`` is the process's own writable folder."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                     "CUDA_VISIBLE_DEVICES")}
    return {**keep, "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp,
            "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(tmp, "matplotlib"),
            "HYPOTHESIS_STORAGE_DIRECTORY": os.path.join(tmp, "hypothesis")}
