"""Grade a submitted notebook outside the student's kernel.

    python -m autograde SUBMISSION.ipynb [--assignment 01_value_iteration] [--json OUT]
    python -m autograde bundle OUT_DIR      (the student bundle: see autograde.bundle)

The submission's setup and answer cells run in a sandboxed child process; the checks run
here and call into it. Prints a table (rule, points, max, diagnosis) and optionally writes
JSON: a list of {rule, points, max_points, diagnosis, checks}. Exits 0 whenever it could
grade, whatever the score; 2 when the file is not a gradable notebook.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from autograde.offline import format_table, grade_notebook


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bundle"]:
        from autograde.bundle import main as bundle

        return bundle(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m autograde", description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path, help="the notebook to grade (.ipynb)")
    parser.add_argument("--assignment", help="the assignment id (default: from the file name or its cells)")
    parser.add_argument("--json", type=Path, help="write the per-rule results here as JSON")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds one call of a student function may take")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        results = grade_notebook(args.submission, args.assignment, args.call_timeout)
    except (ValueError, KeyError, FileNotFoundError) as error:
        print(f"cannot grade {args.submission}: {error}", file=sys.stderr)
        return 2
    print(format_table(results))
    print(f"graded in {time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
