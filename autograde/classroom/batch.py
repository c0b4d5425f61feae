"""Grading a whole class on Dask.

    python -m autograde batch ASSIGNMENT SUBMISSIONS... [--workers N | --scheduler tcp://HOST:8786]
        [--out DIR] [--time-limit S] [--memory-limit 4GiB] [--call-timeout S] [--gradebook URL]

SUBMISSIONS are notebooks or folders, in any of these layouts:

- nbgrader's course folder or its ``submitted/``: ``submitted/<student>/<assignment>/*.ipynb``;
- a folder of student folders: ``<student>/<assignment>.ipynb``;
- a plain folder of notebooks, ``<student>.ipynb``: the student id is the file name, less the
  assignment id when it holds it (``alice_02_q_learning.ipynb`` is alice's).

Each submission is one Dask task that runs ``python -m autograde`` (the out-of-kernel grader)
in a fresh process of its own, so nothing a notebook does outlives its grading. The task holds
that process and everything it starts to a time limit for the whole submission and to an
address-space limit (RLIMIT_AS) per process, on top of the grader's own per-call limits. By
default the tasks run on a LocalCluster of one single-threaded worker process per core;
``--scheduler`` sends them to a running cluster instead, whose workers must import the same
``autograde`` (``pip install -e .`` of this repository, or ``PYTHONPATH=<this repository>``);
``--workers 0`` grades one submission after another without Dask.

Writes DIR/grades.csv (one row per student: each rule's points, the total, and notes saying why
points were lost or grading was cut short) and DIR/results.json (every rule's diagnosis), and
records the scores in nbgrader's gradebook (``--gradebook``, or the course's own when
SUBMISSIONS is an nbgrader course folder with a gradebook.db). A submission whose grading
dies or runs out of time gets zero points and the reason; the batch goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograde.registry import rules_for

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # what the grading process must find on its path


@dataclass(frozen=True)
class Limits:
    """What one submission may take: seconds in all, bytes of address space per process,
    and seconds per call of a student's function (the grader's ``--call-timeout``)."""

    time_limit: float = 300.0
    memory_limit: int = 4 * 2**30
    call_timeout: float = 10.0


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None: the student's folder holds no notebook to grade
    problem: str = ""
    own_folder: bool = False  # the notebook is in a folder of the student's own: its data files go with it

    def data_files(self) -> dict[str, bytes]:
        from autograde.sandbox.process import data_files

        return data_files(self.path.parent) if self.own_folder and self.path else {}


@dataclass
class Graded:
    """One student's grade: points and diagnosis per rule, and why grading was cut short."""

    student: str
    points: dict[str, float]
    diagnoses: dict[str, str] = field(default_factory=dict)
    cut_short: str = ""
    seconds: float = 0.0
    results: list[dict] = field(default_factory=list)  # each rule's RuleResult.to_json(), checks included

    @classmethod
    def nothing(cls, student: str, assignment: str, reason: str, seconds: float = 0.0) -> "Graded":
        return cls(student, {rule.name: 0.0 for rule in rules_for(assignment)}, {}, reason, seconds)

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 2)

    def notes(self, assignment: str) -> str:
        """The reason grading was cut short, or each rule's diagnosis where points were lost."""
        if self.cut_short:
            return self.cut_short
        lost: dict[str, list[str]] = {}  # diagnosis -> the rules it cost points
        for rule in rules_for(assignment):
            if self.points[rule.name] < rule.points:
                lost.setdefault(self.diagnoses.get(rule.name) or "points lost", []).append(rule.name)
        return "; ".join(f"{', '.join(names)}: {diagnosis}" for diagnosis, names in lost.items())


# -- finding the submissions ------------------------------------------------------------------

def _skipped(path: Path) -> bool:
    return path.name.startswith(".") or path.name == "__pycache__"


def _student_from_file(path: Path, assignment: str) -> str:
    student = path.stem.replace(assignment, "").strip("_-. ")
    return student or path.parent.name


