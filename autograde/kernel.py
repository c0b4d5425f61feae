"""The kernel ``nbgrader autograde`` runs a submission in: ipykernel under a memory limit.

    python -m autograde.kernel --memory-limit BYTES -f CONNECTION_FILE

``GradingKernelManager`` starts this instead of ``ipykernel_launcher`` (see
``autograde.preprocessors.GradingExecute``, which nbgrader_config.py makes autograde use),
so the student's kernel and the checks it forks cannot take the grading machine's memory.
The limit is on the data segment and private writable mappings (RLIMIT_DATA: what numpy,
torch and Python really allocate) and, where no NVIDIA device is present, on the address
space too (RLIMIT_AS: CUDA reserves far more address space than it uses, so it is left
off where CUDA may run). An allocation over the limit raises MemoryError in the cell.
What a cell prints is cut at ``OUTPUT_LIMIT`` characters per stream before it leaves the
kernel, so a flood costs neither the grader's memory nor a huge feedback page.
"""

from __future__ import annotations

import glob
import os
import resource
import sys

from ipykernel.iostream import OutStream
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

MEMORY_LIMIT = 8 * 2**30  # bytes, the same as the out-of-kernel grader's
OUTPUT_LIMIT = 200_000    # characters per stream (stdout, stderr) per cell


def limit_memory(nbytes: int) -> None:
    """Cap this process (and what it forks) at ``nbytes``; never raises the existing caps."""
    kinds = [resource.RLIMIT_DATA] + ([] if glob.glob("/dev/nvidia[0-9]*") else [resource.RLIMIT_AS])
    for kind in kinds:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            nbytes = min(nbytes, hard)
        if soft == resource.RLIM_INFINITY or soft > nbytes:
            resource.setrlimit(kind, (nbytes, hard))


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
    """Starts a Python kernel through ``python -m autograde.kernel`` with a memory limit."""

    memory_limit = Integer(MEMORY_LIMIT, help="bytes the grading kernel (and each process it forks) may allocate"
                           ).tag(config=True)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if "ipykernel_launcher" not in command:
            raise RuntimeError(f"the grading kernel must be a Python kernel started by ipykernel_launcher; "
                               f"the kernelspec {self.kernel_name!r} runs {command}")
        at = command.index("ipykernel_launcher")
        return command[:at] + ["autograde.kernel", f"--memory-limit={self.memory_limit}"] + command[at + 1:]


def main() -> None:
    arguments = sys.argv[1:]
    limits = [a for a in arguments if a.startswith("--memory-limit=")]
    limit_memory(int(limits[-1].split("=", 1)[1]) if limits else MEMORY_LIMIT)
    sys.argv = [sys.argv[0], "--IPKernelApp.outstream_class=autograde.kernel.CappedOutStream"] + [
        a for a in arguments if a not in limits]
    devnull = os.open(os.devnull, os.O_WRONLY)  # the kernel echoes fd 1 and 2 to its own: keep them out of nbgrader's log
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
