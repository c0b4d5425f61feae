"""A control group per sandbox (autograde.sandbox.cgroup), where the machine allows one: the student's
processes are in it with a task limit, and it is gone when the sandbox stops."""

import subprocess

import pytest

from autograde.sandbox import cgroup
from autograde.sandbox.isolation import bwrap_works
from autograde.sandbox.process import Sandbox

probe = cgroup.create("probe")
if probe:
    probe.remove()
pytestmark = pytest.mark.skipif(probe is None or not bwrap_works(),
                                reason="this machine lets the grader make no control group")


def test_the_sandbox_runs_in_a_group_of_its_own_which_ends_with_it():
    sandbox = Sandbox(["import os, subprocess\nchild = subprocess.Popen(['sleep', '60'], start_new_session=True)"],
                      isolate=True)
    sandbox.start()
    try:
        group = sandbox.group
        assert group is not None and sandbox.process.pid in group.tasks()
        assert len(group.tasks()) >= 3  # bubblewrap, the worker, and the child it left running
        pids = next(f for f in group.folders if (f / "pids.max").exists())
        assert (pids / "pids.max").read_text().strip() == str(cgroup.TASKS)
    finally:
        sandbox.stop()
    assert not any(folder.exists() for folder in group.folders)


def test_a_group_whose_grader_ended_is_swept_away():
    ended = subprocess.Popen(["true"])
    ended.wait()
    group = cgroup.create("sandbox")
    stale = [folder.parent / f"qlab-sandbox-{ended.pid}-0" for folder in group.folders]
    group.remove()
    for folder in stale:
        folder.mkdir()
    fresh = cgroup.create("sandbox")
    try:
        assert not any(folder.exists() for folder in stale)
    finally:
        fresh.remove()
