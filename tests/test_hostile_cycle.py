"""A class where one student attacks the others, graded by nbgrader's cycle (``make nbgrader-cycle``).

The attacker's answer cell, run in nbgrader's kernel, knows every path of the course and tries
what a hostile student would: swap its own submission for the solution, rewrite another
student's, overwrite a hidden check, read the solutions, the catalogue and a later
assignment's checks, reach a network service, lift its memory limit, and leave a process
behind that writes full marks into the gradebook after the cycle. Another student imports a
module that exits on import, in a cell that reads a data file beside its notebook. Every attempt must fail in the kernel (it reports each one in
its output), and both graders must give every student exactly what their answers earn.
"""

import hashlib
import json
import socket
import sqlite3
import subprocess
import threading
import time

import nbformat
import pytest

from autograde.classroom.batch import grader_fingerprint
from autograde.nbgrader.cycle import gradebook_scores, run_cycle
from autograde.sandbox.isolation import bwrap_works
from autograde.registry import HERE, REPO, RULES, rules_for
from submissions import ASSIGNMENT, make

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not bwrap_works(), reason="the kernel's sandbox needs bubblewrap")]
MAX = sum(rule.points for rule in rules_for(ASSIGNMENT))
MARKER = "qlab-outlives-the-cycle"
ATTACKS = ["own_submission", "victim_submission", "hidden_check", "solutions", "catalogue", "later_checks",
           "gradebook", "network", "memory_limit", "outlive"]

ATTACK = '''
import os, resource, socket, sqlite3, subprocess, sys
REPORT = {{}}
def attempt(name, action):
    try:
        action()
        REPORT[name] = "done"
    except BaseException as error:
        REPORT[name] = "blocked"
def write(path, text):
    with open(path, "w") as f:
        f.write(text)
def read(path):
    with open(path) as f:
        assert f.read()
def mark_everyone(db):
    with sqlite3.connect(db, timeout=1) as connection:
        connection.execute("update grade set manual_score = 99")
attempt("own_submission", lambda: write({own!r}, open({solution!r}).read()))
attempt("victim_submission", lambda: write({victim!r}, "{{}}"))
attempt("hidden_check", lambda: write({check!r}, "def test_nothing(): pass\\n"))
attempt("solutions", lambda: read({solution!r}))
attempt("catalogue", lambda: read({catalogue!r}))
attempt("later_checks", lambda: read({later!r}))
attempt("gradebook", lambda: mark_everyone({gradebook!r}))
attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2).close())
attempt("memory_limit", lambda: resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY,) * 2))
LATER = "import sqlite3, time; time.sleep(6); sqlite3.connect({gradebook!r}).execute('update grade set manual_score = 99')"
attempt("outlive", lambda: subprocess.Popen([sys.executable, "-c", LATER, {marker!r}], start_new_session=True,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
REPORT["outlive"] = "done (started)" if REPORT["outlive"] == "done" else REPORT["outlive"]
print("ATTACKS", REPORT)

def q_backup(Q, P, R, terminal, gamma):
    return np.zeros_like(Q)                       # wrong: 0 points for q_backup
'''

EXITS_ON_IMPORT = '''
NOTE = open("note.txt").read()                    # a data file beside the notebook: both graders see it
def greedy_policy(Q):
    return np.argmax(Q, axis=1)

import unittest.__main__                          # runs unittest's command line, which exits
'''