def _in_student_folder(folder: Path, assignment: str) -> Submission:
    inner = folder / assignment if (folder / assignment).is_dir() else folder
    notebooks = sorted(p for p in inner.glob("*.ipynb") if not _skipped(p))
    named = inner / f"{assignment}.ipynb"
    if named in notebooks or len(notebooks) == 1:
        return Submission(folder.name, named if named in notebooks else notebooks[0], own_folder=True)
    found = ", ".join(p.name for p in notebooks) or "none"
    return Submission(folder.name, None, f"no notebook {assignment}.ipynb in {inner} (notebooks found: {found})")


def find_submissions(assignment: str, sources: list[Path]) -> list[Submission]:
    """Every student's notebook for ``assignment`` in ``sources`` (see the layouts above),
    sorted by student id. Raises ValueError for a missing source or a student found twice."""
    found: dict[str, Submission] = {}
    for source in sources:
        if source.is_dir() and (source / "submitted").is_dir():
            source = source / "submitted"
        if source.is_file():
            submissions = [Submission(_student_from_file(source, assignment), source)]
        elif source.is_dir():
            entries = sorted(p for p in source.iterdir() if not _skipped(p))
            submissions = [_in_student_folder(p, assignment) for p in entries if p.is_dir()]
            submissions += [Submission(_student_from_file(p, assignment), p) for p in entries if p.suffix == ".ipynb"]
        else:
            raise ValueError(f"{source} is neither a notebook nor a folder of submissions")
        for submission in submissions:
            if submission.student in found:
                raise ValueError(f"two submissions for student {submission.student!r}: "
                                 f"{found[submission.student].path} and {submission.path}")
            found[submission.student] = submission
    return [found[student] for student in sorted(found)]


# -- grading one submission (a Dask task) -----------------------------------------------------

