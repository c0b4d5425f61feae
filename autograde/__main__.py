"""Grade a notebook with every check the instructor's grader runs, outside its kernel.

    qlab-check SUBMISSION.ipynb [--assignment 01_value_iteration] [--json OUT]
    python -m autograde batch ASSIGNMENT SUBMISSIONS...   (instructors: a whole class on Dask, see autograde.batch)

(``python -m autograde`` is the same command.) The notebook's setup and answer cells run in
a sandboxed child process; the checks run here and call into it. Prints each rule's points
and one line per distinct mistake (with the names of the checks it failed), and optionally
writes JSON: a list of {rule, points, max_points, diagnosis, checks, isolated} (isolated:
false when bubblewrap was missing and the student's code ran unconfined, which is also printed
loudly). Exits 0 whenever it could grade, whatever the score; 2 when the file is not a
gradable notebook; 3 when the grader cannot start the student's process here (a broken
installation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from autograde.offline import grade_notebook
from autograde.report import format_report
from autograde.sandbox import NOT_ISOLATED, IsolationWarning


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["batch"]:
        from autograde.batch import main as batch

        return batch(argv[1:])
    parser = argparse.ArgumentParser(
        prog="qlab-check", description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Save the notebook first: the file on disk is what gets graded. Example:\n"
               "  qlab-check notebooks/01_value_iteration/01_value_iteration.ipynb")
    parser.add_argument("submission", type=Path, help="the notebook to grade (.ipynb)")
    parser.add_argument("--assignment", help="the assignment id, e.g. 01_value_iteration "
                                             "(default: read from the file name, else from its cells)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the per-rule results to OUT as JSON")
    parser.add_argument("--call-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long one call of one of your functions may take (default: %(default)g)")
    parser.add_argument("--cell-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="how long one cell of the notebook may take (default: %(default)g)")
    parser.add_argument("--no-isolation", action="store_true",
                        help="run the student's code without bubblewrap (only for a notebook you trust)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IsolationWarning)  # said below, on stdout
            results = grade_notebook(args.submission, args.assignment, args.call_timeout,
                                     cell_timeout=args.cell_timeout, isolate=False if args.no_isolation else None)
    except (ValueError, KeyError, FileNotFoundError) as error:
        print(f"cannot grade {args.submission}: {error}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
