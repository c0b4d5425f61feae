"""``python -m autograde`` and ``qlab-check``: grade a notebook (``autograde.qlab_check``), or,
for instructors, one of the classroom's commands.

    qlab-check [04 | 04_dqn | SUBMISSION.ipynb] [--assignment 04_dqn] [--json OUT]
    python -m autograde batch ASSIGNMENT SUBMISSIONS...   (instructors: a whole class on Dask, see autograde.classroom.batch)
    python -m autograde bundle OUT_DIR                   (instructors: the student bundle, see autograde.classroom.bundle)

The classroom is not in a student's copy: there ``batch`` and ``bundle`` say so.
"""

from __future__ import annotations

import importlib
import sys

from autograde import qlab_check

INSTRUCTOR_COMMANDS = ("batch", "bundle")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in INSTRUCTOR_COMMANDS:
        try:
            command = importlib.import_module(f"autograde.classroom.{argv[0]}")
        except ModuleNotFoundError:
            print(f"`{argv[0]}` is an instructor's command: it is not in the student's copy", file=sys.stderr)
            return 2
        return command.main(argv[1:])
    return qlab_check.main(argv)


if __name__ == "__main__":
    sys.exit(main())
