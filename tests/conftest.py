import functools
import json
import os
import sys
from pathlib import Path

import pytest

# One BLAS/OpenMP thread per process: the suite runs two test processes on two cores, and
# multithreaded OpenBLAS is many times slower on a busy machine (kernels and sandboxes inherit it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).parent))  # tests/submissions.py

# `make test` runs two processes with `--dist loadgroup`: a group's tests run in one process,
# so a module-scoped fixture (an nbgrader cycle, a browser, a Dask cluster) is built once. A
# group is a module, except where a module's tests fall apart by what they share: the
# catalogue's and the named-mistake tests by rule (they grade the same answers, see `graded`),
# the nbgrader cycles by assignment (one cycle each).
BY_PARAMETER = {"test_catalogue.py": "rule-", "test_named.py": "rule-", "test_cycles.py": "test_cycles.py-"}


def xdist_group(nodeid: str) -> str:
    """The group of the test ``nodeid``: its module, or, in BY_PARAMETER's modules, the first
    part of its parameters' id (the rule, the assignment)."""
    path, _, name = nodeid.partition("::")
    module = path.rsplit("/", 1)[-1]
    if module in BY_PARAMETER and name.endswith("]"):
        return BY_PARAMETER[module] + name[name.index("[") + 1:-1].split("-")[0]
    return module


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` by ``xdist_group``: xdist's own loadgroup renames node ids, which
    pytest 9 ignores, so its groups would be split across the processes."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid)

    return GroupScheduling(config, log)


@pytest.hookimpl(trylast=True)  # after pytest has ordered the items by their fixtures
def pytest_collection_modifyitems(items):
    """The groups with slow tests (nbgrader cycles, the browser, learning) first: xdist hands
    out groups in this order (`--no-loadscope-reorder`), so the many short groups come last and
    fill in, and both processes finish together."""
    slow = {}
    for item in items:
        group = xdist_group(item.nodeid)
        slow[group] = slow.get(group, False) or item.get_closest_marker("slow") is not None
    items.sort(key=lambda item: not slow[xdist_group(item.nodeid)])


@pytest.fixture(scope="session")
def graded():
    """``run_checks(RULES[rule_name], answer)``, run once per process for each rule and answer:
    tests/test_catalogue.py and tests/test_named.py judge the same catalogue answers (the checks
    are deterministic: hypothesis is derandomized), and neither changes the result it reads."""
    from autograde.registry import RULES  # imported here: numpy only after the thread settings above
    from autograde.runner import run_checks

    return functools.cache(lambda rule_name, answer: run_checks(RULES[rule_name], answer))


def pytest_terminal_summary(terminalreporter):
    """The catalogue's rates per rule: wrong answers caught, named (the words of the mistake in the
    headline of a failed check, or its differential's name), observed only, misnamed; false fails."""
    module = sys.modules.get("test_catalogue") or sys.modules.get("tests.test_catalogue")
    if module is None or not module.RATES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("catalogue rates")
    write(f"{'rule':<20} {'wrong':>5} {'caught':>6} {'named':>5} {'observed':>8} {'misnamed':>8} "
          f"{'correct':>7} {'false fails':>11}")
    every = [row for rows in module.RATES.values() for row in rows]
    for rule, rows in sorted(module.RATES.items()) + [("TOTAL", every)]:
        wrong = [o for _, kind, o in rows if kind == "wrong"]
        correct = [o for _, kind, o in rows if kind == "correct"]
        write(f"{rule:<20} {len(wrong):>5} {sum(o != 'NOT CAUGHT' for o in wrong):>6} "
              f"{wrong.count('named'):>5} {wrong.count('observed'):>8} {wrong.count('MISNAMED'):>8} "
              f"{len(correct):>7} {correct.count('FALSE FAIL'):>11}")
    if os.environ.get("QLAB_CATALOGUE_RATES"):  # every answer's outcome, for benchmarks/grading_truth
        Path(os.environ["QLAB_CATALOGUE_RATES"]).write_text(json.dumps(module.RATES, indent=1) + "\n")
