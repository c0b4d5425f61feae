"""Grading a whole class on Dask: a real multi-process LocalCluster, and a scheduler and
workers started as separate processes, grading the same class of real submissions."""

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from autograde.classroom.batch import Limits, find_submissions, grade_class, grade_submission, main
from autograde.registry import rules_for
from submissions import ASSIGNMENT, REPO, make

RULES = [rule.name for rule in rules_for(ASSIGNMENT)]
TIME_LIMIT = 60.0  # per submission: the hanging one runs into it, the others finish well within it on a loaded machine
MEMORY_LIMIT = "2GiB"  # per process: the grader needs well under 1 GiB, the hog asks for 3
LIMITS = Limits(time_limit=TIME_LIMIT, memory_limit=2 * 2**30)


def crashing(path: Path) -> Path:
    """The solution, but the last answer cell ends the process at its top level."""
    return _edit(make(path, "solution"), lambda cells: cells[-1], "import os\nos._exit(3)\n")


def hanging(path: Path) -> Path:
    """The solution, but every answer cell starts by sleeping for ever at its top level."""
    return _edit(make(path, "solution"), lambda cells: cells, "import time\nwhile True:\n    time.sleep(1)\n")


def hogging(path: Path) -> Path:
    """The solution, but the last answer cell first asks for 3 GiB."""
    return _edit(make(path, "solution"), lambda cells: cells[-1], "hog = bytearray(3 * 2**30)\n")


def _edit(path, pick, prefix):
    notebook = nbformat.read(str(path), as_version=4)
    answers = [c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
               and not c.metadata["nbgrader"].get("grade")]
    picked = pick(answers)
    for cell in picked if isinstance(picked, list) else [picked]:
        cell.source = prefix + cell.source
    nbformat.write(notebook, str(path))
    return path


MAKERS = {"solution": lambda p: make(p, "solution"), "release": lambda p: make(p, "release"),
          "half_right": lambda p: make(p, "half_right"), "crash": crashing, "hang": hanging,
          "hog": hogging}
EXPECTED = {  # points per rule, in RULES' order
    "solution": [4, 3, 2, 1, 5],
    "release": [0, 0, 0, 0, 0],
    "half_right": [4, 0, 2, 0, 3],
    "hang": [0, 0, 0, 0, 0],
    "hog": [4, 3, 2, 1, 0],
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An nbgrader course folder: the assignment in its gradebook, the class in submitted/."""
    course = tmp_path_factory.mktemp("course")
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(REPO / "autograde"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    f"--CourseDirectory.root={course}", f"--CourseDirectory.source_directory={REPO / 'solutions'}",
                    "--CourseDirectory.release_directory=release"], cwd=course, env=env, check=True, capture_output=True)
    for student, maker in MAKERS.items():
        maker(course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return course


@pytest.fixture(scope="module")
def on_local_cluster(course):
    """`python -m autograde batch` on the course folder: a LocalCluster of 2 worker processes."""
    out = course / "batch"
    assert main([ASSIGNMENT, str(course), "--workers", "2", "--out", str(out), "--time-limit", str(TIME_LIMIT),
                 "--memory-limit", MEMORY_LIMIT, "--no-progress"]) == 0
    with open(out / "grades.csv") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def points(row):
    return [float(row[rule]) for rule in RULES]


def test_finds_the_students_in_every_layout(tmp_path):
    for student in ("ann", "bob"):
        (tmp_path / "nbgrader" / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        (tmp_path / "nbgrader" / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").touch()
        (tmp_path / "folders" / student).mkdir(parents=True)
        (tmp_path / "folders" / student / f"{ASSIGNMENT}.ipynb").touch()
        (tmp_path / "plain").mkdir(exist_ok=True)
        (tmp_path / "plain" / f"{student}_{ASSIGNMENT}.ipynb").touch()
    (tmp_path / "folders" / "cy").mkdir()  # a student who handed in nothing still gets a row
    for layout in ("nbgrader", "nbgrader/submitted", "folders", "plain"):
        found = find_submissions(ASSIGNMENT, [tmp_path / layout])
        assert [s.student for s in found if s.path] == ["ann", "bob"], layout
    assert "no notebook 01_value_iteration.ipynb" in find_submissions(ASSIGNMENT, [tmp_path / "folders"])[-1].problem
    with pytest.raises(ValueError, match="two submissions for student 'ann'"):
        find_submissions(ASSIGNMENT, [tmp_path / "plain", tmp_path / "folders"])


@pytest.mark.slow
def test_local_cluster_grades_the_class(on_local_cluster):
    rows = on_local_cluster
    assert sorted(rows) == sorted(MAKERS)
    for student, expected in EXPECTED.items():
        assert points(rows[student]) == expected, student
        assert float(rows[student]["total"]) == sum(expected)
    assert rows["solution"]["notes"] == ""
    assert "not implemented yet" in rows["release"]["notes"]
    assert rows["half_right"]["notes"].startswith("value_iteration: it ignores tol and runs a fixed number of backups")
    assert f"time limit of {TIME_LIMIT:g} s" in rows["hang"]["notes"]
    assert points(rows["crash"])[-1] == 0 and "crashed" in rows["crash"]["notes"]
    assert rows["hog"]["notes"].startswith("discount_grid:") and "MemoryError" in rows["hog"]["notes"]


@pytest.mark.slow
def test_the_gradebook_gets_the_scores(course, on_local_cluster):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, row in on_local_cluster.items():
            grades = {g.name: g.score for g in gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades}
            assert [grades[f"{rule}_tests"] for rule in RULES] == points(row), student


@pytest.mark.slow
def test_serial_grading_gives_the_same_results(course, on_local_cluster):
    """Determinism: the same submissions graded one after another, without Dask."""
    for student in ("half_right", "release"):
        notebook = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        graded = grade_submission(student, notebook.read_bytes(), ASSIGNMENT, LIMITS)
        assert [graded.points[rule] for rule in RULES] == points(on_local_cluster[student])
        assert graded.notes(ASSIGNMENT) == on_local_cluster[student]["notes"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(tmp_path):
    """`dask scheduler` and `dask worker` (2 processes) started as separate processes, where
    autograde is importable through PYTHONPATH only (they run in an empty folder). A task
    whose worker dies is not retried, so that a killed worker shows in the grades."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(scratch), DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    log = open(tmp_path / "cluster.log", "wb")
    dask = [sys.executable, "-m", "dask"]
    processes = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], cwd=tmp_path, env=env, stdout=log, stderr=log),
                 subprocess.Popen([*dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                                  cwd=tmp_path, env=env, stdout=log, stderr=log)]
    yield address, scratch
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