@pytest.fixture(scope="module")
def class_with_an_attacker(tmp_path_factory):
    submissions, course = tmp_path_factory.mktemp("submissions"), tmp_path_factory.mktemp("course")
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    submitted = course / "submitted"
    attack = ATTACK.format(
        own=str(submitted / "attacker" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        victim=str(submitted / "victim" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        solution=str(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        check=str(RULES["q_backup"].checks), catalogue=str(HERE / "catalogue" / "q_backup.py"),
        later=str(RULES["td_loss"].checks), gradebook=str(course / "gradebook.db"),
        port=server.getsockname()[1], marker=MARKER)
    make(submissions / "victim" / f"{ASSIGNMENT}.ipynb", "solution")
    make(submissions / "attacker" / f"{ASSIGNMENT}.ipynb", "hostile", answers={"q_backup_answer": attack})
    make(submissions / "exits" / f"{ASSIGNMENT}.ipynb", "hostile", answers={"greedy_policy_answer": EXITS_ON_IMPORT})
    (submissions / "exits" / "note.txt").write_text("read me")
    victim_bytes = (submissions / "victim" / f"{ASSIGNMENT}.ipynb").read_bytes()
    grader = grader_fingerprint()
    started = time.perf_counter()
    grades, disagreements = run_cycle(ASSIGNMENT, submissions, course, cell_timeout=30)
    seconds = time.perf_counter() - started
    time.sleep(8)  # longer than the process the attacker left behind would wait before writing
    server.close()
    return dict(course=course, disagreements=disagreements, victim_bytes=victim_bytes, grader=grader,
                seconds=seconds, scores=gradebook_scores(course, ASSIGNMENT, ["victim", "attacker", "exits"]))


def kernel_output(course, student) -> str:
    notebook = nbformat.read(str(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    return "\n".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))


def test_every_attack_fails_in_the_kernel(class_with_an_attacker):
    output = kernel_output(class_with_an_attacker["course"], "attacker")
    line = next(line for line in output.splitlines() if line.startswith("ATTACKS"))
    report = eval(line.removeprefix("ATTACKS "))  # the attacker's own report: {attack: outcome}
    assert sorted(report) == sorted(ATTACKS)
    assert {name: outcome for name, outcome in report.items() if outcome != "blocked" and name != "outlive"} == {}


def test_every_student_gets_what_their_answers_earn(class_with_an_attacker):
    scores = class_with_an_attacker["scores"]
    assert sum(scores["victim"].values()) == MAX
    assert sum(scores["exits"].values()) == MAX
    assert scores["attacker"][RULES["q_backup"].grade_id] == 0
    assert sum(scores["attacker"].values()) == MAX - RULES["q_backup"].points
    assert not class_with_an_attacker["disagreements"], [str(d) for d in class_with_an_attacker["disagreements"]]


def test_no_file_of_the_course_or_the_grader_changed(class_with_an_attacker):
    course = class_with_an_attacker["course"]
    victim = course / "submitted" / "victim" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert victim.read_bytes() == class_with_an_attacker["victim_bytes"]
    attacker = nbformat.read(str(course / "submitted" / "attacker" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    assert "ATTACKS" in "".join(c.source for c in attacker.cells)
    assert grader_fingerprint() == class_with_an_attacker["grader"]


def test_nothing_outlives_the_cycle_and_the_gradebook_holds_no_manual_score(class_with_an_attacker):
    course = class_with_an_attacker["course"]
    assert subprocess.run(["pgrep", "-f", MARKER], capture_output=True).stdout == b""
    with sqlite3.connect(course / "gradebook.db") as connection:
        assert connection.execute("select count(*) from grade where manual_score is not null").fetchone() == (0,)


def test_feedback_shows_points_and_no_hidden_test(class_with_an_attacker):
    course = class_with_an_attacker["course"]
    page = next((course / "feedback" / "attacker" / ASSIGNMENT).glob("*.html")).read_text()
    assert "ATTACKS" in page and "grade(&quot;q_backup&quot;" not in page and 'grade("q_backup"' not in page
    feedback = json.loads((course / "feedback" / "attacker" / ASSIGNMENT / f"{ASSIGNMENT}.json").read_text())
    assert feedback["points"] == MAX - RULES["q_backup"].points
    print(f"\nnbgrader cycle, 3 students, one attacking: {class_with_an_attacker['seconds']:.0f} s")


def test_snapshot_puts_back_a_submission_changed_during_autograde(tmp_path):
    """If a submission changes anyway (no bubblewrap), the out-of-kernel grade reads it as collected."""
    from autograde.nbgrader.cycle import restore_submissions

    folder = tmp_path / "submitted" / "bob" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text("rewritten")
    snapshot = {"bob": {f"{ASSIGNMENT}.ipynb": b"as collected"}, "ann": {f"{ASSIGNMENT}.ipynb": b"x"}}
    (tmp_path / "submitted" / "ann" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "submitted" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_bytes(b"x")
    assert restore_submissions(tmp_path, ASSIGNMENT, snapshot) == ["bob"]
    assert (folder / f"{ASSIGNMENT}.ipynb").read_bytes() == b"as collected"
    assert hashlib.sha256(b"x").digest() == hashlib.sha256(
        (tmp_path / "submitted" / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()).digest()
