"""Experiment budgets for the course notebooks: full when a student runs them, a smoke
budget under nbgrader (autograde, validate) and in CI.

    from qlab.budget import budget
    steps = budget(50_000, smoke=2_000)
"""

from __future__ import annotations

import os


def smoke_mode() -> bool:
    """True under nbgrader (it sets NBGRADER_EXECUTION) or when QLAB_SMOKE=1."""
    return "NBGRADER_EXECUTION" in os.environ or os.environ.get("QLAB_SMOKE") == "1"


def budget(full, smoke):
    """``smoke`` in smoke mode, else ``full``."""
    return smoke if smoke_mode() else full
