"""Grading throughput: a class of assignment 02 submissions, serially and on a Dask LocalCluster.

Measures
  - throughput: ``--count`` submissions (default 100) made from the real release notebook, a
    seeded, realistic mix: about half right in every rule (the catalogue's correct answers,
    in their different styles), a third with one or two plausible wrong answers (the
    catalogue's), some unfinished (a rule left as released), and a tenth broken (a syntax
    error in a cell, a function that raises, one that hangs, ``os._exit`` at the top level).
    Graded by ``autograde.classroom.batch.grade_class`` serially (``--workers 0``, no Dask) and on a
    LocalCluster of 1 and 2 worker processes (``--workers 1 2``): submissions per minute
    (wall clock, cluster start included) and the median seconds per submission;
  - one honest submission (the solutions of 01 and 02) graded as a whole process,
    ``python -m autograde solutions/02_q_learning/02_q_learning.ipynb``, beside the same command
    run from ``--peer`` (another checkout, e.g. a worktree of an older commit), interleaved; and
    where 02's time goes:
    the interpreter's start, the imports, the sandbox's start (the student's cells), and each
    rule's checks with the number of calls into the student's function they make (hypothesis
    examples and fixed cases).
The machine's load average is printed with the results: other work on it slows every figure.

    python benchmarks/bench_grading.py [--count 100] [--workers 0 1 2] [--repeats 3] [--peer OLD_CHECKOUT]
"""

from __future__ import annotations

import argparse
import copy
import importlib
import inspect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "02_q_learning"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = REPO / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

BROKEN = {  # how a broken submission breaks: (rule it breaks, the answer cell's source)
    "syntax_error": "def {name}(*args):\n    return args[0] +\n",
    "raises": "def {name}(*args, **kwargs):\n    return undefined_helper(*args)\n",
    "hangs": "def {name}(*args, **kwargs):\n    while True:\n        pass\n",
    "exits": "import os\nos._exit(1)\n",
}


def _answer(rule: str, function) -> str:
    """A catalogue function's source, renamed to the rule's name as a student would write it."""
    source = textwrap.dedent(inspect.getsource(function))
    return source.replace(f"def {function.__name__}(", f"def {rule}(", 1)


def class_of(count: int, seed: int = 0) -> list[tuple[str, dict[str, str]]]:
    """``count`` students: (id, {rule: answer cell source, or None for the released stub})."""
    from autograde.registry import rules_for

    rng = random.Random(seed)
    rules = [rule.name for rule in rules_for(ASSIGNMENT)]
    catalogue = {rule: importlib.import_module(f"autograde.catalogue.{rule}") for rule in rules}
    students = []
    for i in range(count):
        answers = {rule: _answer(rule, rng.choice(catalogue[rule].CORRECT)) for rule in rules}
        kind = rng.choices(["right", "partly_wrong", "unfinished", "broken"], weights=[50, 30, 10, 10])[0]
        if kind == "partly_wrong":
            for rule in rng.sample(rules, rng.choice([1, 2])):
                answers[rule] = _answer(rule, rng.choice(list(catalogue[rule].WRONG)))
        elif kind == "unfinished":
            answers[rng.choice(rules)] = None
        elif kind == "broken":
            rule, how = rng.choice(rules), rng.choice(list(BROKEN))
            answers[rule] = BROKEN[how].format(name=rule)
            kind = f"broken_{how}"
        students.append((f"s{i:03d}_{kind}", answers))
    return students


def write_class(folder: Path, students) -> None:
    from autograde.notebook import is_answer_cell

    release = nbformat.read(str(RELEASE), as_version=4)
    for student, answers in students:
        notebook = copy.deepcopy(release)
        for cell in notebook.cells:
            if is_answer_cell(cell):
                answer = answers.get(cell.metadata["nbgrader"]["grade_id"].removesuffix("_answer"))
                if answer is not None:
                    cell.source = "import numpy as np\n\n" + answer
        nbformat.write(notebook, str(folder / f"{student}.ipynb"))


def throughput(folder: Path, workers: int) -> dict:
    from autograde.classroom.batch import find_submissions, grade_class

    submissions = find_submissions(ASSIGNMENT, [folder])
    started = time.perf_counter()
    graded = grade_class(ASSIGNMENT, submissions, workers=workers, progress=True)
    elapsed = time.perf_counter() - started
    return {"workers": workers, "count": len(graded), "seconds": elapsed, "per_minute": 60 * len(graded) / elapsed,
            "median": statistics.median(g.seconds for g in graded),
            "grades": {g.student: (g.points, g.cut_short) for g in graded}}


