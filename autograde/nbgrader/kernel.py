"""The kernel ``nbgrader autograde`` runs a submission in: ipykernel, confined.

    python -m autograde.nbgrader.kernel --memory-limit=BYTES [--uid=UID] [--work=NAME] -f CONNECTION_FILE

``GradingKernelManager`` starts this instead of ``ipykernel_launcher`` (see
``autograde.nbgrader.preprocessors.GradingExecute``, which nbgrader_config.py makes autograde use).
Where bubblewrap works (``autograde.sandbox.isolation``) the kernel runs in the same kind of sandbox
as the out-of-kernel grader's student process: a read-only system, Python, ``qlab`` and
``autograde`` with only the checks of the notebook's own rules (no catalogue, no
``solutions/``, no course folder: no submission, no other student, no gradebook), no network
(it talks to nbgrader over Unix sockets in a folder of its own), its own process namespace
(whatever it starts ends with it), a uid of its own when the grader runs as root (so the
process limit holds), and, as its working folder on a bounded /tmp, a private copy of the
data files beside the notebook (those the out-of-kernel grader gives its cells too:
``autograde.sandbox.process.folder_files``). Without bubblewrap it runs as a plain kernel, with a loud warning.

Limits, set before any student code runs and not liftable by it (soft = hard): memory on the
data segment and private writable mappings (RLIMIT_DATA: what numpy, torch and Python really
allocate) and, where no NVIDIA device is present, on the address space too (RLIMIT_AS: CUDA
reserves far more address space than it uses); processes (RLIMIT_NPROC, under its own uid);
and, where the machine allows, a control group of its own (``autograde.sandbox.cgroup``).
An allocation over the limit raises MemoryError in the cell. What a cell prints is cut at
``OUTPUT_LIMIT`` characters per stream before it leaves the kernel.
"""

from __future__ import annotations

import glob
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from ipykernel.iostream import OutStream
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode

MEMORY_LIMIT = 8 * 2**30     # bytes, the same as the out-of-kernel grader's
OUTPUT_LIMIT = 200_000       # characters per stream (stdout, stderr) per cell
PROCESSES = 128              # tasks (processes and threads) of the kernel's uid
TMP_SIZE = 1 * 2**30         # bytes of the kernel's /tmp: its copy of the submission and what it writes
SUBMISSION = "/submission"   # where the files beside the notebook appear, read-only, in the sandbox


def limit_memory(nbytes: int) -> None:
    """Cap this process (and what it forks) at ``nbytes`` for good; never raises the existing caps."""
    kinds = [resource.RLIMIT_DATA] + ([] if glob.glob("/dev/nvidia[0-9]*") else [resource.RLIMIT_AS])
    for kind in kinds:
        _, hard = resource.getrlimit(kind)
        value = nbytes if hard == resource.RLIM_INFINITY else min(nbytes, hard)
        resource.setrlimit(kind, (value, value))


def confine(uid: int | None, memory: int) -> None:
    """A uid of its own (when started as root), then the limits."""
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    limit_memory(memory)


def clean_environment(work: str) -> None:
    """Only what a kernel needs: no instructor settings, no parent pid (its parent is the
    sandbox's init; bubblewrap ends the kernel when the grader ends)."""
    from autograde.sandbox.isolation import environment

    keep = {k: v for k, v in os.environ.items() if k == "NBGRADER_EXECUTION"}
    os.environ.clear()
    os.environ.update(environment("/tmp"), **keep, IPYTHONDIR="/tmp/ipython", JUPYTER_RUNTIME_DIR="/tmp/jupyter")
    os.chdir(work)


