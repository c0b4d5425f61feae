"""The sandbox: where a student's code runs, apart from the grader.

``process`` starts the student's process and calls into it, ``worker`` is that process
(``python -m autograde.sandbox.worker``), ``isolation`` decides what it sees (bubblewrap),
``cgroup`` caps its processes, ``codec`` and ``transport`` carry values across. It ships to
students (``qlab-check`` runs their notebook in it). It may import ``autograde.registry`` and
its own modules only: nothing of the checks, the catalogues, nbgrader or the classroom.
"""
