"""nbgrader's side of the grader: the confined kernel, the preprocessors, the cycle.

``kernel`` (``python -m autograde.nbgrader.kernel``, started by nbgrader's kernel manager) and
``preprocessors`` confine and time nbgrader's autograding; ``authority`` makes the out-of-kernel
grade the one in the gradebook, ``feedback`` and ``feedback_math`` shape what a
student reads back, ``cycle`` runs nbgrader's whole cycle (``python -m autograde.nbgrader.cycle``).
``autograde/nbgrader_config.py`` stays beside the package, where nbgrader finds it by path.
Instructors only: never shipped. It may import the core, the sandbox and the classroom (the batch
grader, the gradebook); nothing imports it but ``nbgrader_config.py``.
"""