class CappedOutStream(OutStream):
    """stdout or stderr of the grading kernel: what one cell writes past OUTPUT_LIMIT
    characters is dropped, with one line saying so."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cell, self._written = None, 0

    def write(self, string):
        if not isinstance(string, str):
            return super().write(string)  # the TypeError a stream raises
        cell = self.parent_header.get("msg_id")
        if cell != self._cell:
            self._cell, self._written = cell, 0
        room = OUTPUT_LIMIT - self._written
        self._written += len(string)
        if room > 0:
            super().write(string[:room])
            if len(string) > room:
                super().write(f"\n… output cut: this cell wrote more than {OUTPUT_LIMIT:,} characters to {self.name} …\n")
        return len(string)


class GradingKernelManager(AsyncKernelManager):
    """Starts a Python kernel through ``python -m autograde.nbgrader.kernel``: confined where
    bubblewrap works (see the module's docstring), under a memory limit everywhere."""

    memory_limit = Integer(MEMORY_LIMIT, help="bytes the grading kernel (and each process it forks) may allocate"
                           ).tag(config=True)
    isolate = Bool(None, allow_none=True, help="run the kernel under bubblewrap (None: where it works)"
                   ).tag(config=True)
    checks_shown = List(Unicode(), help="the check modules (test_<rule>.py) the kernel may read; "
                                        "the checks' shared helpers are always readable")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from autograde.sandbox import isolation

        if self.isolate is None:
            self.isolate = isolation.bwrap_works()
            if not self.isolate:
                self.log.warning("bubblewrap (bwrap) is not available: the grading kernel runs WITHOUT isolation "
                                 "(a notebook can read and write what the grader can); install Debian's 'bubblewrap'")
        self.runtime = None
        if self.isolate:
            # Unix sockets in a folder of the kernel's own: the kernel needs no network at all.
            self.runtime = tempfile.mkdtemp(prefix="qlab-kernel-")
            self.transport = "ipc"
            self.connection_file = os.path.join(self.runtime, "kernel.json")
            self.ip = os.path.join(self.runtime, "socket")
            self.uid = isolation.new_uid() if os.geteuid() == 0 else None
            if self.uid is not None:
                os.chown(self.runtime, self.uid, self.uid)
        self.submission = None
        self.group = None

    async def _async_interrupt_kernel(self) -> None:
        """A confined kernel is interrupted by a message (ipykernel then signals its own
        process group): a signal to the sandbox's process group would end the sandbox."""
        if not self.isolate:
            await super()._async_interrupt_kernel()
            return
        self._connect_control_socket()
        self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    interrupt_kernel = _async_interrupt_kernel

    async def _async_pre_start_kernel(self, **kw):
        self.submission = kw.get("cwd") or self.submission
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if "ipykernel_launcher" not in command:
            raise RuntimeError(f"the grading kernel must be a Python kernel started by ipykernel_launcher; "
                               f"the kernelspec {self.kernel_name!r} runs {command}")
        at = command.index("ipykernel_launcher")
        options = [f"--memory-limit={self.memory_limit}"]
        if not self.isolate:
            return command[:at] + ["autograde.nbgrader.kernel", *options] + command[at + 1:]
        from autograde.sandbox import isolation
        from autograde.registry import HERE
        from autograde.sandbox.process import folder_files

        if self.uid is not None:
            options.append(f"--uid={self.uid}")
            os.chown(self.connection_file, self.uid, self.uid)
        binds = [(self.runtime, self.runtime, True)]
        if self.submission:  # the files beside the notebook that the out-of-kernel grader shows it too
            binds += [(str(Path(self.submission, path).resolve()), f"{SUBMISSION}/{path}", False)
                      for path in folder_files(Path(self.submission))]
        options.append(f"--work={Path(self.submission).name if self.submission else 'notebook'}")
        checks = HERE / "checks"
        shown = [p for p in sorted(checks.iterdir()) if p.is_file() and not p.name.startswith("test_")]
        shown += [checks / name for name in self.checks_shown if (checks / name).is_file()]
        argv = [isolation.worker_python(), "-m", "autograde.nbgrader.kernel", *options] + command[at + 1:]
        # as root, it copies the submission (whoever owns it) and hands the copy to its own uid
        return isolation.bwrap_command(argv, self.uid is not None, checks_shown=shown, binds=tuple(binds),
                                       tmp_size=TMP_SIZE, root_capabilities=("CAP_CHOWN", "CAP_DAC_READ_SEARCH"))

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        from autograde.sandbox import cgroup

        self.group = cgroup.create("kernel") if self.isolate else None
        if self.group:
            kw["preexec_fn"] = self.group.join
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if self.group:
            self.group.remove()
            self.group = None
        if self.runtime and not restart:
            shutil.rmtree(self.runtime, ignore_errors=True)


def main() -> None:
    options = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in sys.argv[1:]
               if a.startswith(("--memory-limit=", "--uid=", "--work="))}
    uid = int(options["--uid"]) if "--uid" in options else None
    if "--work" in options:  # confined: a private copy of the files beside the notebook, owned by the kernel's uid
        work = os.path.join("/tmp", options["--work"])
        os.makedirs(work, exist_ok=True)
        if os.path.isdir(SUBMISSION):
            shutil.copytree(SUBMISSION, work, dirs_exist_ok=True)
        if uid is not None:
            for folder, _, files in os.walk(work):
                for path in [folder, *(os.path.join(folder, f) for f in files)]:
                    os.chown(path, uid, uid)
        clean_environment(work)
    confine(uid, int(options.get("--memory-limit", MEMORY_LIMIT)))
    sys.argv = [sys.argv[0], "--IPKernelApp.outstream_class=autograde.nbgrader.kernel.CappedOutStream"] + [
        a for a in sys.argv[1:] if a.split("=", 1)[0] not in options]
    devnull = os.open(os.devnull, os.O_WRONLY)  # the kernel echoes fd 1 and 2 to its own: keep them out of nbgrader's log
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
