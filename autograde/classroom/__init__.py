"""The instructor's commands: a class graded in batch, the student bundle, the release.

``batch`` grades a class on Dask (``python -m autograde batch``; one process per submission,
``python -m autograde.classroom.batch``) and records the points in nbgrader's
gradebook (``gradebook``), ``bundle`` writes the students' copy and ``public``
decides what of ``autograde`` is in it (the wheel's build hook, ``autograde/wheel.py``, uses it
too), ``release`` makes ``notebooks/`` from ``solutions/``. Instructors only: never shipped.
It may import the core and the sandbox; ``autograde.nbgrader`` imports it (the batch grader and
the gradebook), never the other way.
"""
