"""Every solution notebook runs top to bottom in a real kernel with full marks in every test
cell and nothing on stderr, and the out-of-kernel grader gives its release zero."""


import nbformat
import pytest
from nbclient import NotebookClient

from autograde.offline import grade_notebook
from autograde.registry import REPO, RULES

pytestmark = pytest.mark.slow
# 01 runs whole in tests/test_grading.py and those with a tests/halfright/ file in
# tests/test_cycles.py (the nbgrader cycle); the others run here.
CYCLED = {p.stem for p in (REPO / "tests" / "halfright").glob("[0-9]*.py")} | {"01_value_iteration"}
SOURCES = [p for p in sorted((REPO / "solutions").glob("*/*.ipynb")) if p.parent.name not in CYCLED]
# What each notebook's experiments claim, run with the reference answers: {cell id: words in its output}.
CLAIMS = {
    "02_q_learning": {
        "gridworld-train": "the learned greedy policy is optimal in 9 of 9 states",
        "crawler-train": "best speed for γ = 0.8: 1.758; your learner's greedy gait: 1.758",
    },
}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_solution_runs_whole_with_full_marks(source, tmp_path):
    notebook = nbformat.read(str(source), as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {cell.id} raised"
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], f"cell {cell.id} wrote to stderr"
        claim = CLAIMS.get(source.stem, {}).get(cell.id)
        if claim:
            assert claim in "".join(o.get("text", "") for o in cell.outputs), f"cell {cell.id}: {claim!r}"
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert float(results[-1].data["text/plain"]) == meta["points"], cell.id


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_out_of_kernel_grader_gives_full_and_zero(source):
    release = REPO / "notebooks" / source.parent.name / source.name
    assert all(r.points == r.max_points for r in grade_notebook(source))
    results = grade_notebook(release)
    assert all(r.points == 0 and "not implemented yet" in r.diagnosis for r in results)
    assert {r.rule for r in results} == {rule.name for rule in RULES.values() if rule.assignment == source.parent.name}
