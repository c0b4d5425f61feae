"""nbgrader preprocessors that keep a hostile submission from costing more than its points.

``GradingExecute`` (autograde's Execute, see nbgrader_config.py) runs the student's kernel
confined, under a memory limit, able to read only its own rules' checks (``autograde.nbgrader.kernel``); once a cell runs out of time the experiment
cells after it are not run (they call the same functions, and each would wait its full time);
a cell that kills the kernel (``os._exit``, a signal, the out-of-memory killer), or that runs
out of time and ignores the interrupt, is marked as such and the notebook runs again from a
fresh kernel without it, so the other rules are graded.
``CapOutput`` caps each cell's output by characters (nbgrader's LimitOutput counts lines;
one long line made a 50 MB feedback page). ``ScrubTracebacks`` keeps hidden tests out of
the tracebacks that feedback shows. ``RestoreHiddenTests`` puts the hidden tests back into a
submission's test cells without nbgrader's misleading warning that each one "has changed".
"""

from __future__ import annotations

import json

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Integer

from autograde.nbgrader.kernel import GradingKernelManager

KILLED = ("this cell stopped the Python kernel (os._exit, a signal, or the memory limit); the grader "
          "started a new kernel and ran the notebook again without it")
STUCK = ("this cell ran past its time and ignored the interrupt; the grader started a new kernel and ran "
         "the notebook again without it (and without the experiments after it)")
SKIPPED = "# (not run while grading: an earlier cell ran out of time, and this experiment would likely wait as long)"


def is_graded(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade") or meta.get("solution") or meta.get("task"))


def is_experiment(cell) -> bool:
    """A code cell that is neither setup, an answer nor a test: grading does not need it."""
    return cell.cell_type == "code" and not is_graded(cell) and "setup" not in cell.get("metadata", {}).get("tags", [])


class GradingExecute(Execute):
    """nbgrader's Execute for autograding: a memory-limited kernel, no waiting twice on a hang,
    and a kernel death that costs only the cell that caused it."""

    max_kernel_deaths = Integer(5, help="cells that may kill the kernel before the notebook is given up"
                                ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(*args, **kwargs)

    def create_kernel_manager(self):
        """The kernel may read the checks of this notebook's rules, and no others."""
        from autograde.registry import RULES

        km = super().create_kernel_manager()
        grade_ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in self.nb.cells}
        km.checks_shown = [rule.checks.name for rule in RULES.values() if rule.grade_id in grade_ids]
        return km

    def preprocess(self, nb, resources=None, km=None):
        removed: dict[int, str] = {}  # cell index -> why it is not run: KILLED or STUCK
        while True:
            self._removed, self._timed_out, self._running = removed, False, None
            try:
                return super().preprocess(nb, resources, km)
            except (DeadKernelError, CellTimeoutError) as error:  # the latter: it ignored the interrupt
                if self._running is None or len(removed) >= self.max_kernel_deaths:
                    raise
                stuck = isinstance(error, CellTimeoutError)
                self.log.warning("Cell %d %s; running the notebook again without it", self._running,
                                 "ignored the interrupt" if stuck else "killed the kernel")
                removed[self._running] = STUCK if stuck else KILLED
                ename = "KernelStuck" if stuck else "KernelDied"
                nb.cells[self._running].outputs = [NotebookNode(output_type="error", ename=ename,
                                                                evalue=removed[self._running],
                                                                traceback=[f"{ename}: {removed[self._running]}"])]

    def preprocess_cell(self, cell, resources, index):
        if index in self._removed:
            self._timed_out = self._timed_out or self._removed[index] == STUCK
            return cell, resources
        if self._timed_out and is_experiment(cell):
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=SKIPPED + "\n")]
            return cell, resources
        self._running = index
        result = super().preprocess_cell(cell, resources, index)
        self._running = None
        return result

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        if kwargs["execute_reply"]["content"].get("ename") == self.error_on_timeout.get("ename"):
            self._timed_out = True


def _size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return sum(len(line) for line in output.get("traceback", [])) + len(output.get("evalue", ""))
    return sum(len(v if isinstance(v, str) else json.dumps(v)) for v in output.get("data", {}).values())


def _truncate(output, keep: int):
    """Cut an output's text down to about ``keep`` characters, saying so."""
    note = f"\n… output cut: it was longer than the grader keeps ({_size(output):,} characters) …"
    if output.get("output_type") == "stream":
        output["text"] = output["text"][:keep] + note
    elif output.get("output_type") == "error":
        output["evalue"] = output.get("evalue", "")[:keep]
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output['evalue']}{note}"]
    else:
        output["data"] = {"text/plain": str(output.get("data", {}).get("text/plain", ""))[:keep] + note}
    return output


class CapOutput(NbGraderPreprocessor):
    """Cap each code cell's outputs at ``max_chars`` characters (images included).

    Past the cap, outputs are cut or dropped, except the ones that decide the cell's score:
    an error, the cell's result, and the first output on stderr stay (cut short), so the
    score nbgrader gives is the one it would have given uncapped.
    """

    max_chars = Integer(200_000, help="characters of output kept per cell").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or sum(_size(o) for o in cell.get("outputs", [])) <= self.max_chars:
            return cell, resources
        kept, used, stderr_kept = [], 0, False
        for output in cell.outputs:
            size = _size(output)
            decisive = output.get("output_type") in ("error", "execute_result") or (
                output.get("name") == "stderr" and not stderr_kept)
            stderr_kept = stderr_kept or output.get("name") == "stderr"
            if used + size <= self.max_chars:
                kept.append(output)
                used += size
            elif decisive or used < self.max_chars:
                room = max(self.max_chars - used, 200)
                kept.append(output if size <= room else _truncate(output, room))
                used = self.max_chars
        cell.outputs = kept
        return cell, resources


class ScrubTracebacks(NbGraderPreprocessor):
    """Error tracebacks in test cells quote the cell's code, hidden tests included, so
    feedback keeps only the error's name and message."""


    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class RestoreHiddenTests(OverwriteCells):
    """nbgrader's OverwriteCells, quiet about what every submission has.

    The gradebook keeps each test cell with its hidden tests; the release, and so every
    student's copy, has them cut out. nbgrader's OverwriteCells then finds every such cell's
    checksum changed, prints "Attribute 'checksum' for cell … has changed!" and restores it.
    Here a test cell that is exactly as released gets its hidden tests back silently; a locked
    cell the student really edited is still reported and restored as nbgrader does.
    """

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None  # nbgrader's own step reports it
            if source is not None and source.locked and cell.source == self.released(source):
                cell.source = source.source
        return super().preprocess_cell(cell, resources, index)

    def released(self, source) -> str:
        """The cell's source as generate_assignment released it: without its hidden tests."""
        cell = NotebookNode(source=source.source, cell_type=source.cell_type, metadata={})
        ClearHiddenTests(parent=self)._remove_hidden_test_region(cell)
        return cell.source
