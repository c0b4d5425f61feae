"""How much a submission that forks busy processes slows its neighbours' grading (issue 16).

    .venv/bin/python benchmarks/bench_fork_neighbours.py

Grades the 01 solution out of the kernel three times: alone; beside 60 busy processes that no
control group holds (what a sandbox's fork bomb was before autograde.sandbox.cgroup); and beside a
sandbox whose cell forks 60 busy processes, inside the control group the grader gives each
sandbox where the machine allows one. Run it on an otherwise idle machine.
"""
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from autograde.offline import grade_notebook
from autograde.sandbox.process import Sandbox
from submissions import make

nb = make(Path("/tmp/qlab-bench-neighbour/01_value_iteration.ipynb"), "solution")

def timed():
    t = time.perf_counter()
    results = grade_notebook(nb)
    return time.perf_counter() - t, sum(r.points for r in results)

BUSY = "import os\nfor _ in range(59):\n    if os.fork() == 0:\n        break\nwhile True: pass\n"
print("alone: %.1f s, %g points" % timed())
hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(60)]
try:
    print("beside 60 busy processes, no group: %.1f s, %g points" % timed())
finally:
    for h in hogs: h.kill()
hog = Sandbox([BUSY], isolate=True, cell_timeout=150)
threading.Thread(target=hog.start, daemon=True).start()
time.sleep(5)
print("tasks in the hog's group:", len(hog.group.tasks()) if hog.group else None)
try:
    print("beside a sandbox forking 60 busy processes (its own group): %.1f s, %g points" % timed())
finally:
    hog.stop()
