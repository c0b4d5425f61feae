"""Grade a notebook with every check the instructor's grader runs, outside its kernel.

    qlab-check [04 | 04_dqn | SUBMISSION.ipynb] [--assignment 04_dqn] [--json OUT]

(``python -m autograde`` is the same command.) ``qlab-check 04`` grades assignment 04's
notebook, found from the current folder (see ``autograde.locate``); ``qlab-check`` alone grades
the one notebook of the current folder. The notebook's setup and answer cells run in a
sandboxed child process; the checks run here and call into it. Prints each rule's points and
one line per distinct mistake (with the names of the checks it failed), and optionally writes
JSON: a list of {rule, points, max_points, diagnosis, checks, isolated} (isolated: false when
bubblewrap was missing and the student's code ran unconfined, which is also printed loudly).
Exits 0 whenever it could grade, whatever the score; 2 when no notebook was found or the file
is not a gradable notebook; 3 when the grader cannot start the student's process here (a
broken installation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from autograde.locate import NotebookNotFound, find_notebook
from autograde.offline import grade_notebook
from autograde.report import format_report
from autograde.sandbox.process import NOT_ISOLATED, IsolationWarning


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="qlab-check", description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Save the notebook first: the file on disk is what gets graded. Examples:\n"
               "  qlab-check 01        assignment 01's notebook, from the course's folder or the notebook's\n"
               "  qlab-check           the one notebook of the current folder\n"
               "  qlab-check notebooks/01_value_iteration/01_value_iteration.ipynb")
    parser.add_argument("submission", nargs="?",
                        help="the notebook to grade: its path, or its assignment's number or id (e.g. 01); "
                             "default: the one notebook of the current folder")
    parser.add_argument("--assignment", help="the assignment id, e.g. 01_value_iteration "
                                             "(default: read from the file name, else from its cells)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the per-rule results to OUT as JSON")
    parser.add_argument("--call-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long one call of one of your functions may take (default: %(default)g)")
    parser.add_argument("--cell-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="how long one cell of the notebook may take (default: %(default)g)")
    parser.add_argument("--no-isolation", action="store_true",
                        help="run the student's code without bubblewrap (only for a notebook you trust)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    try:
        submission, assignment = find_notebook(args.submission, Path.cwd())
    except NotebookNotFound as error:
        print(f"qlab-check: {error}", file=sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsolationWarning)  # said below, on stdout
            results = grade_notebook(submission, args.assignment or assignment, args.call_timeout,
                                     cell_timeout=args.cell_timeout, isolate=False if args.no_isolation else None)
    except (ValueError, KeyError, FileNotFoundError) as error:
        print(f"cannot grade {submission}: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"the grader cannot run here: {error}", file=sys.stderr)
        return 3
    if not all(r.isolated for r in results):
        print(f"WARNING: {NOT_ISOLATED}" if not args.no_isolation else
              "WARNING: graded without isolation (--no-isolation)")
    print(format_report(results))
    print(f"graded in {time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2))
    return 0

