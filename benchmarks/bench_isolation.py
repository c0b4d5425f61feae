"""The cost of isolation: grading one notebook with the student's code under bubblewrap vs in a
plain child process (same worker, same limits), median of ``--repeats`` interleaved runs in one
grader process (so both pay the grader's own imports once, before timing).

    python benchmarks/bench_isolation.py --repeats 5
    python benchmarks/bench_isolation.py --notebook solutions/02_q_learning/02_q_learning.ipynb
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from autograde.sandbox.isolation import bwrap_works
from autograde.offline import grade_notebook
from autograde.sandbox.process import Sandbox
from autograde.notebook import cells_to_run, read

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "01_value_iteration" / "01_value_iteration.ipynb"


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=SOLUTION)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not bwrap_works():
        raise SystemExit("bubblewrap (bwrap) does not work here: nothing to compare")
    cells = cells_to_run(read(args.notebook))
    grade_notebook(args.notebook, isolate=False)  # warm the grader (pytest, hypothesis, the checks)
    times = {"bwrap": {"grade": [], "start": []}, "plain": {"grade": [], "start": []}}
    for _ in range(args.repeats):
        for name, isolate in (("bwrap", True), ("plain", False)):
            times[name]["start"].append(timed(lambda: Sandbox(cells, isolate=isolate).__enter__().stop()))
            results = []
            times[name]["grade"].append(timed(lambda: results.extend(grade_notebook(args.notebook, isolate=isolate))))
            assert all(r.isolated == isolate for r in results)
    print(f"{args.notebook.name}, median of {args.repeats} interleaved runs")
    for what in ("start", "grade"):
        bwrap, plain = (statistics.median(times[n][what]) for n in ("bwrap", "plain"))
        label = "start the child and run the cells" if what == "start" else "grade the whole notebook"
        print(f"  {label:<34} bwrap {bwrap:6.2f} s   plain {plain:6.2f} s   cost {bwrap - plain:+.2f} s "
              f"({(bwrap / plain - 1) * 100:+.0f}%)")


if __name__ == "__main__":
    main()