def _kill_the_worker_grading(address: str, student: str) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        while True:
            busy = [w for w, keys in client.processing().items() if f"grade-{ASSIGNMENT}-{student}" in keys]
            if busy:
                time.sleep(2)  # its grading process is running by now
                pid = client.run(os.getpid, workers=busy)[busy[0]]
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.2)


@pytest.mark.slow
def test_separate_scheduler_and_workers_grade_the_same(tmp_path, cluster, on_local_cluster, course):
    address, scratch = cluster
    plain = tmp_path / "plain"  # this time a plain folder of <student>.ipynb
    plain.mkdir()
    for student in MAKERS:
        (plain / f"{student}.ipynb").write_bytes((course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes())
    killer = threading.Thread(target=_kill_the_worker_grading, args=(address, "hang"), daemon=True)
    killer.start()
    graded = {g.student: g for g in grade_class(ASSIGNMENT, find_submissions(ASSIGNMENT, [plain]), LIMITS,
                                                scheduler=address, progress=False)}
    killer.join(5)
    assert sorted(graded) == sorted(MAKERS)
    compared = 0
    for student, row in on_local_cluster.items():
        if student != "hang":
            if "KilledWorker" in graded[student].cut_short:  # it was in flight on the killed worker too
                continue
            compared += 1
            assert [graded[student].points[rule] for rule in RULES] == points(row), student
            if student != "crash":  # its exit code may be read before the process is reaped ("exit code None")
                assert graded[student].notes(ASSIGNMENT) == row["notes"], student
    assert compared >= 3, "the killed worker took most of the class with it"
    # The worker grading `hang` was killed: that student gets zero and the reason, the batch went on,
    # and the grading process died with its worker, taking the student's process along.
    assert sum(graded["hang"].points.values()) == 0
    assert "the grading task failed on the cluster (KilledWorker" in graded["hang"].cut_short
    deadline = time.monotonic() + 10
    while (left := [p for p in psutil.process_iter(["cwd"]) if str(scratch) in (p.info["cwd"] or "")]):
        assert time.monotonic() < deadline, f"processes left behind by the killed worker: {left}"
        time.sleep(0.5)