def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def grade_submission(student: str, notebook: bytes, assignment: str, limits: Limits,
                     files: dict[str, bytes] | None = None) -> Graded:
    """Grade one notebook (its bytes, with ``files`` beside it: the data files of its folder)
    with ``python -m autograde`` in a process of its own.

    Runs on a Dask worker, or here when grading serially; needs nothing but this package
    and a temporary folder, so workers on other machines need no shared file system.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qlab-grade-") as work:
        work = Path(work)
        path, out = work / "submission" / f"{assignment}.ipynb", work / "result.json"
        for name, data in (files or {}).items():
            (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
            (path.parent / name).write_bytes(data)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(notebook)
        command = [sys.executable, "-m", "autograde.classroom.batch", str(path), "--assignment", assignment,
                   "--json", str(out), "--call-timeout", f"{limits.call_timeout:g}"]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])),
                   QLAB_GRADING_PARENT=str(os.getpid()))
        with open(work / "grader.log", "wb") as log:
            process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
            if limits.memory_limit:  # set before the grader has imported anything, let alone run the student's code
                with contextlib.suppress(ProcessLookupError):
                    resource.prlimit(process.pid, resource.RLIMIT_AS, (limits.memory_limit, limits.memory_limit))
            try:
                code = process.wait(limits.time_limit)
            except subprocess.TimeoutExpired:
                code = None
            _kill_group(process)  # whatever the grader started and left behind goes too
        seconds = time.perf_counter() - started
        if code is None:
            return Graded.nothing(student, assignment, f"grading stopped at the time limit of {limits.time_limit:g} s "
                                                       "for one submission (an endless loop?)", seconds)
        if code == 0 and out.exists():
            results = json.loads(out.read_text())
            points = {rule.name: 0.0 for rule in rules_for(assignment)} | {r["rule"]: r["points"] for r in results}
            return Graded(student, points, {r["rule"]: r["diagnosis"] for r in results}, "", seconds, results)
        why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        message = _last_line(work / "grader.log")
        if code == -signal.SIGKILL or "MemoryError" in message:
            why += f", over the memory limit of {limits.memory_limit / 2**30:g} GiB?"
        return Graded.nothing(student, assignment, f"the grader could not grade this notebook ({why}) {message}".strip(),
                              seconds)


def _last_line(path: Path) -> str:
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 2000))
        lines = f.read().decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def _grade_in_own_session(argv: list[str]) -> int:
    """``python -m autograde`` as the leader of its own session (the grading process), which
    takes everything it started down with it when the worker that started it dies."""
    from autograde.qlab_check import main

    def end_session(signum, frame):
        os.killpg(0, signal.SIGKILL)

    signal.signal(signal.SIGTERM, end_session)
    if sys.platform == "linux":  # SIGTERM on the death of the parent (the worker)
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != int(os.environ.pop("QLAB_GRADING_PARENT", os.getppid())):
        end_session(signal.SIGTERM, None)  # the parent died before the line above
    return main(argv)


def grader_fingerprint() -> str:
    """A digest of the grader's code (autograde/, the checks included): every worker must grade
    with the same code as this machine, or the same notebook could get different grades."""
    digest = hashlib.sha256()
    for path in sorted((PACKAGE_ROOT / "autograde").rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# -- grading the class --------------------------------------------------------------------------

def grade_class(assignment: str, submissions: list[Submission], limits: Limits = Limits(),
                workers: int | None = None, scheduler: str | None = None, progress: bool = True) -> list[Graded]:
    """Grade every submission; the rows come back sorted by student, one per submission.

    ``scheduler``: a running Dask scheduler's address; otherwise a LocalCluster of ``workers``
    single-threaded processes (default: one per core); ``workers=0``: serially, without Dask.
    """
    from tqdm import tqdm

    rules_for(assignment)  # an unknown assignment fails here, not on every worker
    bar = tqdm(total=len(submissions), desc=f"grading {assignment}", unit="notebook", file=sys.stderr,
               disable=not progress)
    graded = [Graded.nothing(s.student, assignment, s.problem) for s in submissions if s.path is None]
    gradable = [s for s in submissions if s.path is not None]
    bar.update(len(graded))
    if workers == 0 and scheduler is None:
        for submission in gradable:
            graded.append(grade_submission(submission.student, submission.path.read_bytes(), assignment, limits,
                                           submission.data_files()))
            bar.update()
    else:
        graded += _on_dask(assignment, gradable, limits, workers, scheduler, bar)
    bar.close()
    return sorted(graded, key=lambda g: g.student)


def _on_dask(assignment, submissions, limits, workers, scheduler, bar) -> list[Graded]:
    import logging

    from distributed import Client, LocalCluster, as_completed

    if scheduler:
        cluster, client = None, Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        client.wait_for_workers(1, timeout=60)
        try:
            fingerprints = client.run(grader_fingerprint)
        except Exception as error:
            raise RuntimeError(f"the Dask workers cannot import autograde ({type(error).__name__}: {error}); start "
                               f"them where `import autograde` works: after `pip install -e .` of this repository, "
                               f"or with PYTHONPATH={PACKAGE_ROOT}") from None
        if differing := sorted(w for w, f in fingerprints.items() if f != grader_fingerprint()):
            raise RuntimeError(f"the workers {', '.join(differing)} have another version of autograde (its checks) "
                               f"than {PACKAGE_ROOT}: give every worker the same one")
        # A bounded window of tasks in flight, so that only that many notebooks are in memory.
        window = 2 * sum(client.nthreads().values())
        queue = iter(submissions)
        running = {}

        def submit(submission: Submission) -> None:
            future = client.submit(grade_submission, submission.student, submission.path.read_bytes(), assignment,
                                   limits, submission.data_files(), key=f"grade-{assignment}-{submission.student}", pure=False)
            running[future] = submission
            tasks.add(future)

        tasks = as_completed()
        for submission in itertools.islice(queue, window):
            submit(submission)
        graded = []
        for future in tasks:
            submission = running.pop(future)
            try:
                graded.append(future.result())
            except Exception as error:  # the worker died or the task was lost: this student only
                graded.append(Graded.nothing(submission.student, assignment,
                                             f"the grading task failed on the cluster ({type(error).__name__}: {error})"))
            bar.update()
            if (following := next(queue, None)) is not None:
                submit(following)
        return graded
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- writing the grades -------------------------------------------------------------------------

def write_grades(assignment: str, graded: list[Graded], out: Path, notebooks: dict[str, Path | None]) -> Path:
    """DIR/grades.csv and DIR/results.json; returns the CSV's path."""
    rules = rules_for(assignment)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *(rule.name for rule in rules), "total", "notes"])
        for g in graded:
            writer.writerow([g.student, *(f"{g.points[rule.name]:g}" for rule in rules), f"{g.total:g}", g.notes(assignment)])
    details = [{**asdict(g), "notebook": str(notebooks.get(g.student) or ""), "total": g.total,
                "max_points": sum(rule.points for rule in rules)} for g in graded]
    (out / "results.json").write_text(json.dumps(details, indent=2))
    return out / "grades.csv"


