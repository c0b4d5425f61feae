"""nbgrader's grading kernel under limits (autograde.nbgrader.preprocessors, autograde.nbgrader.kernel): a flood is
cut, a hang costs one timeout and skips the experiments after it, a kernel death or a hang
that ignores the interrupt costs only its cell, an allocation over the memory limit fails in its cell; and the output cap never
changes the score nbgrader reads from a cell."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from autograde.nbgrader.kernel import OUTPUT_LIMIT
from autograde.nbgrader.preprocessors import KILLED, SKIPPED, STUCK, CapOutput, GradingExecute


def cell(source, kind=None, grade_id=None):
    meta = {}
    if kind == "setup":
        meta = {"tags": ["setup"]}
    elif kind == "answer":
        meta = {"nbgrader": {"solution": True, "grade": False, "grade_id": grade_id, "locked": False}}
    elif kind == "test":
        meta = {"nbgrader": {"solution": False, "grade": True, "grade_id": grade_id, "locked": True, "points": 1}}
    return new_code_cell(source, metadata=meta)


def text(c) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") + str(o.get("data", {}).get("text/plain", ""))
                   for o in c.outputs)


@pytest.mark.slow
def test_flood_hang_death_and_memory_cost_only_their_cells(tmp_path):
    notebook = new_notebook(cells=[
        cell("x = 1", "setup"),
        cell("print('y' * 3_000_000)", "answer", "flood"),
        cell("import time\ntime.sleep(60)"),                    # an experiment that hangs
        cell("while True:\n    try:\n        time.sleep(60)\n    except KeyboardInterrupt:\n        pass",
             "answer", "stubborn"),                              # a hang that ignores the interrupt
        cell("print('experiment ran')"),                         # skipped after the hang
        cell("import os\nos._exit(1)", "answer", "killer"),      # the kernel dies here
        cell("big = bytearray(3 * 2**30)", "answer", "greedy"),  # over the 1 GiB limit
        cell("x + 1", "test", "x_tests"),
    ])
    config = Config()
    config.GradingKernelManager.memory_limit = 2**30
    execute = GradingExecute(config=config, timeout=6)
    done, _ = execute.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    setup, flood, hang, stubborn, skipped, killer, greedy, test = done.cells
    assert len(text(flood)) < OUTPUT_LIMIT + 200 and "output cut" in text(flood)
    assert "CellTimeoutError" in [o.ename for o in hang.outputs if o.output_type == "error"]
    assert stubborn.outputs[0].ename == "KernelStuck" and stubborn.outputs[0].evalue == STUCK
    assert text(skipped) == SKIPPED + "\n"
    assert killer.outputs[0].ename == "KernelDied" and killer.outputs[0].evalue == KILLED
    assert [o.ename for o in greedy.outputs if o.output_type == "error"] == ["MemoryError"]
    assert test.outputs[-1].output_type == "execute_result" and test.outputs[-1].data["text/plain"] == "2"


def test_output_cap_cuts_text_and_keeps_what_decides_the_score():
    flood = [new_output("stream", name="stdout", text="z" * 1000) for _ in range(50)]
    notebook = new_notebook(cells=[
        cell("spam()", "test", "a"),
        cell("quiet()", "test", "b"),
    ])
    notebook.cells[0].outputs = flood + [new_output("stream", name="stderr", text="warning\n"),
                                         new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)]
    notebook.cells[1].outputs = [new_output("stream", name="stdout", text="fine\n")]
    capped, _ = CapOutput(max_chars=5000).preprocess(nbformat.from_dict(notebook), {})
    spam, quiet = capped.cells
    assert sum(len(o.get("text", "")) for o in spam.outputs) < 6000
    assert [o.output_type for o in spam.outputs][-2:] == ["stream", "execute_result"]
    assert spam.outputs[-2].name == "stderr" and spam.outputs[-1].data["text/plain"] == "1.5"
    assert quiet.outputs == [new_output("stream", name="stdout", text="fine\n")]
