import json
import os
import sys
from pathlib import Path

# One BLAS/OpenMP thread per process: the suite runs two test processes on two cores, and
# multithreaded OpenBLAS is many times slower on a busy machine (kernels and sandboxes inherit it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).parent))  # tests/submissions.py


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