def _course_gradebook(sources: list[Path]) -> str | None:
    """nbgrader's gradebook next to the submitted/ folder being graded, if there is one."""
    for source in sources:
        course = source.parent if source.name == "submitted" else source
        if (course / "submitted").is_dir() and (course / "gradebook.db").is_file():
            return f"sqlite:///{(course / 'gradebook.db').resolve()}"
    return None


def main(argv: list[str] | None = None) -> int:
    from dask.utils import parse_bytes

    parser = argparse.ArgumentParser(prog="python -m autograde batch", description=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment", help="the assignment id, e.g. 02_q_learning")
    parser.add_argument("submissions", type=Path, nargs="+", help="notebooks and folders of submissions")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="worker processes of the LocalCluster (default: one per core; "
                                                   "0: grade serially without Dask)")
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--out", type=Path, help="where to write grades.csv and results.json "
                                                 "(default: grading/batch/ASSIGNMENT)")
    parser.add_argument("--time-limit", type=float, default=Limits.time_limit,
                        help="seconds to grade one submission in all (default %(default)g)")
    parser.add_argument("--memory-limit", default="4GiB",
                        help="address space each grading process may use, e.g. 2GiB (default %(default)s)")
    parser.add_argument("--call-timeout", type=float, default=Limits.call_timeout,
                        help="seconds one call of a student function may take (default %(default)g)")
    parser.add_argument("--gradebook", help="nbgrader gradebook to record the scores in, e.g. "
                                            "sqlite:///course/gradebook.db (default: the course's, when SUBMISSIONS "
                                            "is a course folder or its submitted/ and it has a gradebook.db)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    limits = Limits(args.time_limit, parse_bytes(args.memory_limit), args.call_timeout)
    try:
        rules_for(args.assignment)
        submissions = find_submissions(args.assignment, args.submissions)
    except (KeyError, ValueError) as error:
        print(f"cannot grade: {error.args[0]}", file=sys.stderr)
        return 2
    if not submissions:
        print(f"cannot grade: no submissions found in {', '.join(map(str, args.submissions))}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        graded = grade_class(args.assignment, submissions, limits, args.workers, args.scheduler, not args.no_progress)
    except (RuntimeError, OSError) as error:
        print(f"cannot grade: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    csv_path = write_grades(args.assignment, graded, args.out or Path("grading") / "batch" / args.assignment,
                            {s.student: s.path for s in submissions})
    cut_short = sum(bool(g.cut_short) for g in graded)
    print(f"graded {len(graded)} submissions in {elapsed:.0f} s ({60 * len(graded) / elapsed:.1f} per minute); "
          f"{cut_short} cut short")
    print(f"grades: {csv_path}")
    gradebook = args.gradebook or _course_gradebook(args.submissions)
    if gradebook:
        from autograde.classroom.gradebook import record_scores

        try:
            record_scores(gradebook, args.assignment, {g.student: g.points for g in graded})
        except ValueError as error:
            print(f"the gradebook was not updated: {error}", file=sys.stderr)
            return 1
        print(f"gradebook: {gradebook}")
    return 0


if __name__ == "__main__":  # the grading process that grade_submission starts
    sys.exit(_grade_in_own_session(sys.argv[1:]))