PROFILE = r"""
import json, sys, time
started = time.perf_counter()
from autograde.notebook import cells_to_run, read
from autograde.registry import rules_for
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox
imported = time.perf_counter()
sandbox = Sandbox(cells_to_run(read(sys.argv[1])), call_timeout=10.0)
sandbox.start()
sandbox_started = time.perf_counter()
rules = []
for rule in rules_for(sys.argv[2]):
    calls, trips = [0], [0]
    function = sandbox.function(rule.name)
    def counted(*args, _function=function, **kwargs):
        calls[0] += 1
        trips[0] += 1
        return _function(*args, **kwargs)
    def repeat(times, *args, _function=function, **kwargs):
        values, error = _function.repeat(times, *args, **kwargs)
        calls[0] += len(values) + (error is not None)
        trips[0] += 1
        return values, error
    counted.__name__, counted.repeat = rule.name, repeat
    t = time.perf_counter()
    result = run_checks(rule, counted)
    rules.append({"rule": rule.name, "seconds": time.perf_counter() - t, "checks": len(result.checks),
                  "calls": calls[0], "trips": trips[0], "points": result.points})
sandbox.stop()
print(json.dumps({"imports": imported - started, "sandbox_start": sandbox_started - imported, "rules": rules}))
"""


def whole_process(checkout: Path, assignment: str) -> float:
    """Seconds of ``python -m autograde`` grading ``assignment``'s solution, run from ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    source = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograde", str(source)], env=env, cwd=checkout, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def one_submission(repeats: int, peer: Path | None) -> dict:
    """The whole-process time of grading the 01 and 02 solutions (from this checkout and, interleaved,
    from ``peer``), and the breakdown for 02 (medians of ``repeats``)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    python = sys.executable
    checkouts = {"this checkout": REPO, **({f"peer {peer}": peer} if peer else {})}
    times = {(name, a): [] for name in checkouts for a in ("01_value_iteration", ASSIGNMENT)}
    for _ in range(repeats):
        for (name, assignment), runs in times.items():
            runs.append(whole_process(checkouts[name], assignment))
    started = time.perf_counter()
    for _ in range(repeats):
        subprocess.run([python, "-c", "pass"], env=env, cwd=REPO, check=True)
    start = (time.perf_counter() - started) / repeats
    profiles = [json.loads(subprocess.run([python, "-c", PROFILE, str(SOURCE), ASSIGNMENT], env=env, cwd=REPO,
                                          check=True, capture_output=True, text=True).stdout) for _ in range(repeats)]
    rules = [{**r, "seconds": statistics.median(p["rules"][i]["seconds"] for p in profiles)}
             for i, r in enumerate(profiles[0]["rules"])]
    return {"whole": {key: statistics.median(runs) for key, runs in times.items()}, "start": start,
            "imports": statistics.median(p["imports"] for p in profiles),
            "sandbox_start": statistics.median(p["sandbox_start"] for p in profiles), "rules": rules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="submissions in the class")
    parser.add_argument("--workers", type=int, nargs="*", default=[0, 1, 2],
                        help="0: serially without Dask; N: a LocalCluster of N worker processes")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the one-submission measurements")
    parser.add_argument("--peer", type=Path, help="another checkout (e.g. a git worktree of an older commit) whose "
                                                  "one-submission times are taken interleaved with this one's")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    one = one_submission(args.repeats, args.peer)
    print(f"\none honest submission (the solution), `python -m autograde SOLUTION.ipynb` as a whole process, "
          f"seconds, median of {args.repeats} interleaved:\n\n| checkout | 01_value_iteration | {ASSIGNMENT} |\n|---|---:|---:|")
    for name in dict.fromkeys(name for name, _ in one["whole"]):
        print(f"| {name} | {one['whole'][name, '01_value_iteration']:.2f} | {one['whole'][name, ASSIGNMENT]:.2f} |")
    print(f"\nwhere {ASSIGNMENT}'s time goes (this checkout):\n\n| part | seconds |\n|---|---:|")
    print(f"| interpreter start (`python -c pass`) | {one['start']:.2f} |")
    print(f"| imports (autograde, pytest, nbformat, numpy) | {one['imports']:.2f} |")
    print(f"| sandbox start (child process, the student's cells) | {one['sandbox_start']:.2f} |")
    for r in one["rules"]:
        print(f"| checks of {r['rule']} ({r['checks']} checks, {r['calls']} calls of the student's function in "
              f"{r['trips']} round trips to the sandbox) | {r['seconds']:.2f} |")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        students = class_of(args.count)
        write_class(Path(folder), students)
        kinds = [student.split("_", 1)[1] for student, _ in students]
        print(f"\nthe class: {args.count} submissions of {ASSIGNMENT}: "
              + ", ".join(f"{kinds.count(kind)} {kind}" for kind in sorted(set(kinds))))
        runs = [throughput(Path(folder), workers) for workers in args.workers]
    print(f"\n| grading | submissions/min | median s/submission | total s |\n|---|---:|---:|---:|")
    for run in runs:
        name = "serial (no Dask)" if run["workers"] == 0 else f"LocalCluster, {run['workers']} worker(s)"
        print(f"| {name} | {run['per_minute']:.1f} | {run['median']:.1f} | {run['seconds']:.0f} |")
    same = all(run["grades"] == runs[0]["grades"] for run in runs)
    print(f"\nidentical grades in every run: {same}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
